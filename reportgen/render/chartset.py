"""The charts of a report, and the second process that can draw them.

Drawing the charts (matplotlib: about a second to import, 0.15 s a chart) needs nothing else that
rendering makes, so ``build`` has a helper process draw them while the main one writes the report
and the workbooks; the report waits for a chart only where the template places it. This module
holds what both sides share without importing matplotlib: the chart keys and titles,
:class:`ChartInfo`, the :class:`ChartSet` the report reads from and the :class:`ChartProcess`.

A chart the helper could not draw (the process died, the context could not be sent) is drawn in
this process instead, so the report is the same either way, byte for byte.
"""

from __future__ import annotations

import itertools
import pickle
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from ..procs import mp_context

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
    """The charts of one report by key: drawn (a ChartInfo), not drawn for lack of data (None),
    or still being drawn by the helper process (resolved on first use)."""

    def __init__(self, items: dict[str, ChartInfo | None | Future],
                 paths: dict[str, Path] | None = None,
                 redraw: Callable[[str], ChartInfo | None] | None = None):
        self._items = dict(items)
        self._paths = paths or {}
        self._redraw = redraw

    @classmethod
    def drawn(cls, infos: Iterable[ChartInfo]) -> "ChartSet":
        return cls({c.key: c for c in infos})

    def get(self, key: str) -> ChartInfo | None:
        item = self._items.get(key)
        if isinstance(item, Future):
            try:
                ok = item.result()
            except Exception:  # noqa: BLE001 - the helper failed: draw it here (a real bug re-raises)
                item = self._redraw(key) if self._redraw else None
            else:
                item = ChartInfo(key, CHART_TITLES[key], self._paths[key]) if ok else None
            self._items[key] = item
        return item

    def made(self) -> list[ChartInfo]:
        """Every drawn chart, in CHART_TITLES order (waits for those still being drawn)."""
        return [info for key in CHART_TITLES if key in self._items
                for info in [self.get(key)] if info is not None]


def _warm() -> None:
    """Run first in the helper: import matplotlib and register the font before any chart is due."""
    from . import charts, fonts

    fonts.chart_font_family()
    charts.png_bytes(charts._figure()[0])


_CONTEXTS: dict[int, dict] = {}  # in the helper: the latest report context, by token


def _draw(token: int, blob: bytes, key: str, path: str) -> bool:
    """In the helper: draw one chart of the context ``blob`` into ``path``; False without data."""
    from . import charts

    if token not in _CONTEXTS:
        _CONTEXTS.clear()
        _CONTEXTS[token] = pickle.loads(blob)
    fig = charts.CHARTS[key][1](_CONTEXTS[token])
    if fig is None:
        return False
    charts.save_figure(fig, path)
    return True


def draw_here(ctx: dict, out_dir: Path, keys: Iterable[str]) -> ChartSet:
    """Draw the charts in this process (what the helper would have done)."""
    from .charts import make_charts

    return ChartSet.drawn(make_charts(ctx, out_dir, keys=list(keys)))


class ChartProcess:
    """One helper process that draws charts while this one renders. Started (forked where the
    platform allows) when created, so that it has imported matplotlib by the time charts are due;
    use as a context manager or call :meth:`close`."""

    def __init__(self) -> None:
        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=mp_context())
        self._pool.submit(_warm)
        self._tokens = itertools.count(1)

    def draw(self, ctx: dict, out_dir: Path, keys: Iterable[str]) -> ChartSet:
        keys = list(keys)
        try:
            blob = pickle.dumps(ctx, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - something in the context cannot be sent: draw here
            return draw_here(ctx, out_dir, keys)
        token = next(self._tokens)
        paths = {k: Path(out_dir) / f"{k}.png" for k in keys}
        items: dict[str, ChartInfo | None | Future] = {}
        for k in keys:
            try:
                items[k] = self._pool.submit(_draw, token, blob, k, str(paths[k]))
            except RuntimeError:  # the pool broke or was shut down: draw it here
                items[k] = _draw_local(ctx, out_dir, k)
        return ChartSet(items, paths, lambda key: _draw_local(ctx, out_dir, key))

    def close(self) -> None:
        # waiting is short (charts not yet started are cancelled) and required: a pool left
        # running into interpreter exit fails there with "Bad file descriptor"
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> "ChartProcess":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _draw_local(ctx: dict, out_dir: Path, key: str) -> ChartInfo | None:
    made = draw_here(ctx, out_dir, [key]).made()
    return made[0] if made else None
