"""Apply a kind's declared rules to a value so both sides of a diff have one shape. Pure."""

from __future__ import annotations

import json
from typing import Any

from baseform.engine.resource import KindRules
from baseform.types import JSON, JSONObject

__all__ = ["normalize", "sort_set"]


def sort_set(values: list[Any]) -> list[Any]:
    """Sort a set-like list deterministically, whatever its element types; drop duplicates."""
    keyed = {_set_key(v): v for v in values}
    return [keyed[k] for k in sorted(keyed)]


def _set_key(value: JSON) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def normalize(rules: KindRules, value: JSONObject) -> JSONObject:
    """Fill declared defaults and sort set fields. Returns a new dict (ignored keys stay; the diff skips them)."""
    if not (rules.type_key or rules.defaults or rules.sets):
        return dict(value)  # a kind with nothing to fill in or sort (normalised thousands of times per plan)
    type_defaults = rules.type_defaults.get(str(value.get(rules.type_key)), {}) if rules.type_key else {}
    out: JSONObject = dict(value)
    for source in (type_defaults, rules.defaults):
        if source.keys() <= out.keys():
            continue  # the usual case (a server's answer has every key): nothing to fill in
        for key, default in source.items():
            if key not in out:
                out[key] = default
    for key in rules.sets:
        if isinstance(out.get(key), list):
            out[key] = sort_set(out[key])
    return out
