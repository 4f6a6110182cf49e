"""The pages ``signpost serve`` shows: each scenario's report page and the overview, as
``signpost report`` writes them, plus the live banner and the page script; and the sweep page.

Every page is rendered here from the workspace's state, with the report's own templates
(:mod:`engine.report.templating`: autoescaped, scenario text only ever a value, SPEC §7). The
one difference from a report is the ``live`` hook the report never sets: a head with the
Content-Security-Policy that lets in the server's own script and nothing else, and a banner with
the page's state, the file's errors or the engine's failure, and what changed since the
previous version. The script builds no HTML: it swaps in the body of the page rendered here.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup

from engine.display import percent, seconds
from engine.report.templating import render_html
from engine.serve.state import RECOMPUTING, WAITING, FileState

SCRIPT = "/_signpost/live.js"
EVENTS = "/_signpost/events"
# The policy of every served page (in its <meta>, and sent as a header with the script's exact
# address): its own styles and figures, its own script, its own events; nothing else.
POLICY = (
    "default-src 'none'; script-src {script}; connect-src 'self'; style-src 'unsafe-inline'; "
    "img-src data:; form-action 'self'; base-uri 'none'"
)


def policy(script: str = "'self'", *, header: bool = False) -> str:
    """The Content-Security-Policy of a served page, allowing ``script`` as its only script;
    the header also forbids framing (which a ``<meta>`` policy cannot say)."""
    return POLICY.format(script=script) + ("; frame-ancestors 'none'" if header else "")


@cache
def environment() -> jinja2.Environment:
    """The serve templates, and the report's (``_style.html``), with HTML autoescaping on."""
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.PackageLoader("engine.serve", "templates"),
                jinja2.PackageLoader("engine.report", "templates"),
            ]
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def live_head(page: str, version: int, server: str) -> Markup:
    """The served page's head: its policy, what the script needs to know, the script."""
    return Markup(
        render(
            "_live_head.html",
            csp=policy(),
            page=page,
            version=version,
            server=server,
            script=SCRIPT,
        )  # fmt: skip
    )


# --- a scenario's page ------------------------------------------------------------------------


def scenario_page(state: FileState, server: str) -> str:
    """The report page of a file's last good version, with its live banner."""
    good = state.good
    assert good is not None, "a file without a good version has no page"
    banner = Markup(render("_live_banner.html", **banner_context(state)))
    live = {"head": live_head(state.page, state.version, server), "banner": banner}
    return render_html("page.html", **{**good.context, "live": live})


def status_line(state: FileState) -> str:
    """What the banner's first line says about the file now."""
    good = state.good
    if state.state == RECOMPUTING:
        return f"Recomputing: {state.file} was saved at {state.saved}…"
    if state.issues:
        count = f"{len(state.issues)} error{'s' if len(state.issues) != 1 else ''}"
        return f"Live: {state.file} has {count} (saved {state.saved})."
    if state.error:
        return f"Live: the engine failed on {state.file} (saved {state.saved})."
    after = f", {seconds(good.seconds)} after the save was seen" if good.seconds else ""
    return (
        f"Live: following {state.file}. Version {good.version}, computed at {good.finished}"
        f"{after}; save the file to see it again."
    )


def banner_context(state: FileState) -> dict[str, Any]:
    good = state.good
    from engine.diff.text import cells

    return {
        "status": status_line(state),
        "stale": state.stale,
        "file": str(state.file),
        "saved": state.saved,
        "issues": [issue.format() for issue in state.issues],
        "error": state.error,
        "bad_input": state.bad_input,
        "good_version": good.version,
        "changes": cells(good.diff) if good.diff is not None else None,
        "diff_error": good.diff_error,
        "first": good.first,
    }


def waiting_page(state: FileState, server: str) -> str:
    """The page of a file not computed yet: what it waits for, or the errors that keep it from
    having numbers; it follows the file, and becomes the report page once there is one."""
    context = {
        "live": {"head": live_head(state.address, state.version, server)},
        "id": state.planned,
        "file": str(state.file),
        "status": (
            f"Live: computing {state.file} for the first time…"
            if not state.stale
            else f"Live: {state.file} has no numbers yet."
        ),
        "issues": [issue.format() for issue in state.issues],
        "error": state.error,
    }
    return render("waiting.html", **context)


# --- the overview -----------------------------------------------------------------------------


def overview_page(states: list[FileState], version: int, server: str) -> str:
    """The overview of every file, as ``signpost report`` writes it, with a live banner."""
    from engine.report.overview import overview_html, resolution_of

    shown = [s for s in states if s.good is not None]
    summaries = [s.good.summary for s in shown]
    failed = [
        {"file": str(s.file), "id": None, "error": "\n".join(i.format() for i in s.issues)}
        for s in states
        if s.good is None and s.issues
    ] + [
        {"file": str(s.file), "id": None, "error": s.error}
        for s in states
        if s.good is None and s.error and not s.issues
    ]
    waiting = [str(s.file) for s in states if s.good is None and not s.stale]
    stale = [
        {"id": s.id, "href": f"{s.id}/index.html", "why": _why_stale(s)} for s in shown if s.stale
    ]
    busy = sum(s.state in (RECOMPUTING, WAITING) for s in states)
    status = f"Live: {len(shown)} of {len(states)} scenarios shown" + (
        f"; {busy} being computed…" if busy else "; each page follows its file."
    )
    banner = Markup(render("_live_overview.html", status=status, waiting=waiting, stale=stale))
    live = {"head": live_head("/", version, server), "banner": banner}
    resolutions = [resolution_of("", summary) for summary in summaries]
    return overview_html(summaries, failed, resolutions, live=live)


def _why_stale(state: FileState) -> str:
    if state.issues:
        return f"{len(state.issues)} error(s) in {state.file}: the numbers are the last good ones"
    return f"the engine failed on {state.file}: the numbers are the last good ones"


# --- a sweep ----------------------------------------------------------------------------------


def sweep_page(
    state: FileState,
    server: str,
    *,
    path: str,
    sweep=None,
    problems: list[str] | None = None,
    form: dict[str, Any] | None = None,
) -> str:
    """The sweep of one number of a file's last good version (or why it cannot be done)."""
    from engine.sweep.text import value_text

    good = state.good
    context: dict[str, Any] = {
        "live": {"head": live_head(state.page, state.version, server)},
        "status": status_line(state),
        "id": state.id,
        "title": good.scenario.title,
        "file": str(state.file),
        "path": path,
        "problems": problems or [],
        "sweep": sweep,
        **(form or {"start": "", "stop": "", "steps": ""}),
    }
    if sweep is not None:
        from engine.sweep.plot import sweep_plot

        labels = sweep.labels
        context.update(
            plot=Markup(sweep_plot(sweep)),
            first=value_text(sweep.values[0]),
            last=value_text(sweep.values[-1]),
            outcomes=[{"id": k, "label": label} for k, label in labels.items()],
            rows=[
                {
                    "value": value_text(point.value) + ("" if point.reliable else " !"),
                    "cells": [percent(point.outcomes[k]) for k in labels],
                    "most_likely": likeliest,
                }
                for point, likeliest in zip(sweep.points, sweep.most_likely)
            ],
            crossings=[
                {
                    "outcome": c.outcome,
                    "label": labels.get(c.outcome, c.outcome),
                    "old": c.old,
                    "new": c.new,
                    "at": value_text(c.at),
                }  # fmt: skip
                for c in sweep.crossings
            ],
            how=f"{sweep.diagnostics.method}, seed {sweep.seed}, {seconds(sweep.seconds)}",
        )
    return render("sweep.html", **context)
