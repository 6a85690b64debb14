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
    """Fill declared defaults and sort set fields. VALUE is never changed: the result is a new dict, or
    VALUE itself when it has every default's key and the kind has no set fields (the usual case for a
    server's answer, normalised thousands of times per plan). Ignored keys stay; the diff skips them."""
    type_defaults = rules.type_defaults.get(str(value.get(rules.type_key)), _NONE) if rules.type_key else _NONE
    keys = value.keys()
    if not rules.sets and type_defaults.keys() <= keys and rules.defaults.keys() <= keys:
        return value
    out: JSONObject = dict(value)
    for source in (type_defaults, rules.defaults):
        for key, default in source.items():
            if key not in out:
                out[key] = default
    for key in rules.sets:
        if isinstance(out.get(key), list):
            out[key] = sort_set(out[key])
    return out


_NONE: dict[str, JSON] = {}
