"""SPEC §12's rule for ids from a network file's names."""

from __future__ import annotations

import pytest

from engine.exchange.names import driver_ids, plain_id, scenario_id, state_ids


@pytest.mark.parametrize(
    ("name", "driver", "state"),
    [
        ("HYPOVOLEMIA", "hypovolemia", "hypovolemia"),
        ("Lung Cancer", "lung_cancer", "lung_cancer"),
        ("  --x--  ", "x", "x"),
        ("0-10", "n_0_10", "n_0_10"),
        ("", "n_", "n_"),
        ("!!!", "n_", "n_"),
        ("yes", "n_yes", "s_yes"),
        ("ON", "n_on", "s_on"),
        ("Null", "n_null", "s_null"),
        ("y", "n_y", "s_y"),
        ("é", "n_", "n_"),
    ],
)
def test_a_name_becomes_an_id(name, driver, state):
    assert plain_id(name, "n_") == driver
    assert plain_id(name, "s_") == state


def test_repeats_keep_the_first_plain_and_take_the_first_free_suffix():
    assert driver_ids(["A b", "a_b", "a-B", "a_b_2"]) == ["a_b", "a_b_3", "a_b_4", "a_b_2"]
    assert state_ids(["Yes", "yes", "YES"]) == ["s_yes", "s_yes_2", "s_yes_3"]
    assert driver_ids(["x", "y", "x"]) == ["x", "n_y", "x_2"]  # y reads as a boolean


def test_a_scenario_id_from_a_file_name():
    assert scenario_id("ALARM") == "alarm"
    assert scenario_id("my network_v2") == "my-network-v2"
    assert scenario_id("__") == "network"
