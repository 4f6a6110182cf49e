"""``signpost serve``: a live page for each scenario that follows the analyst's saves.

- :mod:`engine.serve.workspace`: the files, what is re-run on a save, each page's versions;
- :mod:`engine.serve.recompute`: one scenario's new version (run, what changed, its page);
- :mod:`engine.serve.state`: what the warm process keeps of each file;
- :mod:`engine.serve.watcher`: the files watched (watchfiles);
- :mod:`engine.serve.events`: server-sent events to the open pages;
- :mod:`engine.serve.pages`: the report's pages with the live hook, and the sweep page;
- :mod:`engine.serve.sweeps`: sweeps computed on demand for the page;
- :mod:`engine.serve.server`: the local web server, safe by default;
- the command itself, its threads and its exit codes, is :mod:`engine.cli.serve`;
- ``static/live.js``: the page's one script; ``templates/``: the live parts of the pages.
"""
