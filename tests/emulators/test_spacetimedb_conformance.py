"""Conformance of the SpacetimeDB emulator with the server source (clockworklabs/SpacetimeDB release tags).

There is no official Python client, so the tests speak raw HTTP in the shapes the ``spacetime`` CLI
sends (crates/cli/src/subcommands/publish.rs). Expected values come from the source: the migration
modules and expectations of crates/schema/src/auto_migrate.rs's own tests, its insta snapshots under
crates/schema/src/snapshots/ (the parts the emulator models: views are left out), the handlers in
crates/client-api/src/routes/database.rs and the error texts of the release named in each test.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import httpx
import pytest
from Crypto.Hash import keccak

from tests.emulators.server import RunningEmulator, serve
from tests.emulators.spacetimedb import SpacetimeEmulator
from tests.emulators.spacetimedb.modules import (
    BOOL,
    I32,
    STRING,
    U16,
    U32,
    U64,
    U128,
    ModuleBuilder,
    array,
    btree,
    initial_module,
    product,
    sum_,
    updated_module,
)

VERSIONS = ("2.8.3", "2.7.0", "2.2.0", "2.1.0", "1.12.0")


@pytest.fixture(scope="module")
def hosts() -> Iterator[dict[str, RunningEmulator]]:
    running = {v: serve(SpacetimeEmulator(v)) for v in VERSIONS}
    yield running
    for server in running.values():
        server.stop()


class Host:
    """One emulated host and an owner identity on it, spoken to like the CLI does."""

    def __init__(self, server: RunningEmulator) -> None:
        server.emulator.reset()
        self.url = server.url
        self.clients: dict[str, httpx.Client] = {}
        answer = self.client("").post("/v1/identity").json()
        self.identity, self.token = answer["identity"], answer["token"]

    def client(self, auth: str | None = None) -> httpx.Client:
        """A client sending ``auth`` (default: the owner's token; "" sends no Authorization header)."""
        key = self.token if auth is None else auth
        if key not in self.clients:
            headers = {"Authorization": f"Bearer {key}"} if key != "" else {}
            self.clients[key] = httpx.Client(base_url=self.url, headers=headers, verify=False)
        return self.clients[key]

    def close(self) -> None:
        for client in self.clients.values():
            client.close()

    def publish(self, name: str, module: ModuleBuilder | bytes, auth: str | None = None,
                **params: str) -> httpx.Response:
        body = module if isinstance(module, bytes) else module.bytes()
        return self.client(auth).put(f"/v1/database/{name}", content=body, params={"host_type": "Wasm", **params})

    def pre_publish(self, name: str, module: ModuleBuilder, auth: str | None = None,
                    **params: str) -> httpx.Response:
        return self.client(auth).post(f"/v1/database/{name}/pre_publish", content=module.bytes(),
                                      params={"style": "NoColor", "host_type": "Wasm", **params})

    def cli_publish(self, name: str, module: ModuleBuilder) -> httpx.Response:
        """publish.rs: pre_publish, then a PUT with its token and policy=BreakClients."""
        pre = self.pre_publish(name, module).json()
        return self.publish(name, module, policy="BreakClients", token=pre["AutoMigrate"]["token"])


@pytest.fixture()
def host(hosts: dict[str, RunningEmulator]) -> Iterator[Host]:
    host = Host(hosts["2.8.3"])
    yield host
    host.close()


def _plan(host: Host, old: ModuleBuilder, new: ModuleBuilder, name: str = "db") -> dict:  # type: ignore[type-arg]
    assert host.publish(name, old).status_code == 200
    answer = host.pre_publish(name, new)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


# -- identities and auth (routes/identity.rs, auth.rs, lib/src/identity.rs) ----------------------------

def test_identities_and_tokens(host: Host) -> None:
    assert len(host.identity) == 64 and host.identity.startswith("c200")
    claims = json.loads(base64.urlsafe_b64decode(host.token.split(".")[1] + "=="))
    assert claims["hex_identity"] == host.identity and claims["aud"] == ["spacetimedb"]
    assert set(claims) == {"hex_identity", "sub", "iss", "aud", "iat", "exp"}
    verify = f"/v1/identity/{host.identity}/verify"
    assert host.client().get(verify).status_code == 204
    other, _ = host.client("").post("/v1/identity").json().values()
    assert host.client().get(f"/v1/identity/{other}/verify").status_code == 400
    assert host.client("").get(verify).text == "Authorization required"


def test_bad_credentials_are_rejected_before_anything_else(host: Host) -> None:
    head, body, _ = host.token.split(".")
    for token, status, text in [("garbage", 401, "Invalid token: InvalidToken"),
                                (f"{head}.{body}.AAAA", 401, "Invalid token: InvalidSignature")]:
        answer = host.publish("db", ModuleBuilder(), auth=token)
        assert (answer.status_code, answer.text) == (status, text)
    answer = host.client("").put("/v1/database/db", headers={"Authorization": "Basic abc"})
    assert (answer.status_code, answer.text) == (400, "Authorization is invalid: malformed token")


def test_anonymous_publish_creates_a_new_owner_and_echoes_its_token(host: Host) -> None:
    answer = host.publish("orphan", ModuleBuilder(), auth="")
    assert answer.status_code == 200
    minted = answer.headers["spacetime-identity"]
    assert minted != host.identity and answer.headers["spacetime-identity-token"].count(".") == 2
    info = host.client().get("/v1/database/orphan").json()
    assert info["owner_identity"] == {"__identity__": "0x" + minted}


# -- publishing (routes/database.rs publish, reset, pre_publish, delete) -------------------------------

def test_cli_publish_flow(host: Host) -> None:
    created = host.publish("quickstart-chat", initial_module())
    assert created.status_code == 200
    success = created.json()["Success"]
    assert success["domain"] == "quickstart-chat" and success["op"] == "created"
    assert len(success["database_identity"]) == 64
    # the CLI asks for `pretty_print_style`, which the server does not read: the plan comes in its
    # default AnsiColor style
    cli_pre = host.client().post("/v1/database/quickstart-chat/pre_publish", content=updated_module().bytes(),
                                 params={"pretty_print_style": "NoColor", "host_type": "Wasm"}).json()
    assert "\x1b[0m\x1b[1m\x1b[34mDatabase Migration Plan\x1b[0m" in cli_pre["AutoMigrate"]["migrate_plan"]
    assert cli_pre["AutoMigrate"]["break_clients"] is True
    assert cli_pre["AutoMigrate"]["major_version_upgrade"] is False
    updated = host.publish("quickstart-chat", updated_module(), policy="BreakClients",
                           token=cli_pre["AutoMigrate"]["token"])
    assert updated.json()["Success"]["op"] == "updated"
    info = host.client().get("/v1/database/quickstart-chat").json()
    assert set(info) == {"database_identity", "owner_identity", "host_type", "initial_program"}
    assert info["host_type"] == {"Wasm": []}
    assert info["database_identity"] == {"__identity__": "0x" + success["database_identity"]}


def test_pre_publish_of_an_unknown_name_is_404(host: Host) -> None:
    answer = host.pre_publish("nowhere", ModuleBuilder())
    assert (answer.status_code, answer.text) == (404, "`nowhere` not found")  # the CLI: a new database
    assert host.client().get("/v1/database/" + "c2" + "0" * 62).text == "No such database."


def test_module_hash_and_migration_token(host: Host) -> None:
    body = initial_module().bytes()
    assert host.publish("db", body).status_code == 200
    digest = keccak.new(data=body, digest_bits=256).digest()
    rows = host.client().post("/v1/database/db/sql", content=b"SELECT program_hash FROM st_module").json()
    assert rows[0]["rows"] == [[hex(int.from_bytes(digest, "little"))]]  # a u256 quantity (ethnum serde)
    info = host.client().get("/v1/database/db").json()
    assert info["initial_program"] == hex(int.from_bytes(digest, "little"))
    new = updated_module()
    token = host.pre_publish("db", new).json()["AutoMigrate"]["token"]
    identity = info["database_identity"]["__identity__"][2:]
    new_digest = keccak.new(data=new.bytes(), digest_bits=256).digest()
    expected = keccak.new(data=(identity + digest.hex() + new_digest.hex()).encode(), digest_bits=256).digest()
    assert token == hex(int.from_bytes(expected, "little"))


def test_migration_policies(host: Host) -> None:
    assert host.publish("db", initial_module()).status_code == 200
    compatible = host.publish("db", updated_module())
    assert (compatible.status_code, compatible.text) == (400, (
        "Failed to create or update the database: Migration plan contains a client-breaking change which is "
        "disallowed under current policy"))
    no_token = host.publish("db", updated_module(), policy="BreakClients")
    assert no_token.text == "Migration policy is set to `BreakClients`, but no migration token was provided."
    wrong = host.publish("db", updated_module(), policy="BreakClients", token="0x1234")
    assert wrong.text == ("Failed to create or update the database: Token provided is invalid or does not match "
                          "expected hash")
    bad_policy = host.publish("db", updated_module(), policy="Whatever")
    assert bad_policy.status_code == 400 and "unknown variant `Whatever`" in bad_policy.text
    assert host.cli_publish("db", updated_module()).status_code == 200
    again = host.publish("db", updated_module())  # same module hash: NoUpdateNeeded, whatever the policy
    assert again.json()["Success"]["op"] == "updated"


def test_only_the_owner_acts_on_an_existing_database(host: Host) -> None:
    assert host.publish("db", initial_module()).status_code == 200
    db = host.client().get("/v1/database/db").json()["database_identity"]["__identity__"][2:]
    stranger, token = host.client("").post("/v1/identity").json().values()
    for answer, action in [(host.publish("db", updated_module(), auth=token), "update database"),
                           (host.pre_publish("db", updated_module(), auth=token), "update database"),
                           (host.publish("db", updated_module(), auth=token, clear="true"), "reset database"),
                           (host.client(token).delete("/v1/database/db"), "delete database")]:
        assert answer.status_code == 403
        assert answer.text == f"{stranger} is not authorized to perform action on database {db}: {action}"
    assert host.publish("theirs", initial_module(), auth=token).json()["Success"]["op"] == "created"


def test_clear_deletes_the_data_and_replaces_the_program(host: Host) -> None:
    old = ModuleBuilder()
    old.table("t", ("id", U64), ("name", STRING)).finish()
    assert host.publish("db", old).status_code == 200
    host.client().post("/v1/database/db/sql", content=b"INSERT INTO t (id, name) VALUES (1, 'a'), (2, 'b')")
    new = ModuleBuilder()
    new.table("t", ("id", U64)).finish()  # a removed column: no automatic migration
    manual = host.pre_publish("db", new).json()
    assert manual == {"ManualMigrate": {"reason": "Errors occurred:\nRemoving a column name from table t requires a "
                                                  "manual migration\n\n", "major_version_upgrade": False}}
    refused = host.publish("db", new)
    assert refused.status_code == 400
    assert refused.text == ("Database update rejected: Errors occurred:\nRemoving a column name from table t "
                            "requires a manual migration\n\n")
    cleared = host.publish("db", new, clear="true")
    assert cleared.json() == {"Success": {"domain": "db", "database_identity": cleared.json()["Success"][
        "database_identity"], "op": "updated"}}
    assert host.client().post("/v1/database/db/sql", content=b"SELECT * FROM t").json()[0]["rows"] == []
    digest = keccak.new(data=new.bytes(), digest_bits=256).digest()
    assert host.client().get("/v1/database/db").json()["initial_program"] == hex(int.from_bytes(digest, "little"))


def test_delete(host: Host) -> None:
    assert host.client().delete("/v1/database/nothing").status_code == 404
    assert host.client().delete("/v1/database/" + "c2" * 32).status_code == 200
    assert host.publish("db", initial_module()).status_code == 200
    assert host.client().delete("/v1/database/db").status_code == 200
    assert host.client().get("/v1/database/db").status_code == 404
    # the name stays registered to its identity: publishing to it again creates the database anew there
    assert host.publish("db", initial_module()).json()["Success"]["op"] == "created"


def test_schema_is_the_canonical_raw_module(host: Host) -> None:
    assert host.publish("db", initial_module()).status_code == 200
    assert host.client().get("/v1/database/db/schema").text == ("Failed to deserialize query string: missing "
                                                                "field `version`")
    schema = host.client().get("/v1/database/db/schema", params={"version": "9"}).json()
    apples = next(t for t in schema["tables"] if t["name"] == "Apples")
    assert [i["name"] for i in apples["indexes"]] == [{"some": "Apples_id_idx_btree"},
                                                      {"some": "Apples_id_name_idx_btree"}]
    assert apples["constraints"][0]["name"] == {"some": "Apples_id_key"}
    assert apples["sequences"][0]["name"] == {"some": "Apples_id_seq"}
    deliveries = next(t for t in schema["tables"] if t["name"] == "Deliveries")
    assert deliveries["schedule"]["some"]["name"] == {"some": "Deliveries_sched"}


def test_invalid_modules_are_refused(host: Host) -> None:
    assert host.publish("db", b"\x00asm\x01\x00\x00\x00").status_code == 500  # no WASM runs here
    no_index = ModuleBuilder()
    no_index.table("t", ("id", U64)).with_unique_constraint(0).finish()
    answer = host.publish("db", no_index)
    assert answer.status_code == 500 and "unique constraint t_id_key has no index" in answer.text


# -- the migration planner (schema/src/auto_migrate.rs) -------------------------------------------------

UPDATED_NO_COLOR = """\
━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
Database Migration Plan
━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━

▸ Removed index Apples_id_name_idx_btree on [id, name] of table Apples
▸ Removed unique constraint Apples_id_key on [id] of table Apples
▸ Removed auto-increment constraint Apples_id_seq on column id of table Apples
▸ Removed schedule for table Deliveries calling reducer check_deliveries
▸ Removed row level security policy:
    `SELECT * FROM Apples`
▸ Changed columns for table Apples
▸ Changed columns for table Deliveries
▸ Created column in table Bananas
    + freshness: U32 (default: U32(
    5,
))
▸ Created user table: Oranges (public)
    Columns:
        • id: U32
    Unique constraints:
        • Oranges_id_key on [id]
    Indexes:
        • Oranges_id_idx_btree on [id]
    Auto-increment constraints:
        • Oranges_id_seq on id

▸ Created index Apples_id_count_idx_btree on [id, count] of table Apples
▸ Created auto-increment constraint Bananas_id_seq on column id of table Bananas
▸ Created schedule for table Inspections calling reducer perform_inspection
▸ Created row level security policy:
    `SELECT * FROM Bananas`
▸ Changed access for table Bananas (public → private)
!!! Warning: All clients will be disconnected due to breaking schema changes
"""
"""snapshots/spacetimedb_schema__auto_migrate__tests__updated pretty print no color.snap (v2.8.3), without
the two `my_view` blocks (views are not modelled)."""


def test_plan_text_matches_the_source_snapshot(host: Host) -> None:
    auto = _plan(host, initial_module(), updated_module())["AutoMigrate"]
    assert auto["migrate_plan"] == UPDATED_NO_COLOR
    assert auto["break_clients"] is True


def test_ansi_plan_text_matches_the_source_snapshot(host: Host) -> None:
    assert host.publish("db", ModuleBuilder()).status_code == 200
    text = host.pre_publish("db", initial_module(), style="AnsiColor").json()["AutoMigrate"]["migrate_plan"]
    # snapshots/..._empty_to_populated_migration.snap (v2.8.3): its first table and its tail
    esc = "\x1b"
    assert text.startswith(
        "━" * 60 + f"\n{esc}[0m{esc}[1m{esc}[34mDatabase Migration Plan{esc}[0m\n" + "━" * 60 + "\n\n"
        f"▸ {esc}[0m{esc}[1m{esc}[32mCreated{esc}[0m user table: {esc}[0m{esc}[1m{esc}[36mApples{esc}[0m "
        f"({esc}[0m{esc}[32mpublic{esc}[0m)\n    {esc}[0m{esc}[1m{esc}[34mColumns:{esc}[0m\n"
        f"        • id: {esc}[0m{esc}[35mU64{esc}[0m\n")
    assert f"        • scheduled_at: {esc}[0m{esc}[35m(Interval: (__time_duration_micros__: I64) | Time: " \
           f"(__timestamp_micros_since_unix_epoch__: I64)){esc}[0m\n" in text
    assert "        • Calls reducer: check_deliveries\n" in text
    assert text.endswith(f"▸ {esc}[0m{esc}[1m{esc}[32mCreated{esc}[0m row level security policy:\n"
                         f"    `{esc}[0m{esc}[34mSELECT * FROM Apples{esc}[0m`\n"
                         f"{esc}[0m{esc}[1m{esc}[41m!!! Warning: All clients will be disconnected due to breaking "
                         f"schema changes{esc}[0m\n")


def _errors_modules() -> tuple[ModuleBuilder, ModuleBuilder]:
    """``auto_migration_errors``: every kind of change that needs a manual migration."""
    old = ModuleBuilder()
    foo2 = old.add_type("foo2", sum_(("foo21", BOOL), ("foo22", U32), ("foo23", U32)))
    foo = old.add_type("foo", product(("foo1", STRING), ("foo2", foo2), ("foo3", I32)))
    sum1 = old.add_type("sum1", sum_(("foo", array(foo)), ("bar", U128)))
    prod1 = old.add_type("prod1", product(("baz", BOOL), ("qux", BOOL)))
    old.table("Apples", ("id", U64), ("name", STRING), ("sum1", sum1), ("prod1", prod1), ("count", U16)) \
        .with_index(btree(0), "id_index").with_unique_constraint(1, 2).with_index(btree(1, 2)).finish()
    old.table("Bananas", ("id", U64), ("name", STRING), ("count", U16)).finish()
    new = ModuleBuilder()
    new_foo2 = new.add_type("foo2", sum_(("bad", BOOL), ("foo22", {"U64": []})))
    new_foo = new.add_type("foo", product(("bad", STRING), ("foo2", new_foo2)))
    new_sum1 = new.add_type("sum1", sum_(("bad", array(new_foo))))
    new_prod1 = new.add_type("prod1", product(("bad", BOOL)))
    new.table("Apples", ("name", U32), ("id", U64), ("sum1", new_sum1), ("prod1", new_prod1), ("weight", U16)) \
        .with_index(btree(1), "id_index_new_accessor").with_unique_constraint(1, 0).with_index(btree(1, 0)) \
        .with_unique_constraint(0).with_index(btree(0)).with_type("System").finish()
    return old, new


_FOO2 = "(foo21: Bool | foo22: U32 | foo23: U32)"
_NEW_FOO2 = "(bad: Bool | foo22: U64)"
_FOO = f"(foo1: String, foo2: {_FOO2}, foo3: I32)"
_NEW_FOO = f"(bad: String, foo2: {_NEW_FOO2})"
_SUM1 = f"(foo: Array<{_FOO}> | bar: U128)"
_NEW_SUM1 = f"(bad: Array<{_NEW_FOO}>)"
ERRORS_283 = [
    "Changing the table type of table Apples from User to System requires a manual migration",
    "Changing the type of column name in table Apples from String to U32 requires a manual migration",
    "Reordering table Apples requires a manual migration",
    "Reordering table Apples requires a manual migration",
    f"Changing the type of column sum1 in table Apples from {_SUM1} to {_NEW_SUM1}, with fewer variants, requires "
    "a manual migration",
    f"Changing a type within column sum1 in table Apples from {_FOO} to {_NEW_FOO}, with fewer fields, requires a "
    "manual migration",
    f"Changing a type within column sum1 in table Apples from {_FOO} to {_NEW_FOO}, with a renamed field, requires "
    "a manual migration",
    f"Changing a type within column sum1 in table Apples from {_FOO2} to {_NEW_FOO2}, with fewer variants, requires "
    "a manual migration",
    f"Changing a type within column sum1 in table Apples from {_FOO2} to {_NEW_FOO2}, with a renamed variant, "
    "requires a manual migration",
    "Changing a type within column sum1 in table Apples from U32 to U64 requires a manual migration",
    f"Changing a type within column sum1 in table Apples from {_FOO2} to {_NEW_FOO2}, requires a manual migration, "
    "due to size mismatch",
    f"Changing a type within column sum1 in table Apples from {_FOO2} to {_NEW_FOO2}, requires a manual migration, "
    "due to alignment mismatch",
    f"Changing the type of column sum1 in table Apples from {_SUM1} to {_NEW_SUM1}, with a renamed variant, "
    "requires a manual migration",
    f"Changing the type of column sum1 in table Apples from {_SUM1} to {_NEW_SUM1}, requires a manual migration, "
    "due to size mismatch",
    f"Changing the type of column sum1 in table Apples from {_SUM1} to {_NEW_SUM1}, requires a manual migration, "
    "due to alignment mismatch",
    "Changing the type of column prod1 in table Apples from (baz: Bool, qux: Bool) to (bad: Bool), with fewer "
    "fields, requires a manual migration",
    "Changing the type of column prod1 in table Apples from (baz: Bool, qux: Bool) to (bad: Bool), with a renamed "
    "field, requires a manual migration",
    "Removing a column count from table Apples requires a manual migration",
    "Adding a column weight to table Apples requires a default value annotation",
    'Changing the accessor name on index Apples_id_idx_btree from Some("id_index") to Some("id_index_new_accessor") '
    "requires a manual migration",
]


@pytest.mark.parametrize("version", ["2.8.3", "2.1.0"])
def test_manual_migration_reasons(hosts: dict[str, RunningEmulator], version: str) -> None:
    host = Host(hosts[version])
    old, new = _errors_modules()
    reason = _plan(host, old, new)["ManualMigrate"]["reason"]
    assert reason.startswith("Errors occurred:\n") and reason.endswith("\n\n")
    errors = reason.removeprefix("Errors occurred:\n").split("\n\n")[:-1]
    expected = list(ERRORS_283)
    if version == "2.1.0":  # removing a table, and adding a unique constraint, needed a manual migration then
        expected.insert(0, "Removing the table Bananas requires a manual migration")
        expected += ["Adding a unique constraint Apples_id_name_key requires a manual migration",
                     "Adding a unique constraint Apples_name_key requires a manual migration"]
    assert sorted(errors) == sorted(expected)


def test_removing_a_table(hosts: dict[str, RunningEmulator]) -> None:
    def modules(keep_drop: bool) -> ModuleBuilder:
        b = ModuleBuilder()
        b.table("Keep", ("id", U64)).finish()
        if keep_drop:
            b.table("Drop", ("id", U64)).with_unique_constraint(0).with_index(btree(0), "Drop_id_idx").finish()
        return b

    host = Host(hosts["2.8.3"])  # remove_table_produces_step, ..._does_not_produce_orphan_sub_object_steps
    auto = _plan(host, modules(True), modules(False))["AutoMigrate"]
    assert auto["migrate_plan"].split("\n\n", 1)[1] == (
        "▸ Removed table: Drop\n\n!!! Warning: All clients will be disconnected due to breaking schema changes\n")
    assert auto["break_clients"] is True
    host.client().post("/v1/database/db/sql", content=b"INSERT INTO Drop (id) VALUES (7)")
    refused = host.cli_publish("db", modules(False))
    assert refused.text == ("Failed to create or update the database: Cannot remove table `Drop`: table contains "
                            "data. Clear the table's rows (e.g. via a reducer) before removing it from your schema.")
    old_host = Host(hosts["2.1.0"])
    assert _plan(old_host, modules(True), modules(False))["ManualMigrate"]["reason"] == (
        "Errors occurred:\nRemoving the table Drop requires a manual migration\n\n")


def test_row_level_security_changes_disconnect_clients(host: Host) -> None:
    """``change_rls_disconnect_clients``."""
    cases = [([], [], False), (["SELECT true;"], ["SELECT false;"], True), (["SELECT true;"], [], True),
             ([], ["SELECT false;"], True), (["SELECT true;"], ["SELECT true;"], False)]
    for i, (old_rls, new_rls, breaks) in enumerate(cases):
        old, new = ModuleBuilder(), ModuleBuilder()
        for sql in old_rls:
            old.rls(sql)
        for sql in new_rls:
            new.rls(sql)
        assert _plan(host, old, new, f"rls-{i}")["AutoMigrate"]["break_clients"] is breaks, (old_rls, new_rls)


def _unique_modules() -> tuple[ModuleBuilder, ModuleBuilder]:
    old, new = ModuleBuilder(), ModuleBuilder()
    old.table("t", ("id", U64), ("email", STRING)).finish()
    new.table("t", ("id", U64), ("email", STRING)).with_unique_constraint(1).with_index(btree(1)).finish()
    return old, new


def test_adding_a_unique_constraint_is_automatic_since_2_8(hosts: dict[str, RunningEmulator]) -> None:
    old, new = _unique_modules()
    auto = _plan(Host(hosts["2.8.3"]), old, new)["AutoMigrate"]
    assert "▸ Created unique constraint t_email_key on [email] of table t\n" in auto["migrate_plan"]
    assert auto["break_clients"] is False
    manual = _plan(Host(hosts["2.7.0"]), old, new)["ManualMigrate"]
    assert manual["reason"] == ("Errors occurred:\nAdding a unique constraint t_email_key requires a manual "
                                "migration\n\n")


def test_a_unique_constraint_over_duplicate_rows_fails_at_publish(host: Host) -> None:
    old, new = _unique_modules()
    assert host.publish("db", old).status_code == 200
    host.client().post("/v1/database/db/sql", content=b"INSERT INTO t (id, email) VALUES (1, 'a'), (2, 'a')")
    refused = host.cli_publish("db", new)
    assert refused.status_code == 400
    assert refused.text.startswith("Failed to create or update the database: ")


def test_primary_key_changes_are_a_step_since_2_2(hosts: dict[str, RunningEmulator]) -> None:
    old, new = ModuleBuilder(), ModuleBuilder()
    old.table("t", ("id", U64)).with_unique_constraint(0).with_index(btree(0)).finish()
    new.table("t", ("id", U64)).with_unique_constraint(0).with_index(btree(0)).with_primary_key(0).finish()
    steps = _plan(Host(hosts["2.2.0"]), old, new)["AutoMigrate"]["migrate_plan"].split("\n\n", 1)[1]
    assert steps == "▸ Changed primary key on table t (added on column 0)\n"
    assert _plan(Host(hosts["2.1.0"]), old, new)["AutoMigrate"]["migrate_plan"].split("\n\n", 1)[1] == ""


def test_adding_columns_needs_a_default_and_rewrites_the_table(host: Host) -> None:
    old, new = ModuleBuilder(), ModuleBuilder()
    old.table("t", ("id", U64)).finish()
    new.table("t", ("id", U64), ("flag", BOOL), ("label", STRING)).with_default_column_value(1, BOOL, True) \
        .with_default_column_value(2, STRING, "x").finish()
    assert host.publish("db", old).status_code == 200
    host.client().post("/v1/database/db/sql", content=b"INSERT INTO t (id) VALUES (1)")
    auto = host.pre_publish("db", new).json()["AutoMigrate"]
    assert auto["break_clients"] is True
    assert "▸ Created columns in table t\n    + flag: Bool (default: Bool(\n    true,\n))\n" \
           '    + label: String (default: String(\n    "x",\n))\n' in auto["migrate_plan"]
    assert host.cli_publish("db", new).status_code == 200
    rows = host.client().post("/v1/database/db/sql", content=b"SELECT * FROM t").json()[0]["rows"]
    assert rows == [[1, True, "x"]]


def test_major_version_upgrade_field_appears_in_2_0(hosts: dict[str, RunningEmulator]) -> None:
    old = Host(hosts["1.12.0"])
    assert old.publish("db", ModuleBuilder()).status_code == 200
    assert set(old.pre_publish("db", ModuleBuilder()).json()["AutoMigrate"]) == {"migrate_plan", "break_clients",
                                                                                 "token"}
    new = Host(hosts["2.8.3"])
    assert new.publish("db", ModuleBuilder()).status_code == 200
    assert new.pre_publish("db", ModuleBuilder()).json()["AutoMigrate"]["major_version_upgrade"] is False
