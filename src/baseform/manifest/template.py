"""Render one manifest file with jinja2 (sandboxed, strict) and locate template errors.

Context: ``env`` (the process environment) and ``vars`` (``--var-file``/``--var``). A variable that
is not defined is an error naming ``file:line:column``, with what to do (set the environment
variable, pass ``--var``); every undefined variable of the file is reported, not only the first.
``| default(...)`` and ``is defined`` work as in jinja2. Block tags are stripped of leading
whitespace but keep their line, so for files without loops or multi-line values the rendered lines
match the source.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any

from baseform.errors import Diagnostic, SourceSpan

if TYPE_CHECKING:
    import jinja2

__all__ = ["Missing", "TemplateResult", "render_template"]


@dataclass(frozen=True)
class Missing:
    """One use of an undefined variable: ``env.X``, ``vars.x`` or a bare name, and its line."""

    scope: str | None  # "env", "vars", or None for a bare name
    name: str
    line: int  # of the compiled Python code until mapped to the template's


@dataclass
class TemplateResult:
    """Rendered text, or the diagnostics explaining why rendering failed (text is then None).

    ``missing`` lists the undefined variables used (each rendered as nothing) with the diagnostic
    that reports it; the caller decides which are errors (all, except environment variables in a
    connection block at validate time).
    """

    text: str | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    line_exact: bool = True
    missing: list[tuple[Missing, Diagnostic]] = field(default_factory=list)


def _template_line(tb: TracebackType | None, name: str) -> int | None:
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == name:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _recording_undefined(file: str, context: Mapping[str, Any], found: list[Missing]) -> type[jinja2.Undefined]:
    """An Undefined that renders as nothing and records where it was used, so that one render finds
    every undefined variable of the file. ``default`` and ``is defined`` see it as undefined as usual."""
    import jinja2

    scopes = {id(v): k for k, v in context.items() if isinstance(v, Mapping)}

    class Recording(jinja2.Undefined):
        __slots__ = ()

        def _record(self) -> None:
            frame = sys._getframe(1)
            while frame is not None and frame.f_code.co_filename != file:
                frame = frame.f_back  # type: ignore[assignment]
            line = frame.f_lineno if frame is not None else 1
            obj = self._undefined_obj
            scope = scopes.get(id(obj)) if obj is not jinja2.utils.missing else None
            name = self._undefined_name or "?"
            found.append(Missing(scope, name, line))

        def _fail_with_undefined_error(self, *args: Any, **kwargs: Any) -> Any:
            self._record()
            return self

        def __str__(self) -> str:
            self._record()
            return ""

        def __iter__(self) -> Any:
            self._record()
            return iter(())

        def __bool__(self) -> bool:
            self._record()
            return False

        def __len__(self) -> int:
            self._record()
            return 0

    return Recording


def _column(source: str, missing: Missing) -> int | None:
    """Where the variable is written on its line (1-based), if it can be found."""
    lines = source.splitlines()
    if not 0 < missing.line <= len(lines):
        return None
    text = lines[missing.line - 1]
    name = re.escape(missing.name)
    pattern = (rf"\b{missing.scope}\s*(?:\.\s*{name}\b|\[\s*['\"]{name}['\"]\s*\])" if missing.scope
               else rf"\b{name}\b")
    match = re.search(pattern, text)
    return match.start() + 1 if match else None


def _diagnostic(file: str, source: str, missing: Missing) -> Diagnostic:
    where = SourceSpan(file, missing.line, _column(source, missing))
    if missing.scope == "env":
        return Diagnostic(f"template error: the environment variable {missing.name} is not set", where,
                          hint=f"set it (export {missing.name}=...), or write "
                               f"{{{{ env.{missing.name} | default('...') }}}} for a value to use without it")
    if missing.scope == "vars":
        return Diagnostic(f"template error: the variable vars.{missing.name} is not defined", where,
                          hint=f"pass --var {missing.name}=VALUE or define it in a --var-file, or write "
                               f"{{{{ vars.{missing.name} | default('...') }}}}")
    return Diagnostic(f"template error: {missing.name!r} is undefined", where,
                      hint="templates see env.NAME (environment variables) and vars.NAME (--var, --var-file)")


def render_template(name: str, source: str, context: Mapping[str, Any]) -> TemplateResult:
    """Render ``source`` (the file ``name``), undefined variables as nothing (listed in ``missing``).
    Never raises for template problems."""
    if "{{" not in source and "{%" not in source and "{#" not in source:
        return TemplateResult(source)
    import jinja2  # only for files that use it: importing it is a tenth of a plain validate
    from jinja2.sandbox import SandboxedEnvironment

    found: list[Missing] = []
    env = SandboxedEnvironment(undefined=_recording_undefined(name, context, found), keep_trailing_newline=True,
                               lstrip_blocks=True, trim_blocks=False, autoescape=False)
    try:
        # compiled with the file name as the code's file name, so runtime errors can be located
        compiled = env.compile(source, name=name, filename=name)
        template = env.template_class.from_code(env, compiled, env.make_globals(None), None)
        text = template.render(**context)
    except jinja2.TemplateSyntaxError as e:
        return TemplateResult(None, [Diagnostic(f"template syntax error: {e.message}", SourceSpan(name, e.lineno or 1),
                                                hint="fix the jinja2 expression or quote the value")])
    except jinja2.TemplateError as e:
        line = _template_line(e.__traceback__, name) or 1
        return TemplateResult(None, [Diagnostic(f"template error: {e}", SourceSpan(name, line))])
    except (TypeError, ValueError, ArithmeticError, AttributeError, KeyError, IndexError) as e:
        line = _template_line(e.__traceback__, name) or 1
        return TemplateResult(None, [Diagnostic(f"template error: {type(e).__name__}: {e}", SourceSpan(name, line))])
    located = [Missing(m.scope, m.name, template.get_corresponding_lineno(m.line)) for m in found]
    exact = "{%" not in source and text.count("\n") == source.count("\n")
    return TemplateResult(text, [], exact, [(m, _diagnostic(name, source, m)) for m in dict.fromkeys(located)])
