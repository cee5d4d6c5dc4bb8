"""File names for plan names: a plan name is a label (any text), never a path."""

import hashlib
import re

_UNSAFE = re.compile(r"[^\w.\-]|^[.\-]")
MAX_STEM = 80
"""Characters kept from the name; file systems allow 255 bytes and a CJK character takes 3."""


def file_stem(name: str) -> str:
    """A file name stem for the plan name `name`, safe on every file system.

    Letters (any script), digits, `_`, `-` and `.` (not leading) are kept and everything else
    (slashes, spaces, quotes, emoji, ...) becomes `_`. A name that is not kept exactly, or is longer
    than `MAX_STEM` characters, gets `-` and 8 hex digits of its SHA-256 appended, so distinct names
    give distinct stems: `A/B` -> `A_B-<hash>`, `A_B` -> `A_B`. Same name, same stem.
    """
    stem = _UNSAFE.sub("_", name)[:MAX_STEM] or "plan"
    if stem == name:
        return stem
    return f"{stem}-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:8]}"
