"""Finding scenario files among paths: folders searched, parents and other files skipped
(engine.scenario.discover)."""

from engine.scenario.discover import discover
from tests.support import FIXTURES
from tests.support.scenario_files import write

VARIANT = FIXTURES / "variant"


# --- discovery ---------------------------------------------------------------------------------


def test_discover_searches_folders_and_skips_parents_and_other_files(tmp_path):
    for name in [
        "b.yaml",
        "a.yml",
        "_base.yaml",
        "signpost.schema.json",
        "README.md",
        "sub/c.yaml",
        "sub/_p.yml",
        ".hidden/d.yaml",
    ]:
        write(tmp_path, name, "x: 1\n")
    assert discover([tmp_path]) == [
        tmp_path / "a.yml",
        tmp_path / "b.yaml",
        tmp_path / "sub/c.yaml",
    ]


def test_discover_with_explicit_files(tmp_path):
    for name in ["a.yaml", "_p.yaml", "notes.txt"]:
        write(tmp_path, name, "x: 1\n")
    named = [tmp_path / "a.yaml", tmp_path / "_p.yaml", tmp_path / "notes.txt", tmp_path / "a.yaml"]
    assert discover(named) == [tmp_path / "a.yaml"]  # parents and non-YAML skipped, once each
    assert discover([tmp_path / "gone.yaml"]) == [tmp_path / "gone.yaml"]  # reported when read
