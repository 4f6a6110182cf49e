"""One small network shared by every test that runs NUTS, so the suite compiles it once.

Compiling a graph's PyMC model for nutpie takes about a minute on a two-core machine; the
compiled model is cached per process by its graph. ``SMALL_GRAPH`` is the graph of
:func:`small_scenario` (``engine.inference.network.network_of`` gives exactly this graph), so tests of
``models/`` and tests that run scenarios through the NUTS fallback share one compilation.

Four drivers a → b → c → d (and a → c), three outcomes, three indicators on a, c and d.
"""

from __future__ import annotations

from typing import Any

from models.graph import Graph

SMALL_GRAPH = Graph(
    drivers=("a", "b", "c", "d"),
    outcomes=("x", "y", "z"),
    indicators=("i", "j", "k"),
    signals=(0, 2, 3),
    causes=((1, 0), (2, 1), (2, 0), (3, 2)),
    # d has no effect on any outcome: it is summed out apart from the outcome's drivers
    effects=((0, 0), (0, 2), (1, 1), (2, 2)),
)


def small_scenario(
    *,
    p: dict[str, Any] | None = None,
    causes: dict[tuple[str, str], Any] | None = None,
    effects: dict[tuple[str, str], Any] | None = None,
    indicators: dict[str, tuple[Any, Any]] | None = None,
    evidence: dict[str, dict[str, Any]] | None = None,
    inference: dict[str, Any] | None = None,
    scenario_id: str = "small",
) -> dict[str, Any]:
    """A scenario dict whose graph is :data:`SMALL_GRAPH`; any number may be given.

    ``p`` maps a driver to its probability, ``causes`` a (child, parent) pair and ``effects``
    an (outcome, driver) pair to an effect, ``indicators`` an indicator to (if_true, if_false).
    Numbers not given are uncertain words.
    """
    p = {"a": "unlikely", "b": "roughly even chance", "c": "likely", "d": "unlikely"} | (p or {})
    causes = {
        ("b", "a"): "raises",
        ("c", "b"): "lowers",
        ("c", "a"): "slightly raises",
        ("d", "c"): "strongly raises",
    } | (causes or {})
    effects = {
        ("x", "a"): "raises",
        ("x", "c"): "slightly lowers",
        ("y", "b"): "strongly raises",
        ("z", "c"): "raises",
    } | (effects or {})
    indicators = {
        "i": ("likely", "unlikely"),
        "j": ("very likely", "unlikely"),
        "k": ("likely", "very unlikely"),
    } | (indicators or {})
    signals = dict(zip(SMALL_GRAPH.indicators, "acd"))
    spec: dict[str, Any] = {
        "signpost": 1,
        "id": scenario_id,
        "title": "A small network",
        "drivers": {
            d: {
                "label": f"driver {d}",
                "p": p[d],
                **(
                    {"causes": {par: e for (ch, par), e in causes.items() if ch == d}}
                    if any(ch == d for ch, _ in causes)
                    else {}
                ),
            }
            for d in SMALL_GRAPH.drivers
        },
        "outcomes": {
            k: {
                "label": f"outcome {k}",
                **(
                    {"drivers": {j: e for (o, j), e in effects.items() if o == k}}
                    if any(o == k for o, _ in effects)
                    else {}
                ),
            }
            for k in SMALL_GRAPH.outcomes
        },
        "indicators": {
            i: {"label": f"indicator {i}", "signals": signals[i], "if_true": t, "if_false": f}
            for i, (t, f) in indicators.items()
        },
    }
    if evidence:
        spec["evidence"] = evidence
    if inference:
        spec["inference"] = inference
    return spec
