"""Reading the host's answers (pure): hashes and identities in their SATS-JSON forms, database names,
``pre_publish`` answers of the releases baseform supports and of those it does not."""

from __future__ import annotations

import pytest

from baseform.providers.spacetimedb.databases import name_problem
from baseform.providers.spacetimedb.live import identity_hex, program_hash_hex, token_identity
from baseform.providers.spacetimedb.migration import parse_pre_publish

DIGEST = bytes(range(32))


@pytest.mark.parametrize("value", [
    hex(int.from_bytes(DIGEST, "little")),     # ethnum's serde: a 0x quantity of the little-endian bytes
    str(int.from_bytes(DIGEST, "little")),     # a decimal string
    int.from_bytes(DIGEST, "little"),          # a JSON number
])
def test_program_hash_forms(value: object) -> None:
    assert program_hash_hex(value) == DIGEST.hex()


def test_a_hash_with_leading_zero_bytes_keeps_its_width() -> None:
    digest = bytes(31) + b"\x01"  # little-endian: the quantity has no leading zeros to lose
    assert program_hash_hex(hex(int.from_bytes(digest, "little"))) == digest.hex()
    assert program_hash_hex("not a number") is None and program_hash_hex(None) is None


@pytest.mark.parametrize("value", [{"__identity__": "0xc2001234"}, "c2001234", "0xC2001234"])
def test_identity_forms(value: object) -> None:
    assert identity_hex(value) == "c2001234".rjust(64, "0")


def test_token_identity_reads_only_the_claim() -> None:
    assert token_identity("a.eyJoZXhfaWRlbnRpdHkiOiAiQzIwMEFCIn0.sig") == "c200ab"
    assert token_identity("opaque-token") is None
    assert token_identity("a.!!!.c") is None


@pytest.mark.parametrize(("name", "problem"), [
    ("quickstart-chat", None), ("a1-b2-c3", None), ("c2" * 32, None),
    ("", "empty"), ("-chat", "hyphen"), ("chat-", "hyphen"), ("a--b", "hyphen"), ("Chat", "lowercase"),
    ("chat_db", "lowercase"), ("chat.db", "lowercase"),
])
def test_database_names_follow_parse_database_name(name: str, problem: str | None) -> None:
    found = name_problem(name)
    assert (found is None) if problem is None else (found is not None and problem in found)


def test_pre_publish_answers() -> None:
    auto = parse_pre_publish({"AutoMigrate": {
        "migrate_plan": "━━━━\n\x1b[0m\x1b[1mDatabase Migration Plan\x1b[0m\n━━━━\n\n▸ Created user table: t (public)\n"
                        "\n!!! Warning: All clients will be disconnected due to breaking schema changes\n",
        "break_clients": True, "token": "0xabc"}})  # 1.9-1.12: no major_version_upgrade
    assert auto.automatic and auto.breaks_clients and auto.token == "0xabc" and not auto.major_version_upgrade
    assert auto.lines == ("▸ Created user table: t (public)",
                          "!!! Warning: All clients will be disconnected due to breaking schema changes")
    manual = parse_pre_publish({"ManualMigrate": {"reason": "Errors occurred:\nA\n\nB\n\n",
                                                  "major_version_upgrade": True}})
    assert not manual.automatic and manual.lines == ("A", "B") and manual.major_version_upgrade
    assert manual.reason == "A; B"
    with pytest.raises(ValueError):  # 1.6-1.8 answered a struct without the variant
        parse_pre_publish({"migrate_plan": "...", "break_clients": False, "token": "0x1"})
