"""The overview's figures: the batch heatmap and the calibration of resolved scenarios."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib

from engine.display import MISSING, Interval, point, share
from engine.report.figures.svg import COLOURS, STYLE, new_figure, shorten, to_svg
from engine.score.scores import CalibrationBin

# --- the batch heatmap -------------------------------------------------------------------------


def heatmap(
    scenarios: Sequence[str], outcomes: Sequence[str], cells: list[list[Interval | None]]
) -> str:
    """Scenarios (rows) by outcomes (columns), each cell its probability as the overview's table
    shows it (:func:`engine.display.point`); None, shown as :data:`~engine.display.MISSING`,
    for a scenario without that outcome."""
    grid = [[float("nan") if s is None else s.p for s in row] for row in cells]
    with matplotlib.rc_context(STYLE):
        figure = new_figure(1.2 * len(outcomes) + 2.8, 0.42 * len(scenarios) + 1.4)
        ax = figure.add_subplot()
        image = ax.imshow(grid, cmap="Blues", vmin=0, vmax=1, aspect="auto")
        for row, values in enumerate(cells):
            for column, s in enumerate(values):
                text = MISSING if s is None else point(s)
                colour = "white" if s is not None and s.p > 0.6 else "#222222"
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
        figure = new_figure(5.5, 4.2)
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
        ax.set_xticklabels([share(t) for t in ticks])
        ax.set_yticks(ticks)
        ax.set_yticklabels([share(t) for t in ticks])
        ax.set_xlabel("forecast probability of an outcome")
        ax.set_ylabel("share of those outcomes that happened")
        ax.grid(color="#eeeeee", lw=0.6)
        ax.set_axisbelow(True)
        ax.legend(loc="upper left", frameon=False, fontsize=7)
        return to_svg(figure, "calibration")
