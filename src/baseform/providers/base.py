"""The provider interface every backend implements.

A provider owns one manifest section (``name``) and one connection block. Its methods are split by
what they may do, as in the style guide:

* pure, at validate time: :meth:`Provider.check`, :meth:`Provider.desired`
* I/O: :meth:`Provider.connect`, :meth:`Provider.read` (only reads; never writes)
* pure, at plan time: :meth:`Provider.rules`, :meth:`Provider.prepare`,
  :meth:`Provider.replace_reasons`, :meth:`Provider.details`, :meth:`Provider.plan_warnings`,
  :meth:`Provider.operations`
* pure, at apply time: :meth:`Provider.is_conflict`, :meth:`Provider.matches`
* export: :meth:`Provider.export`

Rules about kinds (replace-only fields, server defaults, sets, secrets) are data: the ``kinds``
tuple of :class:`~baseform.engine.resource.KindRules`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from baseform.engine.address import Address
from baseform.engine.change import Change, FieldDiff
from baseform.engine.diff import default_replace_reasons
from baseform.engine.operation import Operation, Request
from baseform.engine.resource import DesiredResource, KindRules, LiveState
from baseform.engine.session import Session
from baseform.errors import ApiError, Diagnostic, SourceSpan
from baseform.manifest.models import ProviderConfig, Section
from baseform.manifest.native import NativeFormat
from baseform.providers.fingerprint import Fingerprint
from baseform.types import JSON, JSONObject

if TYPE_CHECKING:
    import httpx

__all__ = ["Locator", "Provider", "subset_matches"]

Locator = Callable[[Sequence[str | int]], SourceSpan | None]
"""Maps a data path inside the manifest (``("pocketbase", "collections", 0, "name")``) to its position."""


def subset_matches(expected: JSON, actual: JSON) -> bool:
    """True when every key of ``expected`` has an equal value in ``actual`` (recursively).

    Lists of scalars compare as sets; lists of objects compare element-wise in order.
    """
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            k in actual and subset_matches(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return False
        if all(not isinstance(x, (dict, list)) for x in expected + actual):
            return set(map(str, expected)) == set(map(str, actual))
        return len(expected) == len(actual) and all(subset_matches(e, a) for e, a in zip(expected, actual, strict=True))
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)) and not isinstance(expected, bool):
        return float(expected) == float(actual)
    return bool(expected == actual)


class Provider(ABC):
    """One backend. Subclasses set the class attributes and implement the abstract methods."""

    name: ClassVar[str]
    """Manifest section key, providers-block key and address root (``"pocketbase"``)."""
    config_model: ClassVar[type[ProviderConfig]]
    section_model: ClassVar[type[Section]]
    kinds: ClassVar[tuple[KindRules, ...]]
    top_level: ClassVar[tuple[str, ...]] = ()
    """Kinds that are top-level resources (for ``prune`` and ``unmanaged`` listings)."""
    native_formats: ClassVar[tuple[NativeFormat, ...]] = ()
    """The backend's own schema files this provider reads as manifests (``pb_schema.json``...)."""
    fingerprint: ClassVar[Fingerprint | None] = None
    """How to recognise this backend's server (and which setting holds its URL), for error hints."""
    local_server: ClassVar[str | None] = None
    """``"module:Class"`` of the :class:`~baseform.providers.local.LocalServer` that ``baseform local``
    runs for this backend (imported only when used), or None."""

    def __init__(self, config: ProviderConfig) -> None:
        self.config = config

    # -- validate time (pure) ----------------------------------------------------------------
    def check(self, section: Section, locate: Locator) -> list[Diagnostic]:
        """Semantic problems pydantic cannot see (dangling references, limits). Pure; no network."""
        return []

    @abstractmethod
    def desired(self, section: Section, locate: Locator) -> list[DesiredResource]:
        """The section as desired resources, values in the diff shape (with ``source`` set). Pure."""

    # -- I/O -----------------------------------------------------------------------------------
    @abstractmethod
    async def connect(self, transport: httpx.AsyncBaseTransport | None = None) -> Session:
        """An authenticated session (log in if the backend needs it) that performs this provider's
        calls: :class:`baseform.http.Session` for HTTP backends. ``transport`` is for tests of HTTP
        backends; a provider that does not speak HTTP ignores it."""

    @abstractmethod
    async def read(self, session: Any, desired: Sequence[DesiredResource]) -> LiveState:
        """Read live state with as few requests as possible. Must not write anything.

        ``session`` is the one :meth:`connect` returned (typed ``Any`` so that each provider can
        name its own session class).

        ``desired`` lets a provider skip reading what cannot matter; everything top-level must still
        be listed so unmanaged resources can be reported.
        """

    # -- plan time (pure) ----------------------------------------------------------------------
    def rules(self, live: LiveState) -> Mapping[str, KindRules]:
        """Kind rules in force for this server (override for version-dependent defaults)."""
        return {k.kind: k for k in self.kinds}

    def prepare(self, desired: Sequence[DesiredResource], live: LiveState) -> list[DesiredResource]:
        """Adjust desired values once the server is known (version defaults, resolved ids).

        Raise PlanError (with the resource's address and source) for features the server lacks.
        """
        return list(desired)

    def replace_reasons(self, address: Address, before: JSONObject, after: JSONObject,
                        diffs: Sequence[FieldDiff], live: LiveState) -> list[str]:
        """Why this change cannot be made in place ([] when it can). Default: ``replace_on``."""
        if not diffs:
            return []  # no field differs, so no replace_on field to blame
        return default_replace_reasons(self.rules(live))(address, before, after, diffs)

    def details(self, change: Change, live: LiveState) -> tuple[str, ...]:
        """Lines that explain ``change`` beyond its field diff, shown under it in every format (e.g. the
        server's own migration plan for it). Display only; never secrets. Pure."""
        return ()

    def plan_warnings(self, changes: Sequence[Change], live: LiveState) -> list[str]:
        """Warnings about what this plan does on this server (a deprecated type being created), shown
        with the plan; each names the resource and its manifest position. Pure."""
        return []

    def live_dependencies(self, live: LiveState) -> Mapping[Address, frozenset[Address]]:
        """For each live resource, the resources it refers to on the server (delete ordering)."""
        return {}

    @abstractmethod
    def operations(self, changes: Sequence[Change], desired: Sequence[DesiredResource],
                   live: LiveState) -> list[Operation]:
        """All calls for these changes with dependencies wired (a provider whose changes each make
        their own calls links them with :func:`~baseform.engine.graph.link_each`)."""

    # -- apply time (pure) ---------------------------------------------------------------------
    def is_conflict(self, error: ApiError) -> bool:
        """Whether an error means "already exists" (so a create may have committed earlier)."""
        return error.status == 409

    def explain_error(self, operation: Operation, error: ApiError) -> str:
        """The message shown when ``operation`` failed with ``error``. Override to point at the manifest
        (file:line, address) from the server's field errors. Pure."""
        return str(error)

    def precondition_holds(self, operation: Operation, answer: JSON) -> bool:
        """Whether the answer to ``operation.precondition`` shows the server as the plan read it."""
        return True

    def matches(self, operation: Operation, live: JSON) -> bool:
        """Whether an existing object (GET of ``operation.verify``) is what ``operation`` creates."""
        body = operation.request.body if isinstance(operation.request, Request) else None
        return subset_matches(body, live) if body is not None else True

    # -- export --------------------------------------------------------------------------------
    @abstractmethod
    def export(self, live: LiveState) -> JSONObject:
        """The live state as this provider's manifest section (minimal, stable order, no secrets)."""

    def export_warnings(self, live: LiveState) -> list[str]:
        """What :meth:`export` could not write (e.g. a live object of a kind or type this version does not
        know), one line each naming the resource; shown on stderr with the export. Pure."""
        return []

    def export_config(self, live: LiveState | None = None) -> dict[str, Any]:
        """The providers block for an exported manifest: each setting an ``{{ env.X }}`` reference,
        never a value. An unset variable renders empty, which counts as "not set": the connection
        then names the variable to set (or falls back, e.g. to ``baseform local``'s server) instead
        of the file failing to render. ``live`` (the exported state) lets a provider add settings
        that are not secrets and that the export needs to validate (e.g. Appwrite's engine)."""
        out: dict[str, Any] = {}
        for field, var in self.config_model.env.items():
            key = self.config_model.model_fields[field].alias or field
            out[key] = "{{ env." + var + ' | default("") }}'
        return out
