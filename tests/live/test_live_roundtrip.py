"""The export round trip against real servers named by environment variables (opt-in).

A test runs only when its backend's variables are set (``POCKETBASE_URL``/``POCKETBASE_EMAIL``/
``POCKETBASE_PASSWORD``; ``APPWRITE_ENDPOINT``/``APPWRITE_PROJECT_ID``/``APPWRITE_API_KEY``;
``WEAVIATE_URL`` and, if the server needs one, ``WEAVIATE_API_KEY``) and is skipped with the
missing names otherwise, before anything is contacted. Each test applies an example under fresh
unique names (a collection prefix, database/bucket/team ids, class names) so it never touches what
else the project holds, checks that a second plan is empty, exports, checks the export and that it
plans as no changes, and deletes what it made with direct API calls, whatever happened.
Deselect them all with ``-m "not live"``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from baseform.secrets import MASK
from tests.clirun import run_cli

pytestmark = pytest.mark.live

EXAMPLES = Path(__file__).parents[2] / "examples"


def settings(backend: str, required: Sequence[str], optional: Sequence[str] = ()) -> dict[str, str]:
    """The backend's variables from the environment; skips the test when any required one is unset."""
    missing = [name for name in required if not os.environ.get(name)]
    if missing:
        pytest.skip(f"set {', '.join(missing)} to run the live {backend} round trip")
    return {name: os.environ[name] for name in (*required, *optional) if os.environ.get(name)}


def round_trip(provider: str, env: dict[str, str], manifest: Sequence[str], tmp_path: Path,
               secret_names: Sequence[str]) -> dict[str, Any]:
    """Apply, plan (empty), export, plan the export (empty); returns the exported section."""
    applied = run_cli(["apply", *manifest, "--auto-approve"], env=env)
    assert applied.code == 0, applied.text
    assert "Converged" in applied.out, applied.text
    again = run_cli(["plan", *manifest, "--detailed-exitcode"], env=env)
    assert again.code == 0, again.text
    out = tmp_path / "exported.yaml"
    exported = run_cli(["export", "--provider", provider, *manifest, "--out", str(out)], env=env)
    assert exported.code == 0, exported.text
    text = out.read_text()
    for name in secret_names:
        if name in env:
            assert env[name] not in text
            assert "{{ env." + name in text
    assert MASK not in text
    replanned = run_cli(["plan", str(out), "--detailed-exitcode"], env=env)
    assert replanned.code == 0, replanned.text
    section: dict[str, Any] = yaml.safe_load(text)[provider]
    return section


# -- PocketBase: the multi-environment example under a unique name prefix -----------------------------


@pytest.fixture
def pocketbase_env() -> dict[str, str]:
    return settings("PocketBase", ("POCKETBASE_URL", "POCKETBASE_EMAIL", "POCKETBASE_PASSWORD"))


@pytest.fixture
def pocketbase_prefix(pocketbase_env: dict[str, str]) -> Iterator[str]:
    prefix = f"bf_live_{secrets.token_hex(4)}_"
    yield prefix
    with httpx.Client(base_url=pocketbase_env["POCKETBASE_URL"], timeout=30) as http:
        login = http.post("/api/collections/_superusers/auth-with-password",
                          json={"identity": pocketbase_env["POCKETBASE_EMAIL"],
                                "password": pocketbase_env["POCKETBASE_PASSWORD"]})
        login.raise_for_status()
        http.headers["Authorization"] = login.json()["token"]
        for name in ("reviews", "products", "categories"):  # relations first
            gone = http.delete(f"/api/collections/{prefix}{name}")
            assert gone.status_code in (204, 404), gone.text


def test_pocketbase(pocketbase_env: dict[str, str], pocketbase_prefix: str, tmp_path: Path) -> None:
    example = EXAMPLES / "multi-env"
    manifest = [str(example), "--var-file", str(example / "envs" / "dev.yaml"), "--var", f"prefix={pocketbase_prefix}"]
    section = round_trip("pocketbase", pocketbase_env, manifest, tmp_path, ("POCKETBASE_PASSWORD",))
    ours = {c["name"]: c for c in section["collections"] if c["name"].startswith(pocketbase_prefix)}
    assert set(ours) == {f"{pocketbase_prefix}{n}" for n in ("categories", "products", "reviews")}
    photos = next(f for f in ours[f"{pocketbase_prefix}products"]["fields"] if f["name"] == "photos")
    assert photos["maxSelect"] == 2


# -- Appwrite: the blog example with its database, team and bucket under unique ids ---------------


@pytest.fixture
def appwrite_env() -> dict[str, str]:
    return settings("Appwrite", ("APPWRITE_ENDPOINT", "APPWRITE_PROJECT_ID", "APPWRITE_API_KEY"))


@pytest.fixture
def appwrite_ids(appwrite_env: dict[str, str]) -> Iterator[dict[str, str]]:
    suffix = secrets.token_hex(4)
    ids = {"database": f"bf_live_{suffix}", "team": f"bf-live-team-{suffix}", "bucket": f"bf-live-bucket-{suffix}"}
    yield ids
    endpoint = appwrite_env["APPWRITE_ENDPOINT"].rstrip("/")
    headers = {"X-Appwrite-Project": appwrite_env["APPWRITE_PROJECT_ID"],
               "X-Appwrite-Key": appwrite_env["APPWRITE_API_KEY"]}
    with httpx.Client(base_url=endpoint if endpoint.endswith("/v1") else f"{endpoint}/v1", headers=headers,
                      timeout=30) as http:
        for path in (f"/tablesdb/{ids['database']}", f"/storage/buckets/{ids['bucket']}", f"/teams/{ids['team']}"):
            gone = http.delete(path)
            assert gone.status_code in (204, 404), gone.text


def namespaced_appwrite(ids: dict[str, str]) -> str:
    """examples/appwrite with its database, team and bucket renamed to ``ids`` (protection dropped:
    the test deletes what it made)."""
    data = yaml.safe_load((EXAMPLES / "appwrite" / "blog.yaml").read_text())
    section = data["appwrite"]
    [team], [database], [bucket] = section["teams"], section["databases"], section["buckets"]
    old_team = team["id"]
    team["id"], database["id"], bucket["id"] = ids["team"], ids["database"], ids["bucket"]
    bucket.pop("protect", None)
    text = yaml.safe_dump(data, sort_keys=False)
    return text.replace(f"team:{old_team}", f"team:{ids['team']}")


def test_appwrite(appwrite_env: dict[str, str], appwrite_ids: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "baseform.yaml"
    path.write_text(namespaced_appwrite(appwrite_ids))
    section = round_trip("appwrite", appwrite_env, [str(path)], tmp_path, ("APPWRITE_API_KEY",))
    database = next(d for d in section["databases"] if d["id"] == appwrite_ids["database"])
    assert {t["id"] for t in database["tables"]} == {"articles", "authors"}
    assert appwrite_ids["team"] in {t["id"] for t in section["teams"]}
    assert appwrite_ids["bucket"] in {b["id"] for b in section["buckets"]}


# -- Weaviate: the knowledge-base example with unique class names -------------------------------------


@pytest.fixture
def weaviate_env() -> dict[str, str]:
    return settings("Weaviate", ("WEAVIATE_URL",), ("WEAVIATE_API_KEY",))


@pytest.fixture
def weaviate_prefix(weaviate_env: dict[str, str]) -> Iterator[str]:
    prefix = f"BfLive{secrets.token_hex(4)}"
    yield prefix
    key = weaviate_env.get("WEAVIATE_API_KEY")
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    with httpx.Client(base_url=weaviate_env["WEAVIATE_URL"], headers=headers, timeout=30) as http:
        for name in ("Article", "Author", "Note"):
            gone = http.delete(f"/v1/schema/{prefix}{name}")
            assert gone.status_code in (200, 404), gone.text
        gone = http.delete(f"/v1/aliases/{prefix}Articles")  # the example's alias (Weaviate 1.32+)
        assert gone.status_code in (204, 404), gone.text


def namespaced_weaviate(prefix: str) -> str:
    """examples/weaviate with every class and alias (and every reference to one) renamed ``PREFIX + name``."""
    data = yaml.safe_load((EXAMPLES / "weaviate" / "baseform.yaml").read_text())
    classes = data["weaviate"]["classes"]
    names = {c["class"] for c in classes}
    for cls in classes:
        cls["class"] = prefix + cls["class"]
        cls.pop("protect", None)
        for prop in cls.get("properties", []):
            prop["dataType"] = [prefix + t if t in names else t for t in prop["dataType"]]
    for alias in data["weaviate"].get("aliases", []):
        alias["alias"], alias["class"] = prefix + alias["alias"], prefix + alias["class"]
    return yaml.safe_dump(data, sort_keys=False)


def test_weaviate(weaviate_env: dict[str, str], weaviate_prefix: str, tmp_path: Path) -> None:
    path = tmp_path / "baseform.yaml"
    path.write_text(namespaced_weaviate(weaviate_prefix))
    section = round_trip("weaviate", weaviate_env, [str(path)], tmp_path, ("WEAVIATE_API_KEY",))
    ours = {c["class"] for c in section["classes"] if c["class"].startswith(weaviate_prefix)}
    assert ours == {f"{weaviate_prefix}{n}" for n in ("Article", "Author", "Note")}
