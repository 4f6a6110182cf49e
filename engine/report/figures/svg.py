"""SVG plumbing for the report's figures: matplotlib figures returned as SVG text to inline.

Figures are built on :class:`matplotlib.figure.Figure` with the SVG canvas (no pyplot, no GUI
backend, no global figure state), so workers can draw in parallel. Scenario text is drawn
literally: ``text.usetex`` is off and ``text.parse_math`` is off, so a ``$`` never starts
mathematics (SPEC §7). SVG text stays text (``svg.fonttype: none``; matplotlib escapes it), the
XML prolog, doctype and metadata are dropped, and every ``id`` gets a per-figure prefix so several
figures can share one page. Nothing in an SVG refers outside it.
"""

from __future__ import annotations

import io
import re
import textwrap

import matplotlib
from matplotlib.figure import Figure

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


def new_figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")
