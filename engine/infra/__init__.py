"""Shared machinery with no knowledge of scenarios: atomic files, the folder lock, worker
processes, the progress line."""
