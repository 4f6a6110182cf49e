"""One scenario's new version, computed in the warm process: run, what changed, its page.

The runner (:func:`engine.run.run`) answers every setting of the scenario; what the process
already has is reused where it pays: PyMC and the compiled NUTS models stay loaded (cached by
graph in ``models/sampler.py``), and the prior draws are seeded per number
(:mod:`engine.inference.draws`), so every number the edit did not touch is drawn exactly as
before. The change since the previous good version is ``signpost diff``'s attribution
(:func:`engine.diff.compare.compare`) run with the scenario's own inference settings: its old and
new values are then the two pages' main results to the last digit.
"""

from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from engine.report.cache import merged_text, sha256_bytes
from engine.report.overview import summary_of
from engine.scenario.merge import MergedDocument
from engine.scenario.schema import Scenario
from engine.serve.state import Good


def compute(
    file: Path,
    scenario: Scenario,
    document: MergedDocument,
    previous: Good | None,
    *,
    analysis: bool = True,
) -> Good:
    """Run a valid version and build everything its page shows.

    Parameters
    ----------
    file : Path
        The scenario file, as discovered.
    scenario, document : the validated scenario and its merged document.
    previous : Good or None
        The last good version, to say what changed since.
    analysis : bool
        Run the analysis (influence, signposts, uncertainty) too.

    Returns
    -------
    Good
        Raises whatever the runner raises (the caller turns it into the page's one-line error).
    """
    from engine.run import run

    result = run(scenario, scope="all" if analysis else "results")
    # the attribution (NumPy sums, which release the GIL) overlaps the figures (matplotlib,
    # Python): on two cores the page is ready sooner; nothing else runs the engine meanwhile
    with ThreadPoolExecutor(max_workers=1) as pool:
        attributed = (
            pool.submit(changes, previous, document.data, scenario, result) if previous else None
        )
        context = _context(file, scenario, document, result, analysis)
        diff, diff_error = attributed.result() if attributed is not None else (None, "")
    summary = summary_of(file, scenario, result)
    return Good(scenario, document, result, context, summary, diff, diff_error, previous is None)


def _context(file: Path, scenario: Scenario, document: MergedDocument, result, analysis: bool):
    """The report page's context of a result, its figures drawn (as ``signpost report``'s)."""
    from engine.report.page import Provenance, figures_of, page_context

    text = merged_text(document.data)
    chain = [(str(p), sha256_bytes(Path(p).read_bytes())) for p in document.chain]
    provenance = Provenance(
        file=str(file),
        file_sha256=chain[0][1],
        chain=chain,
        merged_sha256=sha256_bytes(text.encode()),
        options={"analysis": None if analysis else "off", "served": "live"},
        generated=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )
    context = page_context(scenario, result, provenance, files=[])
    context["charts"] = figures_of(scenario, result)
    return context


def changes(previous: Good, new: dict[str, Any], scenario: Scenario, result):
    """(the attribution of the change from the ``previous`` version to ``new``, or None when no
    number changed; why it could not be attributed, or "").

    Run with the new version's own settings, so the two versions' main results are those of
    their pages, and handed to the attribution instead of being computed again: one edit costs
    no evaluation at all, k edits 2^k - 2.
    """
    from engine.diff.compare import compare
    from engine.diff.edits import find_edits

    if not find_edits(previous.data, new):
        return None, ""
    own = scenario.inference
    settings = {"draws": own.draws, "tune": own.tune, "chains": own.chains}
    known = {"old": previous.result, "new": result}
    try:
        return compare(previous.data, new, **settings, known=known), ""
    except Exception as exc:  # noqa: BLE001 - the new numbers stand without their attribution
        return None, f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"


def clock() -> str:
    """The local time now, HH:MM:SS, as the page shows it."""
    return time.strftime("%H:%M:%S")
