"""Permission strings: the grammar the server accepts and the normal form it stores."""

from __future__ import annotations

import pytest

from baseform.providers.appwrite import permissions


@pytest.mark.parametrize(("given", "normal"), [
    (['read("any")'], ['read("any")']),
    (['write("users")', 'read("any")'], ['create("users")', 'delete("users")', 'read("any")', 'update("users")']),
    ({"read": ["any"], "write": ["team:editors"]},
     ['create("team:editors")', 'delete("team:editors")', 'read("any")', 'update("team:editors")']),
    (['write("users")', 'update("users")', 'create("users")'],
     ['create("users")', 'delete("users")', 'update("users")']),
    ({"read": ["user:abc/verified", "team:t1/owner", "member:m1", "label:vip", "guests", "users/unverified"]},
     ['read("guests")', 'read("label:vip")', 'read("member:m1")', 'read("team:t1/owner")',
      'read("user:abc/verified")', 'read("users/unverified")']),
    ([], []),
])
def test_normal_form_is_the_servers_expansion_as_a_set(given: object, normal: list[str]) -> None:
    result, problems = permissions.parse(given)  # type: ignore[arg-type]
    assert problems == []
    assert result == normal


@pytest.mark.parametrize(("given", "message"), [
    (['read(any)'], "is not a permission"),
    (["read('any')"], "is not a permission"),
    (['read("*")'], 'the wildcard "*" was replaced by "any"'),
    (['read("role:all")'], "pre-1.0 syntax"),
    (['list("any")'], "unknown permission action 'list'"),
    (['read("any/x")'], 'role "any" takes no id or dimension'),
    (['read("users:x")'], 'role "users" takes no id'),
    (['read("user")'], 'role "user" needs an id'),
    (['read("user:abc/admin")'], "verified and unverified"),
    (['read("label:v-i-p")'], "letters and digits only"),
    (['read("member:m/x")'], 'role "member" takes no dimension'),
    (['read("team:' + "x" * 37 + '")'], "is not a valid team id"),
    (['read("robots")'], "unknown role 'robots'"),
    ({"read": ["any"] * 101}, "101 permissions; Appwrite accepts at most 100"),
])
def test_invalid_entries_are_explained(given: object, message: str) -> None:
    _, problems = permissions.parse(given)  # type: ignore[arg-type]
    assert any(message in p.message for p in problems), problems


def test_collapse_writes_the_shortest_equivalent() -> None:
    normal = permissions.normalize(['read("any")', 'write("team:editors")', 'delete("users")'])
    assert permissions.collapse(normal) == ['read("any")', 'write("team:editors")', 'delete("users")']
    assert permissions.normalize(permissions.collapse(normal)) == normal
