"""``python -m kpi_toolkit.reference [--check] [ROOT]``: write (or check) docs/reference and
the shipped schemas from the models (``make reference``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..files import write_atomic
from .pages import reference_files

ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kpi_toolkit.reference")
    parser.add_argument("root", nargs="?", default=str(ROOT), help="the checkout's root")
    parser.add_argument("--check", action="store_true", help="only say which files differ")
    args = parser.parse_args(argv)
    root = Path(args.root)
    files = reference_files()
    stale = [p for p, text in files.items() if _read(root / p) != text]
    if args.check:
        for path in stale:
            print(f"out of date: {path} (run `make reference`)", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        write_atomic(root / path, files[path].encode("utf-8"))
        print(f"written: {path}", file=sys.stderr)
    return 0


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


if __name__ == "__main__":
    sys.exit(main())
