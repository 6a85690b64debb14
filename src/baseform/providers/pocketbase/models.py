"""The ``pocketbase`` manifest section and ``providers.pocketbase`` block as pydantic models.

Keys use PocketBase's own API spelling (0.23+), so a collection copied from the dashboard's export
loads as-is; the only differences are that a relation names its target by ``collection`` (name)
instead of ``collectionId``, and that the server-owned keys (collection ids, ``system``, timestamps,
secrets) are not accepted. A field may carry its ``id``: PocketBase matches fields by id, so a field
whose name changed but whose id did not is a rename that keeps its data. List options the server
stores as ``[]`` accept ``null`` as well, as the server does (exports of 0.23+ write it).
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, Field, SecretStr

from baseform.manifest.models import Model, ProviderConfig, Resource, Section

__all__ = [
    "AUTH_OPTION_KEYS",
    "AutodateField",
    "CollectionSpec",
    "FieldSpec",
    "PocketBaseConfig",
    "PocketBaseSection",
    "RelationField",
]

Rule = Annotated[str | None, Field(description="API rule: null = superusers only, \"\" = anyone, else a filter.")]
Number = int | float


def _none_as_empty(value: list[str] | None) -> list[str]:
    return [] if value is None else value


Names = Annotated[list[str] | None, AfterValidator(_none_as_empty)]
"""A list option; ``null`` means ``[]`` (the server stores it so)."""


class PocketBaseConfig(ProviderConfig):
    """Connection to a PocketBase 0.23+ server as a superuser."""

    env: ClassVar[dict[str, str]] = {"url": "POCKETBASE_URL", "email": "POCKETBASE_EMAIL",
                                     "password": "POCKETBASE_PASSWORD"}
    url: str | None = Field(None, description="Base URL, e.g. http://127.0.0.1:8090")
    email: str | None = Field(None, description="Superuser email")
    password: SecretStr | None = Field(None, description="Superuser password")


# -- fields ------------------------------------------------------------------------------------


class _Field(Resource):
    name: str = Field(pattern=r"^[A-Za-z0-9_]{1,100}$", description="Field name (letters, digits, _).")
    id: str | None = Field(None, min_length=1, max_length=100,
                           description="The field's id (as in a PocketBase export). Fields are matched by id first: "
                                       "the same id under a new name is a rename that keeps the data.")
    hidden: bool = False
    presentable: bool = False


class _ValueField(_Field):
    """Every field type but autodate also has ``required`` and ``help``."""

    required: bool = False
    help: str = Field("", max_length=300)


class TextField(_ValueField):
    type: Literal["text"]
    min: int = Field(0, ge=0)
    max: int = Field(0, ge=0)
    pattern: str = ""
    autogeneratePattern: str = ""


class EditorField(_ValueField):
    type: Literal["editor"]
    maxSize: int = Field(0, ge=0)
    convertURLs: bool = False


class NumberField(_ValueField):
    type: Literal["number"]
    min: Number | None = None
    max: Number | None = None
    onlyInt: bool = False


class BoolField(_ValueField):
    type: Literal["bool"]


class EmailField(_ValueField):
    type: Literal["email"]
    exceptDomains: Names = []
    onlyDomains: Names = []


class UrlField(_ValueField):
    type: Literal["url"]
    exceptDomains: Names = []
    onlyDomains: Names = []


class DateField(_ValueField):
    type: Literal["date"]
    min: str = Field("", description="Earliest date, e.g. 2024-01-01 or 2024-01-01 10:00:00.000Z")
    max: str = ""


class AutodateField(_Field):
    type: Literal["autodate"]
    onCreate: bool = False
    onUpdate: bool = False


class SelectField(_ValueField):
    type: Literal["select"]
    values: list[str] = Field(min_length=1)
    maxSelect: int = Field(0, ge=0)


class FileField(_ValueField):
    type: Literal["file"]
    maxSelect: int = Field(0, ge=0)
    maxSize: int = Field(0, ge=0)
    mimeTypes: Names = []
    thumbs: Names = []
    protected: bool = False


class RelationField(_ValueField):
    type: Literal["relation"]
    collection: str = Field(description="Target collection by name; resolved to its id when planning.")
    cascadeDelete: bool = False
    minSelect: int = Field(0, ge=0)
    maxSelect: int = Field(0, ge=0)


class JsonField(_ValueField):
    type: Literal["json"]
    maxSize: int = Field(0, ge=0)


class GeoPointField(_ValueField):
    type: Literal["geoPoint"]


class PasswordField(_ValueField):
    type: Literal["password"]
    min: int = Field(0, ge=0)
    max: int = Field(0, ge=0)
    cost: int = Field(0, ge=0)
    pattern: str = ""


FieldSpec = Annotated[
    TextField | EditorField | NumberField | BoolField | EmailField | UrlField | DateField | AutodateField
    | SelectField | FileField | RelationField | JsonField | GeoPointField | PasswordField,
    Field(discriminator="type"),
]


# -- auth options (declared keys only are managed; see collections.py) ---------------------------


class EmailTemplate(Model):
    subject: str
    body: str


class PasswordAuth(Model):
    enabled: bool = True
    identityFields: list[str] = ["email"]


class MappedFields(Model):
    id: str = ""
    name: str = ""
    username: str = ""
    avatarURL: str = ""


class OAuth2(Model):
    enabled: bool = False
    mappedFields: MappedFields | None = None


class Mfa(Model):
    enabled: bool = False
    duration: int = Field(600, ge=1)
    rule: str = ""


class Otp(Model):
    enabled: bool = False
    duration: int = Field(180, ge=1)
    length: int = Field(8, ge=1)
    emailTemplate: EmailTemplate | None = None


class AuthAlert(Model):
    enabled: bool = True
    emailTemplate: EmailTemplate | None = None


class TokenConfig(Model):
    """Only the duration: the signing ``secret`` is write-only on the server and not managed."""

    duration: int = Field(ge=1, description="Seconds")


class CollectionSpec(Resource):
    """One collection. Rules left out mean ``null`` (superusers only), as in PocketBase."""

    name: str = Field(pattern=r"^[A-Za-z0-9_]{1,255}$")
    type: Literal["base", "auth", "view"] = "base"
    listRule: Rule = None
    viewRule: Rule = None
    createRule: Rule = None
    updateRule: Rule = None
    deleteRule: Rule = None
    viewQuery: str | None = Field(None, description="SELECT statement of a view collection.")
    fields: list[FieldSpec] = []
    indexes: list[str] = Field([], description='e.g. "CREATE UNIQUE INDEX idx_posts_slug ON posts (slug)"')
    # auth collections only; a key left out keeps whatever the server has
    authRule: Rule = None
    manageRule: Rule = None
    passwordAuth: PasswordAuth | None = None
    oauth2: OAuth2 | None = None
    mfa: Mfa | None = None
    otp: Otp | None = None
    authAlert: AuthAlert | None = None
    authToken: TokenConfig | None = None
    passwordResetToken: TokenConfig | None = None
    emailChangeToken: TokenConfig | None = None
    verificationToken: TokenConfig | None = None
    fileToken: TokenConfig | None = None
    verificationTemplate: EmailTemplate | None = None
    resetPasswordTemplate: EmailTemplate | None = None
    confirmEmailChangeTemplate: EmailTemplate | None = None


AUTH_OPTION_KEYS: tuple[str, ...] = (
    "authRule", "manageRule", "passwordAuth", "oauth2", "mfa", "otp", "authAlert", "authToken",
    "passwordResetToken", "emailChangeToken", "verificationToken", "fileToken", "verificationTemplate",
    "resetPasswordTemplate", "confirmEmailChangeTemplate",
)
"""Top-level collection keys that exist on auth collections only."""


class PocketBaseSection(Section):
    """The ``pocketbase`` section: collections; ``prune`` deletes undeclared non-system ones."""

    collections: list[CollectionSpec] = []
