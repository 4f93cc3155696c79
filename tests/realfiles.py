"""Workbooks in the layouts organization departments really exchange (issue 16 item 7).

``write_district(folder)`` writes a small synthetic district — two streets, 15 Party organizations,
about 330 members, four elections of the quarter, their committees as a 班子信息集, 14 "two new"
units — as seven workbooks laid out like the files a district receives:

- ``东湖街道党员信息导出.xlsx``: the member export of the national Party-member information system
  (its full field set, 29 columns; system short forms of 学历 such as 硕士 / 本科 / 专科 / 高中及以下,
  党校 forms, 在职研究生; 所在党支部 by full name, one branch by its 简称);
- ``东湖街道机关及非公企业党员花名册.xls``: a WPS roster saved as Excel 97-2003 on a sheet called
  Sheet1, with 党籍状态（正式党员或预备党员）, 入党时间/转正时间, 民族 "汉", GB/T 4658 学历 words and a
  所在党支部编码 column where Excel turned 030130 into the number 30130;
- ``西岭街道党员花名册.xlsx``: a hand-made street roster: title and 填报单位（盖章） rows, 性别 1/2, 民族 "汉",
  出生年月 "1969.01", 预/正, GB/T 4658 学历 words, the older 工作岗位 wording, a hidden column holding a
  stale copy of 学历, blank rows between branches, a 合计 row, a note, a signature line — and two
  rows that must be left out: a person with neither name nor ID number, and a second copy of a member;
- ``示例区党组织名册.xlsx``: 党组织全称 and 简称, codes with leading zeros (one with a leading space),
  the parent given by name (full or 简称), 组织类别, 党组织所在单位情况, 单位类别 words, 在岗职工人数;
- ``换届选举情况统计表.xlsx``: title and 填报单位 rows, the long headers 应到会有选举权党员数 /
  实到会有选举权党员数, month-only dates ("2026.07", "2026年8月"), a history row before the quarter,
  a 合计 row and a note;
- ``班子信息集.xlsx``: the committee set of the system: 所属党支部, 党内职务, 姓名, 公民身份证号码, 性别,
  出生日期, 学历, 任职日期, 离职日期, 排序 — no 届别: the current term is who holds office now, the
  previous term who held office just before the last election;
- ``两新组织党建情况统计表.xlsx``: a two-row header with one-hot "√" columns under 党组织组建情况
  (单独组建 / 联合组建 / 未建立), section rows (一、非公有制企业 / 二、社会组织), 小计 and 合计 rows, a
  note and a signature line; a 填表说明 sheet with 填写示例 rows; a hidden 字典 sheet.

Everything is synthetic (made-up area codes 990301/990302, valid GB 11643 check characters computed
here; valid GB 32100 credit-code check characters) and deterministic for a seed.

The writer returns a ``Truth``: what it wrote, with canonical values, from which the tests count the
figures themselves (plain pandas, never reportgen's indicator code), plus the Excel rows that are
furniture (to be skipped) or planted identity problems (to be left out).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.styles import Alignment, Font

PERIOD = "2026Q3"
PERIOD_START, PERIOD_END = date(2026, 7, 1), date(2026, 9, 30)
AS_OF = PERIOD_END
FIXED_TIME = datetime(2026, 10, 8, 9, 0, 0)

F_NATIONAL = "东湖街道党员信息导出.xlsx"
F_XLS = "东湖街道机关及非公企业党员花名册.xls"
F_ROSTER = "西岭街道党员花名册.xlsx"
F_ORGS = "示例区党组织名册.xlsx"
F_ELECTIONS = "换届选举情况统计表.xlsx"
F_COMMITTEE = "班子信息集.xlsx"
F_UNITS = "两新组织党建情况统计表.xlsx"
FILES = (F_NATIONAL, F_XLS, F_ROSTER, F_ORGS, F_ELECTIONS, F_COMMITTEE, F_UNITS)

# ---------------------------------------------------------------- synthetic ID numbers (GB 11643)

_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_check(first17: str) -> str:
    """GB 11643 check character, written out here (independent of reportgen)."""
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, _W)) % 11]


def make_id(area: str, birth: date, female: bool, seq: int) -> str:
    third = (seq * 2 + (0 if female else 1)) % 10  # odd for men, even for women
    first17 = f"{area}{birth:%Y%m%d}{seq % 100:02d}{third}"
    return first17 + id_check(first17)


_CC = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CW = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code(kind: str, area: str, body8: str) -> str:
    """A unified social credit code with valid GB 11714 (9th) and GB 32100 (18th) check characters."""
    r = 11 - sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, (3, 7, 9, 10, 5, 8, 4, 2))) % 11
    first17 = f"{kind}{area}{body8}{'X' if r == 10 else '0' if r == 11 else r}"
    return first17 + _CC[(31 - sum(_CC.index(c) * w for c, w in zip(first17, _CW)) % 31) % 31]


# ---------------------------------------------------------------- the district (truth)

# code, 全称, 简称, 组织类别, parent code, street, 单位类别 as written, sector, 党组织所在单位情况, members
ORGS = (
    ("0301", "中共示例区东湖街道工作委员会", "东湖街道党工委", "党工委", None, "东湖街道", "党政机关", "机关", "法人单位", 0),
    ("030101", "中共示例区东湖街道东湖社区委员会", "东湖社区党委", "党委", "0301", "东湖街道", "街道社区", "城市社区",
     "法人单位", 0),
    ("03010101", "中共示例区东湖街道东湖社区第一支部委员会", "东湖社区第一党支部", "党支部", "030101", "东湖街道",
     "街道社区", "城市社区", "与上级党组织相同", 48),
    ("03010102", "中共示例区东湖街道东湖社区第二支部委员会", "东湖社区第二党支部", "党支部", "030101", "东湖街道",
     "街道社区", "城市社区", "与上级党组织相同", 56),
    ("03010103", "中共示例区东湖街道东湖社区离退休党员支部委员会", "东湖社区离退休党支部", "党支部", "030101",
     "东湖街道", "街道社区", "城市社区", "与上级党组织相同", 46),
    ("030102", "中共示例区东湖街道机关总支部委员会", "东湖街道机关党总支", "党总支", "0301", "东湖街道", "党政机关",
     "机关", "与上级党组织相同", 0),
    ("03010201", "中共示例区东湖街道机关第一支部委员会", "街道机关第一党支部", "党支部", "030102", "东湖街道", "党政机关",
     "机关", "与上级党组织相同", 38),
    ("03010202", "中共示例区东湖街道机关第二支部委员会", "街道机关第二党支部", "党支部", "030102", "东湖街道", "党政机关",
     "机关", "与上级党组织相同", 4),
    ("030130", "中共示例区华瑞科技有限公司支部委员会", "华瑞科技党支部", "党支部", "0301", "东湖街道", "非公有制企业",
     "非公有制企业", "法人单位", 14),
    ("0302", "中共示例区西岭街道工作委员会", "西岭街道党工委", "党工委", None, "西岭街道", "党政机关", "机关", "法人单位", 0),
    ("030201", "中共示例区西岭街道西岭社区委员会", "西岭社区党委", "党委", "0302", "西岭街道", "街道社区", "城市社区",
     "法人单位", 0),
    ("03020101", "中共示例区西岭街道西岭社区第一支部委员会", "西岭社区第一党支部", "党支部", "030201", "西岭街道",
     "街道社区", "城市社区", "与上级党组织相同", 49),
    ("03020102", "中共示例区西岭街道西岭社区第二支部委员会", "西岭社区第二党支部", "党支部", "030201", "西岭街道",
     "街道社区", "城市社区", "与上级党组织相同", 45),
    ("030202", "中共示例区西岭街道商务楼宇联合支部委员会", "西岭商务楼宇联合党支部", "联合党支部", "0302", "西岭街道",
     "非公有制企业", "非公有制企业", "联合党支部", 22),
    ("030203", "中共示例区西岭街道文化站支部委员会", "西岭文化站党支部", "党支部", "0302", "西岭街道", "其他事业单位",
     "事业单位", "法人单位", 2),
)
ORG_COLUMNS = ("code", "name", "short", "org_type", "parent", "area", "sector_written", "sector", "unit_situation",
               "size")

# Which file holds which branches' members.
NATIONAL_ORGS = ("03010101", "03010102", "03010103")
XLS_ORGS = ("03010201", "03010202", "030130")
ROSTER_ORGS = ("03020101", "03020102", "030202", "030203")

# Elections: code, exact date, written date, method, eligible, present, seats, candidates, previous (written)
ELECTIONS = (
    ("03010101", date(2023, 7, 18), "2023.07", "党员大会", 40, 38, 5, 6, "2020.07"),  # history, before the quarter
    ("03010101", date(2026, 7, 20), "2026.07", "党员大会", 46, 44, 5, 6, "2023.07"),
    ("030102", date(2026, 8, 15), "2026年8月", "党员大会", 36, 28, 5, 6, "2023年8月"),    # 28 ≤ 4/5 × 36: no quorum
    ("03020101", date(2026, 9, 10), "2026.09", "党员大会", 47, 45, 5, 5, "2023.09"),    # 5 candidates for 5 seats
    ("030202", date(2026, 8, 28), "2026年8月", "党员大会", 21, 20, 3, 4, "2023年8月"),
)
# 本届选举日期 of the organizations without an election in the quarter
LAST_ELECTION = {"0301": date(2022, 11, 16), "030101": date(2024, 3, 21), "03010102": date(2024, 6, 12),
                 "03010103": date(2025, 4, 9), "03010201": date(2024, 5, 12), "03010202": date(2025, 1, 8),
                 "030130": date(2024, 10, 30), "0302": date(2023, 12, 5), "030201": date(2022, 6, 28),
                 "03020102": date(2025, 5, 20), "030203": date(2024, 9, 3)}

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
_GIVEN = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宁建国峰浩宇晨阳志海东林博文俊凯芳娜敏静丽艳娟霞燕玲婷雪慧颖琳倩洁梅莉欣悦琪晴"
_MINORITIES = ("回族", "满族", "蒙古族", "壮族", "朝鲜族")
EDU_LEVELS = ("研究生", "大学本科", "大学专科", "中专", "高中、中技", "初中及以下")
COLLEGE = ("研究生", "大学本科", "大学专科")
LOW = "高中及以下"  # the system short form that does not say which of the two lowest levels

# How each file writes an education level (the words differ per file).
EDU_NATIONAL = {"研究生": ("硕士", "博士及以上", "在职研究生", "中央党校研究生"),
                "大学本科": ("本科", "本科", "中央党校大学", "省（区、市）委党校大学"),
                "大学专科": ("专科", "专科", "省（区、市）委党校大专"),
                "中专": ("中专",), "高中、中技": ("高中及以下",), "初中及以下": ("高中及以下",)}
EDU_GBT = {"研究生": ("研究生",), "大学本科": ("大学本科",), "大学专科": ("大学专科",), "中专": ("中等专科",),
           "高中、中技": ("普通高中", "职业高中", "技工学校"), "初中及以下": ("初中", "小学")}
OCC_CURRENT = ("企事业单位、社会组织专业技术人员", "企事业单位、社会组织管理人员", "工人（工勤技能人员）",
               "党政机关工作人员", "其他职业人员")
OCC_OLDER = {"企事业单位、社会组织专业技术人员": "企事业单位、民办非企业单位专业技术人员",
             "企事业单位、社会组织管理人员": "企事业单位、民办非企业单位管理人员"}


@dataclass
class Truth:
    """What was written, in canonical values (one row per real person / organization / unit)."""

    folder: Path
    orgs: pd.DataFrame
    members: pd.DataFrame
    elections: pd.DataFrame
    committee: pd.DataFrame  # one row per office held: code, id, name, role, start, end
    units: pd.DataFrame
    # (file, Excel row) of rows that are not data (titles are above the header and not counted)
    furniture: list[tuple[str, int]] = field(default_factory=list)
    # (file, Excel row, why) of data rows that must be left out (identity problems)
    left_out: list[tuple[str, int, str]] = field(default_factory=list)
    # data rows written per file (the rows a reader must account for below the header)
    data_rows: dict[str, int] = field(default_factory=dict)


def _name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))


def _draw_members(rng: random.Random) -> pd.DataFrame:
    rows = []
    used_ids: set[str] = set()
    seq = 0
    for code, name, short, otype, parent, area, _, sector, _, size in ORGS:
        for i in range(size):
            retired = code == "03010103"
            female = rng.random() < (0.45 if retired else 0.36)
            age = rng.randint(61, 86) if retired else rng.choice(
                (rng.randint(22, 35), rng.randint(36, 50), rng.randint(51, 60), rng.randint(24, 60)))
            birth = date(2026 - age, rng.randint(1, 12), rng.randint(1, 28))
            area_code = "990301" if area == "东湖街道" else "990302"
            while True:
                seq += 1
                idn = make_id(area_code, birth, female, seq)
                if idn not in used_ids:
                    used_ids.add(idn)
                    break
            eth = "汉族" if rng.random() < 0.92 else rng.choice(_MINORITIES)
            weights = (1, 4, 8, 9, 10, 10) if retired else (9, 38, 22, 10, 13, 8)
            edu = rng.choices(EDU_LEVELS, weights)[0]
            # small branches: 03010202 has 2 full + 2 probationary, 030203 two full members
            probationary = (code == "03010202" and i >= 2) or (
                code not in ("03010202", "030203") and not retired and rng.random() < 0.04)
            if probationary:
                joined = date(2025, 10, 5) + timedelta(days=rng.randint(0, 340))
                full_since = None
            else:
                lo, hi = birth.year + 19, min(2024, birth.year + 45)
                joined = date(rng.randint(lo, hi), rng.randint(1, 12), rng.randint(1, 28))
                full_since = date(joined.year + 1, joined.month, joined.day)
            occ = "离退休人员" if retired else rng.choice(OCC_CURRENT)
            rows.append(dict(code=code, name=_name(rng), id=idn, gender="女" if female else "男", ethnicity=eth,
                             birth=birth, education=edu, status="预备党员" if probationary else "正式党员",
                             joined=joined, full_since=full_since, occupation=occ,
                             phone=f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}",
                             mobile="是" if rng.random() < 0.04 else "否"))
    m = pd.DataFrame(rows)
    # the written education word, per file (chosen once so that writing is deterministic)
    m["edu_national"] = [rng.choice(EDU_NATIONAL[e]) for e in m["education"]]
    m["edu_gbt"] = [rng.choice(EDU_GBT[e]) for e in m["education"]]
    return m


def _committees(members: pd.DataFrame, rng: random.Random) -> pd.DataFrame:
    """Offices held: for the four organizations that held elections in the quarter, the previous
    and the current term (with one role change and one office left at the election before);
    for 03010201 (no election in the quarter) its current committee only."""
    def people(code: str, n: int, skip: int = 0) -> list[dict]:
        pool = members[(members["code"] == code) & (members["status"] == "正式党员")]
        return pool.iloc[skip:skip + n].to_dict("records")

    rows = []

    def hold(code, p, role, start, end=None):
        rows.append(dict(code=code, id=p["id"], name=p["name"], gender=p["gender"], birth=p["birth"],
                         education=p["education"], edu_gbt=p["edu_gbt"], role=role, start=start, end=end))

    # 03010101: previous {A,B,C,D,E}; current {A,B,C(委员→副书记),F,G}; H left in 2023 (neither term)
    e, prev = date(2026, 7, 20), date(2023, 7, 18)
    a, b, c, d, e5, f, g, h = people("03010101", 8)
    hold("03010101", h, "宣传委员", date(2020, 7, 15), prev)
    hold("03010101", a, "支部书记", prev)
    hold("03010101", b, "组织委员", prev)
    hold("03010101", c, "宣传委员", prev, e)
    hold("03010101", d, "纪检委员", prev, e)
    hold("03010101", e5, "青年委员", prev, e)
    hold("03010101", c, "副书记", e)
    hold("03010101", f, "宣传委员", e)
    hold("03010101", g, "纪检委员", e)
    # 030102 (党总支): previous {P1..P5}; current {P2 (副书记→党总支书记), P3, N1, N2, N3}
    e, prev = date(2026, 8, 15), date(2023, 8, 10)
    p1, p2, p3, p4, p5, n1, n2, n3 = people("03010201", 8)
    hold("030102", p1, "党总支书记", prev, e)
    hold("030102", p2, "副书记", prev, e)
    hold("030102", p3, "总支委员", prev)
    hold("030102", p4, "总支委员", prev, e)
    hold("030102", p5, "总支委员", prev, e)
    hold("030102", p2, "党总支书记", e)
    for p in (n1, n2, n3):
        hold("030102", p, "总支委员", e)
    # 03020101: previous {A,B,C}; current {A,B,C,D,E}
    e, prev = date(2026, 9, 10), date(2023, 9, 12)
    a, b, c, d, e5 = people("03020101", 5)
    hold("03020101", a, "支部书记", prev)
    hold("03020101", b, "组织委员", prev)
    hold("03020101", c, "宣传委员", prev)
    hold("03020101", d, "纪检委员", e)
    hold("03020101", e5, "统战委员", e)
    # 030202 (联合党支部): previous {A,B,C}; current {A,D,E}
    e, prev = date(2026, 8, 28), date(2023, 8, 25)
    a, b, c, d, e5 = people("030202", 5)
    hold("030202", a, "支部书记", prev)
    hold("030202", b, "组织委员", prev, e)
    hold("030202", c, "宣传委员", prev, e)
    hold("030202", d, "组织委员", e)
    hold("030202", e5, "宣传委员", e)
    # 03010201: no election in the quarter; its committee since 2024
    for p, role in zip(people("03010201", 3, skip=8), ("支部书记", "组织委员", "宣传委员")):
        hold("03010201", p, role, date(2024, 5, 12))
    return pd.DataFrame(rows)


# (name, type as written, canonical type, employees, party_org, org (简称), members, instructor, union, youth, women)
UNITS = (
    ("示例区华瑞科技有限公司", "非公有制企业", "非公有制企业", 160, "单独组建", "华瑞科技党支部", 14, "否", 1, 1, 1),
    ("示例区恒泰物流有限公司", "非公有制企业", "非公有制企业", 58, "联合组建", "西岭商务楼宇联合党支部", 4, "否", 1, 0, 0),
    ("示例区鼎众商贸有限公司", "非公有制企业", "非公有制企业", 23, "联合组建", "西岭商务楼宇联合党支部", 3, "否", 0, 0, 1),
    ("示例区益博软件有限公司", "非公有制企业", "非公有制企业", 41, "联合组建", "西岭商务楼宇联合党支部", 5, "否", 1, 1, 0),
    ("示例区创信文化传媒有限公司", "私营企业", "非公有制企业", 17, "联合组建", "西岭商务楼宇联合党支部", 3, "否", 0, 0, 0),
    ("示例区宏嘉建筑工程有限公司", "非公有制企业", "非公有制企业", 120, "未建立", None, 2, "是", 1, 0, 0),
    ("示例区盛安餐饮管理有限公司", "非公有制企业", "非公有制企业", 35, "未建立", None, 0, "否", 0, 0, 0),
    ("示例区康丰医药连锁有限公司", "非公有制企业", "非公有制企业", 104, "未建立", None, 1, "否", 1, 0, 0),
    ("示例区源汇机械有限公司", "非公有制企业", "非公有制企业", 12, "未建立", None, 0, "是", 0, 0, 0),
    ("示例区西岭社会工作服务社", "民办非企业单位", "社会组织", 16, "联合组建", "西岭商务楼宇联合党支部", 3, "否", 0, 1, 0),
    ("示例区西岭养老服务中心", "民办非企业单位", "社会组织", 48, "联合组建", "西岭商务楼宇联合党支部", 4, "否", 1, 0, 1),
    ("示例区电子商务协会", "社会团体", "社会组织", 6, "未建立", None, 1, "是", 0, 0, 0),
    ("示例区志愿服务协会", "社会团体", "社会组织", 9, "未建立", None, 0, "否", 0, 0, 0),
    ("示例区东湖社区书画研究会", "社会团体", "社会组织", 5, "未建立", None, 0, "否", 0, 0, 0),
)
UNIT_COLUMNS = ("name", "type_written", "unit_type", "employees", "party_org", "org", "party_members",
                "instructor", "union", "youth", "women")


def build_truth(seed: int = 16) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = random.Random(seed)
    orgs = pd.DataFrame(ORGS, columns=ORG_COLUMNS)
    members = _draw_members(rng)
    committee = _committees(members, rng)
    elections = pd.DataFrame(ELECTIONS, columns=("code", "date", "date_written", "method", "eligible", "present",
                                                 "seats", "candidates", "previous_written"))
    units = pd.DataFrame(UNITS, columns=UNIT_COLUMNS)
    last = dict(LAST_ELECTION)
    for code, d in elections.groupby("code")["date"].max().items():
        last[code] = d
    orgs["last_election"] = orgs["code"].map(last)
    orgs["secretary"] = [_name(rng) for _ in range(len(orgs))]
    return orgs, members, elections, committee, units


# ---------------------------------------------------------------- writing helpers


def _book() -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "示例区"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    return wb


def _title(ws, row: int, text: str, width: int) -> None:
    ws.cell(row=row, column=1, value=text).font = Font(bold=True, size=16)
    ws.cell(row=row, column=1).alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def _put(ws, row: int, values, date_format: str = "yyyy-mm-dd") -> None:
    for j, v in enumerate(values, start=1):
        if v is None:
            continue
        if isinstance(v, date) and not isinstance(v, datetime):
            v = datetime(v.year, v.month, v.day)
        c = ws.cell(row=row, column=j, value=v)
        if isinstance(v, datetime):
            c.number_format = date_format
        elif isinstance(v, str) and v.isdigit() and len(v) >= 6:
            c.number_format = "@"


def _iso(d: date | None) -> str | None:
    return None if d is None else f"{d:%Y-%m-%d}"


# ---------------------------------------------------------------- the seven workbooks


NATIONAL_HEADERS = ("序号", "姓名", "性别", "公民身份号码", "民族", "出生日期", "学历", "人员类别", "学位", "所在党支部",
                    "手机号码", "入党日期", "转正日期", "党龄", "党龄校正值", "新社会阶层类型", "工作岗位", "从事专业技术职务",
                    "是否农民工", "现居住地", "户籍所在地", "是否失联党员", "是否流动党员", "入党类型", "转正情况",
                    "入党时所在支部", "延长预备期时间", "党员所属行业", "工作岗位补充")


def _write_national(folder: Path, t: Truth, rng: random.Random) -> None:
    """The national system's export: the header on row 1, one row per member, nothing else."""
    orgs = t.orgs.set_index("code")
    m = t.members[t.members["code"].isin(NATIONAL_ORGS)]
    wb = _book()
    ws = wb.create_sheet("党员基本信息")
    _put(ws, 1, NATIONAL_HEADERS)
    for i, p in enumerate(m.itertuples(index=False), start=1):
        branch = orgs.loc[p.code, "short"] if p.code == "03010103" else orgs.loc[p.code, "name"]
        degree = {"研究生": "硕士", "大学本科": "学士"}.get(p.education, "")
        _put(ws, i + 1, (
            i, p.name, p.gender, p.id, p.ethnicity, _iso(p.birth), p.edu_national, p.status, degree, branch,
            p.phone, _iso(p.joined), _iso(p.full_since), AS_OF.year - p.joined.year, 0, "",
            p.occupation, "", "否", "示例区东湖街道", "示例区", "否", p.mobile, "普通发展",
            "" if p.full_since is None else "按期转正", branch, "", "居民服务业" if p.code != "03010103" else "", ""))
    t.data_rows[F_NATIONAL] = len(m)
    wb.save(folder / F_NATIONAL)


XLS_HEADERS = ("序号", "姓名", "性别", "民族", "身份证号码", "出生日期", "学历", "党籍状态（正式党员或预备党员）",
               "入党时间", "转正时间", "所在党支部编码", "所在党支部", "工作岗位", "联系电话")


def _write_xls(folder: Path, t: Truth) -> None:
    """A WPS roster saved as .xls on Sheet1; 所在党支部编码 030130 became the number 30130."""
    import xlwt

    orgs = t.orgs.set_index("code")
    m = t.members[t.members["code"].isin(XLS_ORGS)]
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Sheet1")
    day = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for j, h in enumerate(XLS_HEADERS):
        ws.write(0, j, h)
    for i, p in enumerate(m.itertuples(index=False), start=1):
        eth = "汉" if p.ethnicity == "汉族" else p.ethnicity
        code: object = 30130.0 if p.code == "030130" else p.code
        branch = orgs.loc[p.code, "short"] if p.code == "030130" else orgs.loc[p.code, "name"]
        values = (i, p.name, p.gender, eth, p.id, p.birth, p.edu_gbt, p.status, p.joined, p.full_since, code,
                  branch, OCC_OLDER.get(p.occupation, p.occupation), p.phone)
        for j, v in enumerate(values):
            if v is None:
                continue
            if isinstance(v, date):
                ws.write(i, j, datetime(v.year, v.month, v.day), day)
            else:
                ws.write(i, j, v)
    t.data_rows[F_XLS] = len(m)
    wb.save(str(folder / F_XLS))


ROSTER_HEADERS = ("序号", "姓名", "性别", "民族", "公民身份号码", "出生年月", "学历", "学历", "预/正", "入党时间",
                  "转正时间", "所在党支部", "工作岗位", "联系电话")
STALE_EDU = {"研究生": "大学本科", "大学本科": "大学专科", "大学专科": "中等专科", "中等专科": "普通高中",
             "普通高中": "初中", "职业高中": "初中", "技工学校": "初中", "初中": "小学", "小学": "小学"}


def _write_roster(folder: Path, t: Truth) -> None:
    """A street's hand-made roster with all the furniture of a paper form."""
    orgs = t.orgs.set_index("code")
    m = t.members[t.members["code"].isin(ROSTER_ORGS)]
    wb = _book()
    ws = wb.create_sheet("党员花名册")
    width = len(ROSTER_HEADERS)
    _title(ws, 1, "西岭街道党员花名册（截至2026年9月30日）", width)
    _put(ws, 2, ("填报单位（盖章）：中共示例区西岭街道工作委员会", None, None, None, None, None, None, None, None,
                 "报出时间：2026年10月8日"))
    _put(ws, 3, ROSTER_HEADERS)
    ws.column_dimensions["G"].hidden = True  # a stale copy of 学历 left from last year's form
    r, n = 4, 0
    furniture, data = t.furniture, 0

    def person_row(p, seq):
        eth = "汉" if p.ethnicity == "汉族" else p.ethnicity
        branch = orgs.loc[p.code, "short"] if p.code == "030202" else orgs.loc[p.code, "name"]
        return (seq, p.name, 2 if p.gender == "女" else 1, eth, p.id, f"{p.birth:%Y.%m}",
                STALE_EDU[p.edu_gbt], p.edu_gbt, "预" if p.status == "预备党员" else "正", p.joined, p.full_since,
                branch, OCC_OLDER.get(p.occupation, p.occupation), p.phone)

    for code in ROSTER_ORGS:
        block = m[m["code"] == code]
        for p in block.itertuples(index=False):
            n += 1
            _put(ws, r, person_row(p, n))
            r += 1
            data += 1
        if code == "03020102":
            # the same member again (copied from another sheet): the second place is left out
            p = next(block.iloc[[3]].itertuples(index=False))
            n += 1
            _put(ws, r, person_row(p, n))
            t.left_out.append((F_ROSTER, r, "set.duplicate_member"))
            r += 1
            data += 1
            # a person who cannot be identified: no name, no ID number
            n += 1
            _put(ws, r, (n, None, 2, "汉", None, "1988.03", "大学专科", "大学本科", "正", date(2012, 6, 20),
                         date(2013, 6, 20), orgs.loc[code, "name"], "其他职业人员", None))
            t.left_out.append((F_ROSTER, r, "no name, no ID"))
            r += 1
            data += 1
        r += 1  # a blank row between branches
    _put(ws, r, ("合计", f"共{len(m)}人"))
    furniture.append((F_ROSTER, r))
    r += 2
    ws.cell(row=r, column=1, value="注：1. 本表由各党支部填报，街道党工委汇总；2. 学历按最高学历填写；3. 预/正栏填“预”或“正”。")
    furniture.append((F_ROSTER, r))
    r += 1
    ws.cell(row=r, column=1, value="负责人：")
    ws.cell(row=r, column=5, value="填表人：")
    ws.cell(row=r, column=10, value="联系电话：")
    furniture.append((F_ROSTER, r))
    t.data_rows[F_ROSTER] = data
    wb.save(folder / F_ROSTER)


ORGS_HEADERS = ("序号", "党组织全称", "简称", "党组织编码", "上级党组织", "组织类别", "党组织所在单位情况", "单位类别",
                "所在街道", "成立时间", "本届换届时间", "书记", "在岗职工人数")


def _write_orgs(folder: Path, t: Truth, rng: random.Random) -> None:
    """The district's organization list: 全称 and 简称, parent by name, codes as text."""
    o = t.orgs.set_index("code")
    wb = _book()
    ws = wb.create_sheet("党组织信息")
    _title(ws, 1, "示例区基层党组织名册", len(ORGS_HEADERS))
    _put(ws, 2, ORGS_HEADERS)
    for i, org in enumerate(t.orgs.itertuples(index=False), start=1):
        parent = None
        if isinstance(org.parent, str):  # the parent by name: 简称 for the two 党工委, else the full name
            parent = o.loc[org.parent, "short"] if org.parent in ("0301", "0302") else o.loc[org.parent, "name"]
        code = " " + org.code if org.code == "030203" else org.code  # a leading space kept by the system
        last = org.last_election
        last_written = f"{last.year}年{last.month}月" if org.code in ("030201", "0302") else last
        _put(ws, i + 2, (i, org.name, org.short, code, parent, org.org_type, org.unit_situation,
                         org.sector_written, org.area, date(2000 + i, 7, 1), last_written, org.secretary,
                         rng.randint(8, 400)))
    t.data_rows[F_ORGS] = len(t.orgs)
    wb.save(folder / F_ORGS)


ELECTION_HEADERS = ("序号", "党组织名称", "党组织编码", "换届时间", "选举方式", "应到会有选举权党员数", "实到会有选举权党员数",
                    "应选委员数", "委员候选人数", "上届换届时间")


def _write_elections(folder: Path, t: Truth) -> None:
    o = t.orgs.set_index("code")
    wb = _book()
    ws = wb.create_sheet("换届选举情况统计表")
    _title(ws, 1, "示例区基层党组织换届选举情况统计表", len(ELECTION_HEADERS))
    _put(ws, 2, ("填报单位（盖章）：中共示例区委组织部", None, None, None, None, "填表人：", None, "报出时间：2026年10月9日"))
    _put(ws, 3, ELECTION_HEADERS)
    r = 4
    for i, e in enumerate(t.elections.itertuples(index=False), start=1):
        code = " " + e.code if e.code == "030202" else e.code
        _put(ws, r, (i, o.loc[e.code, "name"], code, e.date_written, e.method, e.eligible, e.present, e.seats,
                     e.candidates, e.previous_written))
        r += 1
    t.data_rows[F_ELECTIONS] = len(t.elections)
    e = t.elections
    _put(ws, r, ("总计", None, None, None, None, int(e["eligible"].sum()), int(e["present"].sum()),
                 int(e["seats"].sum()), int(e["candidates"].sum())))
    t.furniture.append((F_ELECTIONS, r))
    r += 1
    ws.cell(row=r, column=1, value="注：换届时间填写到月，如2026.07；应到会、实到会人数均指有选举权的党员数。")
    t.furniture.append((F_ELECTIONS, r))
    wb.save(folder / F_ELECTIONS)


COMMITTEE_HEADERS = ("所属党支部", "党内职务", "姓名", "公民身份证号码", "性别", "出生日期", "学历", "任职日期", "离职日期",
                     "排序")


def _write_committee(folder: Path, t: Truth) -> None:
    """The 班子信息集 as the system exports it: one row per office held, no 届别."""
    o = t.orgs.set_index("code")
    wb = _book()
    ws = wb.create_sheet("班子信息集")
    _put(ws, 1, COMMITTEE_HEADERS)
    c = t.committee
    for i, p in enumerate(c.itertuples(index=False), start=2):
        _put(ws, i, (o.loc[p.code, "name"], p.role, p.name, p.id, p.gender, p.birth, p.edu_gbt, p.start, p.end,
                     int((c["code"].iloc[:i - 1] == p.code).sum())))
    t.data_rows[F_COMMITTEE] = len(c)
    wb.save(folder / F_COMMITTEE)


UNIT_HEADERS_TOP = ("序号", "单位名称", "统一社会信用代码", "单位类别", "从业人员数", "党组织组建情况", None, None,
                    "所属党组织", "党员人数", "是否选派党建指导员", "已建工会", "已建团组织", "已建妇女组织")
UNIT_HEADERS_SUB = (None, None, None, None, None, "单独组建", "联合组建", "未建立")


def _unit_row(seq, u, code: str | None) -> tuple:
    tick = ["√" if u.party_org == k else None for k in ("单独组建", "联合组建", "未建立")]
    return (seq, u.name, code, u.type_written, u.employees, *tick, u.org, u.party_members, u.instructor,
            "√" if u.union else None, "√" if u.youth else None, "√" if u.women else None)


def _write_units(folder: Path, t: Truth, rng: random.Random) -> None:
    wb = _book()
    ws = wb.create_sheet("两新组织党建情况统计表")
    width = len(UNIT_HEADERS_TOP)
    _title(ws, 1, "示例区“两新”组织党建工作情况统计表", width)
    _put(ws, 2, ("填报单位（盖章）：中共示例区两新组织工作委员会", None, None, None, None, None, None, None,
                 "报出时间：2026年10月9日"))
    _put(ws, 3, UNIT_HEADERS_TOP)
    _put(ws, 4, UNIT_HEADERS_SUB)
    for j, h in enumerate(UNIT_HEADERS_TOP, start=1):
        if j in (6, 7, 8):
            continue
        ws.merge_cells(start_row=3, start_column=j, end_row=4, end_column=j)
    ws.merge_cells(start_row=3, start_column=6, end_row=3, end_column=8)
    r, seq = 5, 0
    data = 0
    for section, kind in (("一、非公有制企业", "非公有制企业"), ("二、社会组织", "社会组织")):
        ws.cell(row=r, column=1, value=section)
        t.furniture.append((F_UNITS, r))
        r += 1
        block = t.units[t.units["unit_type"] == kind]
        for u in block.itertuples(index=False):
            seq += 1
            body = "".join(rng.choice("0123456789") for _ in range(8))
            code = credit_code("91" if kind == "非公有制企业" else "52", "990302", body)
            _put(ws, r, _unit_row(seq, u, code))
            r += 1
            data += 1
        _put(ws, r, ("小计", None, None, None, int(block["employees"].sum()),
                     int((block["party_org"] == "单独组建").sum()), int((block["party_org"] == "联合组建").sum()),
                     int((block["party_org"] == "未建立").sum())))
        t.furniture.append((F_UNITS, r))
        r += 1
    u = t.units
    _put(ws, r, ("合计", None, None, None, int(u["employees"].sum()), int((u["party_org"] == "单独组建").sum()),
                 int((u["party_org"] == "联合组建").sum()), int((u["party_org"] == "未建立").sum()), None,
                 int(u["party_members"].sum())))
    t.furniture.append((F_UNITS, r))
    r += 1
    ws.cell(row=r, column=1, value="注：党组织组建情况在对应栏内打“√”；联合组建的填写联合党支部名称。")
    t.furniture.append((F_UNITS, r))
    r += 1
    ws.cell(row=r, column=1, value="单位负责人：")
    ws.cell(row=r, column=6, value="填表人：")
    ws.cell(row=r, column=10, value="联系电话：")
    t.furniture.append((F_UNITS, r))
    t.data_rows[F_UNITS] = data

    guide = wb.create_sheet("填表说明")
    lines = ("填表说明", "1. 本表统计辖区内非公有制企业和社会组织，每个单位一行。",
             "2. 党组织组建情况在“单独组建”“联合组建”“未建立”三栏中选一栏打“√”。",
             "3. 是否选派党建指导员填“是”或“否”；已建群团组织的在对应栏内打“√”。", None, "填写示例：")
    for i, line in enumerate(lines, start=1):
        if line:
            guide.cell(row=i, column=1, value=line)
    _put(guide, 7, UNIT_HEADERS_TOP)
    _put(guide, 8, UNIT_HEADERS_SUB)
    example = pd.DataFrame([("××科技有限公司", "非公有制企业", "非公有制企业", 150, "单独组建", "××科技有限公司党支部", 12,
                             "否", 1, 1, 0),
                            ("××行业协会", "社会团体", "社会组织", 8, "未建立", None, 1, "是", 0, 0, 0)],
                           columns=UNIT_COLUMNS)
    for i, ex in enumerate(example.itertuples(index=False)):
        _put(guide, 9 + i, _unit_row("示例", ex, "91990302MA0000000X"))
    dictionary = wb.create_sheet("字典")
    _put(dictionary, 1, ("单位类别", "党组织组建情况", "是否"))
    for i, row in enumerate(zip(("非公有制企业", "社会组织", "民办非企业单位", "社会团体"),
                                ("单独组建", "联合组建", "未建立", None), ("是", "否", None, None)), start=2):
        _put(dictionary, i, row)
    dictionary.sheet_state = "hidden"
    wb.save(folder / F_UNITS)


def write_district(folder: str | Path, seed: int = 16) -> Truth:
    """Write the seven workbooks into ``folder`` and return what they hold."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    orgs, members, elections, committee, units = build_truth(seed)
    t = Truth(folder, orgs, members, elections, committee, units)
    rng = random.Random(seed + 1)
    _write_national(folder, t, rng)
    _write_xls(folder, t)
    _write_roster(folder, t)
    _write_orgs(folder, t, rng)
    _write_elections(folder, t)
    _write_committee(folder, t)
    _write_units(folder, t, rng)
    return t


if __name__ == "__main__":  # python tests/realfiles.py OUT_DIR: look at the files in Excel/WPS
    import sys

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "realfiles_out")
    truth = write_district(out)
    print(out, len(truth.members), "members", len(truth.orgs), "orgs")


# ---------------------------------------------------------------- the same district, template layout


def committee_terms(t: Truth) -> pd.DataFrame:
    """本届/上届 rows derived from the offices: for every organization, the current term is who holds
    office now; for an organization with an election on record, the previous term is who held office
    just before its latest election."""
    last = t.elections.groupby("code")["date"].max()
    out = []
    for code, offices in t.committee.groupby("code", sort=False):
        now = offices[offices["end"].map(lambda d: not isinstance(d, date))]
        out.append(now.drop_duplicates("id").assign(term="本届"))
        if code in last.index:
            when = last[code]
            before = offices[(offices["start"] < when)
                             & offices["end"].map(lambda d: not isinstance(d, date) or d >= when)]
            out.append(before.drop_duplicates("id").assign(term="上届"))
    return pd.concat(out, ignore_index=True)


def write_canonical(folder: str | Path, seed: int = 16) -> Truth:
    """The same district in the submission template's own layout (SPEC §1 headers, canonical values,
    codes): a control — what the real layouts must come to once read."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    orgs, members, elections, committee, units = build_truth(seed)
    t = Truth(folder, orgs, members, elections, committee, units)
    wb = _book()
    ws = wb.create_sheet("党组织")
    _put(ws, 1, ("组织编码", "组织名称", "上级组织编码", "组织类别", "所属领域", "所属片区", "本届选举日期", "书记姓名"))
    for i, o in enumerate(orgs.itertuples(index=False), start=2):
        _put(ws, i, (o.code, o.name, o.parent if isinstance(o.parent, str) else None, o.org_type, o.sector, o.area,
                     o.last_election, o.secretary))
    ws = wb.create_sheet("党员")
    _put(ws, 1, ("姓名", "公民身份号码", "性别", "民族", "出生日期", "学历", "入党日期", "转正日期", "人员类别",
                 "所在党组织编码", "工作岗位", "是否流动党员"))
    for i, p in enumerate(members.itertuples(index=False), start=2):
        _put(ws, i, (p.name, p.id, p.gender, p.ethnicity, p.birth, p.education, p.joined, p.full_since, p.status,
                     p.code, p.occupation, p.mobile))
    ws = wb.create_sheet("换届选举")
    _put(ws, 1, ("组织编码", "选举日期", "选举方式", "应到会人数", "实到会人数", "应选委员数", "候选人数"))
    for i, e in enumerate(elections.itertuples(index=False), start=2):
        _put(ws, i, (e.code, date(e.date.year, e.date.month, 1), e.method, e.eligible, e.present, e.seats,
                     e.candidates))
    ws = wb.create_sheet("班子成员")
    _put(ws, 1, ("组织编码", "届别", "姓名", "公民身份号码", "性别", "出生日期", "学历", "职务"))
    for i, c in enumerate(committee_terms(t).itertuples(index=False), start=2):
        _put(ws, i, (c.code, c.term, c.name, c.id, c.gender, c.birth, c.education, c.role))
    ws = wb.create_sheet("两新组织")
    _put(ws, 1, ("单位名称", "单位类型", "从业人员数", "党组织建立情况", "所属党组织编码", "党员人数", "选派党建指导员", "已建工会",
                 "已建团组织", "已建妇女组织"))
    yn = {1: "是", 0: "否"}
    code_of = dict(zip(orgs["short"], orgs["code"]))
    for i, u in enumerate(units.itertuples(index=False), start=2):
        _put(ws, i, (u.name, u.unit_type, u.employees, u.party_org, code_of.get(u.org), u.party_members,
                     u.instructor, yn[u.union],
                     yn[u.youth], yn[u.women]))
    wb.save(folder / "示例区.xlsx")
    return t
