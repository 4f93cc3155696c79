"""Where the demo finds the sample district.

In a checkout of the repository it is ``data_samples/`` (two quarters, as sub-units send them).
An installed copy (pip, Windows) has no data_samples/, so the demo generates the same fictional
district with the synthetic generator into a cache folder the first time.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

CURRENT, PREVIOUS = "2026Q3", "2026Q2"


def _repo_samples() -> Path | None:
    here = Path(__file__).resolve().parents[1] / "data_samples"
    if (here / CURRENT).is_dir() and (here / PREVIOUS).is_dir():
        return here
    return None


def demo_dirs() -> tuple[Path, Path]:
    """(current quarter folder, previous quarter folder) of the sample district."""
    root = _repo_samples()
    if root is not None:
        return root / CURRENT, root / PREVIOUS
    from .samples import generate

    cache = Path(os.environ.get("REPORTGEN_CACHE", Path(tempfile.gettempdir()) / "reportgen-demo"))
    current = cache / CURRENT
    if not current.is_dir():
        generate(current, members=9000, workbooks=6, seed=2026, period=CURRENT, previous=True)
    return current, cache / PREVIOUS
