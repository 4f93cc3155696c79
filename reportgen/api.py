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

import numpy as np
import pandas as pd
import yaml

from . import schema
from .config import DEFAULT, Config, load_config
from .dataset import Dataset
from .outputs import OutputSet, mask_text, safe_filename
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
class PreviousCheck:
    """The previous period as given to ``build``/``context``, read and checked like the current one.

    ``dataset`` is what the indicators are compared with (None: no comparison), ``checked`` the set
    as read (its issues and reconciliation go to validation.xlsx even when it is not compared),
    ``notes`` the warnings for the console and validation.xlsx, ``report_note`` the sentence for
    the report's 数据说明, ``ref`` how the report names the period compared with."""

    dataset: Dataset | None
    checked: Dataset | None
    name: str
    notes: list[str] = field(default_factory=list)
    report_note: str = ""
    ref: str = "上季度"

    def validation_args(self) -> dict[str, Any]:
        return {"previous": self.checked, "notes": self.notes, "previous_name": self.name}


def _same_place(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def load_previous(previous: str | Path | Dataset, ds: Dataset, current: str | Path | None = None,
                  config: Config | str | Path | None = None) -> PreviousCheck:
    """Read the previous period's set WITHOUT forcing a period (its covers or folder name say which
    it is; the quarter before ``ds`` is assumed only when they say nothing), check it, and decide
    whether ``ds`` can be compared with it: not when it holds nothing usable or no members, is the
    current folder, or is of the same or a later period; with a warning naming both periods when it
    is an earlier quarter but not the one before. Sets ``ds.meta["comparison"]`` for the report."""
    from .ingest import IngestError, load as _load

    expected = ds.period.previous()
    cur = ds.period
    if isinstance(previous, Dataset):
        prev, name = previous, "上期数据"
    else:
        where = Path(previous)
        name = where.name or str(where)
        if current is not None and _same_place(where, Path(current)):
            check = PreviousCheck(None, None, name, [
                f"--previous 指定的上期数据文件夹“{name}”就是本期的报送文件夹，本报告不作与上期的比较；"
                f"如需比较，请指定上一季度（{expected.zh}）的报送文件夹"],
                "指定的上期数据就是本期数据，本报告不作与上期的比较。")
            ds.meta["comparison"] = {"note": check.report_note}
            return check
        cfg = _config(config)
        try:
            prev = _load(where, period=None, config=cfg)
        except IngestError:
            try:  # nothing in it names a period: taken as the quarter before
                prev = _load(where, period=expected, config=cfg)
            except IngestError as exc:
                check = PreviousCheck(None, None, name, [
                    f"上期数据“{name}”无法使用（{exc}），本报告不作与上期的比较"],
                    f"上期数据（“{name}”）中无可用数据，本报告不作与上期的比较。")
                ds.meta["comparison"] = {"note": check.report_note}
                return check
    pp = prev.period
    if not prev.usable or not len(prev.members):
        what = "没有可用的数据" if not prev.usable else "没有党员数据"
        check = PreviousCheck(None, prev, name, [
            f"上期数据“{name}”中{what}，本报告不作与上期的比较；上期数据的问题见 validation.xlsx 的“上期问题”"],
            f"上期数据（“{name}”）中无可用数据，本报告不作与上期的比较。")
    elif (pp.year, pp.quarter) == (cur.year, cur.quarter):
        check = PreviousCheck(None, prev, name, [
            f"上期数据“{name}”的统计期是{pp.zh}，与本期{cur.zh}相同（可能指定了本期的文件夹），本报告不作与上期的"
            f"比较；如需比较，请用 --previous 指定上一季度（{expected.zh}）的报送文件夹"],
            f"指定的上期数据与本期同为{cur.zh}，本报告不作与上期的比较。")
    elif (pp.year, pp.quarter) > (cur.year, cur.quarter):
        check = PreviousCheck(None, prev, name, [
            f"上期数据“{name}”的统计期是{pp.zh}，晚于本期{cur.zh}，本报告不作与上期的比较；请检查 --previous "
            f"和 --period 是否写反"],
            f"指定的上期数据（{pp.zh}）晚于本期，本报告不作与上期的比较。")
    elif (pp.year, pp.quarter) != (expected.year, expected.quarter):
        check = PreviousCheck(prev, prev, name, [
            f"上期数据“{name}”的统计期是{pp.zh}，不是本期{cur.zh}的上一季度（{expected.zh}）；报告中的比较"
            f"均写作“比{pp.zh}”"],
            f"上期数据为{pp.zh}报送的数据，不是上一季度（{expected.zh}）的数据。", ref=pp.zh)
    else:
        check = PreviousCheck(prev, prev, name)
    ds.meta["comparison"] = {"note": check.report_note, "ref": check.ref}
    return check


@dataclass
class BuildResult:
    out_dir: Path
    dataset: Dataset
    indicators: Any
    files: list[Path] = field(default_factory=list)
    parts: dict[str, "BuildResult"] = field(default_factory=dict)  # per area with by="area"
    notes: list[str] = field(default_factory=list)  # warnings for the user (the previous period)
    previous: Dataset | None = None  # the previous period's set as read and checked, if any

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
    if by is not None:
        parse_by(by)  # an unknown --by stops before reading
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
        check = load_previous(previous, ds, current=path, config=cfg) if previous is not None else None
        prev_ds = check.dataset if check else None
        if narrative is None:
            narrative = read_narrative(path)
        files = [write_validation_xlsx(ds, stage / "validation.xlsx",
                                       **(check.validation_args() if check else {}))]
        ind = compute(ds, previous=prev_ds, config=cfg, election_window=election_window)
        rendered = render_report(ind, stage, template=template or "季度统计分析", narrative=narrative,
                                 chart_process=charts)
        files.extend(rendered.files)
        parts: dict[str, BuildResult] = {}
        if by is not None:
            split = list(split_by(ds, prev_ds, by))
            folders = area_folders([area for area, _, _ in split])
            for area, part, part_prev in split:
                if prev_ds is not None and part_prev is None:  # a new area: nothing to compare with
                    part.meta["comparison"] = {"note": f"上期数据中没有“{area}”的数据，本报告不作与上期的比较。"}
                sub = stage / folders[area]
                part_ind = compute(part, previous=part_prev, config=cfg, election_window=election_window)
                r = render_report(part_ind, sub, template=template or "季度统计分析", narrative=narrative,
                                  district=area, chart_process=charts)
                parts[area] = BuildResult(outset.final(sub), part, part_ind,
                                          [outset.final(f) for f in r.files])
        outset.commit()  # render_report has waited for its charts: all are in the staging folder
        result = BuildResult(out_dir, ds, ind, [outset.final(f) for f in files], parts,
                             notes=list(check.notes) if check else [],
                             previous=check.checked if check else None)
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
    Windows folder names ignore case; ID and mobile numbers masked)."""
    used: set[str] = set()
    out = {}
    for area in areas:
        base = name = safe_filename(mask_text(str(area)))
        k = 2
        while name.casefold() in used:
            name, k = f"{base}_{k}", k + 1
        used.add(name.casefold())
        out[area] = name
    return out


def parse_by(by: str) -> tuple[str, Any]:
    """The grouping of ``--by``: ("area", None) for 片区; ("level", N) for the organizations at
    depth N of the parent tree (the top ones are level 1) with their subtrees; ("type", 党工委…)
    for each organization of that type (the outermost, where they nest) with its subtree."""
    text = str(by).strip()
    low = text.casefold()
    if low == "area" or text in (schema.ORGS.field("area").header, *schema.ORGS.field("area").aliases[:1]):
        return "area", None
    for prefix in ("level:", "level=", "层级:", "层级：", "层级=", "level"):
        if low.startswith(prefix) and low[len(prefix):].strip().isdigit():
            n = int(low[len(prefix):].strip())
            if n >= 1:
                return "level", n
    if text.isdigit() and int(text) >= 1:
        return "level", int(text)
    org_type = schema.ORG_TYPE.lookup().get(text)
    if org_type:
        return "type", org_type
    raise ValueError(f"不支持按“{by}”分别生成报告。可以写 --by area（按片区）、--by level:2（按组织树第2层的"
                     f"每个党组织及其下属组织）或 --by 党工委（按每个党工委及其下属组织；也可写"
                     f"{'、'.join(schema.ORG_TYPE.values[:3])}等组织类别）")


def split_by(ds: Dataset, previous: Dataset | None, by: str):
    """Yield (name, Dataset, previous Dataset) for every part of ``--by`` (see parse_by)."""
    kind, arg = parse_by(by)
    if kind == "area":
        yield from split_by_area(ds, previous)
        return
    from .dataset import subset_by_orgs

    heads = _subtree_heads(ds.orgs, kind, arg)
    prev_heads = _subtree_heads(previous.orgs, kind, arg) if previous is not None else None
    names = _head_names(ds.orgs, heads)
    for head, name in names.items():
        part = subset_by_orgs(ds, ds.orgs.loc[heads.eq(head).fillna(False).to_numpy(dtype=bool), "org_id"], name)
        part_prev = None
        if previous is not None:
            ids = previous.orgs.loc[prev_heads.eq(head).fillna(False).to_numpy(dtype=bool), "org_id"]
            part_prev = subset_by_orgs(previous, ids, name)
            if not len(part_prev.members):
                part_prev = None
        yield name, part, part_prev


def _subtree_heads(orgs: pd.DataFrame, kind: str, arg: Any, max_depth: int = 50) -> pd.Series:
    """For every organization, the org_id of the head of its part (NA: in none): its ancestor (or
    itself) at depth ``arg`` of the parent tree, or its outermost ancestor-or-self of type ``arg``.
    A parent that is not in the set makes its child a top organization; a cycle stops at max_depth."""
    ids = orgs["org_id"].astype("string").reset_index(drop=True)
    known = pd.Index(ids.dropna().unique())
    parent = orgs["parent_id"].astype("string").reset_index(drop=True)
    parent = parent.where(parent.isin(known) & parent.ne(ids))
    up = pd.Series(parent.to_numpy(), index=ids.to_numpy())
    up = up[~up.index.duplicated()]
    chain = [ids]  # chain[k]: the ancestor k steps up
    cur = ids
    for _ in range(max_depth):
        cur = pd.Series(up.reindex(cur.fillna("").to_numpy()).to_numpy(), dtype="string")
        if cur.isna().all():
            break
        chain.append(cur)
    mat = pd.concat(chain, axis=1, ignore_index=True)
    if kind == "level":
        depth = mat.notna().sum(axis=1).to_numpy()  # the top organizations are depth 1
        k = depth - int(arg)
        out = pd.Series(pd.NA, index=ids.index, dtype="string")
        ok = k >= 0
        if ok.any():
            vals = mat.to_numpy(dtype=object)
            out[ok] = vals[np.flatnonzero(ok), k[ok]]
        return out
    types = pd.Series(orgs["org_type"].astype("string").to_numpy(), index=ids.to_numpy())
    types = types[~types.index.duplicated()]
    out = pd.Series(pd.NA, index=ids.index, dtype="string")
    for col in mat.columns:  # the outermost match is the last one found going up
        t = pd.Series(types.reindex(mat[col].fillna("").to_numpy()).to_numpy(), dtype="string")
        hit = t.eq(arg).fillna(False).to_numpy(dtype=bool)
        out[hit] = mat[col][hit]
    return out


def _head_names(orgs: pd.DataFrame, heads: pd.Series) -> dict[str, str]:
    """head org_id -> report name (the organization's name; its code added where names repeat),
    in the order the organizations were submitted."""
    order = list(dict.fromkeys(heads.dropna().tolist()))
    first = orgs.drop_duplicates("org_id")
    first = first.set_index(first["org_id"].astype("string"))
    names = {}
    for h in order:
        name = first["name"].get(h) if h in first.index else None
        names[h] = str(name).strip() if name is not None and not pd.isna(name) and str(name).strip() else str(h)
    counts = pd.Series(list(names.values())).value_counts()
    return {h: (f"{n}（{h}）" if counts[n] > 1 else n) for h, n in names.items()}


def split_by_area(ds: Dataset, previous: Dataset | None = None):
    """Yield (area, Dataset, previous Dataset) for every area (片区) of the organizations.

    两新组织 follow their Party organization's area (see unit_areas for those without one)."""
    from .dataset import subset_by_orgs

    areas = sorted(a for a in ds.orgs["area"].dropna().unique() if str(a).strip())
    unit_area = unit_areas(ds)
    prev_area = unit_areas(previous) if previous is not None else None
    n_loose = int(unit_area.isna().sum())
    for area in areas:
        org_ids = ds.orgs.loc[ds.orgs["area"] == area, "org_id"]
        part = subset_by_orgs(ds, org_ids, area, units=unit_area.eq(area).fillna(False).to_numpy(dtype=bool))
        if n_loose:
            part.meta["scope_note"] = (f"未建立党组织、也无法从所属片区或所在园区楼宇确定片区的{n_loose}个“两新”组织"
                                       "未计入各片区报告，只计入全区报告。")
        part_prev = None
        if previous is not None:
            prev_ids = previous.orgs.loc[previous.orgs["area"] == area, "org_id"]
            part_prev = subset_by_orgs(previous, prev_ids, area,
                                       units=prev_area.eq(area).fillna(False).to_numpy(dtype=bool))
            if not len(part_prev.members):  # no comparison with zero (an area new this period)
                part_prev = None
        yield area, part, part_prev


def unit_areas(ds: Dataset) -> pd.Series:
    """The area (片区) of every 两新组织 (NA: none can be told), aligned with ds.units: its Party
    organization's area; for a unit without one (未建立), its own 所属片区 column when filled,
    else the area of the units with an organization in the same 所在园区楼宇 when they all share
    one. The others are in the whole set's report only."""
    u = ds.units
    org_area = ds.orgs.drop_duplicates("org_id").set_index("org_id")["area"].astype("string").str.strip()
    area = pd.Series(org_area.reindex(u["org_id"].to_numpy()).to_numpy(), index=u.index, dtype="string")
    area = area.replace("", pd.NA)
    if "area" in u.columns:
        own = u["area"].astype("string").str.strip().replace("", pd.NA)
        area = area.fillna(own)
    if "location" in u.columns and area.isna().any():
        loc = u["location"].astype("string").str.strip().replace("", pd.NA)
        known = pd.DataFrame({"loc": loc, "area": area}).dropna().drop_duplicates()
        single = known.groupby("loc")["area"].agg(["first", "nunique"])
        single = single.loc[single["nunique"] == 1, "first"]
        by_loc = pd.Series(single.reindex(loc.fillna("").to_numpy()).to_numpy(), index=u.index, dtype="string")
        area = area.fillna(by_loc)
    return area


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
