"""When a report is up to date: its *key*, and the manifest that records it.

A report depends on the merged scenario (``extends`` applied), the engine
(:func:`engine.infra.fingerprint.engine_fingerprint`) and the run options; :func:`input_key`
hashes the three. A report folder is up to date when its manifest holds the same key and every
file it lists is there.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from engine.infra.fingerprint import engine_fingerprint
from engine.scenario.writer import yaml_text

MANIFEST = "manifest.json"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def merged_text(data: dict[str, Any]) -> str:
    """The merged scenario as YAML, keys in the order written."""
    return yaml_text(data)


def input_key(merged_sha256: str, options: Any) -> str:
    """What a report depends on: the merged scenario, the engine and its code, the options
    (a dataclass)."""
    inputs = {
        "scenario": merged_sha256,
        "engine": engine_fingerprint(),
        "options": asdict(options),
    }
    return sha256_bytes(json.dumps(inputs, sort_keys=True).encode())


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of a report folder, or None if missing or unreadable."""
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def up_to_date(folder: Path, key: str) -> dict[str, Any] | None:
    """The manifest if the report in ``folder`` was made from the same inputs and is whole."""
    manifest = read_manifest(folder)
    if not manifest or manifest.get("key") != key:
        return None
    if not all((folder / name).is_file() for name in manifest.get("files", [])):
        return None
    return manifest
