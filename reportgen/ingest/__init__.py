"""Reading a submission set (SPEC §1) into a checked :class:`~reportgen.dataset.Dataset`.

    from reportgen.ingest import load
    ds = load("data/2026Q3", period="2026Q3")

Every row of every file ends up either in the clean tables or in ``ds.issues`` with a Chinese
reason; ``ds.reconciliation`` shows, per file and sheet, rows read = rows used + rows left out.
Blank rows (every kept cell empty, including trailing ones) are not rows: not read, not counted.
Unknown columns are kept in the clean tables as ``extra:<header as written>`` and warned once.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from contextlib import contextmanager
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import schema
from ..config import DEFAULT, Config
from ..dataset import Dataset, complete, conform
from ..periods import Period, PeriodError, find_period, parse_period
from ..procs import child_init, mp_context
from ..validate import catalog, issues as iss, rules
from . import normalize as nz
from . import discover as _discover  # keep ``reportgen.ingest.discover`` the module
from .read import FileResult, issue, read_file

__all__ = ["load", "IngestError", "READ_STAGE", "CHECK_STAGE"]

READ_STAGE = "读取文件"
CHECK_STAGE = "校验数据"
MAX_WORKERS = 4
# Sets at least this large (bytes of files) are read by processes: below it, starting them
# (a fresh interpreter per core on Windows) costs more than it saves.
PROCESS_MIN_BYTES = 16 * 1024 * 1024


class IngestError(Exception):
    """Nothing usable, or unusable arguments; the message is Chinese and says what to do."""


def load(path: str | Path, period: str | Period | None = None, config: Config = DEFAULT,
         progress: Callable[[str, int, int], None] | None = None,
         while_reading: Callable[[], None] | None = None,
         exclude: Iterable[str | Path] = ()) -> Dataset:
    """Read a folder (recursively) or a single file, normalise and check it.

    The period is ``period`` if given, else the 统计期 on the covers, else one named in the folder
    name; the as-of date is the covers' 截止日期 when they agree on one inside the period, else the
    period's last day. ``progress(stage, done, total)`` is called as files are read;
    ``while_reading()`` once, in this thread, while the readers work (``build`` imports the
    report writers then); its failure is ignored. Folders in ``exclude`` (the output folder) are
    left out with a note when they lie inside ``path``; files identical to another, reportgen's
    own outputs, undecodable names and unreadable folders are listed, not read (``discover``)."""
    path = Path(path)
    if not path.exists():
        raise IngestError(f"找不到“{path}”，请检查文件夹或文件的路径是否正确")
    found = _discover.survey(path, exclude)
    root, files = found.root, found.files
    if not files and not found.skipped:
        raise IngestError(f"“{path}”中没有找到任何报送文件；请把各单位报送的 .xlsx、.xls 或 .csv 文件放入该文件夹")
    t0 = time.perf_counter()
    with _process_pool(files) as pool:  # kept open for the checks, which use a worker too
        results = _read_all(files, config, progress, _once(while_reading), pool)
        results = _with_skipped(results, found.skipped)
        t1 = time.perf_counter()

        chosen, period_issues = _period(period, results, root, path)
        as_of_period = _as_of(chosen, period, results)
        if progress:
            progress(CHECK_STAGE, 0, 1)
        ds = _assemble(results, as_of_period, config, period_issues, pool)
    ds.meta.update({"source": str(path), "units": _units(results), "as_of": as_of_period.as_of,
                    # stage times for the benchmark (bench/run.py), in seconds
                    "timings": {"read": t1 - t0, "normalise and validate": time.perf_counter() - t1}})
    if progress:
        progress(CHECK_STAGE, 1, 1)
    return ds


def _with_skipped(results: list[FileResult], skipped: list[_discover.Skipped]) -> list[FileResult]:
    """The files read and the files and folders not read (one issue line each), by path."""
    if not skipped:
        return results
    extra = [FileResult(s.rel, None, s.status, issues=[issue(s.rel, "", s.rule, s.detail)]) for s in skipped]
    return sorted(results + extra, key=lambda r: r.file)


def _once(fn: Callable[[], None] | None) -> Callable[[], None]:
    done = []

    def call() -> None:
        if fn is not None and not done:
            done.append(True)
            try:
                fn()
            except Exception:  # noqa: BLE001 - a head start only; the real use raises if it must
                pass
    return call


def _workers(files: list[tuple[Path, str]]) -> int:
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1, len(files)))


@contextmanager
def _process_pool(files: list[tuple[Path, str]]) -> Iterator[ProcessPoolExecutor | None]:
    """Worker processes (one per core) for a large set, open until the block ends; None for a
    small set, or where a pool cannot be made."""
    pool = None
    if _workers(files) > 1 and _input_bytes(files) >= PROCESS_MIN_BYTES:
        try:
            pool = ProcessPoolExecutor(max_workers=_workers(files), mp_context=mp_context(),
                                       initializer=child_init)
        except (OSError, RuntimeError):
            pass  # read by threads
    if pool is None:
        yield None
        return
    try:
        yield pool
    except BaseException:  # Ctrl-C, an error: drop the files not yet read instead of reading them all
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _read_all(files: list[tuple[Path, str]], config: Config,
              progress: Callable[[str, int, int], None] | None,
              meanwhile: Callable[[], None] = lambda: None,
              pool: ProcessPoolExecutor | None = None) -> list[FileResult]:
    """Read every file, a few at a time; results in the files' order whatever the timing.

    Large sets are read by worker processes (``pool``, one per core), so that the Python part of
    reading (header search, cleaning, the number-cell scan) runs on every core beside fastexcel;
    small sets by threads, which start at once. A pool that cannot start (a script without a
    ``__main__`` guard on Windows, a locked-down machine) falls back to threads."""
    total = len(files)
    if progress:
        progress(READ_STAGE, 0, total)
    if pool is not None:
        try:
            return _collect(pool, files, config, progress, meanwhile)
        except (BrokenProcessPool, OSError, RuntimeError):
            pass  # read by threads below
    with ThreadPoolExecutor(max_workers=_workers(files)) as threads:
        return _collect(threads, files, config, progress, meanwhile)


def _collect(pool: Executor, files: list[tuple[Path, str]], config: Config,
             progress: Callable[[str, int, int], None] | None,
             meanwhile: Callable[[], None]) -> list[FileResult]:
    total = len(files)
    out: list[FileResult | None] = [None] * total
    # Largest first, so that the last file a worker takes is a small one and the cores finish
    # together; results go back to the files' order.
    order = sorted(range(total), key=lambda i: -_size(files[i][0]))
    futures = {pool.submit(read_file, files[i][0], files[i][1], config.limits): i for i in order}
    meanwhile()  # the workers exist by now (a forked pool starts them all on the first submit)
    for done, fut in enumerate(as_completed(futures), start=1):
        i = futures[fut]
        try:
            out[i] = fut.result()
        except BrokenProcessPool:
            raise
        except Exception as exc:  # noqa: BLE001 - read_file already catches; belt and braces
            rel = files[i][1]
            out[i] = FileResult(rel, None, catalog.rule("file.unreadable").title, issues=[
                issue(rel, "", "file.unreadable", f"读取文件时出错（{type(exc).__name__}）")])
        if progress:
            progress(READ_STAGE, done, total)
    return [r for r in out if r is not None]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # read_file reports it


def _input_bytes(files: list[tuple[Path, str]]) -> int:
    return sum(_size(p) for p, _ in files)


# --------------------------------------------------------------------------- period

def _cover_periods(results: list[FileResult]) -> list[tuple[FileResult, object, str, int, Period | None]]:
    found = []
    for r in results:
        for c in r.covers:
            if "period" in c.values:
                text, row = c.values["period"]
                try:
                    p = parse_period(text)
                except PeriodError:
                    p = find_period(text)
                found.append((r, c, text, row, p))
    return found


def _period(given: str | Period | None, results: list[FileResult], root: Path,
            path: Path) -> tuple[Period, list[dict]]:
    covers = _cover_periods(results)
    if given is not None:
        try:
            chosen = parse_period(given)
        except PeriodError as exc:
            raise IngestError(str(exc)) from exc
    else:
        named = Counter(p for *_, p in covers if p is not None)
        if named:
            chosen = max(named, key=lambda p: (named[p], -[c[4] for c in covers].index(p)))
        else:
            chosen = find_period(root.name) or find_period(path.name) or find_period(str(path.resolve()))
        if chosen is None:
            raise IngestError("无法确定统计期：请用 --period 指定（如 2026Q3），或在封面填写统计期，"
                              "或把报送文件夹命名为 2026Q3 这样的名称")
    found = []
    header = schema.COVER.header("period")
    for r, c, text, row, p in covers:
        if p is None or (p.year, p.quarter) != (chosen.year, chosen.quarter):
            what = "无法识别" if p is None else f"与本次统计期{chosen.label}不一致"
            found.append(issue(r.file, c.sheet, "sheet.period_mismatch",
                               f"{schema.COVER.name}{header}“{text}”{what}", column=header, value=text, row=row))
    return chosen, found


def _as_of(chosen: Period, given: str | Period | None, results: list[FileResult]) -> Period:
    if isinstance(given, Period) and given.as_of_override is not None:
        return given
    texts = [c.values["as_of"][0] for r in results for c in r.covers if "as_of" in c.values]
    if not texts:
        return chosen.with_as_of(None)
    dates = nz.parse_dates(pd.Series(texts, dtype=nz.STRING))["date"].dropna().dt.date.unique()
    if len(dates) == 1 and chosen.start <= dates[0] <= chosen.end:
        return chosen.with_as_of(dates[0])
    return chosen.with_as_of(None)


def _units(results: list[FileResult]) -> list[str]:
    units = [c.values["unit"][0] for r in results for c in r.covers if "unit" in c.values]
    return list(dict.fromkeys(units))


# --------------------------------------------------------------------------- assembly

def _assemble(results: list[FileResult], period: Period, config: Config,
              period_issues: list[dict], pool: ProcessPoolExecutor | None = None) -> Dataset:
    frames: dict[str, list[pd.DataFrame]] = {s.key: [] for s in schema.DATA_SHEETS}
    headers: dict[str, list[dict[str, str]]] = {s.key: [] for s in schema.DATA_SHEETS}
    places: dict[str, list[tuple[str, str]]] = {s.key: [] for s in schema.DATA_SHEETS}
    read_rows = []
    file_issues = list(period_issues)
    for r in results:
        file_issues.extend(r.issues)
        for raw in r.sheets:
            frames[raw.key].append(raw.data)
            headers[raw.key].append(raw.headers)
            places[raw.key].append((raw.file, raw.sheet))
            read_rows.append({"file": raw.file, "sheet": raw.sheet, "rows_read": raw.rows_read})
        for sheet, n in r.rows_left_out:
            read_rows.append({"file": r.file, "sheet": sheet, "rows_read": n})
    tables = {k: rules.make_table(k, frames[k], headers[k], places[k]) for k in frames}
    del frames
    rules.check(tables, period, config, pool)
    if pool is not None:  # its work is done: let the workers exit and give their memory back now
        pool.shutdown(wait=False)

    left = [rules.left_out(t) for t in tables.values()]
    for r in results:
        for sheet, n in r.rows_left_out:
            left.append(pd.DataFrame({"file": [r.file], "sheet": [sheet], "rows_left_out": [n]}))
    read_frame = pd.DataFrame(read_rows, columns=["file", "sheet", "rows_read"])
    left_frame = pd.concat([x for x in left if len(x)], ignore_index=True) if any(len(x) for x in left) \
        else pd.DataFrame(columns=["file", "sheet", "rows_left_out"])
    reconciliation = iss.reconcile(read_frame, left_frame)

    parts = [pd.DataFrame(file_issues)] if file_issues else []
    for t in tables.values():
        parts.extend(p.drop(columns="_idx") for p in t.parts)
    issue_table = iss.finish(parts)

    clean = {k: conform(k, rules.clean_table(t)) for k, t in tables.items()}
    clean = complete(clean)
    files = _files(results, reconciliation)
    return Dataset(period=period, issues=issue_table, reconciliation=reconciliation, files=files,
                   meta={}, **clean)


def _files(results: list[FileResult], rec: pd.DataFrame) -> pd.DataFrame:
    rows = rec.groupby("file", sort=False)["rows_read"].sum() if len(rec) else pd.Series(dtype="Int64")
    data = {
        "file": [r.file for r in results],
        "kind": [r.kind or "" for r in results],
        "status": [r.status for r in results],
        "sheets": ["、".join(s.sheet for s in r.sheets) for r in results],
        "rows": [int(rows.get(r.file, 0)) for r in results],
    }
    frame = pd.DataFrame(data)
    return frame.astype({"file": iss.STRING, "kind": iss.STRING, "status": iss.STRING,
                         "sheets": iss.STRING, "rows": "Int64"})
