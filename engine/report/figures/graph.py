"""The driver → outcome graph: drivers in layers by depth, arrows coloured by the sign of their
effect."""

from __future__ import annotations

import matplotlib
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from engine.report.figures.svg import LOWERS, RAISES, STYLE, shorten, to_svg
from engine.run.result import Result
from engine.scenario.schema import Scenario
from engine.scenario.values import Fixed, effect_prior

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
