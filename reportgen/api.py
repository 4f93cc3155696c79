"""The functions behind both doors: the command line and the notebook.

``load`` reads and checks a submission folder, ``compute`` works out the indicators and findings,
``build`` writes the report, the tables workbook, the charts and the validation workbook.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

from .config import DEFAULT, Config, load_config
from .dataset import Dataset
from .outputs import OutputSet, safe_filename
from .periods import Period
from .procs import forks

Progress = Callable[[str, int, int], None]

NARRATIVE_FILE = "narrative.yaml"


class NothingUsable(Exception):
    """No usable rows in the submission set (exit code 2)."""


class StrictStop(Exception):
    """``--strict`` and the submissions hold errors (exit code 1)."""


def _config(config: Config | str | Path | None) -> Config:
    if config is None:
        return DEFAULT
    if isinstance(config, Config):
        return config
    return load_config(config)


def load(path: str | Path, period: str | Period | None = None,
         config: Config | str | Path | None = None, progress: Progress | None = None) -> Dataset:
    """Read every workbook under ``path`` for ``period`` and check it (SPEC §1–§2)."""
    from .ingest import load as _load

    return _load(path, period=period, config=_config(config), progress=progress or _auto_progress())


def validate(path: str | Path, period: str | Period | None = None, out: str | Path | None = None,
             config: Config | str | Path | None = None, progress: Progress | None = None) -> Dataset:
    """``load`` and, when ``out`` is given, write ``out/validation.xlsx``."""
    if out is None:
        return load(path, period=period, config=config, progress=progress)
    from .validate.workbook import write_validation_xlsx

    # the new output set is validation.xlsx alone, as for build --strict: no report of an earlier
    # build is left beside a validation of other data
    with OutputSet(out) as outset:
        ds = load(path, period=period, config=config, progress=progress)
        write_validation_xlsx(ds, outset.dir / "validation.xlsx")
        outset.commit()
    return ds


def compute(ds: Dataset, previous: Dataset | None = None, config: Config | str | Path | None = None,
            election_window: str = "period"):
    """Indicators (SPEC §3) and findings of ``ds``, compared with ``previous`` when given."""
    from .indicators import compute as _compute

    return _compute(ds, previous=previous, config=_config(config), election_window=election_window)


def read_narrative(path: str | Path) -> dict[str, Any]:
    """The qualitative paragraphs of ``narrative.yaml`` in a submission folder ({} if absent)."""
    p = Path(path)
    f = p / NARRATIVE_FILE if p.is_dir() else p.with_name(NARRATIVE_FILE)
    if not f.is_file():
        return {}
    try:
        data = yaml.safe_load(f.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ValueError(f"无法读取 {f.name}：{exc}；请检查缩进和冒号，或删除该文件") from exc
    return data if isinstance(data, dict) else {}


@dataclass
class BuildResult:
    out_dir: Path
    dataset: Dataset
    indicators: Any
    files: list[Path] = field(default_factory=list)
    parts: dict[str, "BuildResult"] = field(default_factory=dict)  # per area with by="area"

    @property
    def report(self) -> Path:
        return self.out_dir / "report.docx"


def build(path: str | Path, out: str | Path = "out", period: str | Period | None = None,
          previous: str | Path | Dataset | None = None, template: str | Path | None = None,
          config: Config | str | Path | None = None, strict: bool = False, by: str | None = None,
          election_window: str = "period", narrative: dict | None = None,
          progress: Progress | None = None) -> BuildResult:
    """The whole pipeline: read, check, compute, write report.docx, tables.xlsx, charts/ and
    validation.xlsx into ``out`` (and one sub-folder per area with ``by="area"``)."""
    from .ingest import load as _load

    cfg = _config(config)
    out_dir = Path(out)
    # everything is written into a staging folder and swapped in as a whole at the end (a failed,
    # interrupted or --strict run leaves the previous set as it was); the lock keeps a second
    # build out of the same folder
    with OutputSet(out_dir) as outset, _ChartHelper() as helper:
        stage = outset.dir
        ds = _load(path, period=period, config=cfg, progress=progress or _auto_progress(),
                   while_reading=_import_writers, exclude=[out_dir])
        charts = helper.after_load(ds)
        from .render import render_report
        from .validate.workbook import write_validation_xlsx

        if not ds.usable:  # the new set is validation.xlsx alone, which says why
            write_validation_xlsx(ds, stage / "validation.xlsx")
            outset.commit()
            raise NothingUsable("没有找到可用的数据：请查看 validation.xlsx 中的问题，或确认文件夹和统计期是否正确")
        if strict and ds.error_count:  # likewise: no earlier report is left beside it
            write_validation_xlsx(ds, stage / "validation.xlsx")
            outset.commit()
            raise StrictStop(f"报送数据中有 {ds.error_count} 个错误（--strict 模式下不生成报告），"
                             "请按 validation.xlsx 修改后重试")
        prev_ds = None
        if isinstance(previous, Dataset):
            prev_ds = previous
        elif previous is not None:
            prev_ds = load(previous, period=ds.period.previous(), config=cfg)
        if narrative is None:
            narrative = read_narrative(path)
        files = [write_validation_xlsx(ds, stage / "validation.xlsx")]
        ind = compute(ds, previous=prev_ds, config=cfg, election_window=election_window)
        rendered = render_report(ind, stage, template=template or "季度统计分析", narrative=narrative,
                                 chart_process=charts)
        files.extend(rendered.files)
        parts: dict[str, BuildResult] = {}
        if by == "area":
            split = list(split_by_area(ds, prev_ds))
            folders = area_folders([area for area, _, _ in split])
            for area, part, part_prev in split:
                sub = stage / folders[area]
                part_ind = compute(part, previous=part_prev, config=cfg, election_window=election_window)
                r = render_report(part_ind, sub, template=template or "季度统计分析", narrative=narrative,
                                  district=area, chart_process=charts)
                parts[area] = BuildResult(outset.final(sub), part, part_ind,
                                          [outset.final(f) for f in r.files])
        elif by is not None:
            raise ValueError(f"不支持按“{by}”分别生成报告，目前只支持 --by area（按片区）")
        outset.commit()  # render_report has waited for its charts: all are in the staging folder
        result = BuildResult(out_dir, ds, ind, [outset.final(f) for f in files], parts)
    return result


# On Windows and macOS the helper process starts afresh (imports pandas and matplotlib: about two
# seconds on the other core); that pays only when checking and computing take longer.
CHART_PROCESS_MIN_MEMBERS = 100_000


class _ChartHelper:
    """The process that draws a build's charts (chartset.ChartProcess), if it has one: none on a
    single core. Where processes fork it is started before reading, while this process is small:
    forked after reading it would keep a copy-on-write image of the whole data set, pages this
    process frees or changes afterwards (0.6 GB more at 1M members). Where they are spawned it
    starts afresh after reading, and only for large sets."""

    def __init__(self) -> None:
        self.process: Any = None
        if (os.cpu_count() or 1) >= 2 and forks():
            self.process = self._start()

    @staticmethod
    def _start() -> Any:
        from .render.chartset import ChartProcess  # not the report writers: they load during reading

        try:
            return ChartProcess(warm=False)
        except (OSError, RuntimeError):  # cannot start one here: the charts are drawn in this process
            return None

    def after_load(self, ds: Dataset) -> Any:
        """The helper to draw with (None: draw here), importing matplotlib from now on."""
        if self.process is None and (os.cpu_count() or 1) >= 2 and not forks() \
                and len(ds.members) >= CHART_PROCESS_MIN_MEMBERS:
            self.process = self._start()
        if self.process is not None:
            self.process.warm()
        return self.process

    def __enter__(self) -> "_ChartHelper":
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.process is not None:
            self.process.close()


def _import_writers() -> None:
    """Import the indicators and the report writers (docxtpl, xlsxwriter; matplotlib too where
    the chart process would start afresh: about a second) while the files are being read,
    instead of after."""
    from . import indicators  # noqa: F401
    from .render import docx, xlsx  # noqa: F401
    from .validate import workbook  # noqa: F401

    if not forks():
        from .render import charts  # noqa: F401


def area_folders(areas: list[str]) -> dict[str, str]:
    """A safe, distinct folder name for every area ("a/b" and "a_b" must not share one;
    Windows folder names ignore case)."""
    used: set[str] = set()
    out = {}
    for area in areas:
        base = name = safe_filename(area)
        k = 2
        while name.casefold() in used:
            name, k = f"{base}_{k}", k + 1
        used.add(name.casefold())
        out[area] = name
    return out


def split_by_area(ds: Dataset, previous: Dataset | None = None):
    """Yield (area, Dataset, previous Dataset) for every area (片区) of the organizations."""
    from .dataset import subset_by_orgs

    areas = sorted(a for a in ds.orgs["area"].dropna().unique() if str(a).strip())
    for area in areas:
        org_ids = ds.orgs.loc[ds.orgs["area"] == area, "org_id"]
        part = subset_by_orgs(ds, org_ids, area)
        part_prev = None
        if previous is not None:
            prev_ids = previous.orgs.loc[previous.orgs["area"] == area, "org_id"]
            part_prev = subset_by_orgs(previous, prev_ids, area)
        yield area, part, part_prev


def _auto_progress() -> Progress | None:
    """A notebook progress widget when running in Jupyter with ipywidgets; silent otherwise."""
    if "IPython" not in sys.modules:  # a Jupyter kernel has imported it long before: not in one
        return None
    try:
        from IPython import get_ipython  # type: ignore

        shell = get_ipython()
        if shell is None or shell.__class__.__name__ != "ZMQInteractiveShell":
            return None
        import ipywidgets  # type: ignore
        from IPython.display import display  # type: ignore
    except Exception:  # noqa: BLE001 - any missing piece means: stay silent
        return None
    bar = ipywidgets.IntProgress(min=0, max=1, description="读取")
    shown = False

    def update(stage: str, done: int, total: int) -> None:
        nonlocal shown
        if not shown:
            display(bar)
            shown = True
        bar.max = max(total, 1)
        bar.value = done
        bar.description = stage[:10]

    return update
