"""The convergence property shared by every backend: apply A, insert data, apply B; then B plans as no
changes, the data B was promised to keep is still there, and nothing else is on the server.

A backend's part is a :class:`Schemas` (``*_schemas.py``): random pairs of manifest sections, how to
insert one row into every collection/table/class, how to read the server back as plain
:class:`Container` values (raw HTTP, not through baseform), and which containers, fields and values
B must leave. The loop here runs the CLI in-process (:mod:`tests.clirun`), optionally with faults
switched on in a :class:`~tests.emulators.server.Backend`, and compares.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pytest
import yaml
from hypothesis import HealthCheck, Phase, settings

from baseform import http
from tests.clirun import CliResult, run_cli
from tests.emulators.server import Backend

__all__ = ["Container", "Expected", "PROPERTY_SETTINGS", "Schemas", "Section", "apply_until_done",
           "differences", "fast_retries", "run_convergence"]

Section = dict[str, Any]
"""One provider's manifest section, as plain YAML data."""

PROPERTY_SETTINGS = settings(
    derandomize=True,  # the same examples on every run: CI failures reproduce
    database=None,
    deadline=None,  # a server round trip is slow and uneven; the suite's time is bounded by max_examples
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    # shrinking a failure against a server can take minutes; the failing A and B are printed instead
    phases=[Phase.explicit, Phase.generate],
    print_blob=False,
)
"""Hypothesis settings of every convergence test (each test sets its own ``max_examples``)."""


@dataclass(frozen=True)
class Container:
    """A collection/table/class as read from the server: its user fields and its rows by id."""

    fields: frozenset[str]
    rows: Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class Expected:
    """What must be on the server after B: exactly ``fields`` and exactly the row ids of ``rows``;
    each row must hold (at least) the given values."""

    fields: frozenset[str]
    rows: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @classmethod
    def untouched(cls, container: Container) -> Expected:
        """A container B does not manage: everything as it was."""
        return cls(container.fields, container.rows)


class Schemas(Protocol):
    """One backend's part of the property."""

    provider: str

    def seed(self, section: Section) -> None:
        """Insert one row into every collection/table/class ``section`` declares (raw HTTP)."""

    def read(self) -> dict[str, Container]:
        """Every container on the server, by name, with user fields and rows (raw HTTP)."""

    def expect(self, a: Section, b: Section, before: Mapping[str, Container]) -> dict[str, Expected]:
        """What the server must hold after applying ``b`` over ``a``; ``before`` was read just before."""


def differences(actual: Mapping[str, Container], expected: Mapping[str, Expected]) -> list[str]:
    """Human-readable mismatches between what the server holds and what was expected ([] = equal)."""
    problems = []
    for name in sorted(actual.keys() - expected.keys()):
        problems.append(f"{name}: on the server but not expected")
    for name in sorted(expected.keys() - actual.keys()):
        problems.append(f"{name}: expected but missing")
    for name in sorted(actual.keys() & expected.keys()):
        have, want = actual[name], expected[name]
        if have.fields != want.fields:
            problems.append(f"{name}: fields {sorted(have.fields)}, expected {sorted(want.fields)}")
        if set(have.rows) != set(want.rows):
            problems.append(f"{name}: rows {sorted(have.rows)}, expected {sorted(want.rows)}")
        for row_id in sorted(set(have.rows) & set(want.rows)):
            for key, value in want.rows[row_id].items():
                got = have.rows[row_id].get(key)
                if got != value:
                    problems.append(f"{name}/{row_id}.{key} = {got!r}, expected {value!r} (kept data)")
    return problems


@contextmanager
def fast_retries(max_attempts: int = 8) -> Iterator[None]:
    """Short backoff for in-process runs: injected 429s and 5xx cost milliseconds, not seconds.

    Only the policy's numbers change (the product default stays as it is); server hints such as
    ``Retry-After`` are still read, then capped by ``max_delay_s``. Fewer ``max_attempts`` let some
    requests give up, so that some applies fail part-way and the rerun is tested too.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(http, "RetryPolicy", functools.partial(http.RetryPolicy, base_delay_s=0.005,
                                                             max_delay_s=0.02, deadline_s=20.0,
                                                             max_attempts=max_attempts))
        yield


def write_manifest(path: Path, provider: str, section: Section) -> str:
    path.write_text(yaml.safe_dump({"version": 1, provider: section}, sort_keys=False))
    return str(path)


def apply_until_done(manifest: str, env: Mapping[str, str], *, attempts: int = 1) -> list[CliResult]:
    """``apply --auto-approve --allow-destroy`` until it exits 0, at most ``attempts`` times.

    Returns every run; fails the test (showing the last output) if none succeeded, or if a failed
    run printed a traceback or did not say what failed.
    """
    runs: list[CliResult] = []
    for _ in range(attempts):
        result = run_cli(["apply", manifest, "--auto-approve", "--allow-destroy"], env=env)
        runs.append(result)
        assert "Traceback" not in result.text, result.text
        if result.code != 0:
            assert "Apply failed:" in result.out or result.err.startswith("Error: "), result.text
        if result.code == 0:
            assert "Converged" in result.out or "No changes" in result.out, result.text
            return runs
    pytest.fail(f"apply did not succeed in {attempts} attempt(s); last output:\n{runs[-1].text}")


def run_convergence(schemas: Schemas, a: Section, b: Section, env: Mapping[str, str], workdir: Path, *,
                    faults: Backend | None = None, fault_settings: Mapping[str, Any] | None = None,
                    attempts: int = 1, note: Callable[[str], None] = print) -> None:
    """The property for one pair: see the module docstring. With ``faults`` (the backend the CLI
    talks to), ``fault_settings`` are switched on for both applies and off for everything else."""
    note("A = " + json.dumps(a, sort_keys=True))
    note("B = " + json.dumps(b, sort_keys=True))
    manifest_a = write_manifest(workdir / "a.yaml", schemas.provider, a)
    manifest_b = write_manifest(workdir / "b.yaml", schemas.provider, b)

    def apply(manifest: str) -> None:
        if faults is not None:
            faults.set_faults(**(fault_settings or {}))
        try:
            runs = apply_until_done(manifest, env, attempts=attempts)
            note(f"{Path(manifest).name}: applied in {len(runs)} run(s)")
        finally:
            if faults is not None:
                faults.clear_faults()

    apply(manifest_a)
    schemas.seed(a)
    before = schemas.read()
    apply(manifest_b)
    plan = run_cli(["plan", manifest_b, "--detailed-exitcode"], env=env)
    assert plan.code == 0, f"B does not plan as no changes after applying it:\n{plan.text}"
    problems = differences(schemas.read(), schemas.expect(a, b, before))
    assert not problems, "after applying A then B:\n  " + "\n  ".join(problems)
