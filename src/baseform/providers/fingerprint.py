"""How to recognise a backend's server from one public request, so that a wrong URL can be named.

A provider declares a :class:`Fingerprint` (``Provider.fingerprint``). When talking to a server
fails in a way a wrong URL explains (a 404 where the API should be, an answer that is not JSON),
the core asks the URL each registered fingerprint's request and can then say "this URL answers like
PocketBase, not Appwrite" without ever naming a backend itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from baseform.types import JSON

__all__ = ["Fingerprint"]


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """A backend's recognisable answer.

    Attributes:
        title: the server's name as people write it (``"PocketBase"``).
        url_field: the connection setting (field of the provider's config) that holds its URL.
        path: a public GET, from the URL's origin (``scheme://host:port``), that only this kind of
            server answers with 200 and a JSON object.
        keys: top-level keys that answer always has.
    """

    title: str
    url_field: str
    path: str
    keys: frozenset[str]

    def matches(self, status: int, body: JSON) -> bool:
        """Whether an answer (status, decoded JSON body) to :attr:`path` is this server's."""
        return status == 200 and isinstance(body, dict) and self.keys <= body.keys()
