"""The judgement layer between findings and words (issue 18): what matters most, with its number.

Pure functions of computed indicators and findings (no data reading): the findings ranked by
severity and scale, the area holding the largest part of a finding's ledger, what persists from the
previous period (ledgers matched by organization code), the areas that differ from the district by
a documented margin (``report.area_margin_*``), and interpretations ("反映出…") stated only where a
rule of :data:`RULES` holds on the figures. :func:`judge` gathers them into the report context's
``judgement``: ``overall`` (the 总体情况 sentences) and ``sections.<name>`` (each section's opening).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import pandas as pd

from .. import schema, zh
from ..config import DEFAULT, Config
from ..findings import rank

AREA = schema.ORGS.header("area")  # 所属片区
CODE = schema.ORGS.header("org_id")  # 组织编码


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class Rule:
    """An interpretation stated only when ``condition(figures, report_config)`` holds."""

    id: str
    condition: Callable[[dict, Any], bool]
    sentence: str
    doc: str


def _f(d: dict, key: str) -> float | None:
    v = d.get(key)
    try:
        v = float(v)
    except (TypeError, ValueError):
        return None
    return None if v != v else v


RULES: tuple[Rule, ...] = (
    Rule("aging",
         lambda d, r: (_f(d, "under35_share") is not None and _f(d, "age_mean") is not None
                       and _f(d, "under35_share") < r.aging_under35_share and _f(d, "age_mean") > r.aging_age_mean),
         "反映出党员队伍老龄化问题突出",
         "35岁及以下党员占比低于 report.aging_under35_share（0.15）且平均年龄高于 report.aging_age_mean（55岁）"),
    Rule("persistent",
         lambda d, r: (_f(d, "persistent_share") is not None and _f(d, "persistent_share") >= r.persistent_share),
         "反映出部分问题长期未得到整改",
         "本期台账中上期已在台账的（按组织编码匹配）占比不低于 report.persistent_share（0.5）"),
    Rule("concentrated",
         lambda d, r: (_f(d, "top_share") is not None and _f(d, "top_share") >= r.concentration_share
                       and (_f(d, "total") or 0) >= r.small_base),
         "问题相对集中，应作为督促整改的重点",
         "一个片区占台账的比例不低于 report.concentration_share（0.3），且台账不少于 report.small_base（10）项"),
)
RULES_BY_ID = {r.id: r for r in RULES}


def interpret(rule_id: str, figures: dict, config: Config = DEFAULT) -> str:
    """The rule's sentence when its condition holds on ``figures``, else ""."""
    rule = RULES_BY_ID[rule_id]
    return rule.sentence if rule.condition(figures, config.report) else ""


# --------------------------------------------------------------------------- ledgers


def concentration(ledger: Any, area_col: str = AREA) -> dict | None:
    """The area holding the most rows of ``ledger``: {"area", "n", "total", "share"}; ties go to the
    area first in order of name; None for an empty ledger or one without areas."""
    if not isinstance(ledger, pd.DataFrame) or ledger.empty or area_col not in ledger.columns:
        return None
    areas = ledger[area_col].astype("string").fillna("").str.strip()
    areas = areas[areas != ""]
    if areas.empty:
        return None
    counts = areas.value_counts()
    top = counts.max()
    area = sorted(counts[counts == top].index)[0]
    total = len(ledger)
    return {"area": str(area), "n": int(top), "total": int(total), "share": float(top) / total}


def persistence(ledger: Any, previous: Any, code_col: str = CODE) -> int | None:
    """How many rows of ``ledger`` (by organization code) were already in the previous period's
    ledger; None when either side has no codes."""
    if not isinstance(ledger, pd.DataFrame) or not isinstance(previous, pd.DataFrame):
        return None
    if code_col not in ledger.columns or code_col not in previous.columns:
        return None
    prev = set(previous[code_col].astype("string").str.strip().dropna())
    return int(ledger[code_col].astype("string").str.strip().isin(prev).sum())


PERSIST_WORDS = {"到期未换届": "已到期未换届"}  # else "已存在此问题"


def ledger_sentence(title: str, c: dict, persistent: int | None = None, ref: str = "上季度",
                    config: Config = DEFAULT) -> str:
    """"到期未换届的25个党组织中，柳河镇10个，占40.0%；其中19个上季度已到期未换届" (+ an interpretation)."""
    who = f"{title}的" if title in PERSIST_WORDS else f"存在“{title}”问题的"
    text = f"{who}{c['total']}个党组织中，{c['area']}{c['n']}个，占{zh.pct_text(c['share'])}"
    figures: dict[str, Any] = {"top_share": c["share"], "total": c["total"]}
    if persistent is not None:
        text += f"；其中{persistent}个{ref}{PERSIST_WORDS.get(title, '已存在此问题')}" if persistent else "；均为本期新出现的"
        figures["persistent_share"] = persistent / c["total"] if c["total"] else None
    notes = [s for s in (interpret("persistent", figures, config), interpret("concentrated", figures, config)) if s]
    if notes:
        text += "，" + "，".join(notes)
    return text + "。"


# --------------------------------------------------------------------------- areas


def outlier(frame: Any, column: str, district: Any, margin: float, higher: bool,
            base_col: str | None = None, min_base: int = 0) -> dict | None:
    """The area of ``frame`` (first column the area) whose ``column`` is the highest (``higher``) or
    lowest, named only when it differs from ``district`` by at least ``margin`` in that direction
    and its ``base_col`` is at least ``min_base``: {"area", "value", "diff"} or None."""
    if not isinstance(frame, pd.DataFrame) or frame.empty or column not in frame.columns:
        return None
    d = _f({"x": district}, "x")
    if d is None:
        return None
    values = pd.to_numeric(frame[column], errors="coerce")
    keep = values.notna() & ~frame.iloc[:, 0].astype(str).isin(("合计", "总计"))
    if base_col and base_col in frame.columns:
        keep &= pd.to_numeric(frame[base_col], errors="coerce").fillna(0) >= min_base
    if not keep.any():
        return None
    values = values[keep]
    i = values.idxmax() if higher else values.idxmin()
    v = float(values[i])
    diff = v - d if higher else d - v
    if diff < margin - 1e-12:
        return None
    return {"area": str(frame.iloc[:, 0][i]), "value": v, "diff": diff}


def members_sentence(members: dict, district: str, config: Config = DEFAULT) -> str:
    """"望湖街道党员平均年龄58.7岁，比全区高9.6岁；35岁及以下的仅占10.0%（全区23.8%），反映出…"."""
    r = config.report
    frame = members.get("by_area")
    old = outlier(frame, "平均年龄", members.get("age_mean"), r.area_margin_years, True, "人数", r.small_base)
    young = outlier(frame, "35岁及以下占比", members.get("under35_share"), r.area_margin_share, False,
                    "人数", r.small_base)
    parts = []
    if old:
        parts.append(f"{old['area']}党员平均年龄{zh.num(old['value'])}岁，比{district}"
                     f"（{zh.num(members.get('age_mean'))}岁）高{zh.num(zh.displayed_delta(old['value'], previous=members.get('age_mean'), scale=1))}岁")
    if young:
        who = "" if old and young["area"] == old["area"] else young["area"]
        parts.append(f"{who}35岁及以下的仅占{zh.pct_text(young['value'])}（{district}"
                     f"{zh.pct_text(members.get('under35_share'))}）")
    if not parts:
        if _f(members, "age_mean") is None:
            return ""
        text = f"{district}党员平均年龄{zh.num(members.get('age_mean'))}岁"
        if _f(members, "under35_share") is not None:
            text += f"，35岁及以下的占{zh.pct_text(members.get('under35_share'))}"
        note = interpret("aging", members, config)
        return text + (f"，{note}" if note else "") + "。"
    text = "；".join(parts)
    if old and young and young["area"] == old["area"]:
        row = frame[frame.iloc[:, 0].astype(str) == old["area"]].iloc[0]
        note = interpret("aging", {"under35_share": row["35岁及以下占比"], "age_mean": row["平均年龄"]}, config)
        if note:
            text += f"，{note}"
    return text + "。"


def coverage_sentence(coverage: dict, district: str, config: Config = DEFAULT) -> str:
    """The 园区楼宇 whose organization coverage is lowest, when below the district by the margin."""
    r = config.report
    low = outlier(coverage.get("by_location"), "党组织覆盖率", coverage.get("org_share"), r.area_margin_share,
                  False, "个数", r.small_base)
    if low:
        return (f"{low['area']}党组织覆盖率为{zh.pct_text(low['value'])}，比{district}（"
                f"{zh.pct_text(coverage.get('org_share'))}）低{zh.pp(zh.displayed_delta(coverage.get('org_share'), previous=low['value']))}个百分点，"
                "是覆盖工作的薄弱环节。")
    if _f(coverage, "org_share") is None:
        return ""
    return f"{district}“两新”组织党组织覆盖率为{zh.pct_text(coverage.get('org_share'))}。"


def development_sentence(dev: dict, district: str, config: Config = DEFAULT) -> str:
    r = config.report
    low = outlier(dev.get("by_area"), "35岁及以下占比", dev.get("under35_share"), r.area_margin_share, False,
                  "人数", r.small_base)
    if low:
        return (f"{low['area']}新发展党员中35岁及以下的占{zh.pct_text(low['value'])}，比{district}（"
                f"{zh.pct_text(dev.get('under35_share'))}）低{zh.pp(zh.displayed_delta(dev.get('under35_share'), previous=low['value']))}个百分点。")
    return ""


# --------------------------------------------------------------------------- the whole


def unit(f: dict) -> str:
    """The counting word of a finding: 次 (elections), 家 (units), else 个."""
    ledger = f.get("ledger")
    cols = set(ledger.columns) if isinstance(ledger, pd.DataFrame) else set()
    if schema.ELECTIONS.header("date") in cols:
        return "次"
    if CODE not in cols and schema.UNITS.header("unit_name") in cols:
        return "家"
    return "个"


def _items(findings: list | None) -> list[dict]:
    return [f.as_dict() if hasattr(f, "as_dict") else dict(f) for f in (findings or [])]


def _ledger_opening(items: list[dict], ids: tuple[str, ...], prev: dict[str, Any], ref: str,
                    config: Config) -> str:
    for f in rank([f for f in items if f.get("id") in ids]):
        c = concentration(f.get("ledger"))
        if c:
            p = persistence(f.get("ledger"), prev[f["id"]]) if f["id"] in prev else None
            return ledger_sentence(str(f.get("title", "")), c, p, ref, config)
    return ""


def overall(items: list[dict], prev: dict[str, Any], ref: str, config: Config = DEFAULT) -> list[str]:
    """总体情况: the top three findings with their numbers, then the area holding the most overdue
    organizations with its share (and how many were overdue already)."""
    ranked = [f for f in rank(items) if f.get("count")]
    out = []
    if ranked:
        top = "；".join(f"{f['title']}（{f['count']}{unit(f)}，{f['severity']}）" for f in ranked[:3])
        out.append(f"本期数据反映出{len(ranked)}类问题，按严重程度和涉及数量，最突出的是：{top}。")
    else:
        out.append("从本期报送的数据看，未发现需要重点关注的问题。")
    overdue = next((f for f in items if f.get("id") == "elections.overdue"), None)
    if overdue is not None:
        c = concentration(overdue.get("ledger"))
        if c:
            p = persistence(overdue["ledger"], prev["elections.overdue"]) if "elections.overdue" in prev else None
            out.append(ledger_sentence(str(overdue.get("title", "")), c, p, ref, config))
    return out


def judge(ctx: dict, previous_findings: list | None = None, config: Config = DEFAULT) -> dict:
    """``{"overall": [sentences], "sections": {orgs, members, elections, coverage, development:
    sentence or ""}}`` (the findings section is the ranked list itself) from a report context (its groups and findings)."""
    items = _items(ctx.get("findings"))
    prev = {f.get("id"): f.get("ledger") for f in _items(previous_findings)
            if isinstance(f.get("ledger"), pd.DataFrame)}
    ref = str(ctx.get("ref") or "上季度")
    district = str(ctx.get("district") or "全区")
    sections = {
        "orgs": _ledger_opening(items, ("orgs.secretary_vacant", "orgs.branch_under_3", "orgs.no_committee_7plus",
                                        "orgs.branch_over_50"), prev, ref, config),
        "members": members_sentence(ctx.get("members") or {}, district, config),
        "elections": _ledger_opening(items, ("elections.overdue",), prev, ref, config),
        "coverage": coverage_sentence(ctx.get("coverage") or {}, district, config),
        "development": development_sentence(ctx.get("development") or {}, district, config),
    }
    return {"overall": overall(items, prev, ref, config), "sections": sections}
