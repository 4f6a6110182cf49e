"""Which engine this is: its version and a hash of its own code.

The one definition of "the same engine": a report's cache key holds it (a changed engine redoes
every report even before its version moves), and a batch on Dask holds every worker to it.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from engine import __version__

SUFFIXES = {".py", ".html", ".md", ".js"}  # the code, the templates and the page script


@functools.cache
def engine_fingerprint() -> str:
    """``<version>+<hash>``: the version and a hash of ``engine/`` and ``models/`` (their code,
    templates included)."""
    import engine
    import models

    digest = hashlib.sha256(__version__.encode())
    for package in (Path(engine.__file__).parent, Path(models.__file__).parent):
        for path in sorted(package.rglob("*")):
            if path.suffix in SUFFIXES and "__pycache__" not in path.parts:
                digest.update(path.relative_to(package.parent).as_posix().encode())
                digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:16]}"
