"""The generated benchmark scenarios: realistic layered networks of 4 to 24 drivers.

``scenario_text(n, fixed=False)`` writes one scenario of ``n`` drivers; the structure depends
only on ``n``, so ``drivers_NN.yaml`` (every number uncertain: ICD 203 words, effect words and
ranges) and ``fixed_NN.yaml`` (every number fixed: the middle of the same word's band, the
mean of the same effect) are the same network. The design:

- drivers in layers (of 2, 3 or 4); each driver after the first layer has 0 to 3 parents drawn
  from the one or two layers before it, so the causes form a DAG of bounded width;
- 3 outcomes (4 drivers) or 4 outcomes (8 drivers and more): a status quo that no driver
  pushes, and the others each pushed by 2 to 4 drivers, raising one outcome and sometimes
  lowering another. At most 8 drivers have an effect on any outcome (mostly the last layers,
  the "proximate" causes, and one or two early ones);
- an indicator on about every other driver, two thirds of them observed (on three dates),
  two soft reports (likelihood ratios 3 and 0.5, one dated, one not) and one hard
  observation of a driver; with the scenario's ``as_of`` this gives a timeline of 4 points;
- two what-ifs: a proximate driver set true, an early driver set false.

Two more kinds, for issue 20 (evidence that piles up):

- ``rich_NN.yaml`` (:func:`rich_text`): the 12-driver network above with two or more indicators
  on every driver, every indicator's ``if_true``/``if_false`` uncertain, NN of them observed
  (on six dates), four drivers observed (hard evidence) and two soft reports. The observations
  are simulated from the fixed twin's numbers (seeded), so they hang together the way a year of
  an analyst's updates would. ``rich_24.yaml`` is *the* evidence-rich scenario; ``rich_00`` to
  ``rich_40`` are the points of the curve of ESS and seconds against observed indicators;
- ``strong_04.yaml`` (:func:`strong_text`): the strong-evidence case of issue 12, the four-driver
  network of ``tests/support/networks.py`` with Beta(0.4, 8) priors, every driver observed true
  and every indicator seen.

Run as a script to (re)write every file: ``python benchmarks/generate.py [--force]``.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
FOLDER = HERE / "scenarios"
SIZES = (4, 8, 12, 16, 20, 24)
RICH_DRIVERS = 12
RICH_OBSERVED = 24  # the evidence-rich scenario: 24 observed indicators
CURVE = (0, 5, 10, 15, 20, 24, 30, 35, 40)  # observed indicators along the curve

# Words and the fixed number used for them in the fixed twin (the middle of the band, SPEC §2).
PROBABILITY = {
    "very unlikely": 0.12,
    "unlikely": 0.32,
    "roughly even chance": 0.5,
    "likely": 0.68,
    "very likely": 0.88,
}
EFFECT = {  # SPEC §3 means
    "strongly raises": 2.0,
    "raises": 1.0,
    "slightly raises": 0.5,
    "slightly lowers": -0.5,
    "lowers": -1.0,
    "strongly lowers": -2.0,
}
INDICATOR_STRENGTHS = [  # (if_true, if_false), as written and as fixed
    (("likely", 0.68), ("unlikely", 0.32)),
    (("very likely", 0.88), ("{range: [0.10, 0.35]}", 0.22)),
    (("{range: [0.50, 0.90]}", 0.70), ("very unlikely", 0.12)),
]
RICH_STRENGTHS = [  # wide, uncertain indicator numbers: each observation teaches about θ
    (("{range: [0.20, 0.95]}", 0.70), ("{range: [0.05, 0.60]}", 0.20)),
    (("{range: [0.30, 0.99]}", 0.80), ("{range: [0.01, 0.50]}", 0.15)),
    (("{range: [0.10, 0.90]}", 0.60), ("{range: [0.02, 0.30]}", 0.10)),
]
OUTCOME_NAMES = ["status_quo", "escalation", "settlement", "collapse"]
OUTCOME_LABELS = {
    "status_quo": "The situation stays as it is",
    "escalation": "The conflict escalates",
    "settlement": "A negotiated settlement",
    "collapse": "The government collapses",
}


def path_of(n: int, *, fixed: bool) -> Path:
    return FOLDER / f"{'fixed' if fixed else 'drivers'}_{n:02d}.yaml"


def design(n: int) -> dict:
    """The structure of the n-driver network (deterministic in n)."""
    rng = random.Random(1009 * n + 7)
    size = 2 if n <= 4 else 3 if n <= 8 else 4
    layers = [list(range(s, min(n, s + size))) for s in range(0, n, size)]
    layer_of = {i: depth for depth, layer in enumerate(layers) for i in layer}
    parents: dict[int, list[int]] = {}
    for i in range(n):
        depth = layer_of[i]
        pool = [j for d in (depth - 1, depth - 2) if d >= 0 for j in layers[d]]
        count = 0 if not pool else rng.choice([0, 1, 1, 2, 2, 2, 3])
        parents[i] = sorted(rng.sample(pool, min(count, len(pool))))
    # Drivers with an effect on an outcome: the last layers first, then one or two early ones.
    late = [i for layer in layers[-2:] for i in layer]
    early = [i for i in range(n) if i not in late]
    pushed = rng.sample(late, min(len(late), 6)) + rng.sample(early, min(len(early), 2))
    pushed = sorted(pushed[: min(8, n)])
    outcomes = OUTCOME_NAMES[: 3 if n <= 4 else 4]
    effects: dict[str, dict[int, str]] = {k: {} for k in outcomes}
    pushing = outcomes[1:]
    raising = [w for w in EFFECT if EFFECT[w] > 0]
    lowering = [w for w in EFFECT if EFFECT[w] < 0]
    for position, i in enumerate(pushed):
        k = pushing[position % len(pushing)]
        effects[k][i] = rng.choice(raising)
        if rng.random() < 0.4:  # the same driver holds another outcome back
            other = rng.choice([o for o in pushing if o != k])
            effects[other][i] = rng.choice(lowering)
    indicators = list(range(0, n, 2))
    observed = indicators[: max(1, (2 * len(indicators) + 2) // 3)]
    hard = next(i for i in range(n) if layer_of[i] == min(1, len(layers) - 1) and i % 2 == 1)
    first = rng.choice([i for i in late if i != hard])
    soft = [(first, 3), (rng.choice([i for i in early or late if i not in (first, hard)]), 0.5)]
    return {
        "n": n,
        "layers": layers,
        "parents": parents,
        "p": {i: rng.choice(list(PROBABILITY)) for i in range(n)},
        "causes": {
            i: {j: rng.choice(list(EFFECT)) for j in parents[i]} for i in range(n) if parents[i]
        },
        "outcomes": outcomes,
        "effects": effects,
        "indicators": indicators,
        "strength": {i: rng.randrange(len(INDICATOR_STRENGTHS)) for i in indicators},
        "observed": {i: rng.random() < 0.5 for i in observed},
        "soft": soft,
        "hard": hard,
        "what_if": {"proximate_holds": (pushed[-1], True), "early_fails": (0, False)},
    }


def scenario_text(n: int, *, fixed: bool = False) -> str:
    """The YAML text of the n-driver scenario (uncertain numbers, or all fixed)."""
    net = design(n)
    kind = "fixed" if fixed else "drivers"
    numbers = "every number fixed" if fixed else "every number uncertain"
    dates = ["2024-01-15", "2024-02-01", "2024-03-01"]
    lines = [
        f"# Generated by benchmarks/generate.py: {n} drivers, {numbers}. Do not edit.",
        "signpost: 1",
        f"id: bench-{kind}-{n:02d}",
        f"title: Benchmark network of {n} drivers, {numbers}",
        "question: How does the crisis end by the horizon?",
        "as_of: 2024-01-01",
        "horizon: 2025-12-31",
        "drivers:",
    ]
    for i in range(n):
        word = net["p"][i]
        p = PROBABILITY[word] if fixed else word
        depth = next(d for d, layer in enumerate(net["layers"]) if i in layer)
        lines += [f"  d{i:02d}:", f"    label: Factor {i} (layer {depth}) holds", f"    p: {p}"]
        if i in net["causes"]:
            lines.append("    causes:")
            for j, effect in net["causes"][i].items():
                lines.append(f"      d{j:02d}: {EFFECT[effect] if fixed else effect}")
    lines.append("outcomes:")
    for k in net["outcomes"]:
        lines += [f"  {k}:", f"    label: {OUTCOME_LABELS[k]}"]
        if k == "status_quo":
            lines.append("    base: 2")
        if net["effects"][k]:
            lines.append("    drivers:")
            for i, effect in sorted(net["effects"][k].items()):
                lines.append(f"      d{i:02d}: {EFFECT[effect] if fixed else effect}")
    lines.append("indicators:")
    for i in net["indicators"]:
        (true_word, true_value), (false_word, false_value) = INDICATOR_STRENGTHS[net["strength"][i]]
        lines += [
            f"  sign_{i:02d}:",
            f"    label: A visible sign of factor {i}",
            f"    signals: d{i:02d}",
            f"    if_true: {true_value if fixed else true_word}",
            f"    if_false: {false_value if fixed else false_word}",
        ]
    lines.append("evidence:")
    for position, (i, value) in enumerate(net["observed"].items()):
        lines += [
            f"  seen_{i:02d}:",
            f"    indicator: sign_{i:02d}",
            f"    observed: {'true' if value else 'false'}",
            f"    date: {dates[position % len(dates)]}",
        ]
    (first, ratio_1), (second, ratio_2) = net["soft"]
    lines += [
        "  report_one:",
        f"    driver: d{first:02d}",
        f"    likelihood_ratio: {ratio_1}",
        f"    date: {dates[1]}",
        "  report_two:",
        f"    driver: d{second:02d}",
        f"    likelihood_ratio: {ratio_2}",
        "  confirmed:",
        f"    driver: d{net['hard']:02d}",
        "    observed: true",
        f"    date: {dates[2]}",
    ]
    lines.append("what_if:")
    for name, (i, value) in net["what_if"].items():
        lines += [f"  {name}:", f"    set: {{d{i:02d}: {'true' if value else 'false'}}}"]
    return "\n".join(lines) + "\n"


def rich_path(observed: int) -> Path:
    return FOLDER / f"rich_{observed:02d}.yaml"


def strong_path() -> Path:
    return FOLDER / "strong_04.yaml"


def _simulate(net: dict, rng: random.Random) -> dict[int, bool]:
    """Driver states drawn from the fixed twin's numbers with every driver's own chance
    turned round (1 − p): a world the analyst's first guesses did not expect, which is when
    piling evidence up matters (drivers come after their causes)."""
    import math

    state: dict[int, bool] = {}
    for i in range(net["n"]):
        p = 1 - PROBABILITY[net["p"][i]]
        logit = math.log(p / (1 - p)) + sum(
            EFFECT[w] for j, w in net["causes"].get(i, {}).items() if state[j]
        )
        state[i] = rng.random() < 1 / (1 + math.exp(-logit))
    return state


def rich_text(observed: int = RICH_OBSERVED, n: int = RICH_DRIVERS) -> str:
    """The YAML text of the evidence-rich scenario with ``observed`` indicators seen or not.

    Indicators go round the drivers (two per driver for 24, more for more), each with
    uncertain ``if_true``/``if_false``; the first ``observed`` of them are evidence, with what a
    world drawn from the fixed numbers shows. Four drivers are observed, two reported on.
    """
    net = design(n)
    rng = random.Random(2020 + n)
    state = _simulate(net, rng)
    count = max(2 * n, observed)
    dates = [f"2024-{month:02d}-01" for month in range(2, 14, 2)][:-1] + ["2024-12-01"]
    base = scenario_text(n).split("indicators:")[0]
    lines = [
        f"# Generated by benchmarks/generate.py: {n} drivers, {count} indicators, {observed} "
        "observed, every number uncertain. Do not edit.",
        *base.splitlines()[1:],
    ]
    lines = [
        line.replace(f"id: bench-drivers-{n:02d}", f"id: bench-rich-{observed:02d}").replace(
            f"title: Benchmark network of {n} drivers, every number uncertain",
            f"title: Evidence-rich benchmark, {n} drivers, {observed} indicators observed",
        )
        for line in lines
    ]
    lines.append("indicators:")
    for m in range(count):
        i = m % n
        strength = RICH_STRENGTHS[(m + i) % len(RICH_STRENGTHS)]
        (true_word, _), (false_word, _) = strength
        lines += [
            f"  sign_{m:02d}:",
            f"    label: Sign {m} of factor {i}",
            f"    signals: d{i:02d}",
            f"    if_true: {true_word}",
            f"    if_false: {false_word}",
        ]
    lines.append("evidence:")
    for m in range(observed):
        (_, if_true), (_, if_false) = RICH_STRENGTHS[(m + m % n) % len(RICH_STRENGTHS)]
        seen = rng.random() < (if_true if state[m % n] else if_false)
        lines += [
            f"  seen_{m:02d}:",
            f"    indicator: sign_{m:02d}",
            f"    observed: {'true' if seen else 'false'}",
            f"    date: {dates[m % len(dates)]}",
        ]
    hard = list(range(1, n, 3))[:4]  # d01, d04, d07, d10 for 12 drivers
    for position, i in enumerate(hard):
        lines += [
            f"  confirmed_{i:02d}:",
            f"    driver: d{i:02d}",
            f"    observed: {'true' if state[i] else 'false'}",
            f"    date: {dates[(2 * position + 1) % len(dates)]}",
        ]
    for name, i, ratio in (("report_one", 2, 3), ("report_two", n - 3, 0.5)):
        lines += [f"  {name}:", f"    driver: d{i:02d}", f"    likelihood_ratio: {ratio}"]
    lines.append("what_if:")
    for name, (i, value) in net["what_if"].items():
        lines += [f"  {name}:", f"    set: {{d{i:02d}: {'true' if value else 'false'}}}"]
    return "\n".join(lines) + "\n"


def strong_text() -> str:
    """The strong-evidence case of issue 12 (``tests/support/networks.py::strong_scenario``)."""
    skewed = "{beta: [0.4, 8]}"
    return f"""# Generated by benchmarks/generate.py: issue 12's strong evidence. Do not edit.
signpost: 1
id: bench-strong-04
title: Every driver observed true, Beta(0.4, 8) priors
drivers:
  a: {{label: driver a, p: {skewed}}}
  b: {{label: driver b, p: {skewed}, causes: {{a: slightly lowers}}}}
  c: {{label: driver c, p: {skewed}, causes: {{b: lowers, a: lowers}}}}
  d: {{label: driver d, p: {skewed}, causes: {{c: lowers}}}}
outcomes:
  x: {{label: outcome x, drivers: {{a: raises, c: slightly lowers}}}}
  "y": {{label: outcome y, drivers: {{b: strongly raises}}}}  # y unquoted is a YAML 1.1 boolean
  z: {{label: outcome z, drivers: {{c: raises}}}}
indicators:
  i: {{label: indicator i, signals: a, if_true: {skewed}, if_false: very unlikely}}
  j: {{label: indicator j, signals: c, if_true: {skewed}, if_false: very unlikely}}
  k: {{label: indicator k, signals: d, if_true: {skewed}, if_false: very unlikely}}
evidence:
  a_holds: {{driver: a, observed: true}}
  b_holds: {{driver: b, observed: true}}
  c_holds: {{driver: c, observed: true}}
  d_holds: {{driver: d, observed: true}}
  saw_i: {{indicator: i, observed: true}}
  saw_j: {{indicator: j, observed: true}}
  saw_k: {{indicator: k, observed: true}}
"""


def ensure(sizes=SIZES, *, force: bool = False, curve=CURVE) -> list[Path]:
    """Write every generated scenario that is missing (all of them with ``force``)."""
    FOLDER.mkdir(exist_ok=True)
    wanted = [(path_of(n, fixed=f), lambda n=n, f=f: scenario_text(n, fixed=f))
              for n in sizes for f in (False, True)]  # fmt: skip
    wanted += [(rich_path(k), lambda k=k: rich_text(k)) for k in sorted({RICH_OBSERVED, *curve})]
    wanted.append((strong_path(), strong_text))
    written = []
    for path, text in wanted:
        if force or not path.exists():
            path.write_text(text())
            written.append(path)
    return written


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="write the generated benchmark scenarios")
    parser.add_argument("--force", action="store_true", help="rewrite the existing files too")
    for path in ensure(force=parser.parse_args().force):
        print(path.relative_to(HERE.parent))
