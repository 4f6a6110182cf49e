"""engine/exchange/bif.py reads BIF as pgmpy's BIFReader does.

pgmpy's reader is the oracle: every network pgmpy ships that the suite can afford (the bnlearn
files of ``test_bnlearn.py`` and four larger ones), and small texts written in each form the
format allows (comments, quotes, names with spaces, the old header, ``table`` with parents), are
read by both and held equal number for number — node order, states, parents, every table. The
one form pgmpy reads differently, ``default``, is held to its meaning by hand. Bad files are
refused with the line of the problem.
"""

from __future__ import annotations

import gzip
import warnings
from pathlib import Path

import numpy as np
import pytest

from engine.exchange.bif import BIFError, parse_bif

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import pgmpy
    from pgmpy.readwrite import BIFReader

EXAMPLES = Path(pgmpy.__file__).parent / "utils" / "example_models"
BUNDLED = ("asia", "cancer", "earthquake", "sachs", "survey", "alarm", "child", "insurance",
           "hailfinder", "win95pts", "water", "hepar2")  # fmt: skip


def pgmpy_reading(text: str) -> dict:
    """{node: (states, parents, table (*parents, states))} as pgmpy reads the text."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = BIFReader(string=text)
        model = reader.get_model()
    out = {}
    for name in reader.variable_names:
        cpd = model.get_cpds(name)
        table = np.moveaxis(np.asarray(cpd.values, dtype=float), 0, -1)
        out[name] = (tuple(cpd.state_names[name]), tuple(cpd.variables[1:]), table)
    return out


def assert_same_reading(text: str) -> None:
    mine = parse_bif(text)
    theirs = pgmpy_reading(text)
    assert [t.name for t in mine] == list(theirs)
    for t in mine:
        states, parents, table = theirs[t.name]
        assert t.states == states, t.name
        assert t.parents == parents, t.name
        assert t.table.shape == table.shape and np.array_equal(t.table, table), t.name


@pytest.mark.parametrize("name", BUNDLED)
def test_every_bundled_network_reads_as_pgmpy_reads_it(name):
    assert_same_reading(gzip.decompress((EXAMPLES / f"{name}.bif.gz").read_bytes()).decode())


FORMS = {
    "comments and quotes": """
        // a comment
        network "Dog Problem" { property "made by hand"; }
        /* a block
           comment */
        variable "light-on" { type discrete [ 2 ] { "true", "false" }; property position = (1, 2); }
        variable bowel_problem { type discrete [ 2 ] { true, false }; }
        probability ( "light-on" | bowel_problem ) {
          (true) 0.6, 0.4;  // a row
          (false) 0.05, 0.95;
        }
        probability ( bowel_problem ) { table 0.01, 0.99; }
    """,
    "names and states with spaces": """
        network unknown {}
        variable Weather { type discrete [ 3 ] { very dry, normal, very wet }; }
        variable Crop Yield { type discrete [ 2 ] { good, poor }; }
        probability ( Weather ) { table 0.2 0.5 0.3 ; }
        probability ( Crop Yield | Weather ) {
          ( very dry ) 0.3, 0.7;
          ( normal ) 0.8, 0.2;
          ( very wet ) 0.4, 0.6;
        }
    """,
    "the old header, without a bar": """
        network unknown {}
        variable a { type discrete [ 2 ] { x, y }; }
        variable b { type discrete [ 2 ] { u, v }; }
        probability ( a ) { table 0.3 0.7; }
        probability ( b a ) { (x) 0.1 0.9; (y) 0.6 0.4; }
    """,
    "table with parents, rows in any order, names in another case": """
        network unknown {}
        variable A { type discrete [ 2 ] { a0, a1 }; }
        variable B { type discrete [ 3 ] { b0, b1, b2 }; }
        variable C { type discrete [ 2 ] { c0, c1 }; }
        probability ( A ) { table 0.25, 0.75; }
        probability ( b ) { table 0.2, 0.3, 0.5; }
        probability ( C | a, B ) { table 0.1 0.2 0.3 0.4 0.5 0.6 0.9 0.8 0.7 0.6 0.5 0.4; }
    """,
    "rows out of order, numbers in every notation": """
        network unknown {}
        variable p { type discrete [ 2 ] { s, t }; }
        variable q { type discrete [ 2 ] { s, t }; }
        variable r { type discrete [ 3 ] { lo, mid, hi }; }
        probability ( p ) { table 5e-1, .5; }
        probability ( q ) { table 1, 0; }
        probability ( r | q, p ) {
          (t, t) 0.2, 0.3, 0.5;
          (s, t) 1E-1, 8.0e-1, 0.1;
          (t, s) 0.3333, 0.3333, 0.3334;
          (s, s) 1.0, 0.0, 0.0;
        }
    """,
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_each_form_of_the_format_reads_as_pgmpy_reads_it(form):
    assert_same_reading(FORMS[form])


def test_default_fills_the_rows_not_written():
    text = """
        network unknown {}
        variable p { type discrete [ 3 ] { a, b, c }; }
        variable q { type discrete [ 2 ] { y, n }; }
        probability ( p ) { table 0.2, 0.3, 0.5; }
        probability ( q | p ) { (b) 0.9, 0.1; default 0.4, 0.6; }
    """
    q = next(t for t in parse_bif(text) if t.name == "q")
    assert q.parents == ("p",)
    assert np.array_equal(q.table, [[0.4, 0.6], [0.9, 0.1], [0.4, 0.6]])


BAD = {
    "states miscounted": ("variable a { type discrete [ 3 ] { x, y }; }", 1, "says [3] states"),
    "unknown parent": (
        "variable a { type discrete [ 2 ] { x, y }; }\nprobability ( a | b ) { table 0.5 0.5; }",
        2,
        "`b`, which no variable block declares",
    ),
    "not a number": (
        "variable a { type discrete [ 2 ] { x, y }; }\n\nprobability ( a ) {\n table 0.5 half; }",
        4,
        "`half` is not a number",
    ),
    "too few numbers": (
        "variable a { type discrete [ 2 ] { x, y }; }\nprobability ( a ) { table 0.5; }",
        2,
        "has 1 numbers",
    ),
    "a row names a state its parent lacks": (
        "variable a { type discrete [ 2 ] { x, y }; }\n"
        "variable b { type discrete [ 2 ] { u, v }; }\n"
        "probability ( a ) { table 0.5 0.5; }\n"
        "probability ( b | a ) {\n (x) 0.5 0.5;\n (z) 0.5 0.5; }",
        6,
        "`z`, not a state of `a`",
    ),
    "declared twice": (
        "variable a { type discrete [ 1 ] { x }; }\nvariable a { type discrete [ 1 ] { x }; }",
        2,
        "declared twice",
    ),
    "a block never closed": ("variable a { type discrete [ 2 ] { x, y };\n", 1, "the file ends"),
    "a stray word": ("network n {}\nnodes a b c;", 2, "found `nodes`"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_file_is_refused_with_its_line(case):
    text, line, words = BAD[case]
    with pytest.raises(BIFError) as caught:
        parse_bif(text)
    assert caught.value.line == line and words in caught.value.problem, caught.value
