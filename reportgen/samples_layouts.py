"""Some of the sample district's tables written in the layouts organization departments really
exchange (issue 16 item 7), so that ``make demo`` and the sample tests read them too.

``take_real_layouts(books, d)`` takes, from the workbooks ``samples.write_district`` has planned,
- the 党员 sheet of the first street workbook → a member export of the national Party-member
  information system (its 29 columns, 学历 in the system's short forms and 党校 forms, 所在党支部 by
  full name, dates as text);
- the 换届选举 sheet of the second → a 换届选举情况统计表 (title and 填报单位 rows, the long headers
  应到会有选举权党员数 / 实到会有选举权党员数, dates as Chinese text, 合计 and note rows);
- the 党组织 sheet of the third → an organization list with 党组织全称 and 简称, the parent given by
  name (the 简称 of a street's top organization, else the full name), 单位类别 words, 党组织所在单位情况
  and 在岗职工人数, title row;
- the 班子成员 sheet of the last → a 班子信息集 (所属党支部, 党内职务, 姓名, 公民身份证号码, 性别, 出生日期,
  学历, 任职日期, 离职日期, 排序; no 届别: the current term holds office now, the previous one held it
  just before the organization's 本届选举日期);
- the 两新组织 workbook → a 两新 statistics table: two-row header with one-hot "√" columns under
  党组织组建情况, section rows (一、非公有制企业 / 二、社会组织), 小计 and 合计 rows, a note and a
  signature line, a 填表说明 sheet with 填写示例 rows and a hidden 字典 sheet;
and returns writers for the new files. The same people, organizations and units are written, only
laid out differently: the figures of the sample do not change once the reader understands them.
Nothing here is random: the same district gives the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from . import schema
from .outputs import atomic_write

FIXED_TIME = datetime(2000, 1, 1)


@dataclass
class RealBook:
    """One file in a real layout: its name (relative to the quarter folder) and its writer."""

    file: str
    write: Callable[[Path], None]


def _text_date(v: Any) -> str | None:
    if v is None or pd.isna(v):
        return None
    return pd.Timestamp(v).strftime("%Y-%m-%d")


def _day(v: Any) -> datetime | None:
    if v is None or pd.isna(v):
        return None
    t = pd.Timestamp(v)
    return datetime(t.year, t.month, t.day)


def short_name(name: str, district: str) -> str:
    """The 简称 of an organization: without 中共+district, its 委员会 ending turned into 党委/党支部…"""
    s = name.removeprefix("中共").removeprefix(district)
    for long, short in (("工作委员会", "党工委"), ("总支部委员会", "党总支"), ("联合支部委员会", "联合党支部"),
                        ("支部委员会", "党支部"), ("委员会", "党委")):
        if s.endswith(long):
            return s[: -len(long)] + short
    return s


class _Book:
    """A small xlsxwriter workbook with the formats the layouts need (fixed document time)."""

    def __init__(self, path: Path, title: str, author: str):
        import xlsxwriter

        self.wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                                  "strings_to_urls": False})
        self.wb.set_properties({"title": title, "author": author, "created": FIXED_TIME})
        self.head = self.wb.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter",
                                        "text_wrap": True})
        self.title = self.wb.add_format({"bold": True, "font_size": 16, "align": "center"})
        self.date = self.wb.add_format({"num_format": "yyyy-mm-dd"})
        self.text = self.wb.add_format({"num_format": "@"})

    def row(self, ws, r: int, values) -> None:
        for j, v in enumerate(values):
            if v is None or (not isinstance(v, (str, datetime)) and pd.isna(v)):
                continue
            if isinstance(v, datetime):
                ws.write_datetime(r, j, v, self.date)
            elif isinstance(v, str):
                ws.write_string(r, j, v)
            else:
                ws.write_number(r, j, float(v))

    def close(self) -> None:
        self.wb.close()


# ---------------------------------------------------------------- 党员: national-system export

NATIONAL_HEADERS = ("序号", "姓名", "性别", "公民身份号码", "民族", "出生日期", "学历", "人员类别", "学位", "所在党支部",
                    "手机号码", "入党日期", "转正日期", "党龄", "党龄校正值", "新社会阶层类型", "工作岗位", "从事专业技术职务",
                    "是否农民工", "现居住地", "户籍所在地", "是否失联党员", "是否流动党员", "入党类型", "转正情况",
                    "入党时所在支部", "延长预备期时间", "党员所属行业", "工作岗位补充")
# 学历 as the national system writes it: short forms, with the 党校 forms for every seventh member
_EDU_SYSTEM = {"研究生": ("硕士", "博士及以上", "在职研究生", "中央党校研究生"),
               "大学本科": ("本科", "本科", "本科", "中央党校大学", "省（区、市）委党校大学"),
               "大学专科": ("专科", "专科", "省（区、市）委党校大专"),
               "中专": ("中专",), "高中、中技": ("高中",), "初中及以下": ("初中",)}
_DEGREE = {"研究生": "硕士", "大学本科": "学士"}


def _national_export(frame: pd.DataFrame, org_names: dict, as_of: date, title: str, author: str) -> Callable:
    m = frame.reset_index(drop=True)
    n = len(m)
    edu = m["education"].astype("string")
    pick = np.arange(n)
    edu_written = [None if pd.isna(e) else _EDU_SYSTEM[e][i % len(_EDU_SYSTEM[e])] for i, e in zip(pick, edu)]
    joined = pd.to_datetime(m["joined"])
    age_party = (as_of.year - joined.dt.year).astype("Int64")

    def write(path: Path) -> None:
        with atomic_write(path) as tmp:
            b = _Book(tmp, title, author)
            ws = b.wb.add_worksheet("党员基本信息")
            ws.write_row(0, 0, NATIONAL_HEADERS, b.head)
            for i in range(n):
                p = m.iloc[i]
                branch = org_names.get(p["org_id"], p["org_id"])
                full = _text_date(p["full_member_since"])
                b.row(ws, i + 1, (
                    i + 1, p["name"], p["gender"], p["id_number"], p["ethnicity"], _text_date(p["birth_date"]),
                    edu_written[i], p["status"], _DEGREE.get(edu.iloc[i], None) if pd.notna(edu.iloc[i]) else None,
                    branch, p["phone"], _text_date(p["joined"]), full,
                    None if pd.isna(age_party.iloc[i]) else int(age_party.iloc[i]), 0, None, p["occupation"], None,
                    "否", None, None, "否", p["mobile"], "普通发展", "按期转正" if full else None, branch, None, None,
                    None))
            b.close()

    return write


# ---------------------------------------------------------------- 党组织: the district's organization list

ORGS_HEADERS = ("序号", "党组织全称", "简称", "党组织编码", "上级党组织", "组织类别", "党组织所在单位情况", "单位类别",
                "所在街道", "成立时间", "本届换届时间", "任期年数", "书记", "书记兼任工会主席", "已建工会", "已建团组织",
                "已建妇女组织", "在岗职工人数")
_SECTOR_WORDS = {"机关": "党政机关", "城市社区": "街道社区", "事业单位": "其他事业单位"}


def _org_list(frame: pd.DataFrame, all_orgs: pd.DataFrame, district: str, title: str, author: str) -> Callable:
    o = frame.reset_index(drop=True)
    names = dict(zip(all_orgs["org_id"], all_orgs["name"]))
    depth = dict(zip(all_orgs["org_id"], all_orgs["x_depth"]))

    def parent_name(pid: Any) -> str | None:
        if pid is None or pd.isna(pid):
            return None
        full = names.get(pid)
        return short_name(full, district) if depth.get(pid) == 0 else full

    def write(path: Path) -> None:
        with atomic_write(path) as tmp:
            b = _Book(tmp, title, author)
            ws = b.wb.add_worksheet("党组织信息")
            ws.merge_range(0, 0, 0, len(ORGS_HEADERS) - 1, title, b.title)
            ws.write_row(1, 0, ORGS_HEADERS, b.head)
            ws.set_column(3, 3, 14, b.text)
            for i in range(len(o)):
                p = o.iloc[i]
                situation = ("联合党支部" if p["org_type"] == schema.JOINT_BRANCH
                             else "法人单位" if pd.isna(p["parent_id"]) or p["org_type"] in schema.DANGWEI_TYPES
                             else "与上级党组织相同")
                years = p["term_years"]
                b.row(ws, i + 2, (
                    i + 1, p["name"], short_name(p["name"], district), p["org_id"], parent_name(p["parent_id"]),
                    p["org_type"], situation, _SECTOR_WORDS.get(p["sector"], p["sector"]), p["area"],
                    _day(p["founded"]), _day(p["last_election"]), None if pd.isna(years) else int(years),
                    None if pd.isna(p["secretary"]) else p["secretary"],
                    None if pd.isna(p["secretary_union_chair"]) else p["secretary_union_chair"],
                    None if pd.isna(p["has_union"]) else p["has_union"],
                    None if pd.isna(p["has_youth_league"]) else p["has_youth_league"],
                    None if pd.isna(p["has_women_org"]) else p["has_women_org"],
                    int(p["x_members_own"]) * 3 + 5))
            b.close()

    return write


# ---------------------------------------------------------------- 换届选举: the 换届选举情况统计表

ELECTION_HEADERS = ("序号", "党组织名称", "党组织编码", "换届时间", "选举方式", "应到会有选举权党员数", "实到会有选举权党员数",
                    "应选委员数", "委员候选人数", "上届换届时间")


def _cn_day(v: Any) -> str | None:
    if v is None or pd.isna(v):
        return None
    t = pd.Timestamp(v)
    return f"{t.year}年{t.month}月{t.day}日"


def _election_table(frame: pd.DataFrame, org_names: dict, title: str, author: str) -> Callable:
    """The elections statistics table: title and 填报单位 rows, the long 有选举权 headers, dates as
    Chinese text (the day kept, so that terms and ages stay those of the plain layout), a 合计 row
    and a note."""
    e = frame.reset_index(drop=True)

    def write(path: Path) -> None:
        with atomic_write(path) as tmp:
            b = _Book(tmp, title, author)
            ws = b.wb.add_worksheet("换届选举情况统计表")
            ws.merge_range(0, 0, 0, len(ELECTION_HEADERS) - 1, title, b.title)
            ws.write_string(1, 0, f"填报单位（盖章）：{author}")
            ws.write_string(1, 5, "填表人：")
            ws.write_string(1, 7, "报出时间：")
            ws.write_row(2, 0, ELECTION_HEADERS, b.head)
            ws.set_column(2, 2, 14, b.text)
            for i in range(len(e)):
                p = e.iloc[i]
                b.row(ws, i + 3, (i + 1, org_names.get(p["org_id"], None), p["org_id"], _cn_day(p["date"]),
                                  p["method"], p["eligible"], p["present"], p["seats"], p["candidates"],
                                  _cn_day(p["previous_date"])))
            r = len(e) + 3
            sums = [int(pd.to_numeric(e[k], errors="coerce").fillna(0).sum())
                    for k in ("eligible", "present", "seats", "candidates")]
            b.row(ws, r, ("合计", None, None, None, None, *sums))
            ws.write_string(r + 1, 0, "注：应到会、实到会人数均指有选举权的党员数；换届时间填写召开选举大会的日期。")
            b.close()

    return write


# ---------------------------------------------------------------- 班子成员: the 班子信息集

COMMITTEE_HEADERS = ("所属党支部", "党内职务", "姓名", "公民身份证号码", "性别", "出生日期", "学历", "任职日期", "离职日期",
                     "排序")
_MEMBER_TITLES = ("组织委员", "宣传委员", "纪检委员", "统战委员", "青年委员", "保密委员")


def _role_word(role: str, org_type: str, rank: int) -> str:
    if role == schema.SECRETARY:
        return {"党委": "党委书记", "党工委": "党工委书记", "党总支": "党总支书记"}.get(org_type, "支部书记")
    if role != "委员":
        return role
    if org_type in schema.DANGWEI_TYPES:
        return "党委委员"
    if org_type == schema.ZONGZHI:
        return "总支委员"
    return _MEMBER_TITLES[rank % len(_MEMBER_TITLES)]


def committee_offices(committee: pd.DataFrame, orgs: pd.DataFrame, elections: pd.DataFrame) -> pd.DataFrame:
    """One row per office held, from 本届/上届 rows: a member of both terms in the same role holds one
    office since the previous election; one who changed role left the old office at the last election;
    a previous-term member left at it; a new member took office at it."""
    o = orgs.drop_duplicates("org_id").set_index("org_id")
    last = pd.to_datetime(o["last_election"])
    years = o["term_years"].astype("Float64").fillna(o["org_type"].map(schema.TERM_YEARS_DEFAULT).astype("Float64"))
    prev = pd.Series([d - pd.DateOffset(years=int(y)) if pd.notna(d) else pd.NaT for d, y in zip(last, years)],
                     index=o.index)
    if len(elections):
        e = elections.sort_values("date").drop_duplicates("org_id", keep="last").set_index("org_id")
        known = pd.to_datetime(e["previous_date"]).dropna()
        same = pd.to_datetime(e["date"]).reindex(known.index) == last.reindex(known.index)
        prev.update(known[same.to_numpy(dtype=bool)])
    if "x_prev_election" in o:
        fill = pd.to_datetime(o["x_prev_election"])
        prev = prev.where(prev.notna(), fill)
    c = committee.copy()
    c["who"] = c["id_number"].astype("string").fillna(c["name"].astype("string"))
    cur = c[c["term"] == schema.CURRENT_TERM]
    old = c[c["term"] == schema.PREVIOUS_TERM]
    both = cur.merge(old[["org_id", "who", "role"]], on=["org_id", "who"], how="left", suffixes=("", "_prev"),
                     indicator=True)
    both["same"] = ((both["_merge"] == "both") & (both["role"] == both["role_prev"])).to_numpy(dtype=bool)
    both = both.drop(columns=["_merge"])
    rows = []
    for p in both.itertuples(index=False):
        rows.append((p, p.role, prev.get(p.org_id) if p.same else last.get(p.org_id), None))
    kept = set(zip(both["org_id"], both["who"], both["role"]))
    for p in old.itertuples(index=False):
        if (p.org_id, p.who, p.role) in kept:
            continue  # the same office goes on
        rows.append((p, p.role, prev.get(p.org_id), last.get(p.org_id)))
    out = pd.DataFrame({
        "org_id": [r[0].org_id for r in rows], "role": [r[1] for r in rows], "name": [r[0].name for r in rows],
        "id_number": [r[0].id_number for r in rows], "gender": [r[0].gender for r in rows],
        "birth_date": [r[0].birth_date for r in rows], "education": [r[0].education for r in rows],
        "start": [r[2] for r in rows], "end": [r[3] for r in rows],
        "rank": [getattr(r[0], "x_rank", 0) for r in rows]})
    out["org_type"] = out["org_id"].map(o["org_type"])
    return out.sort_values(["org_id", "start", "rank"], kind="stable").reset_index(drop=True)


def _committee_set(offices: pd.DataFrame, org_names: dict, title: str, author: str) -> Callable:
    def write(path: Path) -> None:
        with atomic_write(path) as tmp:
            b = _Book(tmp, title, author)
            ws = b.wb.add_worksheet("班子信息集")
            ws.write_row(0, 0, COMMITTEE_HEADERS, b.head)
            ws.set_column(3, 3, 20, b.text)
            order = offices.groupby("org_id", sort=False).cumcount() + 1
            for i in range(len(offices)):
                p = offices.iloc[i]
                b.row(ws, i + 1, (org_names.get(p["org_id"], p["org_id"]),
                                  _role_word(p["role"], p["org_type"], int(p["rank"])), p["name"],
                                  None if pd.isna(p["id_number"]) else p["id_number"],
                                  None if pd.isna(p["gender"]) else p["gender"], _day(p["birth_date"]),
                                  None if pd.isna(p["education"]) else p["education"], _day(p["start"]),
                                  _day(p["end"]), int(order.iloc[i])))
            b.close()

    return write


# ---------------------------------------------------------------- 两新组织: one-hot √ statistics table

UNIT_TOP = ("序号", "单位名称", "统一社会信用代码", "单位类别", "从业人员数", "所在园区楼宇", "党组织组建情况", None, None,
            "所属党组织", "党员人数", "是否选派党建指导员", "已建工会", "已建团组织", "已建妇女组织")
UNIT_SUB = (None,) * 6 + schema.PARTY_ORG.values + (None,) * 6
_TICK = "√"


def _units_row(seq: Any, u: dict, org_name: str | None) -> tuple:
    ticks = tuple(_TICK if u["party_org"] == k else None for k in schema.PARTY_ORG.values)
    yes = [(_TICK if u[k] == schema.YES else None) for k in ("has_union", "has_youth_league", "has_women_org")]
    return (seq, u["unit_name"], u["credit_code"], u["unit_type"], u["employees"], u["location"], *ticks,
            org_name, u["party_members"], u["has_instructor"], *yes)


def _units_table(frame: pd.DataFrame, org_names: dict, district: str, zh_period: str, author: str) -> Callable:
    units = frame.reset_index(drop=True).astype(object).where(frame.reset_index(drop=True).notna(), None)

    def write(path: Path) -> None:
        title = f"{district}“两新”组织党建工作情况统计表（{zh_period}）"
        with atomic_write(path) as tmp:
            b = _Book(tmp, title, author)
            ws = b.wb.add_worksheet("两新组织党建情况统计表")
            width = len(UNIT_TOP)
            ws.merge_range(0, 0, 0, width - 1, title, b.title)
            ws.write_string(1, 0, f"填报单位（盖章）：{author}")
            ws.write_string(1, 9, "报出时间：")
            for j, h in enumerate(UNIT_TOP):
                if j in (6, 7, 8):
                    continue
                ws.merge_range(2, j, 3, j, h, b.head)
            ws.merge_range(2, 6, 2, 8, UNIT_TOP[6], b.head)
            for j in (6, 7, 8):
                ws.write_string(3, j, UNIT_SUB[j], b.head)
            ws.set_column(2, 2, 22, b.text)
            r, seq = 4, 0
            totals = np.zeros(3, dtype=np.int64)
            for k, (section, kind) in enumerate((("一、非公有制企业", "非公有制企业"), ("二、社会组织", "社会组织"))):
                ws.write_string(r, 0, section)
                r += 1
                block = units[units["unit_type"] == kind]
                for u in block.to_dict("records"):
                    seq += 1
                    b.row(ws, r, _units_row(seq, u, org_names.get(u["org_id"]) if u["org_id"] else None))
                    r += 1
                counts = np.array([(block["party_org"] == v).sum() for v in schema.PARTY_ORG.values])
                totals += counts
                b.row(ws, r, ("小计", None, None, None, int(pd.to_numeric(block["employees"]).sum()), None,
                              *map(int, counts)))
                r += 1
            b.row(ws, r, ("合计", None, None, None, int(pd.to_numeric(units["employees"]).sum()), None,
                          *map(int, totals)))
            r += 1
            ws.write_string(r, 0, "注：党组织组建情况在对应栏内打“√”；联合组建的填写联合党支部名称。")
            r += 1
            ws.write_string(r, 0, "单位负责人：")
            ws.write_string(r, 6, "填表人：")
            ws.write_string(r, 10, "联系电话：")

            guide = b.wb.add_worksheet("填表说明")
            for i, line in enumerate(("填表说明", "1. 本表统计辖区内非公有制企业和社会组织，每个单位一行。",
                                      "2. 党组织组建情况在“单独组建”“联合组建”“未建立”三栏中选一栏打“√”。",
                                      "3. 是否选派党建指导员填“是”或“否”；已建群团组织的在对应栏内打“√”。")):
                guide.write_string(i, 0, line)
            guide.write_string(5, 0, "填写示例：")
            b.row(guide, 6, UNIT_TOP)
            b.row(guide, 7, UNIT_SUB)
            examples = (
                dict(unit_name="××科技有限公司", credit_code="91××××××××××××××××", unit_type="非公有制企业",
                     employees=150, location="××园区", party_org="单独组建", org_id=None, party_members=12,
                     has_instructor="否", has_union="是", has_youth_league="是", has_women_org="否"),
                dict(unit_name="××行业协会", credit_code=None, unit_type="社会组织", employees=8, location="××社区",
                     party_org="未建立", org_id=None, party_members=1, has_instructor="是", has_union="否",
                     has_youth_league="否", has_women_org="否"))
            for i, ex in enumerate(examples):
                b.row(guide, 8 + i, _units_row("示例", ex, "××科技有限公司党支部" if i == 0 else None))
            words = b.wb.add_worksheet("字典")
            words.write_row(0, 0, ("单位类别", "党组织组建情况", "是否"))
            for i, row in enumerate(zip(schema.UNIT_TYPE.values + ("",), schema.PARTY_ORG.values,
                                        schema.YES_NO.values + ("",))):
                b.row(words, i + 1, tuple(v or None for v in row))
            words.hide()
            b.close()

    return write


# ---------------------------------------------------------------- taking sheets out of the plan


def take_real_layouts(books: list, d) -> list[RealBook]:
    """Remove the sheets chosen above from ``books`` (samples' planned workbooks) and return the
    writers of the same rows in real layouts. Books left without sheets are dropped."""
    org_books = [b for b in books if any(s.key == "orgs" for s in b.sheets)]  # the street workbooks
    unit_books = [b for b in books if [s.key for s in b.sheets] == ["units"]]
    names = dict(zip(d.orgs["org_id"], d.orgs["name"]))
    out: list[RealBook] = []

    def take(book, key):
        sh = next((s for s in book.sheets if s.key == key), None)
        if sh is not None:
            book.sheets.remove(sh)
        return sh

    def stem(book) -> str:
        return book.file.rsplit(".", 1)[0]

    if org_books:
        b = org_books[0]
        sh = take(b, "members")
        if sh is not None:
            out.append(RealBook(f"{stem(b)}_党员信息导出.xlsx",
                                _national_export(sh.frame, names, d.period.as_of, f"{b.unit}党员信息", b.unit)))
    if len(org_books) >= 2:
        b = org_books[1]
        sh = take(b, "elections")
        if sh is not None:
            out.append(RealBook(f"{stem(b)}_换届选举情况统计表.xlsx",
                                _election_table(sh.frame, names, f"{b.unit}基层党组织换届选举情况统计表", b.unit)))
    if len(org_books) >= 3:
        b = org_books[2]
        sh = take(b, "orgs")
        if sh is not None:
            full = d.orgs[d.orgs["org_id"].isin(sh.frame["org_id"])]
            out.append(RealBook(f"{stem(b)}_党组织名册.xlsx",
                                _org_list(full, d.orgs, d.name, f"{b.unit}基层党组织名册", b.unit)))
    if len(org_books) >= 2:
        b = org_books[-1]
        sh = take(b, "committee")
        if sh is not None:
            offices = committee_offices(sh.frame, d.orgs, d.elections)
            out.append(RealBook(f"{stem(b)}_班子信息集.xlsx", _committee_set(offices, names, "班子信息集", b.unit)))
    for b in unit_books:
        sh = take(b, "units")
        if sh is not None:
            out.append(RealBook(b.file if b.file.endswith(".xlsx") else f"{stem(b)}.xlsx",
                                _units_table(sh.frame.drop(columns=["_key"]), names, d.name, d.period.zh, b.unit)))
    books[:] = [b for b in books if b.sheets]
    return out
