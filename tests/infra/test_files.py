"""Atomic writes (engine.infra.files): an interrupted write leaves no partial file."""

from __future__ import annotations

import pytest

from engine.infra.files import (
    atomic_open,
    atomic_path,
    remove_stale_temporaries,
    write_bytes,
    write_text,
)


class Interrupted(Exception):
    pass


def test_write_text_replaces_the_whole_file(tmp_path):
    target = tmp_path / "sub" / "a.txt"
    write_text(target, "first")
    write_text(target, "second")
    assert target.read_text() == "second"
    assert [p.name for p in target.parent.iterdir()] == ["a.txt"]


def test_an_exception_mid_write_keeps_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "a.csv"
    write_text(target, "old,complete\n")
    with pytest.raises(Interrupted), atomic_open(target) as stream:
        stream.write("new,half")
        raise Interrupted
    assert target.read_text() == "old,complete\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.csv"]


def test_an_exception_mid_write_of_a_new_file_leaves_nothing(tmp_path):
    target = tmp_path / "posterior.nc"
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as temporary:
        temporary.write_bytes(b"\x89HDF half")
        raise KeyboardInterrupt  # a user's Ctrl-C is handled like any other exception
    assert list(tmp_path.iterdir()) == []


def test_the_temporary_is_beside_the_target_and_hidden(tmp_path):
    target = tmp_path / "b.bin"
    with atomic_path(target) as temporary:
        assert temporary.parent == tmp_path
        assert temporary.name.startswith(".b.bin.")
        temporary.write_bytes(b"data")
        assert not target.exists()  # nothing visible before the move
    assert target.read_bytes() == b"data"
    write_bytes(target, b"more")
    assert target.read_bytes() == b"more"


def test_stale_temporaries_of_a_killed_run_are_removed(tmp_path):
    (tmp_path / ".index.html.abc123.tmp").write_text("half")
    (tmp_path / "index.html").write_text("whole")
    remove_stale_temporaries(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["index.html"]


def test_text_mode_only_for_writing():
    with pytest.raises(ValueError, match="mode"), atomic_open("x", "a"):
        pass
