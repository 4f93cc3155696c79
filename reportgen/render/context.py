"""The report context: indicator values (SPEC §3) made complete and ready for a template.

``report_context`` takes an ``Indicators`` object (or its ``context()`` dict) and returns a plain
nested dict: every SPEC §3 id present (None when the data do not give it, so a template can write
``{% if members.female_share is not none %}``), a few values derived for sentences (counts of
ledgers, the largest group of a table, a phrase listing the organization types), the period in
Chinese, the district, the title, the sources of the data and the findings. The renderer wraps it
into template objects (blocks.py); the notebook can use it as it is. Every text in it has its ID
and mobile numbers masked: the report, tables.xlsx and the charts are all made from it.
"""

from __future__ import annotations

import math
import os
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

import pandas as pd

from .. import schema, zh
from ..config import DEFAULT, Config
from ..outputs import mask_deep, mask_text
from ..findings import rank_key
from . import judgement as _judgement
from .tables import SHARE_SUFFIXES, _num, committee_compare, count_column as _first_count_column

KINDS = ("季度统计分析", "换届工作情况报告", "两新组织党建调研")
DEFAULT_DISTRICT = "全区"

# SPEC §3 ids per group (scalars), and the ids that are tables or ledgers.
SCALARS: dict[str, tuple[str, ...]] = {
    "orgs": ("total", "secretary_vacant", "branches_under_3", "no_committee_7plus", "branches_over_50"),
    "members": ("total", "full", "probationary", "female_share", "minority_share", "age_mean",
                "under35_share", "college_share", "retired_share", "mobile_share"),
    "development": ("total", "under35_share", "college_share", "female_share", "two_new"),
    "elections": ("due", "held", "on_time_share", "turnout", "invalid_quorum",
                  "candidate_margin_violations"),
    "committee": ("size", "size_previous", "reelected", "reelected_share", "new", "new_share",
                  "secretary_reelected_share", "age_mean", "age_mean_previous", "college_share",
                  "college_share_previous", "female", "female_share", "female_previous",
                  "secretary_union_chair_share"),
    "coverage": ("units", "org_share", "work_share", "org_share_100plus", "union_share",
                 "youth_league_share", "women_org_share",
                 # beyond SPEC §3, provided by reportgen.indicators and used by the default templates
                 "units_100plus", "uncovered_100plus", "instructor_share"),
    "quality": ("rows_read", "rows_used", "errors", "warnings"),
}
TABLES: dict[str, tuple[str, ...]] = {
    "orgs": ("by_type", "by_sector", "by_area", "unverified"),
    "members": ("age_bands", "education", "by_occupation", "by_area"),
    "development": ("by_area",),
    "elections": ("overdue", "due_soon", "overdue_by_area", "held_list"),
    "committee": ("by_area", "age_bands", "education"),
    "coverage": ("by_location", "by_size", "by_type"),
    "quality": (),
}
# Deltas of committee.* compare terms; the others compare with the previous period.
COMMITTEE_DELTAS = ("size", "age_mean", "college_share", "female", "female_share")
# Ids printed as counts in sentences: a ledger given for one of them becomes its length, and the
# ledger moves to "<id>_list".
COUNTS = {("orgs", "secretary_vacant"), ("orgs", "branches_under_3"), ("orgs", "no_committee_7plus"),
          ("orgs", "branches_over_50"), ("elections", "due"), ("elections", "held"),
          ("elections", "invalid_quorum"), ("elections", "candidate_margin_violations"),
          ("development", "two_new")}
GROUPS = tuple(SCALARS)
SEVERITY_ORDER = {"严重": 0, "一般": 1, "提示": 2}
OVERDUE_MONTHS = "逾期月数"
TWO_NEW_GROUPS = ("orgs", "members", "elections", "committee")
_DISTRICT_ENDS = "区县市旗"
_PARTY_PREFIX = "中共"


def _is_missing(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, float) and math.isnan(v)


def _plain(v: Any) -> Any:
    """numpy scalars → Python numbers; NaN/NA → None; DataFrames and the rest unchanged."""
    if isinstance(v, (pd.DataFrame, pd.Series, str, bool, dict, list, tuple)):
        return v
    if _is_missing(v):
        return None
    if hasattr(v, "item") and not isinstance(v, (int, float)):
        try:
            return v.item()
        except (ValueError, AttributeError):
            return v
    return v


def _raw_context(source: Any) -> tuple[dict, Any]:
    """(nested context dict, the Indicators object or None)."""
    if hasattr(source, "context") and callable(source.context):
        return dict(source.context()), source
    if isinstance(source, dict):
        return dict(source), None
    raise TypeError("render_report 需要 Indicators 对象或其 context() 字典")


def _zh_date(value: Any) -> str:
    if _is_missing(value) or value == "":
        return ""
    try:
        d = pd.Timestamp(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{d.year}年{d.month}月{d.day}日"


def district_name(meta: dict | None, given: str | None = None) -> str:
    """The district: given, else meta["district"], else the common prefix of the covers' 填报单位
    cut after its last 区/县/市/旗, else "全区"."""
    if given:
        return given
    meta = meta or {}
    if meta.get("district"):
        return str(meta["district"])
    units = [str(u).strip() for u in (meta.get("units") or []) if u and str(u).strip()]
    units = [u[len(p):] if u.startswith(p) else u for u in units for p in (_PARTY_PREFIX,)]
    if units:
        prefix = os.path.commonprefix(units)
        cut = max(prefix.rfind(c) for c in _DISTRICT_ENDS)
        if cut >= 1:
            return prefix[:cut + 1]
    return DEFAULT_DISTRICT


def _share_of(frame: Any, label: str) -> float | None:
    """The share of the row whose first column equals ``label`` (from 占比 or from counts)."""
    if not isinstance(frame, pd.DataFrame) or frame.empty:
        return None
    rows = frame[frame.iloc[:, 0].astype(str) == label]
    if rows.empty:
        return None
    if "占比" in frame.columns:
        return _num(rows["占比"].iloc[0])
    col = _first_count_column(frame)
    if col is None:
        return None
    total = pd.to_numeric(frame[col], errors="coerce").sum()
    return float(pd.to_numeric(rows[col], errors="coerce").iloc[0]) / total if total else None


def _largest(frame: Any, exclude: tuple[str, ...] = ()) -> tuple[str | None, float | None]:
    """(label, share of all rows) of the largest row of a category table, ``exclude`` left out."""
    if not isinstance(frame, pd.DataFrame) or frame.empty:
        return None, None
    col = _first_count_column(frame)
    if col is None:
        return None, None
    counts = pd.to_numeric(frame[col], errors="coerce").fillna(0)
    labels = frame.iloc[:, 0].astype(str)
    total = counts[~labels.isin(("合计", "总计"))].sum()
    counts = counts.where(~labels.isin((*exclude, "合计", "总计")), -1)
    if total <= 0 or counts.max() <= 0:
        return None, None
    i = int(counts.to_numpy().argmax())
    return labels.iloc[i], float(counts.iloc[i] / total)


def _type_phrase(frame: Any) -> str:
    """"党委6个、党总支10个、党支部112个" from orgs.by_type."""
    if not isinstance(frame, pd.DataFrame) or frame.empty:
        return ""
    col = _first_count_column(frame)
    if col is None:
        return ""
    parts = []
    for label, n in zip(frame.iloc[:, 0].astype(str), pd.to_numeric(frame[col], errors="coerce")):
        if not _is_missing(n) and n > 0 and label not in ("合计", "总计"):
            parts.append(f"{label}{int(n)}个")
    return "、".join(parts)


def _group(raw: dict, name: str) -> dict:
    got = raw.get(name)
    group = {k: _plain(v) for k, v in got.items()} if isinstance(got, dict) else {}
    for key in SCALARS[name]:
        group.setdefault(key, None)
        if name != "committee" and name != "quality":
            group.setdefault(f"{key}_delta", None)
    if name == "committee":
        for key in COMMITTEE_DELTAS:
            group.setdefault(f"{key}_delta", None)
    for key in TABLES[name]:
        if not isinstance(group.get(key), pd.DataFrame):
            group[key] = pd.DataFrame()
    for g, key in COUNTS:
        if g == name and isinstance(group.get(key), pd.DataFrame):
            group[f"{key}_list"] = group[key]
            group[key] = len(group[key])
    return group


def _derive(ctx: dict, cfg: Config) -> None:
    """Values derived from the indicators for sentences; set only where helper values are absent."""
    orgs, members, el, com, dev = (ctx["orgs"], ctx["members"], ctx["elections"], ctx["committee"],
                                   ctx["development"])
    orgs.setdefault("type_phrase", _type_phrase(orgs["by_type"]))

    _derive_elections(el, cfg)

    _unknown_notes(members, cfg)
    _unknown_notes(dev, cfg, DEVELOPMENT_NOTES, "名新发展党员")

    over60_label = schema.AGE_BANDS[-1][0]
    members.setdefault("over60_share", _share_of(members["age_bands"], over60_label))
    label, share = _largest(members["by_occupation"], exclude=(schema.RETIRED,))
    members.setdefault("top_occupation", label)  # the largest group of members still working
    members.setdefault("top_occupation_share", share)

    total = _num(dev.get("total"))
    two_new = dev.get("two_new")
    if isinstance(two_new, float) and 0 <= two_new <= 1 and "two_new_share" not in dev and \
            not float(two_new).is_integer():
        dev["two_new_share"] = two_new
        dev["two_new"] = round(two_new * total) if total else None
    two_new_n = _num(dev.get("two_new"))
    dev.setdefault("two_new_share", (two_new_n / total) if two_new_n is not None and total else None)

    size_prev, female_prev = _num(com.get("size_previous")), _num(com.get("female_previous"))
    com.setdefault("female_share_previous",
                   female_prev / size_prev if female_prev is not None and size_prev else None)


# share → (the field whose unknowns it leaves out, its name in the sentence)
_MH = schema.MEMBERS.header
UNKNOWN_NOTES = {share: (key, _MH(key)) for share, key in (
    ("female_share", "gender"), ("minority_share", "ethnicity"), ("under35_share", "birth_date"),
    ("age_mean", "birth_date"), ("college_share", "education"), ("retired_share", "occupation"))}


DEVELOPMENT_NOTES = {share: (key, _MH(key)) for share, key in (
    ("under35_share", "birth_date"), ("college_share", "education"), ("female_share", "gender"))}


def _unknown_notes(members: dict, cfg: Config, notes: dict = UNKNOWN_NOTES, who: str = "名党员") -> None:
    """``<share>_note``: "（另有12名党员学历未填写或无法识别，未计入该比例）" beside a share whose
    field is unknown for more than ``concerns.unknown_note_share`` of the members, else ""."""
    total = _num(members.get("total"))
    for key, (field, name) in notes.items():
        n = _num(members.get(f"unknown_{field}"))
        over = bool(total and n and n / total > cfg.concerns.unknown_note_share)
        what = "年龄统计" if key == "age_mean" else "该比例"
        members.setdefault(f"{key}_note", f"（另有{zh.wan(int(n))}{who}{name}未填写或无法识别，未计入{what}）"
                           if over else "")


def _derive_elections(el: dict, cfg: Config) -> None:
    """Counts of the overdue and due-soon ledgers, and of the seriously overdue."""
    overdue = el["overdue"]
    el.setdefault("overdue_count", len(overdue))
    if "overdue_serious_count" not in el and _num(el.get("overdue_serious")) is not None:
        el["overdue_serious_count"] = int(_num(el["overdue_serious"]))
    if "overdue_serious_count" not in el:
        serious = None
        if OVERDUE_MONTHS in overdue.columns:
            months = pd.to_numeric(overdue[OVERDUE_MONTHS], errors="coerce")
            serious = int((months > cfg.regulations.overdue_serious_months).sum())
        el["overdue_serious_count"] = serious if len(overdue) else 0
    el.setdefault("due_soon_count", len(el["due_soon"]))


def _findings(raw: list | None) -> list[dict]:
    items = []
    for i, f in enumerate(raw or []):
        d = f.as_dict() if hasattr(f, "as_dict") else dict(f)
        d.setdefault("id", "")
        d.setdefault("title", "")
        d.setdefault("severity", "提示")
        d.setdefault("count", None)
        d.setdefault("sentence", "")
        d.setdefault("measure", "")
        d.setdefault("rule", "")
        if not isinstance(d.get("ledger"), pd.DataFrame):
            d["ledger"] = pd.DataFrame()
        d["_order"] = (*rank_key(d), i)  # severity, then the larger count (issue 18)
        items.append(d)
    items.sort(key=lambda d: d["_order"])
    for n, d in enumerate(items, 1):
        d.pop("_order")
        d["no"] = n
        d["group"] = str(d["id"]).split(".")[0]
    return items


def _sources(ind: Any, ctx: dict) -> dict:
    q = ctx["quality"]
    files: list[str] = []
    if ind is not None and getattr(ind, "dataset", None) is not None:
        table = getattr(ind.dataset, "files", None)
        if isinstance(table, pd.DataFrame) and "file" in table.columns:
            # not the copies, outputs and folders skipped as not data (their status says 已跳过)
            skipped = table["status"].astype("string").str.startswith("已跳过").fillna(False) \
                if "status" in table.columns else pd.Series(False, index=table.index)
            files = [str(f) for f in table.loc[~skipped.to_numpy(dtype=bool), "file"].tolist()]
    read, used = _num(q.get("rows_read")), _num(q.get("rows_used"))
    shown = files[:8]
    files_text = "、".join(shown) + ("等" if len(files) > len(shown) else "")
    return {
        "files": files, "file_count": len(files), "files_text": files_text,
        "rows_read": q.get("rows_read"), "rows_used": q.get("rows_used"),
        # left out for errors only: rows skipped as not data (totals, notes…) are neither
        "rows_left_out": (q.get("rows_left_out") if q.get("rows_left_out") is not None
                          else int(read - used) if read is not None and used is not None else None),
        "errors": q.get("errors"), "warnings": q.get("warnings"),
    }


AREA_TABLES = (("orgs", "by_area"), ("members", "by_area"), ("development", "by_area"),
               ("elections", "overdue_by_area"), ("committee", "by_area"))


def _scope_to_areas(ind: Any, ctx: dict, meta: dict) -> None:
    """A report of one area (or of an organization's subtree inside one area) compares no areas:
    the 各片区 tables (and the chart drawn from them) are left out; its 数据说明 says which 两新组织
    no area report counts (meta scope_note, set by api.split_by_area)."""
    ctx["sources"]["scope_note"] = str(meta.get("scope_note") or "")
    ds = getattr(ind, "dataset", None) if ind is not None else None
    orgs = getattr(ds, "orgs", None)
    if not isinstance(orgs, pd.DataFrame) or "area" not in orgs.columns:
        return
    areas = orgs["area"].astype("string").str.strip().replace("", pd.NA).dropna().nunique()
    if areas > 1:
        return
    for group, key in AREA_TABLES:
        if group in ctx and isinstance(ctx[group], dict):
            ctx[group][key] = pd.DataFrame()


def default_title(kind: str, district: str, period_zh: str) -> str:
    if kind == "换届工作情况报告":
        return f"{district}基层党组织换届工作情况报告"
    if kind == "两新组织党建调研":
        return f"{district}“两新”组织党建工作调研报告"
    return f"{district}{period_zh}基层党组织和党员队伍统计分析报告"


def report_context(source: Any, kind: str = "季度统计分析", narrative: dict | None = None,
                   title: str | None = None, district: str | None = None,
                   config: Config | None = None) -> dict:
    """The complete, plain context of a report (see the module docstring)."""
    raw, ind = _raw_context(source)
    cfg = config or getattr(ind, "config", None) or DEFAULT
    ctx: dict[str, Any] = {name: _group(raw, name) for name in GROUPS}
    _derive(ctx, cfg)

    meta = {}
    if ind is not None and getattr(ind, "dataset", None) is not None:
        meta = dict(getattr(ind.dataset, "meta", {}) or {})
    meta.update(raw.get("meta") or {})
    period = dict(raw.get("period") or {})
    if ind is not None and getattr(ind, "period", None) is not None and not period:
        p = ind.period
        period = {"label": p.label, "zh": p.zh, "start": p.start.isoformat(), "end": p.end.isoformat(),
                  "as_of": p.as_of.isoformat()}
    for key in ("label", "zh", "start", "end", "as_of"):
        v = period.get(key)
        period[key] = v.isoformat() if isinstance(v, (date, datetime)) else (v or "")
    period["as_of_zh"] = _zh_date(period.get("as_of") or period.get("end"))
    period["end_zh"] = _zh_date(period.get("end"))
    district = mask_text(district_name(meta, district or raw.get("district")))  # before it joins the title

    comparison = meta.get("comparison") or {}
    previous = raw.get("previous") or {}
    has_previous = bool(raw.get("has_previous", bool(previous)))
    ctx.update({
        "kind": kind,
        "district": district,
        "title": title or raw.get("title") or default_title(kind, district, period.get("zh", "")),
        "period": period,
        "as_of_zh": period["as_of_zh"],
        "has_previous": has_previous,
        "previous": previous if isinstance(previous, dict) else {},
        "ref": str(comparison.get("ref") or "上季度"),
        "findings": _findings(raw.get("findings")),
        "thresholds": {**asdict(cfg.regulations), **asdict(cfg.concerns)},
        "narrative": dict(narrative or {}),
    })
    ctx["findings_election"] = [f for f in ctx["findings"] if f["group"] in ("elections", "committee")]
    ctx["findings_two_new"] = [f for f in ctx["findings"]
                               if f["group"] == "coverage" or f["id"] == "orgs.joint_branch_units"]
    for suffix in ("", "_election", "_two_new"):
        items = ctx[f"findings{suffix}"]
        ctx[f"measures{suffix}"] = list(dict.fromkeys(f["measure"] for f in items if f["measure"]))
    ctx["judgement"] = _judgement.judge(ctx, raw.get("previous_findings"), cfg)
    ctx["sources"] = _sources(ind, ctx)
    ctx["sources"]["previous_note"] = str(comparison.get("note") or "")
    _scope_to_areas(ind, ctx, meta)
    ctx["two_new"] = _two_new(ind, cfg) if kind == "两新组织党建调研" else {}
    if not ctx["two_new"]:
        ctx["two_new"] = {g: _group({}, g) for g in TWO_NEW_GROUPS}
        _derive_elections(ctx["two_new"]["elections"], cfg)
    ctx["tables"] = {"committee_compare": committee_compare(ctx["committee"]),
                     "two_new_committee_compare": committee_compare(ctx["two_new"]["committee"])}
    # the one door of every report output (docx, tables.xlsx, charts): ID and mobile numbers in
    # any text of the data (names, areas, file names, narrative) are masked here
    return mask_deep(ctx)


def _two_new(ind: Any, cfg: Config) -> dict:
    """Election and committee indicators of the organizations in 两新组织 (sectors 非公有制企业 and
    社会组织), computed on that part of the Dataset; {} without a Dataset."""
    ds = getattr(ind, "dataset", None) if ind is not None else None
    if ds is None or not hasattr(ds, "orgs"):
        return {}
    from ..dataset import subset_by_orgs
    from ..indicators import compute

    org_ids = ds.orgs.loc[ds.orgs["sector"].astype("string").isin(schema.TWO_NEW_SECTORS), "org_id"]
    part = subset_by_orgs(ds, org_ids, ds.meta.get("district", "") if ds.meta else "")
    part.units = ds.units
    raw = compute(part, config=cfg).context()
    out = {g: _group(raw, g) for g in TWO_NEW_GROUPS}
    _derive_elections(out["elections"], cfg)
    return out


def zh_filters() -> dict:
    """The Jinja filters of report templates: zh.FILTERS (with a Chinese date)."""
    return {"date_zh": _zh_date, **zh.FILTERS}
