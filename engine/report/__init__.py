"""Reports of scenario runs: one folder per scenario and an overview of the batch.

``signpost report`` calls :func:`engine.report.batch.report_batch`. Each module has one job:

- :mod:`~engine.report.batch` — the lock of the reports folder, discovery, skip or re-run,
  workers (local, or Dask; they render, this process writes), progress, exit code;
- :mod:`~engine.report.page` — the context of one scenario's page, and rendering its files;
- :mod:`~engine.report.folder` — writing a rendered report into its folder;
- :mod:`~engine.report.figures` — matplotlib charts as inline SVG;
- :mod:`~engine.report.tables` — CSV rows and the CSV writer that defuses formulas;
- :mod:`~engine.report.overview` — ``index.html`` and ``summary.csv`` of the batch;
- :mod:`~engine.report.templating` — the Jinja2 environment (autoescaped HTML, Markdown).

Every file goes through :mod:`engine.infra.files` (atomic writes with the umask's permissions, and
:class:`~engine.infra.files.OutputError` for a file the system refuses to write).

Importing this package imports nothing heavy: PyMC, matplotlib and ArviZ are imported where used.
"""
