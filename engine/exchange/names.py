"""Ids from the names in a network file (SPEC §12).

A name becomes an id by lower-casing it, turning every run of characters outside ``a-z0-9`` into
``_``, dropping ``_`` at either end, and putting ``n_`` in front of one that does not then start
with a letter (an empty one becomes ``n_``). A driver id that YAML 1.1 reads as a boolean or null
gets ``n_`` in front, a state id ``s_``. An id that would repeat — driver ids across the network,
state ids within their driver — is kept plain by the first in file order; each later one gets the
first free suffix ``_2``, ``_3``, … after any prefix, free meaning that no other id of the
network (or of the driver) is or becomes it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

READ_AS_BOOLEAN = {"y", "n", "yes", "no", "true", "false", "on", "off", "null"}
_OUTSIDE = re.compile(r"[^a-z0-9]+")


def plain_id(name: str, boolean_prefix: str) -> str:
    """The id of one name, before repeats are told apart."""
    text = _OUTSIDE.sub("_", name.lower()).strip("_")
    if not text or not text[0].isalpha():
        text = "n_" + text
    if text in READ_AS_BOOLEAN:
        text = boolean_prefix + text
    return text


def unique_ids(names: Sequence[str], boolean_prefix: str) -> list[str]:
    """The ids of ``names``, in order, every one different (see the module docstring)."""
    plain = [plain_id(name, boolean_prefix) for name in names]
    taken = set(plain)  # a later plain id keeps its own: a suffix never takes it
    seen: set[str] = set()
    out = []
    for candidate in plain:
        if candidate in seen:
            k = 2
            while f"{candidate}_{k}" in taken:
                k += 1
            candidate = f"{candidate}_{k}"
            taken.add(candidate)
        seen.add(candidate)
        out.append(candidate)
    return out


def driver_ids(names: Sequence[str]) -> list[str]:
    return unique_ids(names, "n_")


def state_ids(names: Sequence[str]) -> list[str]:
    return unique_ids(names, "s_")


def scenario_id(name: str) -> str:
    """A scenario id (``^[a-z0-9][a-z0-9-]*$``) from a file's name: ``ALARM 2`` → ``alarm-2``."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return text or "network"
