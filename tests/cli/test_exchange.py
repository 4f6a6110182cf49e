"""``signpost import`` and ``signpost export`` as a user runs them (SPEC §12).

A network file imported by the command gives a scenario that validates and runs; exported back
by the command in each format, pgmpy reads the same network (every table within 1e-12). A bad
network file is bad input: exit 2, the file and the line of the problem, nothing written.
"""

from __future__ import annotations

import gzip
import warnings
from pathlib import Path

import numpy as np
import pytest

from engine.cli import main
from engine.cli.exit import BAD_INPUT, OK
from engine.scenario.validate import load_scenario

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import pgmpy
    from pgmpy.readwrite import BIFReader, NETReader, XMLBIFReader

ASIA = Path(pgmpy.__file__).parent / "utils" / "example_models" / "asia.bif.gz"
READERS = {"bif": BIFReader, "xmlbif": XMLBIFReader, "net": NETReader}
SUFFIX = {"bif": ".bif", "xmlbif": ".xml", "net": ".net"}
BINARY = {"yes": "true", "no": "false"}  # a yes/no node is a binary driver (SPEC §12)


def _tables(model) -> dict:
    """{node: (parents sorted, table with parents in that order, node's states last)}."""
    out = {}
    for cpd in model.get_cpds():
        cpd.normalize()
        name, parents = cpd.variable, list(cpd.variables[1:])
        table = np.moveaxis(np.asarray(cpd.values, dtype=float), 0, -1)
        order = sorted(range(len(parents)), key=lambda a: parents[a])
        out[name] = (
            tuple(sorted(parents)),
            np.transpose(table, (*order, len(parents))),
            tuple(map(str, cpd.state_names[name])),
        )
    return out


def test_an_imported_network_validates_and_runs(tmp_path, capsys):
    out = tmp_path / "asia.yaml"
    assert main(["import", str(ASIA), "--out", str(out), "--outcome", "dysp"]) == OK
    scenario = load_scenario(out)
    assert len(scenario.drivers) == 8 and scenario.outcomes_from == "dysp"
    assert main(["run", str(out), "--no-analysis"]) == OK
    assert "dysp" in capsys.readouterr().out


@pytest.mark.parametrize("kind", sorted(READERS))
def test_an_imported_network_exported_back_is_the_same_network(kind, tmp_path):
    scenario = tmp_path / "asia.yaml"
    assert main(["import", str(ASIA), "--out", str(scenario)]) == OK
    back = tmp_path / f"back{SUFFIX[kind]}"
    assert main(["export", str(scenario), "--out", str(back)]) == OK
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        original = _tables(
            BIFReader(string=gzip.decompress(ASIA.read_bytes()).decode()).get_model()
        )
        exported = _tables(READERS[kind](string=back.read_text()).get_model())
    ids = {name.lower(): name for name in original}
    assert len(exported) == len(original)
    for name, (parents, table, states) in exported.items():
        theirs_parents, theirs, their_states = original[ids[name.lower()]]
        assert [p.lower() for p in parents] == [p.lower() for p in theirs_parents], name
        assert [s.lower() for s in states] == [BINARY.get(s, s) for s in their_states], name
        assert np.allclose(table, theirs, atol=1e-12, rtol=0), name


BAD_FILES = {
    "unknown parent": (
        "network n {}\nvariable a { type discrete [ 2 ] { x, y }; }\n"
        "probability ( a | b ) { table 0.5 0.5; }\n",
        3,
        "no variable block declares",
    ),
    "a row that does not add up to 1": (
        "network n {}\nvariable a { type discrete [ 2 ] { x, y }; }\n"
        "probability ( a ) {\n  table 0.5 0.6;\n}\n",
        3,
        "adds up to 1.1, not 1",
    ),
    "a table missing": (
        "network n {}\nvariable a { type discrete [ 2 ] { x, y }; }\n"
        "variable b { type discrete [ 2 ] { x, y }; }\n"
        "probability ( a ) { table 0.5 0.5; }\n",
        3,
        "`b` has no probability table",
    ),
    "a cycle": (
        "network n {}\nvariable a { type discrete [ 2 ] { x, y }; }\n"
        "variable b { type discrete [ 2 ] { x, y }; }\n"
        "probability ( a | b ) { (x) 0.5 0.5; (y) 0.5 0.5; }\n"
        "probability ( b | a ) { (x) 0.5 0.5; (y) 0.5 0.5; }\n",
        None,
        "the arrows form a cycle",
    ),
    "a negative number": (
        "network n {}\nvariable a { type discrete [ 2 ] { x, y }; }\n"
        "probability ( a ) { table -0.5 1.5; }\n",
        3,
        "not a probability",
    ),
    "not BIF at all": ("<html>hello</html>\n", 1, "not a readable BIF file"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_network_file_is_bad_input_and_nothing_is_written(case, tmp_path, capsys):
    text, line, words = BAD_FILES[case]
    network = tmp_path / "bad.bif"
    network.write_text(text)
    out = tmp_path / "bad.yaml"
    assert main(["import", str(network), "--out", str(out)]) == BAD_INPUT
    error = capsys.readouterr().err
    assert not out.exists()
    assert words in error, error
    assert (f"bad.bif:{line}:" in error) if line else ("bad.bif: " in error), error
    assert "Traceback" not in error


def test_a_file_of_an_unknown_kind_names_the_kinds_it_reads(tmp_path, capsys):
    network = tmp_path / "net.dne"
    network.write_text("bnet x {}")
    assert main(["import", str(network)]) == BAD_INPUT
    assert ".bif" in capsys.readouterr().err
