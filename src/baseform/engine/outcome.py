"""What an apply did: per-operation outcomes. Pure data, shared by the executor and the renderer."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from baseform.engine.operation import Operation

__all__ = ["ApplyResult", "OperationResult", "Outcome"]


class Outcome(StrEnum):
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class OperationResult:
    operation: Operation
    outcome: Outcome
    elapsed_s: float = 0.0
    error: str | None = None
    note: str | None = None
    unanswered: bool = False
    """The failure was a lost answer (a timeout, a dropped connection): the server may have applied it."""


@dataclass
class ApplyResult:
    results: list[OperationResult] = field(default_factory=list)
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        return not self.interrupted and all(r.outcome is Outcome.DONE for r in self.results)

    def by_outcome(self, outcome: Outcome) -> list[OperationResult]:
        return [r for r in self.results if r.outcome is outcome]
