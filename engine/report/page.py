"""One scenario's report: the page's context, and writing its folder.

:func:`page_context` turns a result (plus the scenario it came from and where that came from)
into plain data, every number already formatted; the templates only lay it out.
:func:`render_report` renders ``index.html``, ``report.md``, the CSV tables, ``scenario.yaml``
and, when sampled, ``posterior.nc`` in memory (a Dask worker needs no disk);
:func:`engine.report.folder.write_files` writes them into one folder, each file atomically;
:func:`write_report` is both.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import platform
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from engine import display
from engine.display import WITHHELD, observed, percent, settings, share, state_chances, word
from engine.inference.diagnostics import ESS_MIN, PARETO_K_MAX, RHAT_MAX
from engine.inference.network import network_of
from engine.report.figures import charts as scenario_charts
from engine.report.figures import graph
from engine.report.folder import write_files
from engine.report.numbers import driver_key, how_made, label_of
from engine.report.posterior import posterior_bytes
from engine.report.tables import csv_text, report_tables
from engine.report.templating import render_html, render_markdown
from engine.run.result import Result
from engine.scenario.methods import METHODS
from engine.scenario.schema import Scenario, Source
from engine.scenario.sections import CITING

LIBRARIES = (
    "pymc",
    "numpyro",
    "jax",
    "nutpie",
    "arviz",
    "numpy",
    "scipy",
    "pydantic",
    "matplotlib",
    "jinja2",
)

FILE_NOTES = {
    "report.md": "this report in Markdown",
    "scenario.yaml": "the scenario as run, after extends",
    "posterior.nc": "posterior draws of the main result (ArviZ InferenceData, netCDF)",
    "outcomes.csv": "outcome probabilities",
    "drivers.csv": "driver priors and posteriors",
    "what_if.csv": "what-ifs beside the main result",
    "timeline.csv": "outcome probabilities along the timeline",
    "expectations.csv": "expectations and their status",
    "influence.csv": "outcome probabilities with each driver set true / false",
    "signposts.csv": "what observing each item would tell",
    "uncertainty.csv": "each uncertain number's share of the spread",
    "band_crossing.csv": "observations that would change an outcome's word",
    "score.csv": "what happened and the scores of this result (Brier, log)",
}


@dataclass
class Provenance:
    """Where a report came from: the file, its hashes, the run's options, the software."""

    file: str
    file_sha256: str  # the scenario file as written
    chain: list[tuple[str, str]]  # (file, sha256) of the file and every parent it extends
    merged_sha256: str  # the merged scenario (scenario.yaml)
    options: dict[str, Any] = field(default_factory=dict)
    generated: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "file_sha256": self.file_sha256,
            "chain": [{"file": f, "sha256": h} for f, h in self.chain],
            "merged_sha256": self.merged_sha256,
            "options": self.options,
            "generated": self.generated,
        }


def library_versions() -> dict[str, str]:
    """Python and the installed versions of the libraries a result depends on."""
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def render_report(
    scenario: Scenario, result: Result, merged_yaml: str, provenance: Provenance
) -> dict[str, bytes]:
    """Every file of one scenario's report folder, rendered in memory (no disk is needed).

    Parameters
    ----------
    scenario : Scenario
        The validated scenario that was run.
    result : Result
        Its result, with analysis when computed.
    merged_yaml : str
        The scenario after ``extends``, as YAML (``scenario.yaml``).
    provenance : Provenance
        Where it came from.

    Returns
    -------
    dict of str to bytes
        File name (relative to the folder) to content, in the order to write them: the CSV
        tables, ``scenario.yaml``, ``posterior.nc`` when sampled, ``report.md``, ``index.html``.
    """
    files = {
        name: csv_text(header, rows).encode()
        for name, (header, rows) in report_tables(result, scenario).items()
    }
    files["scenario.yaml"] = merged_yaml.encode()
    if result.main.sample is not None:
        files["posterior.nc"] = posterior_bytes(network_of(scenario), result.main)
    context = page_context(scenario, result, provenance, files=["report.md", *files])
    files["report.md"] = render_markdown("report.md", **context).encode()
    context["charts"] = figures_of(scenario, result)
    files["index.html"] = render_html("page.html", **context).encode()
    return files


def write_report(
    folder: str | Path,
    scenario: Scenario,
    result: Result,
    merged_yaml: str,
    provenance: Provenance,
) -> list[str]:
    """Write one scenario's report folder (:func:`render_report`, then
    :func:`engine.report.folder.write_files`); return the names of the files written."""
    return write_files(folder, render_report(scenario, result, merged_yaml, provenance))


def figures_of(scenario: Scenario, result: Result) -> dict[str, Markup]:
    """The page's figures as inline SVG (matplotlib escapes the text inside)."""
    return {
        "outcomes": Markup(scenario_charts.outcome_chart(result)),
        "timeline": Markup(scenario_charts.timeline_chart(result, scenario)),
        "graph": Markup(graph.graph_diagram(scenario, result)),
    }


def page_context(
    scenario: Scenario, result: Result, provenance: Provenance, files: list[str] | None = None
) -> dict[str, Any]:
    """Everything the page and the Markdown show, as plain data with numbers formatted."""
    reliable = result.reliable
    outcome_labels = {k: o.label for k, o in scenario.outcomes.items()}
    happened = scenario.resolved.outcome_id if scenario.resolved else None
    return {
        "scenario": _about(scenario, provenance),
        "reliable": reliable,
        "unreliable_because": "; ".join(result.diagnostics.reliability.problems),
        "exact": result.diagnostics.method == "exact",
        "headline": [
            {
                "id": k,
                "label": outcome_labels.get(k, k),
                "percent": percent(s),
                "word": word(s.p, reliable),
                "happened": k == happened,
            }
            for k, s in result.main.outcomes.items()
        ],
        "resolution": _resolution(scenario, result),
        "what_if": _what_if(scenario, result),
        "timeline": _timeline(scenario, result),
        "evidence": _evidence(scenario),
        "drivers": _drivers(scenario, result),
        "analysis": _analysis(scenario, result) if result.analysis else None,
        "expectations": [
            {
                "name": name,
                "label": scenario.expect[name].label or "",
                "status": str(c.status),
                "css": c.status.css,
                "value": display.value(c.value),
                "margin": display.margin(c.margin),
                "mcse": display.mcse(c.mcse),
                "description": c.description,
            }
            for name, c in result.expect.items()
        ],
        "diagnostics": _diagnostics(result),
        "provenance": _provenance(scenario, result, provenance),
        "files": [{"name": name, "note": FILE_NOTES.get(name, "")} for name in files or []],
        "charts": {},
        "live": None,  # set only by `signpost serve` (engine.serve.pages); a report has no script
    }


def _about(scenario: Scenario, provenance: Provenance) -> dict[str, Any]:
    return {
        "id": scenario.id,
        "title": scenario.title,
        "question": scenario.question,
        "description": scenario.description,
        "authors": scenario.authors,
        "as_of": scenario.as_of.isoformat() if scenario.as_of else None,
        "horizon": scenario.horizon.isoformat() if scenario.horizon else None,
        "file": provenance.file,
    }


def _resolution(scenario: Scenario, result: Result) -> dict[str, Any] | None:
    """What happened (SPEC §10), its sources, and the scores of this result; None if unresolved."""
    resolution = scenario.resolved
    if resolution is None:
        return None
    from engine.score.scores import score

    scored = score(result, resolution)
    sources = [_source(name, scenario.sources[name]) for name in resolution.sources]
    return {
        "outcome": scored.outcome,
        "label": scored.label,
        "on": scored.on.isoformat(),
        "note": resolution.note,
        "sources": sources,
        "p": percent(scored.p),
        "brier": display.brier(scored.brier),
        "log": display.log_score(scored.log),
        "timeline": [
            {"date": p.date.isoformat() if p.date else "(undated)", "p": percent(p.p)}
            for p in scored.timeline
        ],
    }


def _what_if(scenario: Scenario, result: Result) -> dict[str, Any]:
    columns = [
        {
            "id": name,
            "label": item.label or name,
            "set": ", ".join(f"{d} = {observed(v)}" for d, v in item.set.items()),
            "reliable": result.what_if[name].reliable,
        }
        for name, item in scenario.what_if.items()
        if name in result.what_if
    ]
    rows = [
        {
            "id": k,
            "label": scenario.outcomes[k].label,
            "main": percent(s),
            "values": [percent(result.what_if[c["id"]].outcomes[k]) for c in columns],
        }
        for k, s in result.main.outcomes.items()
    ]
    return {"columns": columns, "rows": rows}


def _timeline(scenario: Scenario, result: Result) -> dict[str, Any]:
    happened = scenario.resolved.outcome_id if scenario.resolved else None
    outcomes = [
        {"id": k, "label": scenario.outcomes[k].label, "happened": k == happened}
        for k in result.main.outcomes
    ]
    points = [
        {
            "date": p.date.isoformat() if p.date else "(undated)",
            "evidence": len(p.evidence),
            "values": [percent(p.answer.outcomes[k]) for k in result.main.outcomes],
        }
        for p in result.timeline
    ]
    return {"outcomes": outcomes, "points": points}


def _evidence(scenario: Scenario) -> list[dict[str, Any]]:
    rows = []
    for name, item in scenario.evidence.items():
        target = item.driver or item.indicator
        target_label = (
            label_of(scenario, target) if item.driver else scenario.indicators[target].label
        )
        if item.observed is not None:
            kind = f"observed {observed(item.observed)}"
        else:
            kind = f"likelihood ratio {display.number(item.likelihood_ratio)}"
        rows.append(
            {
                "id": name,
                "label": item.label or "",
                "target": target,
                "target_label": target_label,
                "kind": kind,
                "date": item.date.isoformat() if item.date else "(from as_of)",
                "sources": item.sources,
                "quote": item.quote,
            }
        )
    return rows


def _drivers(scenario: Scenario, result: Result) -> list[dict[str, Any]]:
    evidence_on: dict[str, list[str]] = {}
    for name, item in scenario.evidence.items():
        if item.driver:
            evidence_on.setdefault(driver_key(item.driver)[0], []).append(name)
    rows = []
    for key, s in result.main.drivers.items():
        made = how_made(scenario, key)
        rows.append(
            {
                "id": key,
                "label": label_of(scenario, key),
                "prior": made["prior"]["text"],
                "causes": made["causes"],
                "posterior": percent(s),
                "word": word(s.p, result.reliable),
                "evidence": evidence_on.get(driver_key(key)[0], []),
            }
        )
    return rows


def _true_false(row: dict, outcomes: list[str]) -> list[str]:
    """Each outcome's probability under each setting of the item (``engine.display.settings``),
    as the parts a cell shows one a line: one part (``31% / 12%``), or one per state."""
    return [_parts(row, settings(row, k)) for k in outcomes]


def _parts(row: dict, text: str) -> list[str]:
    return text.split(" / ") if "states" in row else [text]


def _item_label(scenario: Scenario, item: str) -> str:
    if item in scenario.drivers:
        return scenario.drivers[item].label
    if item in scenario.indicators:
        return scenario.indicators[item].label
    return item


def _analysis(scenario: Scenario, result: Result) -> dict[str, Any]:
    analysis, outcomes = result.analysis, list(result.main.outcomes)
    influence = [
        {
            "id": d,
            "label": _item_label(scenario, d),
            "swing": display.swing(row["swing"]),
            "values": _true_false(row, outcomes),
        }
        for d, row in analysis.get("influence", {}).items()
    ]
    signposts = [
        {
            "id": item,
            "label": _item_label(scenario, item),
            "kind": row["kind"],
            "bits": display.bits(row["bits"]),
            "p_true": _parts(row, state_chances(row)),
            "values": _true_false(row, outcomes),
        }
        for item, row in analysis.get("signposts", {}).items()
    ]
    crossings = [
        {
            "outcome": k,
            "label": scenario.outcomes[k].label,
            "items": [
                {
                    "item": c["item"],
                    "label": _item_label(scenario, c["item"]),
                    "observed": observed(c["observed"]),
                    "p": share(c["p"]),
                    "word": c["word"] if result.reliable else WITHHELD,
                    "p_observation": share(c["p_observation"]),
                }
                for c in analysis.get("band_crossing", {}).get(k, [])
            ],
        }
        for k in outcomes
    ]
    uncertainty = [
        {
            "outcome": k,
            "label": scenario.outcomes[k].label,
            "numbers": [{"path": path, "share": share(x)} for path, x in list(shares.items())[:5]],
        }
        for k, shares in analysis.get("uncertainty", {}).items()
    ]
    return {
        "outcomes": [{"id": k, "label": scenario.outcomes[k].label} for k in outcomes],
        "influence": influence,
        "signposts": signposts,
        "band_crossing": crossings,
        "uncertainty": uncertainty,
    }


def _diagnostics(result: Result) -> dict[str, Any]:
    d = result.diagnostics
    if d.method == "exact":
        return {
            "method": "exact",
            "summary": "Exact enumeration: every number is fixed; no sampling, no posterior draws.",
            "rows": [("time", display.seconds(d.seconds))],
        }
    rows = []
    if d.ess is not None:
        rows += [
            ("draws (prior or proposal)", f"{d.draws}"),
            (f"smallest effective sample size (≥ {ESS_MIN})", display.ess(d.ess)),
            (f"largest Pareto k (≤ {PARETO_K_MAX})", display.pareto_k(d.pareto_k)),
        ]
    if d.max_rhat is not None:
        rows += [
            ("chains", f"{d.chains} (tuning {d.tune})"),
            ("target acceptance", display.acceptance(d.target_accept)),
            (f"max R-hat (≤ {RHAT_MAX})", display.rhat(d.max_rhat)),
            (f"min bulk ESS (≥ {ESS_MIN})", display.ess(d.min_ess_bulk)),
            (f"min tail ESS (≥ {ESS_MIN})", display.ess(d.min_ess_tail)),
            ("divergences (0)", str(d.divergences)),
        ]
    rows += [
        ("settings by method", ", ".join(f"{m}: {n}" for m, n in d.settings.items())),
        ("retried with more draws", "yes" if d.retried else "no"),
        ("time", display.seconds(d.seconds)),
    ]
    reliability = (
        "reliable" if result.reliable else "UNRELIABLE: " + "; ".join(d.reliability.problems)
    )
    used = " and ".join(f"{METHODS[m].title} ({METHODS[m].summary})" for m in d.method.split("+"))
    summary = f"{used}, the worst over every setting of the run: {reliability}."
    return {"method": d.method, "summary": summary, "rows": rows}


def _source(name: str, source: Source) -> dict[str, Any]:
    """A source as the page shows it, wherever it is cited: its id, title (the id when it has
    none), author, publisher, date and address."""
    return {
        "id": name,
        "title": source.title or name,
        "author": source.author,
        "publisher": source.publisher,
        "published": source.published.isoformat() if source.published else None,
        "url": source.url,
    }


def _provenance(scenario: Scenario, result: Result, provenance: Provenance) -> dict[str, Any]:
    cited: dict[str, list[str]] = {}
    quotes = []
    for kind in CITING:
        for name, item in getattr(scenario, kind).items():
            for source in item.sources:
                cited.setdefault(source, []).append(f"{kind}.{name}")
            if item.quote:
                quotes.append(
                    {"item": f"{kind}.{name}", "quote": item.quote, "sources": item.sources}
                )
    if scenario.resolved is not None:
        for source in scenario.resolved.sources:
            cited.setdefault(source, []).append("resolved")
    sources = [
        {
            **_source(name, s),
            "accessed": s.accessed.isoformat() if s.accessed else None,
            "cited_by": cited.get(name, []),
        }
        for name, s in scenario.sources.items()
    ]
    return {
        "sources": sources,
        "quotes": quotes,
        "file": provenance.file,
        "file_sha256": provenance.file_sha256,
        "chain": provenance.chain,
        "merged_sha256": provenance.merged_sha256,
        "seed": result.seed,
        "options": ", ".join(f"{k} {v}" for k, v in provenance.options.items() if v is not None)
        or "the scenario's own",
        "engine_version": result.engine_version,
        "versions": library_versions(),
        "generated": provenance.generated or dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
