"""The charts of a report, and the second process that can draw them.

Drawing the charts (matplotlib: about a second to import, 0.15 s a chart) needs nothing else that
rendering makes, so ``build`` has a helper process draw them while the main one writes the report.
The report does not wait for them: what it needs to place a figure (whether the chart has data,
how tall it is) comes from the chart's Plan (chartdata.py, pandas only), the figure goes in with a
small placeholder image, and the real PNG replaces the placeholder's bytes when the .docx is
zipped. This module holds what both sides share without importing matplotlib: the chart keys and
titles, :class:`ChartInfo`, the :class:`ChartSet` the report reads from and the
:class:`ChartProcess`.

A chart the helper could not draw (the process died, the plan could not be sent) is drawn in
this process instead, and the in-process route places figures the same way, so the files are
the same either way, byte for byte.
"""

from __future__ import annotations

import struct
import zlib
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from ..procs import child_init, mp_context
from .chartdata import Plan, plan

# key -> caption title; the order is the order of the files and of make_charts().
CHART_TITLES: dict[str, str] = {
    "age_bands": "党员年龄结构",
    "education": "党员学历结构",
    "committee": "换届前后班子结构对比",
    "coverage_by_size": "不同规模“两新”组织党组织覆盖率",
    "overdue_by_area": "各片区到期未换届党组织数",
}


@dataclass
class ChartInfo:
    """A chart written to disk: its key, Chinese title (the caption) and PNG path."""

    key: str
    title: str
    path: Path
    number: int | None = None


class ChartSet:
    """The charts of one report by key. Which exist and how tall they are is known at once (from
    their plans); the PNG files may still be being drawn by the helper process, and
    :meth:`png` and :meth:`made` wait for them (drawing here a chart the helper failed)."""

    def __init__(self, plans: dict[str, Plan | None], out_dir: Path,
                 drawing: dict[str, Future] | None = None):
        self._plans = {k: p for k, p in plans.items() if p is not None}
        self._infos = {k: ChartInfo(k, CHART_TITLES[k], chart_path(out_dir, k)) for k in self._plans}
        self._drawing = dict(drawing or {})

    def get(self, key: str) -> ChartInfo | None:
        return self._infos.get(key)

    def height(self, key: str) -> float:
        """The chart's height in inches (its width is chartdata.WIDTH_IN)."""
        return self._plans[key].height

    def png(self, key: str) -> bytes:
        """The chart's PNG bytes, once drawn."""
        future = self._drawing.pop(key, None)
        if future is not None:
            try:
                future.result()
            except Exception:  # noqa: BLE001 - the helper failed: draw it here (a real bug re-raises)
                draw_plan(self._plans[key], self._infos[key].path)
        return self._infos[key].path.read_bytes()

    def made(self) -> list[ChartInfo]:
        """Every chart with data, in CHART_TITLES order, all drawn by the time this returns."""
        for key in list(self._drawing):
            self.png(key)
        return [self._infos[k] for k in CHART_TITLES if k in self._infos]


def chart_path(out_dir: str | Path, key: str) -> Path:
    return Path(out_dir) / f"{key}.png"


def placeholder(key: str) -> bytes:
    """A 1×1 PNG standing in for chart ``key`` in the report until the chart is drawn (distinct per
    key, so that python-docx does not merge two charts' image parts)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"tEXt", b"reportgen\x00chart " + key.encode("ascii"))
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))


def plans(source: Any, keys: Iterable[str]) -> dict[str, Plan | None]:
    return {k: plan(source, k) for k in keys}


def draw_plan(p: Plan, path: str | Path) -> None:
    """Draw one chart and save it as a PNG (in whichever process calls it)."""
    from . import charts

    charts.save_figure(charts.draw(p), path)


def _started() -> None:
    """Nothing: submitted first, so that the helper process starts at once."""


def _warm() -> None:
    """Run first in the helper: import matplotlib and register the font before any chart is due."""
    from . import charts, fonts

    fonts.chart_font_family()
    charts.png_bytes(charts._figure()[0])


def draw_here(source: Any, out_dir: Path, keys: Iterable[str]) -> ChartSet:
    """Draw the charts in this process (what the helper would have done)."""
    ps = plans(source, keys)
    charts = ChartSet(ps, out_dir)
    for key in ps:
        info = charts.get(key)
        if info is not None:
            draw_plan(ps[key], info.path)
    return charts


class ChartProcess:
    """One helper process that draws charts while this one renders. Its process starts (forked
    where the platform allows) when created; :meth:`warm` (at once unless ``warm=False``) has it
    import matplotlib before charts are due. Use as a context manager or call :meth:`close`."""

    def __init__(self, warm: bool = True) -> None:
        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=mp_context(),
                                         initializer=child_init)
        self._pool.submit(_started)  # the process starts (forks) now
        if warm:
            self.warm()

    def warm(self) -> None:
        """Have the helper import matplotlib and load the font now, before charts are due (a
        broken helper is left be: :meth:`draw` then draws here)."""
        try:
            self._pool.submit(_warm)
        except RuntimeError:
            return

    def draw(self, source: Any, out_dir: Path, keys: Iterable[str]) -> ChartSet:
        """Start drawing the charts ``keys`` (in that order) into ``out_dir``; return at once."""
        ps = plans(source, keys)
        drawing: dict[str, Future] = {}
        for key, p in ps.items():
            if p is None:
                continue
            try:
                drawing[key] = self._pool.submit(draw_plan, p, chart_path(out_dir, key))
            except RuntimeError:  # the pool broke or was shut down: draw it here
                draw_plan(p, chart_path(out_dir, key))
        return ChartSet(ps, out_dir, drawing)

    def close(self) -> None:
        # waiting is short (charts not yet started are cancelled) and required: a pool left
        # running into interpreter exit fails there with "Bad file descriptor"
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> "ChartProcess":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
