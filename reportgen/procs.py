"""How reportgen starts its helper processes (the readers of a large set, the chart drawer)."""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import sys


def mp_context() -> multiprocessing.context.BaseContext:
    """fork where it is safe and cheap (Linux); spawn elsewhere (Windows, macOS)."""
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def forks() -> bool:
    """Whether a helper process starts as a copy of this one (cheap) rather than afresh."""
    return mp_context().get_start_method() == "fork"
