"""Disk I/O shared by every subsystem (placeholder: see the packaging change)."""

from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["sha256"]


def sha256(path: str | Path) -> str:
    """The SHA-256 of a file, in hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
