"""Compare two versions of a scenario: each subset of edits evaluated, the change attributed.

``compare(old, new)`` takes two merged, valid mappings
(:func:`engine.scenario.merge.load_document`), finds the edits (:mod:`engine.diff.edits`),
evaluates the main outcome probabilities of the old version with subsets of the edits applied,
and shares the change among the edits (:mod:`engine.diff.attribution`): Shapley values for at
most six edits, else a sequential attribution in the fixed order of
:func:`engine.diff.edits.sequential_order` (removals, changes, additions, each by key path). If some
subset of edits is not a valid scenario (contradictory evidence, a cycle among causes half-way),
the edits are applied in sequence in the first order, closest to that fixed one, in which every
step is valid, and the result says so.

Cost. Each evaluation is a run of the main result only (``run(scope="main")``) by the
runner's own method: exact elimination when every number is fixed (milliseconds), else
importance sampling on prior draws (with the fallbacks of ``engine.inference``), with the same
seed for every subset — the draws of a number are seeded by its key path, so subsets share them
(common random numbers) — and by default :data:`DIFF_DRAWS` draws and :data:`DIFF_TUNE` tuning
steps per chain. Six edits need 2^6 = 64 runs. Every attribution then carries a Monte Carlo
standard error (the subsets' errors taken as independent, which errs on the large side), and a
change within sampling noise (:func:`engine.inference.diagnostics.within_noise`) is flagged.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.diff.attribution import (
    MAX_SHAPLEY,
    Subset,
    all_subsets,
    prefixes,
    sequential_mcse,
    sequential_shares,
    shapley,
    shapley_mcse,
    valid_order,
)
from engine.diff.edits import (
    Edit,
    apply_edits,
    canonical_tables,
    evaluated_base,
    find_edits,
    same_outcomes,
    sequential_order,
    validate_mapping,
)
from engine.inference.diagnostics import within_noise
from engine.scenario.methods import title

DIFF_DRAWS = 500  # per chain; the scenario's own default is 1000
DIFF_TUNE = 500

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Value:
    """The main outcome probabilities of one evaluated version."""

    outcomes: dict[str, float]
    mcse: dict[str, float]
    exact: bool
    reliable: bool = True
    seconds: float = 0.0
    method: str = "exact"  # how the run answered (engine.scenario.methods)


@dataclass
class EditShare:
    """One edit and its share of the change (None when the outcomes differ)."""

    edit: Edit
    change: dict[str, float] | None
    mcse: dict[str, float] | None = None

    @property
    def within_noise(self) -> list[str]:
        """Outcomes for which this share is smaller than three Monte Carlo standard errors."""
        if self.change is None or self.mcse is None:
            return []
        return [k for k, d in self.change.items() if within_noise(d, self.mcse[k])]

    def to_dict(self) -> dict[str, Any]:
        out = self.edit.to_dict()
        out.update(change=self.change, mcse=self.mcse, within_noise=self.within_noise)
        return out


@dataclass
class DiffResult:
    """The comparison of two versions; ``to_dict()`` is the SPEC §9 diff object."""

    old_id: str
    new_id: str
    old: Value
    new: Value
    change: dict[str, float | None]
    attribution: str | None  # how the change is shared out: shapley, sequential, or None
    edits: list[EditShare]
    order: list[int] | None = None
    notes: list[str] = field(default_factory=list)
    evaluations: int = 0
    seconds: float = 0.0
    labels: dict[str, str] = field(default_factory=dict)
    sampler: dict[str, int | None] = field(default_factory=dict)
    exact: bool = True  # every evaluation was exact enumeration
    reliable: bool = True  # every sampled evaluation met the reliability bar

    @property
    def method(self) -> str:
        """The inference method(s) that answered the evaluations, e.g. ``exact`` or
        ``importance`` (``engine.scenario.methods``)."""
        used = sorted({part for v in (self.old, self.new) for part in v.method.split("+")})
        return "+".join(used)

    @property
    def change_mcse(self) -> dict[str, float | None]:
        """Monte Carlo standard error of each outcome's change (0 when exact)."""
        return {
            k: None if d is None else math.hypot(self.old.mcse[k], self.new.mcse[k])
            for k, d in self.change.items()
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``signpost diff --json``."""
        return {
            "old": {"id": self.old_id, "outcomes": self.old.outcomes, "mcse": self.old.mcse},
            "new": {"id": self.new_id, "outcomes": self.new.outcomes, "mcse": self.new.mcse},
            "change": self.change,
            "change_mcse": self.change_mcse,
            "method": self.attribution,  # SPEC §9's key
            "order": None if self.order is None else [self.edits[i].edit.path for i in self.order],
            "edits": [share.to_dict() for share in self.edits],
            "exact": self.exact,
            "reliable": self.reliable,
            "notes": self.notes,
            "diagnostics": {
                "method": self.method,
                "evaluations": self.evaluations,
                "seconds": self.seconds,
                **self.sampler,
            },
        }


def compare(
    old: dict[str, Any],
    new: dict[str, Any],
    *,
    method: str | None = None,
    draws: int | None = None,
    tune: int | None = None,
    chains: int | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
    known: dict[str, Any] | None = None,
) -> DiffResult:
    """Compare two merged, valid scenario mappings.

    Parameters
    ----------
    old, new : dict
        ``MergedDocument.data`` of each version (``extends`` already merged in).
    draws, tune, chains, seed : int, optional
        Sampler settings used for every evaluation (default: :data:`DIFF_DRAWS` draws and
        :data:`DIFF_TUNE` tuning steps, the new version's ``inference`` block otherwise).
    progress : callable, optional
        Called with a short message before each evaluation.
    known : dict, optional
        ``{"old": Result, "new": Result}``: a version's result (:func:`engine.run.run`) that the
        caller has already, computed with the settings given here; its main result stands for
        that version's evaluation, which is not repeated (the live page of ``signpost serve``
        has both). Used only when both versions have the same ``inference`` block.

    Returns
    -------
    DiffResult
        Old and new outcome probabilities, their change, and each edit's share of it.
    """
    started = time.perf_counter()
    say = progress or (lambda message: None)
    old, new = canonical_tables(old), canonical_tables(new)  # a row's key in one order
    edits = find_edits(old, new)
    base = evaluated_base(old, new)
    settings = {
        "method": method,
        "draws": draws or DIFF_DRAWS,
        "tune": tune or DIFF_TUNE,
        "chains": chains,
        "seed": seed,
    }
    evaluator = _Evaluator(base, edits, settings, say)
    everyone = frozenset(range(len(edits)))
    if known and old.get("inference") == new.get("inference"):
        given = {frozenset(): known.get("old"), everyone: known.get("new")}
        evaluator.known = {subset: r for subset, r in given.items() if r is not None}
    comparable = same_outcomes(old, new)
    attribution, order, notes = _plan(edits, evaluator, comparable)
    needed = (
        all_subsets(len(edits))
        if attribution == "shapley"
        else prefixes(order)
        if order is not None
        else [frozenset(), everyone]
    )
    values = {subset: evaluator.value(subset, len(needed)) for subset in needed}
    first, last = values[frozenset()], values[everyone]
    shares = _shares(attribution, order, edits, values, list(first.outcomes))
    result = DiffResult(
        old_id=str(old.get("id")),
        new_id=str(new.get("id")),
        old=first,
        new=last,
        change=(
            {k: last.outcomes[k] - first.outcomes[k] for k in first.outcomes}
            if comparable
            else dict.fromkeys(_union(first.outcomes, last.outcomes))
        ),
        attribution=attribution,
        edits=shares,
        order=order if attribution == "sequential" else None,
        notes=notes,
        evaluations=len(values),
        labels=_outcome_labels(old, new),
        sampler={**settings, **evaluator.used},
    )
    result.exact = all(v.exact for v in values.values())
    if result.exact:
        result.sampler = {}
    result.reliable = all(v.reliable for v in values.values())
    _add_notes(result)
    result.seconds = time.perf_counter() - started
    return result


class _Evaluator:
    """Validates and evaluates the old version with a subset of the edits applied."""

    def __init__(self, base: dict, edits: list[Edit], settings: dict, say: Progress):
        self.base, self.edits, self.settings, self.say = base, edits, settings, say
        self.validated: dict[Subset, Any] = {}
        self.done = 0
        self.used: dict[str, int] = {}  # the sampler settings in effect, once something sampled
        self.known: dict[Subset, Any] = {}  # results the caller has already

    def scenario(self, subset: Subset):
        """The validated scenario for ``subset``, or None (with the issues kept)."""
        if subset not in self.validated:
            data = apply_edits(self.base, [self.edits[i] for i in sorted(subset)])
            self.validated[subset] = validate_mapping(data)
        return self.validated[subset][0]

    def first_issue(self) -> str:
        for scenario, issues in self.validated.values():
            if scenario is None and issues:
                return issues[0].format()
        return ""

    def value(self, subset: Subset, total: int) -> Value:
        from engine.run import run  # the runner, and PyMC only if something is uncertain

        scenario = self.scenario(subset)
        if scenario is None:  # both versions are valid, so only a bug gets here
            raise ValueError(f"edits {sorted(subset)} do not make a valid scenario")
        if subset in self.known:
            result = self.known[subset]
        else:
            self.done += 1
            self.say(f"evaluating {self.done}/{total}")
            result = run(scenario, scope="main", **self.settings)
        main = result.main
        if main.diagnostics.method != "exact":
            used = set(self.used.get("method", "").split("+")) | {main.diagnostics.method}
            self.used = {
                "method": "+".join(sorted(used - {""})),
                "chains": main.diagnostics.chains,
                "seed": result.seed,
            }
        return Value(
            outcomes={k: s.p for k, s in main.outcomes.items()},
            mcse={k: s.mcse for k, s in main.outcomes.items()},
            exact=main.diagnostics.method == "exact",
            method=result.diagnostics.method,
            reliable=main.reliable,
            seconds=main.diagnostics.seconds,
        )


def _plan(edits: list[Edit], evaluator: _Evaluator, comparable: bool):
    """(attribution, order, notes): Shapley when every subset is valid and there are few
    edits, else sequential in an order where every step is valid, else None."""
    n = len(edits)
    if not comparable:
        note = "the two versions do not have the same outcomes: the change is not attributed"
        return None, None, [note]
    preferred = sequential_order(edits)
    if n <= MAX_SHAPLEY:
        invalid = [s for s in all_subsets(n) if evaluator.scenario(s) is None]
        if not invalid:
            return "shapley", None, []
        note = (
            f"{len(invalid)} of the {2**n} subsets of edits are not valid scenarios "
            f"({evaluator.first_issue()}); the edits are applied in sequence instead, in an "
            "order where every step is valid"
        )
    else:
        note = (
            f"{n} edits, more than {MAX_SHAPLEY}: applied in sequence (removals, changes, "
            "additions, each by key path)"
        )
    order = valid_order(n, lambda s: evaluator.scenario(s) is not None, preferred)
    if order is None:
        return None, None, [note, "no order of the edits keeps every step valid: not attributed"]
    if order != preferred and n > MAX_SHAPLEY:
        note += "; that order has an invalid step, so the nearest valid order is used"
    return "sequential", order, [note]


def _shares(attribution, order, edits, values, outcomes) -> list[EditShare]:
    n = len(edits)
    means = {s: v.outcomes for s, v in values.items()}
    errors = {s: v.mcse for s, v in values.items()}
    if attribution == "shapley":
        changes, mcse = shapley(n, means, outcomes), shapley_mcse(n, errors, outcomes)
    elif attribution == "sequential":
        changes = sequential_shares(order, means, outcomes)
        mcse = sequential_mcse(order, errors, outcomes)
    else:
        return [EditShare(edit, None, None) for edit in edits]
    return [EditShare(edit, changes[i], mcse[i]) for i, edit in enumerate(edits)]


def _add_notes(result: DiffResult) -> None:
    if not result.exact:
        result.notes.append(
            f"sampled ({result.evaluations} runs, {title(result.method)}, the same seed for "
            "each): every change "
            "carries a Monte Carlo standard error; a share smaller than three of them is "
            "within sampling noise"
        )
    if any(share.within_noise for share in result.edits):
        names = ", ".join(share.edit.path for share in result.edits if share.within_noise)
        result.notes.append(f"within sampling noise for some outcome: {names}")
    if not result.reliable:
        result.notes.append("UNRELIABLE: some run missed the sampler's reliability bar")


def _union(a: dict, b: dict) -> list[str]:
    return [*a, *(k for k in b if k not in a)]


def _outcome_labels(old: dict, new: dict) -> dict[str, str]:
    labels = {}
    for data in (old, new):
        for k, item in (data.get("outcomes") or {}).items():
            if isinstance(item, dict) and isinstance(item.get("label"), str):
                labels[k] = item["label"]
    return labels
