"""The report's charts, drawn with matplotlib and returned as SVG text to inline in a page.

Figures are built on :class:`matplotlib.figure.Figure` with the SVG canvas (no pyplot, no GUI
backend, no global figure state), so workers can draw in parallel. Scenario text is drawn
literally: ``text.usetex`` is off and ``text.parse_math`` is off, so a ``$`` never starts
mathematics (SPEC §7). SVG text stays text (``svg.fonttype: none``; matplotlib escapes it), the
XML prolog, doctype and metadata are dropped, and every ``id`` gets a per-figure prefix so several
figures can share one page. Nothing in an SVG refers outside it.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import textwrap
from collections.abc import Sequence

import matplotlib
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from engine.run.result import Result
from engine.scenario.schema import Scenario
from engine.scenario.values import Fixed, effect_prior
from engine.score.scores import CalibrationBin

STYLE = {
    "text.usetex": False,
    "text.parse_math": False,  # scenario text is data: "$x^2$" is drawn as written
    "svg.fonttype": "none",
    "svg.hashsalt": "signpost",  # stable clip-path ids, so the same run gives the same page
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
COLOURS = ["#1f5f99", "#d9822b", "#3f8f3f", "#a83232", "#7656a8", "#7a5a3a", "#c2549e", "#707070"]
RAISES, LOWERS = "#2e7d32", "#c62828"

_PROLOG = re.compile(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<metadata>.*?</metadata>", re.DOTALL)


def shorten(text: str, width: int = 28, lines: int = 2) -> str:
    """Wrap ``text`` to ``width`` characters a line, at most ``lines`` lines (then an ellipsis)."""
    wrapped = textwrap.wrap(" ".join(str(text).split()), width) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][: width - 1].rstrip() + "…"
    return "\n".join(wrapped)


def to_svg(figure: Figure, prefix: str) -> str:
    """The figure as an ``<svg>`` element ready to inline; its ids start with ``prefix``."""
    buffer = io.StringIO()
    with matplotlib.rc_context(STYLE):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = _PROLOG.sub("", buffer.getvalue()).strip()
    svg = svg.replace('id="', f'id="{prefix}-').replace("url(#", f"url(#{prefix}-")
    svg = svg.replace('href="#', f'href="#{prefix}-')
    return svg.replace("<svg ", f'<svg role="img" class="figure {prefix}" ', 1)


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


# --- outcome probabilities ---------------------------------------------------------------------


def outcome_chart(result: Result) -> str:
    """Horizontal bars: each outcome's probability with its 90% interval, what-ifs beside it."""
    with matplotlib.rc_context(STYLE):
        labels = result.labels.get("outcomes", {})
        what_if_labels = result.labels.get("what_if", {})
        series = [("main result", result.main)] + [
            (f"if {what_if_labels.get(name, name)}", c) for name, c in result.what_if.items()
        ]
        outcomes = list(result.main.outcomes)
        height = max(2.0, 0.28 * len(outcomes) * len(series) + 0.4 * len(series) + 0.8)
        figure = _figure(7.5, height)
        ax = figure.add_subplot()
        step = 0.8 / len(series)
        for index, (name, condition) in enumerate(series):
            ys = [row + index * step for row in range(len(outcomes))]
            summaries = [condition.outcomes[k] for k in outcomes]
            ps = [s.p for s in summaries]
            errors = [[s.p - s.lo for s in summaries], [s.hi - s.p for s in summaries]]
            colour = COLOURS[index % len(COLOURS)]
            ax.barh(
                ys,
                ps,
                height=step * 0.9,
                color=colour,
                alpha=0.85 if index == 0 else 0.55,
                label=shorten(name, 45, 1),
            )
            if any(s.hi > s.lo for s in summaries):
                ax.errorbar(ps, ys, xerr=errors, fmt="none", ecolor="#222222", capsize=2, lw=0.8)
            for y, s in zip(ys, summaries):
                ax.text(min(s.hi, 1) + 0.01, y, f"{s.p:.0%}", va="center", fontsize=7)
        ax.set_yticks([row + 0.4 - step / 2 for row in range(len(outcomes))])
        ax.set_yticklabels([shorten(labels.get(k, k), 34, 2) for k in outcomes])
        ax.invert_yaxis()
        ax.set_xlim(0, 1.08)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1])
        ax.set_xticklabels(["0%", "25%", "50%", "75%", "100%"])
        ax.set_xlabel("probability (bars) and 90% interval (whiskers)")
        ax.grid(axis="x", color="#dddddd", lw=0.6)
        ax.set_axisbelow(True)
        if len(series) > 1:
            ax.legend(
                loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2, frameon=False, fontsize=8
            )
        _mark_unreliable(figure, result)
        return to_svg(figure, "outcomes")


def _mark_unreliable(figure: Figure, result: Result) -> None:
    if not result.reliable:
        figure.suptitle(
            "UNRELIABLE RUN: the sampler missed the reliability bar",
            color=LOWERS,
            fontweight="bold",
        )


# --- timeline ----------------------------------------------------------------------------------


def timeline_chart(result: Result, scenario: Scenario) -> str:
    """Each outcome's probability at each timeline point, with its 90% band and evidence marked.

    When the scenario is resolved, the outcome that happened is drawn heavier (its label says
    so), the others lighter, each last probability is carried forward as a dashed line, and the
    resolution date is a vertical line with the x axis extended to it. A resolution far beyond
    the evidence gets a panel of its own to the right, the axis broken between the two, so the
    evidence keeps its room.
    """
    with matplotlib.rc_context(STYLE):
        labels = result.labels.get("outcomes", {})
        dates = [point.date for point in result.timeline]
        use_dates = all(d is not None for d in dates)
        xs: Sequence = dates if use_dates else list(range(len(dates)))
        resolution = scenario.resolved
        happened = resolution.outcome if resolution is not None else None
        judged = resolution.on if resolution is not None and use_dates and dates else None
        figure = _figure(7.5, 3.6 + 0.22 * len(result.main.outcomes))
        broken = judged is not None and _far_beyond(dates, judged)
        if broken:
            ax, end = figure.subplots(1, 2, sharey=True, width_ratios=[5, 1])
        else:
            ax, end = figure.add_subplot(), None
        panels = [ax] if end is None else [ax, end]
        for index, k in enumerate(result.main.outcomes):
            summaries = [point.condition.outcomes[k] for point in result.timeline]
            colour = COLOURS[index % len(COLOURS)]
            label = shorten(labels.get(k, k), 50, 1)
            style = {"lw": 1.5, "alpha": 1.0, "ms": 4, "zorder": 2}
            if happened is not None:
                if k == happened:
                    label = shorten(labels.get(k, k), 38, 1) + " (happened)"
                    style = {"lw": 3.0, "alpha": 1.0, "ms": 6, "zorder": 4}
                else:
                    style = {"lw": 1.1, "alpha": 0.55, "ms": 3, "zorder": 2}
            ps = [s.p for s in summaries]
            ax.plot(xs, ps, marker="o", color=colour, label=label, **style)
            ax.fill_between(
                xs,
                [s.lo for s in summaries],
                [s.hi for s in summaries],
                color=colour,
                alpha=0.2 if k == happened else 0.12 if happened is None else 0.06,
                lw=0,
            )
            if judged is not None and judged > dates[-1]:  # the forecast stands until judged
                for panel in panels:
                    panel.plot(
                        [dates[-1], judged],
                        [ps[-1], ps[-1]],
                        ls="--",
                        color=colour,
                        lw=style["lw"] * 0.8,
                        alpha=style["alpha"] * 0.8,
                        zorder=style["zorder"],
                    )
        if use_dates:
            _mark_evidence(ax, scenario, dates)
        else:
            ax.set_xticks(xs)
            ax.set_xticklabels([d.isoformat() if d else "start" for d in dates])
        if judged is not None:
            label = labels.get(happened, happened)
            _mark_resolution(end if end is not None else ax, judged, label, extend=end is None)
        for panel in panels:
            panel.set_ylim(0, 1)
            panel.grid(axis="y", color="#dddddd", lw=0.6)
        ax.set_yticks([0, 0.25, 0.5, 0.75, 1])
        ax.set_yticklabels(["0%", "25%", "50%", "75%", "100%"])
        ax.set_ylabel("probability (line) and 90% interval (band)")
        if end is not None:
            first, last = (matplotlib.dates.date2num(d) for d in (min(dates), max(dates)))
            span = max(last - first, 6.0)  # days
            ax.set_xlim(first - span * 0.05, last + span * 0.12)  # the timeline keeps its room
            _break_axis(ax, end)
            figure.legend(loc="outside lower center", ncol=2, frameon=False, fontsize=8)
        else:
            ax.legend(
                loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False, fontsize=8
            )
        _mark_unreliable(figure, result)
        return to_svg(figure, "timeline")


def _far_beyond(dates: list[dt.date], judged: dt.date) -> bool:
    """Whether the resolution lies so far past the timeline that one axis would crush it."""
    span = max((max(dates) - min(dates)).days, 7)
    return (judged - max(dates)).days > 2 * span


def _mark_resolution(ax, judged: dt.date, label: str, *, extend: bool) -> None:
    """A solid vertical line at the resolution date, labelled, with the date as a tick.

    ``extend``: the axis also holds the timeline, so widen it to the date; otherwise ``ax`` is
    a panel of its own around the date.
    """
    at = matplotlib.dates.date2num(judged)
    if extend:
        left = ax.get_xlim()[0]
        ax.set_xlim(left, at + 0.04 * max(at - left, 1.0))
        ticks = [matplotlib.dates.num2date(t).date() for t in ax.get_xticks()]
        ax.set_xticks(sorted(set(ticks) | {judged}))
    else:
        ax.set_xlim(at - 5, at + 5)
        ax.set_xticks([judged])
        ax.tick_params(axis="x", labelrotation=30, labelsize=7)
        ax.tick_params(axis="y", left=False, labelleft=False)
        ax.spines["left"].set_visible(False)
    ax.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%Y-%m-%d"))
    ax.axvline(judged, color="#222222", lw=1.4, zorder=5)
    ax.text(
        judged,
        0.99,
        " " + shorten(f"resolved {judged.isoformat()}: {label}", 60, 1),
        rotation=90,
        va="top",
        ha="right",
        fontsize=6.5,
        color="#222222",
        transform=ax.get_xaxis_transform(),
    )


def _break_axis(ax, end) -> None:
    """Slanted marks on the x axis where the timeline panel stops and the resolution's starts."""
    marks = {
        "marker": [(-0.5, -1), (0.5, 1)],
        "markersize": 10,
        "linestyle": "none",
        "color": "#444444",
        "mec": "#444444",
        "mew": 1,
        "clip_on": False,
    }
    ax.plot([1], [0], transform=ax.transAxes, **marks)
    end.plot([0], [0], transform=end.transAxes, **marks)


def _mark_evidence(ax, scenario: Scenario, dates: list[dt.date]) -> None:
    """A dotted line at each evidence date (undated evidence at the first point), labelled."""
    first = min(dates)
    by_date: dict[dt.date, list[str]] = {}
    for name, item in scenario.evidence.items():
        by_date.setdefault(item.date or first, []).append(item.label or name)
    if len(set(dates)) == 1:  # a single point: give the axis a few days of width
        ax.set_xlim(first - dt.timedelta(days=3), first + dt.timedelta(days=3))
    for date, names in sorted(by_date.items()):
        ax.axvline(date, color="#888888", ls=":", lw=0.9)
        text = shorten("; ".join(names), 60, 1)
        ax.text(
            date,
            0.99,
            " " + text,
            rotation=90,
            va="top",
            ha="right",
            fontsize=6.5,
            color="#555555",
            transform=ax.get_xaxis_transform(),
        )
    ax.set_xticks(sorted(set(dates) | set(by_date)))
    ax.tick_params(axis="x", labelrotation=30, labelsize=7)
    ax.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%Y-%m-%d"))


# --- the driver → outcome graph ----------------------------------------------------------------


def _depths(scenario: Scenario) -> dict[str, int]:
    """Each driver's column: 0 without causes, else one more than its deepest cause."""
    depth: dict[str, int] = {}

    def of(driver: str) -> int:
        if driver not in depth:
            causes = scenario.drivers[driver].causes
            depth[driver] = 1 + max((of(c) for c in causes), default=-1)
        return depth[driver]

    for driver in scenario.drivers:
        of(driver)
    return depth


def _sign(spec) -> float:
    """The effect's value, or its prior mean: enough to colour and weigh an arrow."""
    prior = effect_prior(spec)
    return prior.value if isinstance(prior, Fixed) else prior.mean


def graph_diagram(scenario: Scenario, result: Result) -> str:
    """Drivers in rows by causal depth, outcomes last; arrows green (raises) or red (lowers)."""
    with matplotlib.rc_context(STYLE):
        depth = _depths(scenario)
        last = max(depth.values(), default=0) + 1
        rows: list[list[str]] = [[] for _ in range(last + 1)]
        for driver in scenario.drivers:
            rows[depth[driver]].append(driver)
        rows[last] = [f"outcome:{k}" for k in scenario.outcomes]
        rows = [row for row in rows if row]
        parents = _parents(scenario)
        x: dict[str, float] = {}
        for row in rows:  # order each row by its parents' mean place (fewer crossings)
            row.sort(key=lambda node: _mean([x[p] for p in parents.get(node, []) if p in x]))
            for place, node in enumerate(row):
                x[node] = place - (len(row) - 1) / 2
        widest = max(len(row) for row in rows)
        figure = Figure(figsize=(2.5 * widest + 0.6, 1.15 * len(rows) + 0.9))
        ax = figure.add_axes((0, 0.06, 1, 0.94))
        ax.set_xlim(-widest / 2, widest / 2)
        ax.set_ylim(-len(rows) + 0.5, 0.5)
        ax.axis("off")
        boxes = {}
        for level, row in enumerate(rows):
            for node in row:
                boxes[node] = _node_box(ax, scenario, result, node, x[node], -level)
        for node, sources in parents.items():
            for source, strength in sources.items():
                colour = RAISES if strength > 0 else LOWERS
                arrow = {
                    "arrowstyle": "-|>",
                    "color": colour,
                    "alpha": 0.75,
                    "lw": 0.6 + 0.6 * min(abs(strength), 3),
                    "connectionstyle": "arc3,rad=0.12",
                    "shrinkA": 2,
                    "shrinkB": 2,
                }
                ax.annotate(
                    "",
                    xy=(0.5, 1),
                    xycoords=boxes[node],
                    xytext=(0.5, 0),
                    textcoords=boxes[source],
                    arrowprops=arrow,
                    zorder=1,  # under the boxes
                )
        handles = [
            Line2D([], [], color=RAISES, lw=2, label="raises"),
            Line2D([], [], color=LOWERS, lw=2, label="lowers"),
            Line2D([], [], color="#444444", lw=0.8, label="thin: weak"),
            Line2D([], [], color="#444444", lw=2.4, label="thick: strong"),
        ]
        figure.legend(handles=handles, loc="lower center", ncol=4, frameon=False, fontsize=8)
        return to_svg(figure, "graph")


def _parents(scenario: Scenario) -> dict[str, dict[str, float]]:
    """For each node, its parent drivers and the mean effect of each (log-odds)."""
    parents: dict[str, dict[str, float]] = {}
    for name, driver in scenario.drivers.items():
        parents[name] = {cause: _sign(effect) for cause, effect in driver.causes.items()}
    for name, outcome in scenario.outcomes.items():
        parents[f"outcome:{name}"] = {d: _sign(effect) for d, effect in outcome.drivers.items()}
    return parents


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _node_box(ax, scenario: Scenario, result: Result, node: str, x: float, y: float):
    if node.startswith("outcome:"):
        name = node.removeprefix("outcome:")
        label, summary, colour = (
            scenario.outcomes[name].label,
            result.main.outcomes[name],
            "#fde9d4",
        )
    else:
        label, summary, colour = scenario.drivers[node].label, result.main.drivers[node], "#dce9f7"
    text = f"{shorten(label, 30, 3)}\n{summary.p:.0%}"
    return ax.text(
        x,
        y,
        text,
        ha="center",
        va="center",
        fontsize=8,
        multialignment="center",
        zorder=3,
        bbox={"boxstyle": "round,pad=0.4", "fc": colour, "ec": "#777777", "lw": 0.6},
    )


# --- the batch heatmap -------------------------------------------------------------------------


def heatmap(scenarios: Sequence[str], outcomes: Sequence[str], cells: list[list[float]]) -> str:
    """Scenarios (rows) by outcomes (columns), each cell its probability; NaN for none."""
    with matplotlib.rc_context(STYLE):
        figure = _figure(1.2 * len(outcomes) + 2.8, 0.42 * len(scenarios) + 1.4)
        ax = figure.add_subplot()
        image = ax.imshow(cells, cmap="Blues", vmin=0, vmax=1, aspect="auto")
        for row, values in enumerate(cells):
            for column, p in enumerate(values):
                text = "–" if math.isnan(p) else f"{p:.0%}"
                colour = "white" if not math.isnan(p) and p > 0.6 else "#222222"
                ax.text(column, row, text, ha="center", va="center", color=colour, fontsize=8)
        ax.set_xticks(range(len(outcomes)))
        ax.set_xticklabels([shorten(k, 16, 2) for k in outcomes], fontsize=8)
        ax.xaxis.tick_top()
        ax.set_yticks(range(len(scenarios)))
        ax.set_yticklabels([shorten(s, 30, 1) for s in scenarios], fontsize=8)
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        figure.colorbar(image, ax=ax, shrink=0.8, label="probability")
        return to_svg(figure, "heatmap")


# --- calibration of resolved scenarios ---------------------------------------------------------


def calibration_chart(bins: Sequence[CalibrationBin]) -> str:
    """Observed frequency against forecast, bin by bin, beside the diagonal of perfect calibration.

    Each bar spans its forecast bin and rises to the share of its forecasts whose outcome
    happened; a dot marks the bin's mean forecast against that share; ``n`` is the bin's count.
    """
    with matplotlib.rc_context(STYLE):
        figure = _figure(5.5, 4.2)
        ax = figure.add_subplot()
        ax.plot([0, 1], [0, 1], ls="--", color="#888888", lw=1, label="perfectly calibrated")
        filled = [b for b in bins if b.count]
        ax.bar(
            [b.lo for b in filled],
            [b.observed for b in filled],
            width=[b.hi - b.lo for b in filled],
            align="edge",
            color=COLOURS[0],
            alpha=0.25,
            edgecolor=COLOURS[0],
            lw=0.8,
            label="observed frequency in the bin",
        )
        ax.plot(
            [b.forecast for b in filled],
            [b.observed for b in filled],
            marker="o",
            color=COLOURS[0],
            lw=1.2,
            label="mean forecast in the bin",
        )
        for b in bins:  # the count at the foot of each bin, clear of the dots
            ax.text(
                (b.lo + b.hi) / 2,
                0.015,
                f"n = {b.count}",
                ha="center",
                va="bottom",
                fontsize=7,
                color="#333333",
            )
        ticks = sorted({b.lo for b in bins} | {b.hi for b in bins})
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xticks(ticks)
        ax.set_xticklabels([f"{t:.0%}" for t in ticks])
        ax.set_yticks(ticks)
        ax.set_yticklabels([f"{t:.0%}" for t in ticks])
        ax.set_xlabel("forecast probability of an outcome")
        ax.set_ylabel("share of those outcomes that happened")
        ax.grid(color="#eeeeee", lw=0.6)
        ax.set_axisbelow(True)
        ax.legend(loc="upper left", frameon=False, fontsize=7)
        return to_svg(figure, "calibration")
