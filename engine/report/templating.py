"""The Jinja2 environments of the report: autoescaped HTML and escaped Markdown.

Scenario text only ever reaches a template as a *value*: it is escaped on output and never
compiled as template source, so ``{{ 7*7 }}`` in a label is printed as written (SPEC §7).
In HTML every value is escaped unless it is :class:`markupsafe.Markup` (only the figures'
SVG, which matplotlib writes with its own escaping). In Markdown every value passes through
:func:`markdown_text`, which backslash-escapes the characters Markdown (or raw HTML) would act on.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import jinja2

_MARKDOWN_ACTIVE = re.compile(r"([\\`*_\[\]<>#|~$&])")


def markdown_text(value: Any) -> str:
    """``value`` as inert Markdown on one line: active characters backslash-escaped."""
    if value is None:
        return ""
    text = " ".join(str(value).split())
    return _MARKDOWN_ACTIVE.sub(r"\\\1", text)


@cache
def html_environment() -> jinja2.Environment:
    """Templates of ``engine/report/templates`` with HTML autoescaping always on."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("engine.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def markdown_environment() -> jinja2.Environment:
    """The same templates for Markdown: every printed value goes through :func:`markdown_text`."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("engine.report", "templates"),
        autoescape=False,
        finalize=markdown_text,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_html(template: str, **context: Any) -> str:
    """Render an HTML template of the report with ``context``."""
    return html_environment().get_template(template).render(**context)


def render_markdown(template: str, **context: Any) -> str:
    """Render a Markdown template of the report with ``context``."""
    return markdown_environment().get_template(template).render(**context)
