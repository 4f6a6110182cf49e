"""The driver → outcome graph: drivers in layers by depth, arrows coloured by the sign of their
effect."""

from __future__ import annotations

import math

import matplotlib
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from engine.display import point
from engine.report.figures.svg import LOWERS, RAISES, STYLE, shorten, to_svg
from engine.run.result import Result
from engine.scenario.schema import Scenario
from engine.scenario.values import Fixed, effect_prior, probability_prior

# --- the driver → outcome graph ----------------------------------------------------------------


NEUTRAL = "#777777"  # an arrow of a table or of the outcome's own states: no sign to show
STATES_SHOWN = 4  # a multi-state driver's box lists this many states, then "…"


def _depths(scenario: Scenario) -> dict[str, int]:
    """Each driver's row: 0 without parents, else one more than its deepest parent."""
    depth: dict[str, int] = {}
    parents = _parents(scenario)

    def of(driver: str) -> int:
        if driver not in depth:
            depth[driver] = 1 + max((of(c) for c in parents[driver]), default=-1)
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
                colour = NEUTRAL if strength is None else RAISES if strength > 0 else LOWERS
                strength = 1.0 if strength is None else strength
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
        if any(s is None for sources in parents.values() for s in sources.values()):
            handles.append(Line2D([], [], color=NEUTRAL, lw=1.2, label="grey: a table"))
        figure.legend(
            handles=handles, loc="lower center", ncol=len(handles), frameon=False, fontsize=8
        )
        return to_svg(figure, "graph")


def _parents(scenario: Scenario) -> dict[str, dict[str, float | None]]:
    """For each node, its parent drivers and the strongest mean effect of each on it (log-odds;
    a noisy-OR cause's as the log-odds its chance adds; None for a table's parents and for the
    driver whose states are the outcomes)."""
    parents: dict[str, dict[str, float | None]] = {}

    def add(node: str, condition: str, strength: float | None) -> None:
        parent = condition.partition("=")[0]
        old = parents.setdefault(node, {}).get(parent)
        if old is None or (strength is not None and abs(strength) > abs(old)):
            parents[node][parent] = strength

    for name, driver in scenario.drivers.items():
        parents.setdefault(name, {})
        for condition, effect in driver.causes.items():
            add(name, condition, _sign(effect))
        for state in (driver.states or {}).values():
            for condition, effect in state.causes.items():
                add(name, condition, _sign(effect))
        for condition, chance in (driver.noisy_or or {}).items():
            if condition != "leak":
                add(name, condition, _chance_strength(chance))
        for row in driver.table or {}:
            for condition in row.split():
                add(name, condition, None)
    for name, outcome in scenario.outcomes.items():
        node = f"outcome:{name}"
        parents[node] = {}
        for condition, effect in outcome.drivers.items():
            add(node, condition, _sign(effect))
        if scenario.outcomes_from:
            add(node, scenario.outcomes_from, None)
    return parents


def _chance_strength(spec) -> float:
    """How strongly a noisy-OR cause raises its driver: −ln(1 − p), the log of the factor by
    which it shrinks the chance of not holding (a noisy-OR cause only ever raises)."""
    prior = probability_prior(spec)
    p = prior.value if isinstance(prior, Fixed) else prior.mean
    return -math.log1p(-min(p, 1 - 1e-6))


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
        driver, colour = scenario.drivers[node], "#dce9f7"
        label = driver.label
        if driver.states is None:
            summary = result.main.drivers[node]
        else:
            lines = [f"{s} {point(result.main.drivers[f'{node}={s}'])}" for s in driver.states]
            extra = "\n…" if len(lines) > STATES_SHOWN else ""
            text = f"{shorten(label, 30, 2)}\n" + "\n".join(lines[:STATES_SHOWN]) + extra
            return _box(ax, text, x, y, colour)
    text = f"{shorten(label, 30, 3)}\n{point(summary)}"
    return _box(ax, text, x, y, colour)


def _box(ax, text: str, x: float, y: float, colour: str):
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
