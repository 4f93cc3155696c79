"""How reportgen starts its helper processes (the readers of a large set, the chart drawer)."""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import os
import sys


def mp_context() -> multiprocessing.context.BaseContext:
    """fork where it is safe and cheap (Linux); spawn elsewhere (Windows, macOS)."""
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def forks() -> bool:
    """Whether a helper process starts as a copy of this one (cheap) rather than afresh."""
    return mp_context().get_start_method() == "fork"


def child_init() -> None:
    """Run first in every helper process (the pools' ``initializer``, the chart process): it ends
    with the build and leaves Ctrl-C to it.

    - SIGINT is ignored: Ctrl-C reaches the whole process group, and only the main process answers
      it (one Chinese line, exit 130), not a traceback from every worker; SIGTERM simply ends it;
    - on Linux the kernel kills the process when its parent dies (PR_SET_PDEATHSIG), however the
      parent ended (SIGKILL included); elsewhere a daemon thread waits on the parent's sentinel
      (a pipe or handle that closes when the parent dies) and then exits.

    Costs a system call or a thread per process, nothing per task; imports nothing heavy."""
    import signal

    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the CLI's handler, inherited by a fork
    except (ValueError, OSError):  # not the main thread of the process (cannot happen in a pool)
        pass
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    if sys.platform.startswith("linux") and _die_with_parent():
        if os.getppid() != parent.pid:  # the parent died before the line above took effect
            os._exit(1)
        return
    import threading

    def watch() -> None:
        parent.join()  # returns when the parent process has ended
        os._exit(1)

    threading.Thread(target=watch, name="reportgen-parent-watch", daemon=True).start()


def _die_with_parent() -> bool:
    """PR_SET_PDEATHSIG(SIGKILL) for this process; False where it cannot be set."""
    try:
        import ctypes  # numpy and pandas have imported it already

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(1, 9, 0, 0, 0) == 0  # PR_SET_PDEATHSIG = 1, SIGKILL = 9
    except (OSError, AttributeError):
        return False
