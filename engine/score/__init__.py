"""Scores of resolved scenarios (SPEC §10): how well the main result foresaw what happened.

- :mod:`engine.score.scores`: pure functions on a result and its resolution (Brier, log score,
  P(happened) along the timeline) and on many of them (means, a calibration table).
- :mod:`engine.score.batch`: ``signpost score PATH...`` as plain data: discover, validate and
  run every file, one record per file, the SPEC §10 JSON object and the exit code.
- :mod:`engine.score.text`: the printed form of those records.

``resolved`` never changes the numbers and is not an expectation: ``signpost check`` ignores it.
"""
