"""Where each key and value of a scenario file was written: :class:`Location` and
:class:`SourceMap`, so that every problem points at its line and column (SPEC §7), in whichever
file of an ``extends`` chain it came from."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Location:
    """Where a key or value was written.

    Attributes
    ----------
    file : str
        The file, as the user named it (parents: relative to the child's path).
    line, column : int
        1-based; 0 when unknown (the whole file).
    style : str or None
        For scalars, YAML's style: ``None`` plain, ``'`` or ``"`` quoted, ``|`` or ``>`` block.
        For collections, ``"flow"`` or ``"block"``.
    """

    file: str
    line: int
    column: int
    style: str | None = None


class SourceMap:
    """The :class:`Location` of every value and every key of a document, by key path.

    Parameters
    ----------
    file : str
        The file a path with no known location falls back to.
    """

    def __init__(self, file: str) -> None:
        self.file = file
        self.values: dict[KeyPath, Location] = {}
        self.keys: dict[KeyPath, Location] = {}

    def locate(self, path: Iterable[str | int], *, key: bool = False) -> Location:
        """The best place to point at for ``path``.

        Parameters
        ----------
        path : iterable of str or int
            A key path; it may name a key that is missing (then its parent is used).
        key : bool
            Prefer the key's own place (``drivers.a`` → the ``a:`` line) to its value's.

        Returns
        -------
        Location
            The key if asked for or if the value is a block collection (which starts on the
            next line), else the value; for an unknown path, the nearest known parent's key.
        """
        path = tuple(path)
        while True:
            value, where_key = self.values.get(path), self.keys.get(path)
            if where_key is not None and (key or value is None or value.style == "block"):
                return where_key
            if value is not None:
                return value
            if not path:
                return Location(self.file, 0, 0)
            path, key = path[:-1], True

    def drop(self, prefix: KeyPath) -> None:
        """Forget ``prefix`` and everything under it."""
        for table in (self.values, self.keys):
            for path in [p for p in table if p[: len(prefix)] == prefix]:
                del table[path]

    def take(self, other: SourceMap, prefix: KeyPath) -> None:
        """Copy from ``other`` the locations of ``prefix`` and everything under it."""
        for mine, theirs in ((self.values, other.values), (self.keys, other.keys)):
            mine.update({p: loc for p, loc in theirs.items() if p[: len(prefix)] == prefix})
