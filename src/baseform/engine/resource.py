"""Desired and live resources, and the per-kind rules a provider declares as data.

Providers turn a manifest section into :class:`DesiredResource` values and a server's answers into a
:class:`LiveState`; both carry values in one normalised plain-JSON shape so the diff can compare
them. :class:`KindRules` is how a provider tells the core what it must know about a kind (which
fields force replacement, what the server fills in, what is secret) without the core ever
branching on a backend's name.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import NamedTuple

from baseform.engine.address import Address
from baseform.errors import SourceSpan
from baseform.types import JSON, JSONObject

__all__ = ["DesiredResource", "KindRules", "LiveResource", "LiveState", "digest"]


def digest(value: JSON) -> str:
    """A stable ``sha256:`` digest of a JSON value (key order does not matter)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class KindRules:
    """What the core must know about one resource kind (``columns``, ``collections``...).

    Attributes:
        kind: the plural key used in addresses and manifests.
        replace_on: top-level fields whose change cannot be applied in place (forces ``replace``).
            Providers with conditional rules also override :meth:`Provider.replace_reasons`.
        defaults: values the server fills in when a key is omitted; applied to both sides.
        type_key/type_defaults: defaults that depend on a discriminator (``type``) value.
        sets: top-level list fields whose order does not matter (sorted on both sides).
        ignore: top-level fields never compared (server-managed, write-only...).
        sensitive: top-level fields whose values are masked in every output.
        renamable: whether ``renamedFrom`` can rename this kind in place, and ``rename_field`` the
            field holding the name; ``rename_unsupported`` explains why not when it cannot.
            ``rename_chains``: the backend applies all renames of a plan at once, so one resource
            may take a name another is renamed away from (chains, swaps).
        compare_declared_only: compare only keys present in the desired value (keys the manifest
            did not set are left as the server has them).
        delete_with_parent: a child whose parent is deleted disappears with it (no own call).
        replaces_parent: a change of this kind that cannot be made in place (a replace, or a delete
            of a declared parent's child) replaces the parent instead, e.g. a Weaviate property
            whose type changes can only be had by recreating its class; ``delete_unsupported``
            says why a delete cannot be made in place.
        replaced_with_dependencies: a resource of this kind is replaced when a live resource it
            refers to (:meth:`Provider.live_dependencies`) is replaced, e.g. an Appwrite index
            loses a column that is deleted and recreated.
        data_loss: what destroying one loses, for kinds that hold data (``"all its records"``);
            None for kinds that hold none (indexes, rules). Shown on every delete and replace.
        narrowing: fields whose change can make existing data invalid, and how: ``"max"`` (a
            smaller value narrows: a size or maximum), ``"limit"`` (the same, where 0 or unset
            means no limit), ``"min"`` (a larger value narrows) or ``"values"`` (removed list items
            narrow: select options, enum elements).
        managed_alone: a live resource of this kind that the manifest does not declare is left
            alone and listed as unmanaged (deleted only with ``prune``), like a top-level resource,
            even inside a declared parent (e.g. Postgres tables in a declared schema).
    """

    kind: str
    replace_on: frozenset[str] = frozenset()
    defaults: Mapping[str, JSON] = field(default_factory=dict)
    type_key: str | None = None
    type_defaults: Mapping[str, Mapping[str, JSON]] = field(default_factory=dict)
    sets: frozenset[str] = frozenset()
    ignore: frozenset[str] = frozenset()
    sensitive: frozenset[str] = frozenset()
    renamable: bool = False
    rename_field: str = "name"
    rename_unsupported: str = "this backend cannot rename it in place"
    rename_chains: bool = False
    compare_declared_only: bool = True
    delete_with_parent: bool = True
    replaces_parent: bool = False
    delete_unsupported: str = "it cannot be removed in place"
    replaced_with_dependencies: bool = False
    data_loss: str | None = None
    narrowing: Mapping[str, str] = field(default_factory=dict)
    managed_alone: bool = False


class DesiredResource(NamedTuple):
    """A resource as the manifest declares it, already normalised to the diff shape.

    ``depends_on`` lists other resources that must exist first (a relationship's target); the
    parent is implied by the address. ``renamed_from`` is the old name (same kind and parent).
    ``parts`` locates keys of ``value`` written on lines of their own (a long rule, a query), for
    messages about one key.

    This and :class:`LiveResource` are named tuples rather than frozen dataclasses: a plan makes one
    of each per resource (thousands), and a tuple is made in a fraction of the time.
    """

    address: Address
    value: JSONObject
    source: SourceSpan | None = None
    depends_on: frozenset[Address] = frozenset()
    protect: bool = False
    renamed_from: str | None = None
    parts: Mapping[str, SourceSpan] = MappingProxyType({})


class LiveResource(NamedTuple):
    """A resource as the server has it. ``value`` is normalised like the desired side; ``raw`` is
    the untouched payload providers need to build calls (live ids, hidden settings).

    ``implicit`` marks objects the server manages by itself (system fields, the counterpart column of
    a two-way relationship): they are never planned for deletion when undeclared.
    """

    address: Address
    value: JSONObject
    raw: JSON = None
    implicit: bool = False

    @property
    def digest(self) -> str:
        return digest(self.raw if self.raw is not None else self.value)


@dataclass(frozen=True, slots=True)
class LiveState:
    """Everything read from one provider's server in one plan.

    ``context`` holds what a provider read that is not a managed resource but that planning needs
    (e.g. ids of system collections a relation may point at).
    """

    provider: str
    endpoint: str
    server_version: str | None
    resources: Mapping[Address, LiveResource]
    context: Mapping[str, JSON] = field(default_factory=dict)
