"""Which sources make the model's outputs, and their hashes.

`OUTPUT_SOURCES` key a run directory (`experiments.running.storage.claim`), so results made by
other code are never reused. (numba's cache has its own per-module keys, see `sim`.)
"""

import hashlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUTPUT_SOURCES = ("sim/*.py", "agents/*.py", "scenarios/schema.py", "scenarios/loader.py",
                  "experiments/running/*.py")
"""What can change a run's tables: the model and its metrics (sim/, agents/), the schema and
the loader that fills a plan's defaults, and the running layer that assembles the tables."""


def source_files(patterns: tuple[str, ...]) -> list[Path]:
    """The files matching `patterns` (globs relative to the repository root), sorted."""
    return [path for pattern in patterns for path in sorted(ROOT.glob(pattern))]


def file_hashes(paths: list[Path]) -> dict[str, str]:
    """Path relative to the root (or as given, outside it) -> first 16 hex digits of its SHA-256."""
    out = {}
    for path in paths:
        name = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
        out[name] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return out



def code_record(paths: list[Path]) -> dict[str, Any]:
    """What made a run's outputs: the hash of each file in `paths` (the `OUTPUT_SOURCES`, and a
    profile's file when one is used), the numba version and the groupsim version (`unknown`
    when groupsim runs from a source tree that is not installed)."""
    from numba import __version__ as numba_version

    try:
        groupsim_version = version("groupsim")
    except PackageNotFoundError:
        groupsim_version = "unknown"
    return {"sources": file_hashes(paths), "numba": numba_version, "groupsim": groupsim_version}


def code_changes(before: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """What differs between two `code_record`s, in words: changed files, then versions."""
    old, new = before.get("sources", {}), now["sources"]
    changed = sorted(name for name in old.keys() | new.keys() if old.get(name) != new.get(name))
    versions = [f"{key} {before.get(key, '?')} -> {now[key]}" for key in ("numba", "groupsim")
                if before.get(key) != now[key]]
    return changed + versions
