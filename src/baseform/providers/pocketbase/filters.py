"""PocketBase filter expressions (API rules) parsed the way the server parses them. Pure.

A port of the scanner and parser of ``github.com/ganigeorgiev/fexpr`` (the version PocketBase 0.23+
vendors): a rule is ``operand sign operand`` expressions joined by ``&&``/``||``, with parenthesised
groups, ``//`` line comments, quoted texts, numbers, identifiers (``a.b:each``, ``@request.auth.id``)
and function calls (``geoDistance(a, b, 1, 2)``). :func:`parse_filter` returns every identifier the
server will resolve, with its offset in the text, or raises :class:`FilterSyntaxError` where the
server's parser fails (its messages are kept, so they read like the server's own).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FilterSyntaxError", "Identifier", "parse_filter"]

_SIGNS = frozenset({"=", "!=", "~", "!~", "<", "<=", ">", ">=", "?=", "?!=", "?~", "?!~", "?<", "?<=", "?>", "?>="})
_MAX_FUNCTION_DEPTH = 3


class FilterSyntaxError(ValueError):
    """The server's parser refuses the text; ``offset`` is where (character index)."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass(frozen=True, slots=True)
class Identifier:
    """An identifier operand (or function argument) and the offset of its first character."""

    name: str
    offset: int


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # ws, comment, group, identifier, function, number, text, sign, join
    literal: str
    offset: int
    arguments: tuple[_Token, ...] = ()


def _letter(ch: str) -> bool:
    return "a" <= ch <= "z" or "A" <= ch <= "Z"


def _digit(ch: str) -> bool:
    return "0" <= ch <= "9"


def _special_start(ch: str) -> bool:
    return ch in "@_#"


def _identifier_start(ch: str) -> bool:
    return _letter(ch) or _special_start(ch)


def _valid_identifier(literal: str) -> bool:
    return literal[-1] not in ".:" and not (len(literal) == 1 and _special_start(literal))


class _Scanner:
    def __init__(self, text: str, base: int) -> None:
        self.text = text
        self.pos = 0
        self.base = base

    def _peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def _fail(self, message: str, at: int) -> FilterSyntaxError:
        return FilterSyntaxError(message, self.base + at)

    def scan(self) -> _Token | None:
        ch = self._peek()
        start = self.pos
        if not ch:
            return None
        if ch in " \t\n":
            while self._peek() and self._peek() in " \t\n":
                self.pos += 1
            return _Token("ws", "", start)
        if ch == "(":
            return self._group()
        if _identifier_start(ch):
            return self._identifier(_MAX_FUNCTION_DEPTH)
        if ch == "-" or _digit(ch):
            return self._number()
        if ch in "'\"":
            return self._text(preserve_quotes=False)
        if ch in "=?!><~":
            return self._run("=?!><~", "sign", _SIGNS, "invalid sign operator")
        if ch in "&|":
            return self._run("&|", "join", frozenset({"&&", "||"}), "invalid join operator")
        if ch == "/":
            return self._comment()
        raise self._fail(f"unexpected character {ch!r}", start)

    def _run(self, alphabet: str, kind: str, valid: frozenset[str], message: str) -> _Token:
        start = self.pos
        while self._peek() and self._peek() in alphabet:
            self.pos += 1
        literal = self.text[start:self.pos]
        if literal not in valid:
            raise self._fail(f"{message} {literal!r}", start)
        return _Token(kind, literal, start)

    def _number(self) -> _Token:
        start, dot = self.pos, False
        while True:
            ch = self._peek()
            length = self.pos - start
            if not ch or not (_digit(ch) or (ch == "-" and length == 0) or (ch == "." and not dot)):
                break
            dot = dot or ch == "."
            self.pos += 1
        literal = self.text[start:self.pos]
        if literal == "-" or literal[0] == "." or literal[-1] == ".":
            raise self._fail(f"invalid number {literal!r}", start)
        return _Token("number", literal, start)

    def _text(self, *, preserve_quotes: bool) -> _Token:
        start = self.pos
        quote = self.text[self.pos]
        self.pos += 1
        previous = ""
        while True:
            ch = self._peek()
            if not ch:
                raise self._fail(f"invalid quoted text {self.text[start:]!r}", start)
            self.pos += 1
            if ch == quote and previous != "\\":
                break
            previous = ch
        literal = self.text[start:self.pos]
        if not preserve_quotes:
            literal = literal[1:-1].replace("\\" + quote, quote)
        return _Token("text", literal, start)

    def _comment(self) -> _Token:
        start = self.pos
        if self.text[start:start + 2] != "//":
            raise self._fail("invalid comment", start)
        end = self.text.find("\n", start)
        self.pos = len(self.text) if end < 0 else end + 1
        return _Token("comment", "", start)

    def _identifier(self, depth: int) -> _Token:
        start = self.pos
        self.pos += 1
        while True:
            ch = self._peek()
            if ch == "(":
                name = self.text[start:self.pos]
                if depth <= 0:
                    raise self._fail(f"max nested function arguments reached (max: {_MAX_FUNCTION_DEPTH})", start)
                if not _valid_identifier(name):
                    raise self._fail(f"invalid function name {name!r}", start)
                return self._function(name, start, depth)
            if not ch or not (_letter(ch) or _digit(ch) or ch in ".:_"):
                break
            self.pos += 1
        literal = self.text[start:self.pos]
        if not _valid_identifier(literal):
            raise self._fail(f"invalid identifier {literal!r}", start)
        return _Token("identifier", literal, start)

    def _group(self) -> _Token:
        start = self.pos
        self.pos += 1
        depth = 1
        while True:
            ch = self._peek()
            if not ch:
                raise self._fail(f"invalid formatted group - missing {depth} closing bracket(s)", start)
            if ch in "'\"":
                self._text(preserve_quotes=True)
                continue
            self.pos += 1
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth == 0:
                    return _Token("group", self.text[start + 1:self.pos - 1], start)

    def _function(self, name: str, start: int, depth: int) -> _Token:
        self.pos += 1  # the "("
        arguments: list[_Token] = []
        expect_comma = False
        while True:
            ch = self._peek()
            if not ch:
                raise self._fail(f"invalid or incomplete function {name!r} (expected ')')", start)
            if ch == ")":
                self.pos += 1
                return _Token("function", name, start, tuple(arguments))
            if ch in " \t\n":
                self.pos += 1
                continue
            if ch == "/":
                self._comment()
                continue
            if ch == ",":
                if not expect_comma:
                    raise self._fail(f"unexpected comma in function {name!r}", self.pos)
                expect_comma = False
                self.pos += 1
                continue
            if expect_comma:
                raise self._fail(f"expected comma after the last argument in function {name!r}", self.pos)
            if _identifier_start(ch):
                arguments.append(self._identifier(depth - 1))
            elif ch == "-" or _digit(ch):
                arguments.append(self._number())
            elif ch in "'\"":
                arguments.append(self._text(preserve_quotes=False))
            else:
                raise self._fail(f"unsupported argument character {ch!r} in function {name!r}", self.pos)
            expect_comma = True


_OPERANDS = frozenset({"identifier", "text", "number", "function"})


def _identifiers(token: _Token, base: int) -> list[Identifier]:
    if token.kind == "identifier":
        return [Identifier(token.literal, base + token.offset)]
    if token.kind == "function":
        return [i for argument in token.arguments for i in _identifiers(argument, base)]
    return []


def _parse(text: str, base: int) -> list[Identifier]:
    scanner = _Scanner(text, base)
    found: list[Identifier] = []
    pending: list[Identifier] = []  # of the expression being read: the server resolves only complete ones
    step, empty = "left", True
    while (token := scanner.scan()) is not None:
        if token.kind in ("ws", "comment"):
            continue
        if token.kind == "group":
            found.extend(_parse(token.literal, base + token.offset + 1))
            step, empty, pending = "join", False, []
            continue
        at = base + token.offset
        if step in ("left", "right"):
            if token.kind not in _OPERANDS:
                side = "left operand (identifier, function, text or number)" if step == "left" else \
                    "right operand (identifier, function text or number)"
                raise FilterSyntaxError(f"expected {side}, got {token.literal!r} ({token.kind})", at)
            pending.extend(_identifiers(token, base))
            empty = False
            if step == "right":
                found.extend(pending)
                pending = []
            step = "sign" if step == "left" else "join"
        elif step == "sign":
            if token.kind != "sign":
                raise FilterSyntaxError(f"expected a sign operator, got {token.literal!r} ({token.kind})", at)
            step = "right"
        elif token.kind != "join":
            raise FilterSyntaxError(f"expected && or ||, got {token.literal!r} ({token.kind})", at)
        else:
            step = "left"
    if step != "join":
        if empty:
            raise FilterSyntaxError("empty filter expression", base)
        raise FilterSyntaxError("invalid or incomplete filter expression", base + len(text))
    return found


def parse_filter(text: str) -> list[Identifier]:
    """Every identifier of ``text`` in order (function arguments included).

    Raises FilterSyntaxError where PocketBase's parser refuses the text.
    """
    return _parse(text, 0)
