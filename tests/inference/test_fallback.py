"""The last step of ``auto``: NUTS, when the steps before it miss the bar (compiled on first
use, in seconds: ``models/sampler.py``).

The strong-evidence case (``tests/support/networks.py::strong_scenario``) defeats prior draws;
with the adaptive step left out (``AutoEvaluator(adaptive=False)``) the setting falls back to
NUTS, whose answer meets its bar and agrees with the tailored reference of
``tests/support/networks.py``.
"""

from __future__ import annotations

import math

import pytest

from engine.inference import InferenceOptions
from engine.inference.auto import AutoEvaluator
from engine.inference.network import network_of
from engine.scenario.schema import Scenario
from tests.support.networks import strong_scenario, tailored_reference

pytestmark = pytest.mark.nuts


def test_a_setting_the_steps_before_miss_falls_back_to_nuts_and_agrees_with_a_reference():
    spec = strong_scenario("auto")
    network = network_of(Scenario.model_validate(spec))
    options = InferenceOptions.of(network.scenario, draws=1000, chains=2)
    evaluator = AutoEvaluator(network, options, adaptive=False)
    answer = evaluator(network.setting())
    assert answer.diagnostics.method == "nuts", answer.diagnostics
    assert answer.reliable, answer.diagnostics.reliability.problems
    reference, _ = tailored_reference(spec)
    for k, summary in answer.outcomes.items():
        ref = reference[k]
        assert abs(summary.p - ref.p) <= 4 * math.hypot(summary.mcse, ref.mcse), (k, summary)
    joints = evaluator.item_joints(answer, network.setting())  # signposts read NUTS draws
    assert joints.shape == (network.graph.total_states + len(network.graph.indicators), 3)
