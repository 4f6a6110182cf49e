"""A sweep as a table for a terminal (``signpost sweep``), with rich.

One row per value: each outcome's probability with its 90% interval, and the most likely outcome;
then the word-band crossings. Numbers are rounded here only. Scenario text is printed as
``Text``, never read as markup. A sweep with an unreliable value says so above its numbers and
marks that value.
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from engine.display import approximate, percent, seconds
from engine.sweep.compute import Sweep


def value_text(value: float) -> str:
    """A value of the swept number, short: ``0.095``, ``-3.6``."""
    return approximate(value)


def sweep_table(sweep: Sweep) -> Table:
    """The sweep's values down, its outcomes across."""
    title = f"{sweep.id}: {sweep.path} (written {sweep.prior}) fixed at each value"
    table = Table(title=Text(title), title_justify="left")
    table.add_column("value", justify="right")
    for k in sweep.labels:  # ids: labels are long, the ids are the analyst's
        table.add_column(k, justify="right")
    table.add_column("most likely")
    for point, likeliest in zip(sweep.points, sweep.most_likely):
        mark = "" if point.reliable else " !"
        cells = [percent(point.outcomes[k]) for k in sweep.labels]
        table.add_row(value_text(point.value) + mark, *cells, likeliest)
    return table


def crossing_lines(sweep: Sweep) -> list[Text]:
    """One line per word-band crossing, or one saying there is none."""
    if not sweep.crossings:
        return [Text("No outcome changes its word (ICD 203 band) over this range.")]
    lines = [Text("Where an outcome changes its word (ICD 203 band):")]
    for c in sweep.crossings:
        label = sweep.labels.get(c.outcome, c.outcome)
        lines.append(Text(f"  {label} ({c.outcome}): {c.old} → {c.new} at {value_text(c.at)}"))
    return lines


def render(sweep: Sweep, console: Console | None = None) -> None:
    """Print the sweep: a warning when unreliable, the table, the crossings, how it was done."""
    console = console or Console()
    parts: list = []
    if not sweep.reliable:
        parts.append(
            Text(
                "UNRELIABLE: the values marked ! missed the reliability bar; their numbers may be "
                "wrong, and so may the crossings near them.",
                style="bold red",
            )
        )
    parts += [sweep_table(sweep), *crossing_lines(sweep)]
    how = sweep.diagnostics.method
    parts.append(
        Text(
            f"{len(sweep.points)} values, every other number keeping its prior (the same draws "
            f"of them at every value, seed {sweep.seed}); {how}, {seconds(sweep.seconds)}",
            style="dim",
        )
    )
    console.print(Group(*parts))
