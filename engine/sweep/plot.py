"""A sweep as an SVG plot (``signpost sweep --plot FILE.svg``, and the served sweep page).

Each outcome's probability against the swept number, with its 90% band; the ICD 203 word bands
(SPEC §2) shaded across and named at the right; every crossing marked where the curve meets the
band's edge; the range the scenario itself writes for the number shaded along the bottom. Built
with the report's SVG plumbing (:mod:`engine.report.figures.svg`): text is drawn literally.
"""

from __future__ import annotations

import matplotlib

from engine.report.figures.svg import COLOURS, LOWERS, STYLE, new_figure, shorten, to_svg
from engine.sweep.compute import BAND_EDGES, BAND_WORDS, Sweep

SHADES = ("#eef1f5", "#ffffff")  # alternate word bands


def sweep_plot(sweep: Sweep) -> str:
    """The sweep as an ``<svg>`` element to inline or write to a file."""
    with matplotlib.rc_context(STYLE):
        figure = new_figure(7.5, 4.6)
        ax = figure.add_subplot()
        _bands(ax)
        colours = {k: COLOURS[i % len(COLOURS)] for i, k in enumerate(sweep.labels)}
        x = sweep.values
        for k, summaries in sweep.outcomes.items():
            colour = colours[k]
            lo, hi = [s.lo for s in summaries], [s.hi for s in summaries]
            ax.fill_between(x, lo, hi, color=colour, alpha=0.16, lw=0, zorder=2)
            label = shorten(f"{sweep.labels[k]} ({k})", 48, 1)
            ax.plot(x, [s.p for s in summaries], color=colour, lw=1.8, label=label, zorder=3)
        for c in sweep.crossings:
            edge = BAND_EDGES[min(BAND_WORDS.index(c.old), BAND_WORDS.index(c.new))]
            ax.plot([c.at], [edge], marker="o", ms=5, mfc="white", mec=colours[c.outcome],
                    mew=1.5, zorder=4)  # fmt: skip
            ax.axvline(c.at, color=colours[c.outcome], lw=0.6, ls=":", zorder=1)
        a, b = sweep.written
        if x[0] <= b and a <= x[-1]:
            if a == b:
                ax.axvline(a, color="#222222", lw=1.0, ls="--", zorder=1)
            else:
                ax.axvspan(a, b, ymin=0, ymax=0.025, color="#222222", alpha=0.6, lw=0)
        ax.set_xlim(x[0], x[-1])
        ax.set_ylim(0, 1)
        ax.set_yticks([0, 0.25, 0.5, 0.75, 1])
        ax.set_yticklabels(["0%", "25%", "50%", "75%", "100%"])
        mark = "dashed line" if a == b else "dark bar: its 90% range"
        ax.set_xlabel(f"{sweep.path} (as written: {sweep.prior}, the {mark})")
        ax.set_ylabel("probability (line) and 90% interval (band)")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False,
                  fontsize=8)  # fmt: skip
        if not sweep.reliable:
            figure.suptitle(
                "UNRELIABLE: some values missed the reliability bar",
                color=LOWERS,
                fontweight="bold",
            )
        return to_svg(figure, "sweep")


def _bands(ax) -> None:
    """The word bands shaded across the plot, each named at the right."""
    edges = (0.0, *BAND_EDGES, 1.0)
    for j, word in enumerate(BAND_WORDS):
        lo, hi = edges[j], edges[j + 1]
        ax.axhspan(lo, hi, color=SHADES[j % 2], lw=0, zorder=0)
        ax.text(1.01, (lo + hi) / 2, word, transform=ax.get_yaxis_transform(), fontsize=6.5,
                va="center", color="#5f6368")  # fmt: skip
