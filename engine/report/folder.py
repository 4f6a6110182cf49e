"""Writing one scenario's rendered report into its folder, each file atomically.

Apart from :mod:`engine.report.page` (which renders, and imports matplotlib and Jinja2) so that
the process that only writes — ``signpost report``'s, while its workers render — stays light.
"""

from __future__ import annotations

from pathlib import Path

from engine.infra.files import remove_stale_temporaries, write_bytes

PAGE = ("index.html", "report.md")


def write_files(folder: str | Path, files: dict[str, bytes]) -> list[str]:
    """Write :func:`engine.report.page.render_report`'s files into ``folder``, in their order.

    Parameters
    ----------
    folder : str or Path
        ``reports/<id>``; created if missing.
    files : dict of str to bytes
        File name to content.

    Returns
    -------
    list of str
        The names written, the page first (``index.html``, ``report.md``, then the others). A
        ``posterior.nc`` left by an earlier sampled run is removed when this run is exact.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(folder)
    for name, data in files.items():
        write_bytes(folder / name, data)
    if "posterior.nc" not in files:
        (folder / "posterior.nc").unlink(missing_ok=True)
    return [*PAGE, *(name for name in files if name not in PAGE)]
