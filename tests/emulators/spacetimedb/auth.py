"""Identities and their tokens, as crates/client-api/src/auth.rs and crates/lib/src/identity.rs make them.

A token is a JWT whose claims are ``hex_identity, sub, iss, aud, iat, exp``; the identity is derived
from the issuer and subject with the ``c200`` prefix and a 4-byte checksum. Two deliberate
differences, neither visible to a client that treats tokens as opaque: tokens are signed with
HMAC-SHA256 (the server uses ES256 keys), and BLAKE2b stands in for BLAKE3 in the derivation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

LOCAL_ISSUER = "localhost"


class AuthRejection(Exception):  # noqa: N818 - AuthorizationRejection
    """``AuthorizationRejection``: the status and plain-text body the server answers."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def identity_from_claims(issuer: str, subject: str) -> str:
    """``Identity::from_claims`` as a 64-digit hex string (BLAKE2b-256 in place of BLAKE3)."""
    id_hash = hashlib.blake2b(f"{issuer}|{subject}".encode(), digest_size=32).digest()[:26]
    checksum = hashlib.blake2b(b"\xc2\x00" + id_hash, digest_size=32).digest()[:4]
    return (b"\xc2\x00" + checksum + id_hash).hex()


@dataclass(frozen=True)
class Caller:
    identity: str
    token: str
    minted: bool  # allocated for this request (no credentials were sent)


class Tokens:
    """Mints and validates this instance's tokens (``JwtKeyAuthProvider`` + ``DefaultValidator``)."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)

    def mint(self) -> Caller:
        """``SpacetimeAuth::alloc``: a new identity with a random subject, and its token."""
        subject = str(uuid.uuid4())
        identity = identity_from_claims(LOCAL_ISSUER, subject)
        claims = {"hex_identity": identity, "sub": subject, "iss": LOCAL_ISSUER, "aud": ["spacetimedb"],
                  "iat": int(time.time()), "exp": None}
        head = _b64(json.dumps({"typ": "JWT", "alg": "HS256"}).encode())
        body = _b64(json.dumps(claims).encode())
        signature = _b64(hmac.new(self._key, f"{head}.{body}".encode(), hashlib.sha256).digest())
        return Caller(identity, f"{head}.{body}.{signature}", True)

    def validate(self, token: str) -> Caller:
        """The caller a token names; raises AuthRejection as the server answers a bad token."""
        parts = token.split(".")
        if len(parts) != 3:
            raise AuthRejection(401, "Invalid token: InvalidToken")
        try:
            claims: Any = json.loads(_unb64(parts[1]))
        except ValueError:
            raise AuthRejection(401, "Invalid token: InvalidToken") from None
        expected = _b64(hmac.new(self._key, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest())
        if not hmac.compare_digest(expected, parts[2]) or not isinstance(claims, dict):
            raise AuthRejection(401, "Invalid token: InvalidSignature")
        return Caller(str(claims["hex_identity"]), token, False)

    def caller(self, authorization: str | None, query_token: str | None) -> Caller:
        """``anon_auth_middleware``: the bearer token, else a ``token`` query parameter, else a new
        anonymous identity (which the response then reveals in its headers)."""
        if authorization is not None:
            scheme, _, value = authorization.partition(" ")
            if scheme.lower() != "bearer" or not value.strip():
                raise AuthRejection(400, "Authorization is invalid: malformed token")
            return self.validate(value.strip())
        if query_token is not None:
            return self.validate(query_token)
        return self.mint()
