"""Render one manifest file with jinja2 (sandboxed, StrictUndefined) and locate template errors.

Context: ``env`` (the process environment) and ``vars`` (``--var-file``/``--var``). An unknown
variable is an error naming ``file:line``. Block tags are stripped of leading whitespace but keep
their line, so for files without loops or multi-line values the rendered lines match the source.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from baseform.errors import Diagnostic, SourceSpan

__all__ = ["TemplateResult", "render_template"]


class TemplateResult:
    """Rendered text, or the diagnostic explaining why rendering failed."""

    def __init__(self, text: str | None, diagnostic: Diagnostic | None, line_exact: bool) -> None:
        self.text = text
        self.diagnostic = diagnostic
        self.line_exact = line_exact


def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                                lstrip_blocks=True, trim_blocks=False, autoescape=False)


def _template_line(tb: TracebackType | None, name: str) -> int | None:
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == name:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def render_template(name: str, source: str, context: Mapping[str, Any]) -> TemplateResult:
    """Render ``source`` (the file ``name``). Never raises for template problems."""
    if "{{" not in source and "{%" not in source and "{#" not in source:
        return TemplateResult(source, None, True)
    env = _environment()
    try:
        # compiled with the file name as the code's file name, so runtime errors can be located
        compiled = env.compile(source, name=name, filename=name)
        template = env.template_class.from_code(env, compiled, env.make_globals(None), None)
        text = template.render(**context)
    except jinja2.TemplateSyntaxError as e:
        return TemplateResult(None, Diagnostic(f"template syntax error: {e.message}",
                                               SourceSpan(name, e.lineno or 1),
                                               hint="fix the jinja2 expression or quote the value"), True)
    except jinja2.UndefinedError as e:
        line = _template_line(e.__traceback__, name) or 1
        return TemplateResult(None, Diagnostic(f"template error: {e.message}", SourceSpan(name, line),
                                               hint="define it with --var KEY=VALUE or --var-file, or "
                                                    "use `| default(...)`"), True)
    except jinja2.TemplateError as e:
        line = _template_line(e.__traceback__, name) or 1
        return TemplateResult(None, Diagnostic(f"template error: {e}", SourceSpan(name, line)), True)
    except (TypeError, ValueError, ArithmeticError, AttributeError, KeyError, IndexError) as e:
        line = _template_line(e.__traceback__, name) or 1
        return TemplateResult(None, Diagnostic(f"template error: {type(e).__name__}: {e}",
                                               SourceSpan(name, line)), True)
    exact = "{%" not in source and text.count("\n") == source.count("\n")
    return TemplateResult(text, None, exact)
