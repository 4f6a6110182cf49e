"""One scenario's charts: the outcomes beside the what-ifs, and the timeline with its evidence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import matplotlib
from matplotlib.figure import Figure

from engine.display import point, share
from engine.report.figures.svg import COLOURS, LOWERS, STYLE, new_figure, shorten, to_svg
from engine.run.result import Result
from engine.scenario.schema import Scenario

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
        figure = new_figure(7.5, height)
        ax = figure.add_subplot()
        step = 0.8 / len(series)
        for index, (name, answer) in enumerate(series):
            ys = [row + index * step for row in range(len(outcomes))]
            summaries = [answer.outcomes[k] for k in outcomes]
            ps = [s.p for s in summaries]
            errors = [
                [max(s.p - s.lo, 0) for s in summaries],
                [max(s.hi - s.p, 0) for s in summaries],
            ]
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
                ax.text(min(s.hi, 1) + 0.01, y, point(s), va="center", fontsize=7)
        ax.set_yticks([row + 0.4 - step / 2 for row in range(len(outcomes))])
        ax.set_yticklabels([shorten(labels.get(k, k), 34, 2) for k in outcomes])
        ax.invert_yaxis()
        ax.set_xlim(0, 1.08)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1])
        ax.set_xticklabels([share(t) for t in (0, 0.25, 0.5, 0.75, 1)])
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
        happened = resolution.outcome_id if resolution is not None else None
        judged = resolution.on if resolution is not None and use_dates and dates else None
        figure = new_figure(7.5, 3.6 + 0.22 * len(result.main.outcomes))
        broken = judged is not None and _far_beyond(dates, judged)
        if broken:
            ax, end = figure.subplots(1, 2, sharey=True, width_ratios=[5, 1])
        else:
            ax, end = figure.add_subplot(), None
        panels = [ax] if end is None else [ax, end]
        for index, k in enumerate(result.main.outcomes):
            summaries = [point.answer.outcomes[k] for point in result.timeline]
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
        ax.set_yticklabels([share(t) for t in (0, 0.25, 0.5, 0.75, 1)])
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
    _label_line(ax, judged, f"resolved {judged.isoformat()}: {label}", "#222222")


def _label_line(ax, date: dt.date, text: str, colour: str) -> None:
    """``text`` (shortened) up the left side of the vertical line at ``date``, from the top."""
    ax.text(
        date,
        0.99,
        " " + shorten(text, 60, 1),
        rotation=90,
        va="top",
        ha="right",
        fontsize=6.5,
        color=colour,
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
        _label_line(ax, date, "; ".join(names), "#555555")
    ax.set_xticks(sorted(set(dates) | set(by_date)))
    ax.tick_params(axis="x", labelrotation=30, labelsize=7)
    ax.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%Y-%m-%d"))
