"""Base pydantic models for manifests, and the top-level Manifest model built from the providers.

Every manifest model is strict, frozen and rejects unknown keys with a "did you mean" hint.
Providers subclass :class:`ProviderConfig` (connection block), :class:`Section` (their manifest
section) and :class:`Resource` (anything a plan addresses); :func:`manifest_model` assembles the
top level from whatever providers are registered, so the core names none of them.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, create_model, model_validator
from pydantic_core import PydanticCustomError
from pydantic_core._pydantic_core import list_all_errors  # public in spirit; no re-export exists

from baseform import secrets
from baseform.errors import PlanError

if TYPE_CHECKING:
    from baseform.providers.base import Provider

__all__ = ["Model", "ProviderConfig", "Resource", "Section", "did_you_mean", "manifest_model"]


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or ``""``."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.55)
    if not close:
        lowered = {c.lower(): c for c in choices}
        if word.lower() in lowered:
            close = [lowered[word.lower()]]
    return f" (did you mean {close[0]!r}?)" if close else ""


class Model(BaseModel):
    """Base of every manifest model: strict types, frozen, unknown keys rejected with a hint."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True,
                              validate_default=False)

    @model_validator(mode="wrap")
    @classmethod
    def _explain_unknown_keys(cls, data: Any, handler: Any) -> Any:
        try:
            return handler(data)
        except ValidationError as e:
            names = [f.alias or n for n, f in cls.model_fields.items()]
            rewritten: list[Any] = []
            changed = False
            for err in e.errors():
                if err["type"] == "extra_forbidden" and len(err["loc"]) == 1:
                    key = str(err["loc"][0])
                    hint = did_you_mean(key, names)
                    message = f"unknown key {key!r}{hint}"
                    if not hint:
                        message += f"; allowed keys: {', '.join(sorted(names))}"
                    rewritten.append({"type": PydanticCustomError("extra_forbidden", message),
                                      "loc": err["loc"], "input": err["input"]})
                    changed = True
                else:
                    item = {"type": err["type"], "loc": err["loc"], "input": err["input"]}
                    if "ctx" in err:
                        item["ctx"] = err["ctx"]
                    # a nested unknown key was explained by its own model: keep that message
                    if err["type"] not in _BUILTIN_TYPES or err["type"] == "extra_forbidden":
                        item["type"] = PydanticCustomError(err["type"], err["msg"])
                    rewritten.append(item)
            if not changed:
                raise
            raise ValidationError.from_exception_data(e.title, rewritten) from None


# error types pydantic can rebuild by name; others (from our validators) are re-raised as custom
_BUILTIN_TYPES = frozenset(e["type"] for e in list_all_errors())


class Resource(Model):
    """Keys every addressable resource accepts (design §2)."""

    protect: bool = Field(False, description="The plan refuses to delete or replace this resource.")
    renamedFrom: str | None = Field(None, description="Old name: rename in place where the backend can "
                                                     "keep the data.")


class Section(Model):
    """Base of a provider's manifest section."""

    prune: bool = Field(False, description="Delete live top-level resources this section does not declare.")


class ProviderConfig(Model):
    """Connection settings of one provider (the ``providers.<name>`` block).

    ``env`` maps a field to the environment variable read when the manifest leaves it out. Fields
    typed SecretStr are secrets: registered for redaction as soon as they are known.
    """

    env: ClassVar[Mapping[str, str]] = {}

    def resolved(self, environ: Mapping[str, str] | None = None) -> ProviderConfig:
        """A copy with every unset field filled from the environment."""
        environ = os.environ if environ is None else environ
        updates: dict[str, Any] = {}
        for name, var in self.env.items():
            if not self.setting(name) and environ.get(var):
                field = type(self).model_fields[name]
                value = environ[var]
                updates[name] = SecretStr(value) if "SecretStr" in str(field.annotation) else value
        resolved = self.model_copy(update=updates)
        resolved.register_secrets()
        return resolved

    def setting(self, name: str) -> str | None:
        """The value of the field NAME as text (a secret revealed), or None when it is unset or empty."""
        value = getattr(self, name)
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        return str(value) if value not in (None, "") else None

    def settings(self) -> dict[str, str | None]:
        """Each connection variable of ``env`` with the value this block gives its field (or None)."""
        return {var: self.setting(name) for name, var in self.env.items()}

    def register_secrets(self) -> None:
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                secrets.register(value.get_secret_value())

    def require(self, name: str, provider: str) -> str:
        """The value of a connection setting, or a PlanError saying where to set it."""
        value = self.setting(name)
        if value is None:
            field = type(self).model_fields[name]
            key = field.alias or name
            var = self.env.get(name)
            where = f"the manifest's providers.{provider} block" + (f" or the environment variable {var}"
                                                                    if var else "")
            raise PlanError(f"providers.{provider}.{key} is not set: set it in {where}", address=provider)
        return value


@lru_cache(maxsize=8)
def manifest_model(providers: tuple[type[Provider], ...]) -> type[Model]:
    """The top-level manifest model for a set of providers (sections and connection blocks)."""
    blocks: dict[str, Any] = {p.name: (p.config_model | None, None) for p in providers}
    providers_model = create_model("Providers", __base__=Model, **blocks)
    sections: dict[str, Any] = {p.name: (p.section_model | None, None) for p in providers}
    return create_model(
        "Manifest", __base__=Model,
        version=(Literal[1], Field(1, description="Manifest format version.")),
        providers=(providers_model | None, None),
        include=(list[str] | None, Field(None, description="Native schema files (appwrite.json, pb_schema.json, a "
                                         "Weaviate schema dump...) read as part of this manifest; paths are "
                                         "relative to this file.")),
        **sections)
