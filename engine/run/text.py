"""The result as tables for a terminal (``signpost run``), with rich.

Numbers are rounded here only; the result keeps them whole. An unreliable run says so above its
numbers and its words are withheld.
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from engine import display
from engine.display import percent, settings, share, state_chances, word
from engine.inference.answer import Answer
from engine.run.result import Result
from engine.scenario.methods import title


def outcome_table(result: Result) -> Table:
    """Outcomes with probability, 90% interval and word, each what-if beside them."""
    table = Table(title="Outcomes (probability, 90% interval)", title_justify="left")
    table.add_column("outcome")
    table.add_column("probability", justify="right")
    table.add_column("in words")
    for name in result.what_if:
        table.add_column(f"if {name}", justify="right")
    for k, summary in result.main.outcomes.items():
        label = result.labels.get("outcomes", {}).get(k, k)
        name = Text(label).append(f" ({k})", style="dim")  # Text: a label is never markup
        row = [name, percent(summary), word(summary.p, result.reliable)]
        row += [percent(c.outcomes[k]) for c in result.what_if.values()]
        table.add_row(*row)
    return table


def driver_table(answer: Answer) -> Table:
    table = Table(title="Drivers (posterior probability)", title_justify="left")
    table.add_column("driver")
    table.add_column("probability", justify="right")
    for d, summary in answer.drivers.items():
        table.add_row(d, percent(summary))  # ids: labels are long, the ids are the analyst's
    return table


def timeline_table(result: Result) -> Table:
    table = Table(title="Timeline", title_justify="left")
    table.add_column("date")
    table.add_column("evidence counted", justify="right")
    for k in result.main.outcomes:
        table.add_column(k, justify="right")
    for point in result.timeline:
        date = point.date.isoformat() if point.date else "(undated)"
        cells = [share(point.answer.outcomes[k].p) for k in result.main.outcomes]
        table.add_row(date, str(len(point.evidence)), *cells)
    return table


def expectation_table(result: Result) -> Table:
    table = Table(title="Expectations", title_justify="left")
    for column in ("check", "status", "value", "margin", "bound"):
        table.add_column(column)
    for name, check in result.expect.items():
        style = check.status.style
        table.add_row(
            name,
            Text(check.status, style=style),
            display.value(check.value),
            display.margin(check.margin),
            check.description,
        )
    return table


def influence_table(result: Result, top: int = 10) -> Table:
    table = Table(
        title="What moves the outcome (driver set true vs false, or to each state)",
        title_justify="left",
    )
    table.add_column("driver")
    table.add_column("swing", justify="right")
    for k in result.main.outcomes:
        table.add_column(k, justify="right")
    for driver, row in list(result.analysis.get("influence", {}).items())[:top]:
        cells = [settings(row, k) for k in result.main.outcomes]
        table.add_row(driver, display.swing(row["swing"]), *cells)
    return table


def signpost_table(result: Result, top: int = 10) -> Table:
    table = Table(title="Signposts to watch (information about the outcome)", title_justify="left")
    for column in ("item", "kind", "bits", "P(seen)"):
        table.add_column(column, justify="right" if column in ("bits", "P(seen)") else "left")
    for item, row in list(result.analysis.get("signposts", {}).items())[:top]:
        table.add_row(item, row["kind"], display.bits(row["bits"]), state_chances(row))
    return table


def diagnostics_text(result: Result) -> Text:
    d = result.diagnostics
    if d.method == "exact":
        return Text("Exact: every number is fixed; no sampling.", style="green")
    parts = []
    if d.ess is not None:
        weighted = "+".join(m for m in ("importance", "adaptive") if m in d.settings)
        parts.append(
            f"{title(weighted or 'importance')}: {d.draws} draws; smallest ESS "
            f"{display.ess(d.ess)}; largest Pareto k {display.pareto_k(d.pareto_k)}"
        )
    if d.max_rhat is not None:
        parts.append(
            f"NUTS: {d.chains} chains x {d.draws if d.ess is None else '…'} draws; "
            f"max R-hat {display.rhat(d.max_rhat)}; min ESS bulk {display.ess(d.min_ess_bulk)}, "
            f"tail {display.ess(d.min_ess_tail)}; {d.divergences} divergences"
        )
    counts = ", ".join(f"{n} {method}" for method, n in d.settings.items())
    line = "; ".join(parts) + f" ({counts} settings; {display.seconds(d.seconds)})"
    if not result.reliable:
        line += ". Missed the bar: " + "; ".join(d.reliability.problems)
    return Text(line, style="green" if result.reliable else "bold red")


def render(result: Result, console: Console | None = None) -> None:
    """Print the result as tables."""
    console = console or Console()
    parts = []
    if not result.reliable:
        parts.append(
            Panel(
                "UNRELIABLE: some numbers missed the reliability bar ("
                + "; ".join(result.diagnostics.reliability.problems or ("see the diagnostics",))
                + ") even after a retry. The numbers below may be wrong; no words are given.",
                style="bold red",
            )
        )
    parts += [outcome_table(result), driver_table(result.main)]
    if len(result.timeline) > 1:
        parts.append(timeline_table(result))
    if result.analysis:
        parts += [influence_table(result), signpost_table(result)]
    if result.expect:
        parts.append(expectation_table(result))
    parts.append(diagnostics_text(result))
    console.print(Group(*parts))
