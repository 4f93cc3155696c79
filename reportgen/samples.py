"""The synthetic district (SPEC §5): a fictional 区 with six 片区, its organizations, members,
elections, committees and "two new" units, written as the workbooks its sub-units would send.

``build_district`` draws the district as clean tables (canonical values, field keys of
``reportgen.schema``); ``generate`` splits it into workbooks and writes them, optionally with the
realistic mess of SPEC §5 and a manifest of every planted problem. Everything is vectorised with
numpy/pandas, and the same seed gives byte-identical files.

Proportions follow the national 2024 Party statistics communiqué (women 30.9%, minorities 7.7%,
大专及以上 57.6%, the eight age bands, 离退休人员 21.4%; organizations 5.8% 基层党委, 6.3% 总支,
87.9% 支部; new members 83.7% aged 35 or under and 54.4% 大专及以上), with local variation per
片区 so that the findings have something to find: 望湖街道 is old (community branches of retirees),
金桥街道 is heavy with "two new" units, 柳河镇 is rural with late and overdue elections.

Names and ID numbers are synthetic: ID numbers use the made-up area codes 990101–990106 and carry
valid GB 11643 check digits consistent with gender and birth date; credit codes use the made-up
division codes too and carry valid GB 11714 and GB 32100 check characters.
"""

from __future__ import annotations

import csv
import io
import math
import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from . import schema
from .dataset import Dataset
from .outputs import atomic_write
from .periods import Period, parse_period
from .procs import child_init
from .validate.catalog import RULES

__all__ = ["District", "SampleResult", "build_district", "generate", "write_district"]

# --------------------------------------------------------------------------- schema values
# Enumeration values come from the schema only (never spelled here); unpacked for readability.
GOV, INSTITUTION, SOE, PRIVATE, SOCIAL, COMMUNITY, RURAL, SCHOOL, OTHER_SECTOR = schema.SECTOR.values
GRAD, BACHELOR, ASSOCIATE, SECONDARY, HIGH_SCHOOL, JUNIOR = schema.EDUCATION.values
(WORKER, FARMER, PROFESSIONAL, MANAGER, OFFICIAL, STUDENT, OTHER_JOB,
 RETIRED) = schema.OCCUPATION.values
DANGWEI, DANGGONGWEI, ZONGZHI, BRANCH, JOINT_BRANCH, _TEMP_BRANCH = schema.ORG_TYPE.values
SECRETARY, DEPUTY, COMMITTEE_MEMBER = schema.ROLE.values
ENTERPRISE, SOCIAL_ORG = schema.UNIT_TYPE.values
SINGLE_BUILT, JOINT_BUILT, NOT_BUILT = schema.PARTY_ORG.values
ASSEMBLY, CONGRESS = schema.ELECTION_METHOD.values
YES, NO = schema.YES, schema.NO
MALE, FEMALE = schema.MALE, schema.FEMALE
CURRENT, PREVIOUS = schema.CURRENT_TERM, schema.PREVIOUS_TERM
FULL, PROBATIONARY = schema.FULL_MEMBER, schema.PROBATIONARY

FIXED_TIME = datetime(2000, 1, 1)  # document properties of every file written
_EPOCH_SERIAL = 25569  # Excel serial number of 1970-01-01

# --------------------------------------------------------------------------- the district


@dataclass(frozen=True)
class Street:
    name: str
    area_code: int  # made-up 6-digit division code used in ID numbers and credit codes
    member_weight: float
    unit_weight: float
    age_shift: float  # added to the age preference of its branches
    overdue: float  # share of organizations whose term ended without an election
    late: float  # share of elections held after the term ended
    coverage: float  # base probability that a two-new unit has a Party organization
    sectors: dict[str, float]
    locations: tuple[str, ...]
    top_type: str = DANGGONGWEI


STREETS: tuple[Street, ...] = (
    Street("望湖街道", 990101, 0.19, 0.12, 7.0, 0.05, 0.12, 0.66,
           {COMMUNITY: 60, GOV: 8, INSTITUTION: 10, SOE: 10, SCHOOL: 6, OTHER_SECTOR: 6},
           ("望湖社区", "老城商厦", "湖滨社区", "望湖综合楼")),
    Street("临江街道", 990102, 0.17, 0.15, 0.0, 0.04, 0.10, 0.70,
           {COMMUNITY: 35, GOV: 20, INSTITUTION: 15, SOE: 15, SCHOOL: 10, OTHER_SECTOR: 5},
           ("临江商务中心", "滨江大厦", "江岸社区", "临江创意园")),
    Street("金桥街道", 990103, 0.18, 0.38, -4.0, 0.03, 0.08, 0.80,
           {COMMUNITY: 30, SOE: 25, GOV: 10, INSTITUTION: 10, SCHOOL: 5, OTHER_SECTOR: 20},
           ("金桥科技园", "金桥国际广场", "金桥智造产业园", "云顶商务楼", "金桥社区")),
    Street("松岭街道", 990104, 0.16, 0.13, 1.0, 0.04, 0.10, 0.68,
           {COMMUNITY: 40, INSTITUTION: 20, SCHOOL: 20, GOV: 10, SOE: 10},
           ("松岭社区", "松岭电商园", "松岭大厦")),
    Street("柳河镇", 990105, 0.15, 0.10, 3.0, 0.12, 0.30, 0.55,
           {RURAL: 60, GOV: 10, SCHOOL: 10, INSTITUTION: 10, COMMUNITY: 10},
           ("柳河工业集中区", "柳河镇区", "柳河农贸城"), top_type=DANGWEI),
    Street("文昌街道", 990106, 0.15, 0.12, -1.0, 0.04, 0.10, 0.72,
           {SCHOOL: 35, INSTITUTION: 25, COMMUNITY: 25, GOV: 15},
           ("文昌文创园", "文昌书院街", "文昌社区")),
)

# Mean member age a branch of each sector attracts (members are matched to branches by age).
SECTOR_AGE = {GOV: 45.0, INSTITUTION: 46.0, SOE: 43.0, PRIVATE: 35.0, SOCIAL: 39.0, COMMUNITY: 64.0,
              RURAL: 56.0, SCHOOL: 41.0, OTHER_SECTOR: 48.0}

# SPEC §5 shares.
AGE_SHARES = np.array([12.2, 10.7, 11.4, 9.7, 9.0, 9.4, 8.6, 28.9])
COLLEGE_BY_BAND = np.array([0.86, 0.83, 0.76, 0.66, 0.56, 0.46, 0.41, 0.40])
FEMALE_SHARE = 0.309
MINORITY_SHARE = 0.077
PROBATIONARY_SHARE = 0.03
MOBILE_SHARE = 0.05
NEW_UNDER35_SHARE = 0.837
NEW_COLLEGE_SHARE = 0.544
ORG_TYPE_SHARES = {"dangwei": 0.058, "zongzhi": 0.063, "branch": 0.879}

_SURNAMES = tuple("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余"
                  "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史")
_GIVEN_M = tuple("伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宁建国峰浩宇晨阳志海东林博文俊凯")
_GIVEN_F = tuple("芳娜敏静丽艳娟霞燕玲婷雪慧颖琳倩洁梅莉欣悦琪晴璐瑶佳蕾薇")
_GIVEN_N = tuple("安嘉子思雨晓春秋月彤诗清云一家新永卫红兰英玉金德振中")
_MINORITIES = ("回族", "满族", "蒙古族", "壮族", "土家族", "苗族", "朝鲜族", "彝族", "侗族", "瑶族")
_MINORITY_WEIGHTS = np.array([20, 18, 10, 12, 10, 8, 6, 6, 5, 5], dtype=float)

_WORDS = ("青松", "翠竹", "明月", "清泉", "玉兰", "长青", "和平", "幸福", "东风", "向阳", "丰收", "繁荣",
          "新华", "光明", "朝阳", "锦绣", "兴隆", "康乐", "金穗", "银杏", "紫荆", "海棠", "桂香", "石榴",
          "春晖", "秋实", "星河", "云帆", "鸿雁", "晨曦", "远航", "鼎盛", "泰和", "嘉禾", "德润", "宏图",
          "瑞丰", "安澜", "富康", "腾飞", "聚贤", "博雅", "凤鸣", "龙泉", "花溪", "竹园", "柳岸", "荷塘",
          "梧桐", "松涛", "杏坛", "书香", "百合", "梅岭", "兰亭", "芳草", "晴川", "彩虹", "金沙", "白鹭")
_BUREAUS = ("发展和改革局", "教育局", "科学技术局", "民政局", "司法局", "财政局", "人力资源和社会保障局",
            "自然资源分局", "生态环境分局", "住房和城乡建设局", "交通运输局", "水务局", "农业农村局",
            "商务局", "文化和旅游局", "卫生健康委员会", "退役军人事务局", "应急管理局", "审计局",
            "市场监督管理局", "统计局", "医疗保障局", "城市管理局", "信访局", "机关事务管理局", "档案馆")
_INSTITUTIONS = ("人民医院", "中医院", "疾病预防控制中心", "妇幼保健院", "图书馆", "文化馆",
                 "社会福利院", "融媒体中心", "公共资源交易中心", "不动产登记中心", "政务服务中心",
                 "少年宫", "体育中心", "环境卫生管理所", "园林绿化所", "老年大学")
_SOES = ("城市建设投资集团", "水务集团", "公共交通有限公司", "国有资产经营有限公司", "城市更新有限公司",
         "文化旅游发展集团", "供热有限公司", "市政工程有限公司", "农业发展投资公司", "产业投资集团")
_SCHOOL_KINDS = ("实验小学", "中学", "实验学校", "幼儿园", "职业技术学校")
_OTHERS = ("工商业联合会", "科学技术协会", "残疾人联合会", "红十字会", "文学艺术界联合会", "老干部活动中心",
           "社会工作服务中心", "志愿服务指导中心")
_INDUSTRIES = ("科技", "电子", "物流", "商贸", "建筑", "餐饮", "软件", "医药", "机械", "文化传媒",
               "物业服务", "环保", "新材料", "信息技术", "食品", "检测")
_SOCIAL_KINDS = ("志愿服务协会", "社会工作服务社", "养老服务中心", "商会", "行业协会", "公益基金会",
                 "青少年服务中心", "调解服务中心")
_CONCURRENT = ("团组织负责人", "妇女组织负责人", "经营管理人员")
_UNION_CHAIR = "工会主席"

_CN_DIGITS = "零一二三四五六七八九"


def _cn(n: int) -> str:
    """Chinese numeral: 1 → 一, 12 → 十二, 20 → 二十, 105 → 一百零五, 1010 → 一千零一十."""
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + ("" if n == 10 else _CN_DIGITS[n - 10])
    if n >= 10000:
        return str(n)
    parts: list[str] = []
    gap = started = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十")):
        d, n = divmod(n, value)
        if d:
            parts.append(("零" if gap else "") + _CN_DIGITS[d] + unit)
            gap, started = False, True
        elif started:
            gap = True
    if n:
        parts.append(("零" if gap else "") + _CN_DIGITS[n])
    return "".join(parts)


# --------------------------------------------------------------------------- small vector helpers


def _rng(seed: int, *stream: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64([seed, *stream] if stream else seed))


def _day(d: date) -> np.datetime64:
    return np.datetime64(d, "D")


def _ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = np.asarray(days, dtype="datetime64[D]")
    months = d.astype("datetime64[M]")
    y = months.astype("int64") // 12 + 1970
    m = months.astype("int64") % 12 + 1
    dd = (d - months.astype("datetime64[D]")).astype("int64") + 1
    return y, m, dd


def _from_ymd(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Dates from year/month/day arrays; 29 February of a non-leap year becomes the 28th."""
    y = np.asarray(y, dtype="int64")
    m = np.asarray(m, dtype="int64")
    d = np.asarray(d, dtype="int64")
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    d = np.where((m == 2) & (d == 29) & ~leap, 28, d)
    months = ((y - 1970) * 12 + (m - 1)).astype("datetime64[M]")
    return months.astype("datetime64[D]") + (d - 1).astype("timedelta64[D]")


def _add_years(days: np.ndarray, years: np.ndarray | int) -> np.ndarray:
    y, m, d = _ymd(days)
    return _from_ymd(y + years, m, d)


def _zfill(a: np.ndarray, width: int) -> np.ndarray:
    a = np.asarray(a).astype(str)
    return np.char.zfill(a, width) if a.size else a


def _cat(*parts: np.ndarray | str) -> np.ndarray:
    out = np.asarray(parts[0]).astype(str) if not isinstance(parts[0], str) else parts[0]
    for p in parts[1:]:
        out = np.char.add(out, p if isinstance(p, str) else np.asarray(p).astype(str))
    return np.asarray(out)


def _pick(rng: np.random.Generator, values: tuple | list | np.ndarray, n: int,
          p: np.ndarray | None = None) -> np.ndarray:
    arr = np.asarray(values, dtype=object)
    if p is not None:
        p = np.asarray(p, dtype=float)
        p = p / p.sum()
    return arr[rng.choice(len(arr), size=n, p=p)]


_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_ID_CHECK = np.array(list("10X98765432"))


def id_check_chars(first17: np.ndarray) -> np.ndarray:
    """GB 11643 check characters of an array of 17-digit strings."""
    digits = np.frombuffer(np.asarray(first17).astype("S17").tobytes(), dtype=np.uint8)
    digits = (digits.reshape(-1, 17) - ord("0")).astype(np.int64)
    return _ID_CHECK[(digits @ _ID_WEIGHTS) % 11]


def make_id_numbers(area: np.ndarray, birth: np.ndarray, male: np.ndarray,
                    rng: np.random.Generator) -> np.ndarray:
    """Unique 18-digit ID numbers: area code, birth date, a sequence whose parity is the gender
    (odd = male), GB 11643 check digit."""
    n = len(birth)
    frame = pd.DataFrame({"a": area, "b": np.asarray(birth).astype("int64"), "m": male})
    group = frame.groupby(["a", "b", "m"], sort=False).ngroup().to_numpy()
    rank = frame.groupby(["a", "b", "m"], sort=False).cumcount().to_numpy()
    offset = rng.integers(0, 400, group.max() + 1 if n else 1)[group]
    half = (offset + rank) % 499 + 1
    seq = 2 * half - np.asarray(male, dtype=np.int64)  # odd for men, even for women
    y, m, d = _ymd(birth)
    first17 = _cat(_zfill(area, 6), _zfill(y, 4), _zfill(m, 2), _zfill(d, 2), _zfill(seq, 3))
    return _cat(first17, id_check_chars(first17))


_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORGCODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ORGCODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def credit_check_char(first17: str) -> str:
    """GB 32100 check character of the first 17 characters of a unified social credit code."""
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS))
    return _CREDIT_CHARS[(31 - total % 31) % 31]


def _orgcode_check_char(first8: str) -> str:
    """GB 11714 check character of an organization code (the 9th character)."""
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(first8, _ORGCODE_WEIGHTS))
    r = 11 - total % 11
    return "X" if r == 10 else "0" if r == 11 else str(r)


def make_credit_codes(kinds: np.ndarray, area: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Unique unified social credit codes with valid check characters (made-up division codes).
    ``kinds`` holds the two leading characters (registration authority and category)."""
    n = len(kinds)
    bodies: set[str] = set()
    out = []
    chars = np.array(list("0123456789ABCDEFGHJKLMNPQRTUWXY"))
    raw = chars[rng.integers(0, len(chars), size=(n, 8))]
    for i in range(n):  # a few thousand units at most per 100,000 members; check chars need int math
        body = "".join(raw[i])
        while body in bodies:
            body = "".join(chars[rng.integers(0, len(chars), 8)])
        bodies.add(body)
        first17 = f"{kinds[i]}{int(area[i]):06d}{body}{_orgcode_check_char(body)}"
        out.append(first17 + credit_check_char(first17))
    return np.array(out, dtype=object)


# --------------------------------------------------------------------------- the model


@dataclass
class District:
    """A synthetic district: clean tables with schema field keys and canonical values.

    Helper columns start with ``x_`` (street index, counts, flags) and are never written.
    """

    name: str
    period: Period
    seed: int
    orgs: pd.DataFrame
    members: pd.DataFrame
    elections: pd.DataFrame
    committee: pd.DataFrame
    units: pd.DataFrame
    left: pd.DataFrame  # members who left during the period (present only in the previous one)

    TABLES = ("orgs", "members", "elections", "committee", "units")

    def tables(self) -> dict[str, pd.DataFrame]:
        """The five tables with the schema's columns only."""
        out = {}
        for key in self.TABLES:
            frame = getattr(self, key)
            cols = [f.key for f in schema.sheet(key).fields if f.key in frame.columns]
            out[key] = frame[cols].reset_index(drop=True)
        return out

    def dataset(self) -> Dataset:
        """The district as a ``Dataset`` (no files involved): for tests and notebooks."""
        ds = Dataset.from_frames(self.period, **self.tables())
        ds.meta.update({"district": self.name, "source": "samples"})
        return ds

    def previous(self) -> "District":
        """The same district one quarter earlier: without the members who joined in this quarter,
        with the few who left during it, and without this quarter's elections."""
        return _previous(self)


def build_district(members: int = 10_000, seed: int = 2026, period: str | Period = "2026Q3",
                   district: str = "示例区") -> District:
    """Draw a synthetic district of about ``members`` Party members (at least 200)."""
    if members < 200:
        raise ValueError(f"党员人数至少为 200（现为 {members}），请调大 --members")
    p = parse_period(period)
    rng = _rng(seed)
    as_of = _day(p.as_of)
    streets = STREETS

    units, two_new = _make_units(rng, members, district, streets)
    orgs = _make_orgs(rng, members, district, streets, two_new)
    people = _draw_people(rng, members + max(1, round(members * 0.004)), as_of, streets)
    left = people.iloc[members:].reset_index(drop=True)
    people = people.iloc[:members].reset_index(drop=True)
    mem = _allocate(rng, people, orgs, as_of, p)
    left = _place_left(rng, left, orgs, as_of)
    orgs = _org_counts(orgs, mem)
    linked = orgs.loc[orgs["x_units"].map(lambda v: isinstance(v, list)), ["x_idx", "x_units"]].explode("x_units")
    units.loc[linked["x_units"].to_numpy().astype(np.int64), "x_branch"] = linked["x_idx"].to_numpy()
    committee, secretaries = _make_committees(rng, orgs, mem, p)
    committee["org_id"] = committee["x_idx"].map(orgs.set_index("x_idx")["org_id"])
    orgs, elections = _make_elections(rng, orgs, committee, p)
    orgs["secretary"] = orgs["x_idx"].map(secretaries).astype(object)
    vacant = orgs["x_small"].to_numpy() & (rng.random(len(orgs)) < 0.12)
    orgs.loc[vacant, "secretary"] = None
    unit_org = units["x_branch"].map(orgs.set_index("x_idx")["org_id"])
    units["org_id"] = unit_org.where(unit_org.notna(), None).astype(object)
    units = units.drop(columns=["x_branch"])
    union_chair = orgs.set_index("org_id")["secretary_union_chair"]
    committee = _sort_committee(_concurrent(rng, committee, union_chair, orgs))
    mem = mem.merge(orgs[["x_idx", "org_id"]], left_on="x_branch", right_on="x_idx", how="left")
    mem = mem.drop(columns=["x_idx"])
    left = left.merge(orgs[["x_idx", "org_id"]], left_on="x_branch", right_on="x_idx", how="left")
    left = left.drop(columns=["x_idx"])
    order = np.lexsort((mem["x_order"].to_numpy(), mem["org_id"].to_numpy().astype(str)))
    mem = mem.iloc[order].reset_index(drop=True)
    return District(district, p, seed, orgs.reset_index(drop=True), mem, elections,
                    committee, units, left)


# ---- two-new units and their Party organizations


def _make_units(rng: np.random.Generator, members: int, district: str,
                streets: tuple[Street, ...]) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = max(6, round(members * 0.018))
    street = rng.choice(len(streets), size=n, p=_norm([s.unit_weight for s in streets]))
    is_ent = rng.random(n) < 0.72
    emp = np.where(is_ent, np.exp(rng.normal(math.log(28), 1.15, n)), np.exp(rng.normal(math.log(14), 0.8, n)))
    emp = np.clip(np.round(emp), 3, 6000).astype(np.int64)
    base = np.array([s.coverage for s in streets])[street]
    p_built = np.clip(base + 0.12 * (emp >= 100) - 0.15 * (emp < 15), 0.05, 0.95)
    built = rng.random(n) < p_built
    single = built & ((emp >= 50) | (rng.random(n) < 0.55))
    joint = built & ~single
    pm = np.where(single, np.minimum(3 + rng.poisson(emp * 0.05), 45),
                  np.where(joint, np.clip(1 + rng.poisson(1.2, n), 1, 5), np.clip(rng.poisson(0.5, n), 0, 2)))
    pm = np.minimum(pm, emp)
    instructor = np.where(built, rng.random(n) < 0.08, rng.random(n) < 0.65)
    union = rng.random(n) < np.where(built, 0.9, 0.4)
    youth = rng.random(n) < np.where(built, 0.5, 0.12)
    women = rng.random(n) < np.where(built, 0.55, 0.18)
    loc = np.empty(n, dtype=object)
    for si, s in enumerate(streets):  # six streets
        sel = street == si
        loc[sel] = _pick(rng, s.locations, int(sel.sum()))
    # unique names: brand (two characters) × industry or kind, drawn without replacement
    names = np.empty(n, dtype=object)
    names[is_ent] = _unique_names(rng, int(is_ent.sum()), district[:2], _INDUSTRIES, "有限公司")
    names[~is_ent] = _unique_names(rng, int((~is_ent).sum()), district, _SOCIAL_KINDS, "")
    kinds = np.where(is_ent, "91", _pick(rng, ("51", "52", "53"), n, [0.5, 0.4, 0.1]))
    area = np.array([s.area_code for s in streets])[street]
    codes = make_credit_codes(kinds, area, rng)
    codes = np.where(rng.random(n) < 0.93, codes, None)  # a few units without a code (optional)
    utype = np.where(is_ent, ENTERPRISE, SOCIAL_ORG)
    party_org = np.where(single, SINGLE_BUILT, np.where(joint, JOINT_BUILT, NOT_BUILT))
    units = pd.DataFrame({
        "unit_name": names, "credit_code": codes, "unit_type": utype, "employees": emp,
        "location": loc, "party_org": party_org, "org_id": None, "party_members": pm,
        "has_instructor": _yn(instructor), "has_union": _yn(union), "has_youth_league": _yn(youth),
        "has_women_org": _yn(women), "x_street": street, "x_branch": -1,
    })
    units = units.sort_values(["x_street", "location", "unit_name"], kind="stable").reset_index(drop=True)

    # branches of single-built units: one 党支部 each; joint ones: 2–5 units per 联合党支部
    single = units[units["party_org"] == SINGLE_BUILT]
    singles = pd.DataFrame({
        "kind": "unit", "street": single["x_street"].to_numpy(),
        "sector": np.where(single["unit_type"].to_numpy() == ENTERPRISE, PRIVATE, SOCIAL),
        "size": single["party_members"].to_numpy(), "units": [[i] for i in single.index.tolist()],
        "org_type": BRANCH, "entity": single["unit_name"].to_numpy()})
    joint_units = units[units["party_org"] == JOINT_BUILT]
    chunk = np.empty(len(joint_units), dtype=np.int64)
    base = 0
    for si in sorted(set(joint_units["x_street"].tolist())):  # six streets
        pos = np.flatnonzero(joint_units["x_street"].to_numpy() == si)
        sizes = _chunk_sizes(len(pos), rng)
        chunk[pos] = base + np.repeat(np.arange(len(sizes)), sizes)
        base += len(sizes)
    j = joint_units.assign(chunk=chunk, ent=joint_units["unit_type"] == ENTERPRISE)
    g = j.groupby("chunk", sort=True)
    joints = pd.DataFrame({
        "kind": "joint", "street": g["x_street"].first().to_numpy(),
        "sector": np.where(g["ent"].any().to_numpy(), PRIVATE, SOCIAL),
        "size": g["party_members"].sum().to_numpy(),
        # (guarded: on no joint units at all, apply returns an empty frame whose iteration yields its column names)
        "units": [list(v) for v in g.apply(lambda x: x.index.tolist(), include_groups=False)] if len(j) else [],
        "org_type": JOINT_BRANCH, "location": g["location"].first().to_numpy()})
    k = joints.groupby(["street", "location"]).cumcount().to_numpy() + 1
    street_names = np.array([s.name for s in streets], dtype=object)[joints["street"].to_numpy()]
    joints["entity"] = [f"{district}{st}{loc}第{_cn(int(n))}联合"
                        for st, loc, n in zip(street_names, joints["location"], k)]
    rows = pd.concat([singles, joints.drop(columns=["location"])], ignore_index=True)
    two_new = rows[["kind", "street", "sector", "size", "units", "org_type", "entity"]]
    return units, two_new


_BRAND_A = tuple("华瑞恒泰鼎众益博创信德宏嘉盛安康丰源万汇新正天润金达永佳和远明启荣昌隆兴俊鑫")
_BRAND_B = tuple("通科航辰宇峰岳禾川晟悦越联邦诚邑帆驰捷锐翔远美优卓晨辉阳拓屹琪")


def _unique_names(rng: np.random.Generator, n: int, prefix: str, kinds: tuple[str, ...], suffix: str) -> list[str]:
    """n distinct names prefix + brand + kind + suffix; a numeral is added once the space is used up."""
    space = len(_BRAND_A) * len(_BRAND_B) * len(kinds)
    pick = rng.permutation(max(space, n))[:n]
    out = []
    for i in pick:  # one per unit
        j, rep = i % space, i // space
        a, rest = divmod(j, len(_BRAND_B) * len(kinds))
        b, k = divmod(rest, len(kinds))
        out.append(f"{prefix}{_BRAND_A[a]}{_BRAND_B[b]}{_cn(rep + 1) if rep else ''}{kinds[k]}{suffix}")
    return out


def _unit_sector(unit_type: str) -> str:
    return PRIVATE if unit_type == ENTERPRISE else SOCIAL


def _chunk_sizes(n: int, rng: np.random.Generator) -> list[int]:
    """Split n units into joint branches of 2–5 units (1 only when n is 1)."""
    if n <= 5:
        return [n] if n else []
    sizes: list[int] = []
    while sum(sizes) < n:
        sizes.append(int(rng.integers(2, 6)))
    sizes[-1] -= sum(sizes) - n
    if sizes[-1] == 0:
        sizes.pop()
    elif sizes[-1] == 1:
        if sizes[-2] < 5:
            sizes[-2] += 1
            sizes.pop()
        else:
            sizes[-2] -= 1
            sizes[-1] = 2
    return sizes


def _yn(flags: np.ndarray) -> np.ndarray:
    return np.where(flags, YES, NO).astype(object)


def _norm(w) -> np.ndarray:
    a = np.asarray(w, dtype=float)
    return a / a.sum()


# ---- the organization tree


def _make_orgs(rng: np.random.Generator, members: int, district: str, streets: tuple[Street, ...],
               two_new: pd.DataFrame) -> pd.DataFrame:
    m_two = int(two_new["size"].sum())
    m_rest = members - m_two
    if m_rest < members * 0.5:
        raise ValueError("党员人数太少，无法生成示例数据，请调大 --members")
    # branch sizes: mostly 8–45; a few under 3, a few over 50, a few with 7+ but no committee
    est = int(m_rest / 22) + 20
    cat = rng.choice(5, size=est, p=[0.905, 0.03, 0.02, 0.02, 0.025])
    size = np.select(
        [cat == 0, cat == 1, cat == 2, cat == 3, cat == 4],
        [np.clip(np.round(rng.gamma(3.0, 9.0, est)), 8, 45), rng.integers(1, 3, est),
         rng.integers(51, 73, est), rng.integers(3, 8, est), np.clip(np.round(rng.gamma(3.0, 5.0, est)), 9, 30)],
    ).astype(np.int64)
    cum = np.cumsum(size)
    while cum[-1] < m_rest:  # extremely unlikely; extend with normal branches
        extra = np.clip(np.round(rng.gamma(3.0, 9.0, est)), 8, 45).astype(np.int64)
        size = np.concatenate([size, extra])
        cat = np.concatenate([cat, np.zeros(est, dtype=cat.dtype)])
        cum = np.cumsum(size)
    nb = int(np.searchsorted(cum, m_rest)) + 1
    size, cat = size[:nb].copy(), cat[:nb]
    size[-1] = m_rest - (cum[nb - 2] if nb > 1 else 0)
    street = rng.choice(len(streets), size=nb, p=_norm([s.member_weight for s in streets]))
    sector = np.empty(nb, dtype=object)
    for si, s in enumerate(streets):
        sel = street == si
        sector[sel] = _pick(rng, list(s.sectors), int(sel.sum()), np.array(list(s.sectors.values())))
    rest = pd.DataFrame({"street": street, "sector": sector, "size": size, "cat": cat})
    rest = rest.sort_values(["street", "sector"], kind="stable").reset_index(drop=True)

    n_branches = nb + len(two_new)
    n_orgs = n_branches / ORG_TYPE_SHARES["branch"]
    n_dangwei = max(len(streets), round(ORG_TYPE_SHARES["dangwei"] * n_orgs))
    n_zongzhi = round(ORG_TYPE_SHARES["zongzhi"] * n_orgs)
    tops_are_dangwei = sum(1 for s in streets)  # every top counts as 基层党委 (党工委 or 镇党委)
    # a combined 党委 for two-new organizations in streets with many of them
    tn_per_street = two_new.groupby("street").size()
    zonghe_streets = [int(s) for s, c in tn_per_street.items() if c >= 12]
    n_free_dangwei = max(0, n_dangwei - tops_are_dangwei - len(zonghe_streets))

    # containers per (street, sector) group, proportional to the group's size
    groups = rest.groupby(["street", "sector"], sort=True).size()
    eligible = groups[groups >= 4]
    dw_alloc = _largest_remainder(eligible.to_numpy(), n_free_dangwei)
    zz_alloc = _largest_remainder(eligible.to_numpy(), n_zongzhi)

    org_rows: list[dict] = []  # one dict per organization; a few tens of thousands at most

    def add(**kw) -> int:
        kw["idx"] = len(org_rows)
        org_rows.append(kw)
        return kw["idx"]

    tops = [add(org_type=s.top_type, street=si, sector=RURAL if s.top_type == DANGWEI else COMMUNITY,
                parent=-1, size=0, cat=-1, entity=f"{district}{s.name}", kind="top")
            for si, s in enumerate(streets)]
    zonghe = {si: add(org_type=DANGWEI, street=si, sector=PRIVATE, parent=tops[si], size=0, cat=-1,
                      entity=f"{district}{streets[si].name}非公有制经济组织和社会组织综合", kind="zonghe")
              for si in zonghe_streets}
    rest_parent = np.full(nb, -1, dtype=np.int64)
    counters: dict[tuple, int] = {}
    for gi, (si, sec) in enumerate(eligible.index):
        members_idx = rest.index[(rest["street"] == si) & (rest["sector"] == sec)].to_numpy()
        members_idx = members_idx[rng.permutation(len(members_idx))]
        pos = 0
        first_dw = -1
        for _ in range(int(dw_alloc[gi])):
            cap = int(rng.integers(4, 10))
            take = members_idx[pos:pos + cap]
            if len(take) == 0:
                break
            pos += len(take)
            e = _entity(district, streets[int(si)], sec, counters)
            c = add(org_type=DANGWEI, street=int(si), sector=sec, parent=tops[int(si)], size=0, cat=-1,
                    entity=e, kind="container")
            first_dw = c if first_dw < 0 else first_dw
            rest_parent[take] = c
        for _ in range(int(zz_alloc[gi])):
            cap = int(rng.integers(2, 6))
            take = members_idx[pos:pos + cap]
            if len(take) < 2:
                break
            pos += len(take)
            under = first_dw >= 0 and rng.random() < 0.3
            e = None if under else _entity(district, streets[int(si)], sec, counters)
            c = add(org_type=ZONGZHI, street=int(si), sector=sec, parent=first_dw if under else tops[int(si)],
                    size=0, cat=-1, entity=e, kind="container")
            rest_parent[take] = c
    # branches (one dict each: tens of thousands at most)
    rest_street = rest["street"].to_numpy()
    rest_sector = rest["sector"].to_numpy()
    rest_size = rest["size"].to_numpy()
    rest_cat = rest["cat"].to_numpy()
    for i in range(nb):
        si = int(rest_street[i])
        parent = int(rest_parent[i]) if rest_parent[i] >= 0 else tops[si]
        entity = None if rest_parent[i] >= 0 else _entity(district, streets[si], rest_sector[i], counters)
        add(org_type=BRANCH, street=si, sector=rest_sector[i], parent=parent, size=int(rest_size[i]),
            cat=int(rest_cat[i]), entity=entity, kind="rest")
    tn = two_new.to_dict("records")
    for r in tn:
        si = int(r["street"])
        add(org_type=r["org_type"], street=si, sector=r["sector"], parent=zonghe.get(si, tops[si]),
            size=int(r["size"]), cat=0, entity=r["entity"], kind=r["kind"], units=r["units"])
    orgs = pd.DataFrame(org_rows)
    if "units" not in orgs:
        orgs["units"] = None
    return _codes_and_names(orgs, streets, rng)


def _largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    if total <= 0 or len(weights) == 0:
        return np.zeros(len(weights), dtype=np.int64)
    quota = weights / weights.sum() * total
    base = np.floor(quota).astype(np.int64)
    rem = total - base.sum()
    order = np.argsort(-(quota - base), kind="stable")
    base[order[:rem]] += 1
    return base


def _entity(district: str, street: Street, sector: str, counters: dict) -> str:
    """A unique name for the unit an organization belongs to (community, bureau, school, ...)."""
    per_street = sector in (COMMUNITY, RURAL, SCHOOL)
    key = (street.name if per_street else "", sector)
    j = counters.get(key, 0)
    counters[key] = j + 1
    if sector in (COMMUNITY, RURAL, SCHOOL):
        n = len(_WORDS)
        word = _WORDS[(j * 7 + street.area_code) % n] + ("" if j < n else _cn(j // n + 1))
        if sector == COMMUNITY:
            return f"{district}{street.name}{word}社区"
        if sector == RURAL:
            return f"{district}{street.name}{word}村"
        return f"{district}{street.name.rstrip('街道镇')}{word}{_SCHOOL_KINDS[j % len(_SCHOOL_KINDS)]}"
    pools = {GOV: _BUREAUS, INSTITUTION: _INSTITUTIONS, SOE: _SOES, OTHER_SECTOR: _OTHERS}
    pool = pools.get(sector, _OTHERS)
    base = pool[j % len(pool)]
    suffix = "" if j < len(pool) else f"第{_cn(j // len(pool) + 1)}分部"
    if sector == GOV:
        return f"{district}{base}{suffix}机关"
    return f"{district}{base}{suffix}"


def _codes_and_names(orgs: pd.DataFrame, streets: tuple[Street, ...], rng: np.random.Generator) -> pd.DataFrame:
    """Hierarchical codes (A01, A01003, A01003002 …) and full names, level by level."""
    orgs = orgs.copy()
    parent = orgs["parent"].to_numpy()
    depth = np.zeros(len(orgs), dtype=np.int64)
    cur = parent.copy()
    while (cur >= 0).any():
        depth += cur >= 0
        cur = np.where(cur >= 0, parent[np.maximum(cur, 0)], -1)
    orgs["depth"] = depth
    type_rank = {DANGWEI: 0, ZONGZHI: 1, BRANCH: 2, JOINT_BRANCH: 2, DANGGONGWEI: 0}
    orgs["type_rank"] = orgs["org_type"].map(type_rank)
    code = np.empty(len(orgs), dtype=object)
    name = np.empty(len(orgs), dtype=object)
    entity = orgs["entity"].to_numpy().copy()
    derived = np.zeros(len(orgs), dtype=bool)
    org_type = orgs["org_type"].to_numpy()
    for d in range(int(depth.max()) + 1):  # at most four levels
        level = orgs[orgs["depth"] == d].sort_values(["parent", "type_rank", "sector", "idx"], kind="stable")
        seq = level.groupby("parent").cumcount().to_numpy() + 1
        ordinal = level.groupby(["parent", "type_rank"]).cumcount().to_numpy() + 1
        for i, s, o in zip(level["idx"].to_numpy(), seq, ordinal):
            if d == 0:
                code[i] = f"A{int(orgs.at[i, 'street']) + 1:02d}"
                name[i] = (f"中共{entity[i]}工作委员会" if org_type[i] == DANGGONGWEI else f"中共{entity[i]}委员会")
                continue
            p = parent[i]
            code[i] = f"{code[p]}{s:03d}"
            if not isinstance(entity[i], str):  # inside a container: named after it
                inner = f"{entity[p]}总支" if derived[p] and org_type[p] == ZONGZHI else entity[p]
                entity[i] = f"{inner}第{_cn(int(o))}"
                derived[i] = True
            t = org_type[i]
            if t == DANGWEI:
                name[i] = f"中共{entity[i]}委员会"
            elif t == ZONGZHI:
                name[i] = f"中共{entity[i]}总支部委员会"
            elif t == JOINT_BRANCH:
                name[i] = f"中共{entity[i]}支部委员会"
            else:
                name[i] = f"中共{entity[i]}支部委员会"
    # branches named after a container entity share it: make every name unique
    names = pd.Series(name)
    dup = names.duplicated(keep=False)
    if dup.any():
        names[dup] = names[dup] + "（" + pd.Series(code)[dup] + "）"
    orgs["org_id"] = code
    orgs["name"] = names.to_numpy()
    orgs["area"] = [streets[int(s)].name for s in orgs["street"]]
    orgs = orgs.rename(columns={"idx": "x_idx", "street": "x_street", "size": "x_size", "cat": "x_cat",
                                "kind": "x_kind", "units": "x_units", "depth": "x_depth", "parent": "x_parent"})
    orgs = orgs.drop(columns=["type_rank", "entity"])
    orgs["parent_id"] = orgs["x_parent"].map(pd.Series(code)).where(orgs["x_parent"] >= 0, None)
    return orgs.sort_values("org_id", kind="stable").reset_index(drop=True)


# ---- people


def _draw_people(rng: np.random.Generator, n: int, as_of: np.datetime64,
                 streets: tuple[Street, ...]) -> pd.DataFrame:
    band = rng.choice(len(AGE_SHARES), size=n, p=_norm(AGE_SHARES))
    lo = np.array([20, 31, 36, 41, 46, 51, 56, 61])[band]
    hi = np.array([30, 35, 40, 45, 50, 55, 60, 61])[band]
    age = rng.integers(lo, hi + 1)
    old = band == 7
    age[old] = np.minimum(61 + np.floor(rng.exponential(9.0, int(old.sum()))).astype(np.int64), 95)
    anniv = _add_years(np.full(n, as_of), -age)
    birth = anniv - rng.integers(0, 365, n).astype("timedelta64[D]")
    female = rng.random(n) < FEMALE_SHARE
    minority = rng.random(n) < MINORITY_SHARE
    ethnicity = np.where(minority, _pick(rng, _MINORITIES, n, _MINORITY_WEIGHTS), schema.HAN).astype(object)
    college = rng.random(n) < COLLEGE_BY_BAND[band]
    young = age <= 50
    edu_c = np.where(rng.random(n) < np.where(young, 0.15, 0.05), GRAD,
                     np.where(rng.random(n) < np.where(young, 0.62, 0.42), BACHELOR, ASSOCIATE))
    u = rng.random(n)
    edu_n = np.where(u < np.where(age >= 61, 0.2, 0.3), SECONDARY,
                     np.where(u < np.where(age >= 61, 0.55, 0.72), HIGH_SCHOOL, JUNIOR))
    education = np.where(college, edu_c, edu_n).astype(object)
    retired = ((age >= 61) & (rng.random(n) < 0.70)) | ((age >= 56) & (age <= 60) & (rng.random(n) < 0.15))
    area = np.array([s.area_code for s in streets])[rng.integers(0, len(streets), n)]
    ids = make_id_numbers(area, birth, ~female, rng)
    surname = np.array(_SURNAMES)[rng.integers(0, len(_SURNAMES), n)]
    g1 = np.where(female, np.array(_GIVEN_F)[rng.integers(0, len(_GIVEN_F), n)],
                  np.array(_GIVEN_M)[rng.integers(0, len(_GIVEN_M), n)])
    g0 = np.array(_GIVEN_N)[rng.integers(0, len(_GIVEN_N), n)]
    two = rng.random(n) < 0.72
    names = np.where(two, _cat(surname, g0, g1), _cat(surname, g1))
    phone = _cat(np.array(["13", "15", "17", "18", "19"])[rng.integers(0, 5, n)],
                 _zfill(rng.integers(0, 10**9, n), 9))
    phone = np.where(rng.random(n) < 0.9, phone, None)
    return pd.DataFrame({
        "name": names.astype(object), "id_number": ids.astype(object),
        "gender": np.where(female, FEMALE, MALE).astype(object), "ethnicity": ethnicity,
        "birth_date": birth, "education": education, "phone": phone.astype(object),
        "x_age": age, "x_band": band, "x_college": college, "x_retired": retired, "x_mid": np.arange(n),
    })


def _allocate(rng: np.random.Generator, people: pd.DataFrame, orgs: pd.DataFrame, as_of: np.datetime64,
              period: Period) -> pd.DataFrame:
    """Match members to branch places by age (older ones to community branches, younger ones to
    two-new branches), then draw their Party dates and occupations."""
    n = len(people)
    br = orgs[orgs["x_size"] > 0]
    slot_branch = np.repeat(br["x_idx"].to_numpy(), br["x_size"].to_numpy())
    assert len(slot_branch) == n, (len(slot_branch), n)
    shift = np.array([s.age_shift for s in STREETS])[br["x_street"].to_numpy()]
    pref = br["sector"].map(SECTOR_AGE).to_numpy(dtype=float) + shift + rng.normal(0, 5, len(br))
    slot_key = np.repeat(pref, br["x_size"].to_numpy()) + rng.normal(0, 10, n)
    age = people["x_age"].to_numpy()
    member_key = age + rng.normal(0, 5, n) - 4.0 * people["x_college"].to_numpy()
    branch = np.empty(n, dtype=np.int64)
    branch[np.argsort(member_key, kind="stable")] = slot_branch[np.argsort(slot_key, kind="stable")]
    mem = people.copy()
    mem["x_branch"] = branch
    sector = pd.Series(branch).map(orgs.set_index("x_idx")["sector"]).to_numpy()
    mem["x_sector"] = sector
    mem["x_street"] = pd.Series(branch).map(orgs.set_index("x_idx")["x_street"]).to_numpy()

    # probationary members: joined within the last year; 83.7% of them aged 35 or under
    n_prob = max(1, round(n * PROBATIONARY_SHARE))
    young = np.flatnonzero((age >= 19) & (age <= 35))
    older = np.flatnonzero((age >= 36) & (age <= 55))
    n_young = min(len(young), round(n_prob * NEW_UNDER35_SHARE))
    n_old = min(len(older), n_prob - n_young)
    prob = np.concatenate([rng.choice(young, n_young, replace=False), rng.choice(older, n_old, replace=False)])
    is_prob = np.zeros(n, dtype=bool)
    is_prob[prob] = True
    birth = mem["birth_date"].to_numpy().astype("datetime64[D]")
    lb = _add_years(birth, 18) + np.timedelta64(60, "D")
    ub = np.full(n, as_of - np.timedelta64(400, "D"))
    span = (ub - lb).astype(np.int64)
    frac = rng.beta(1.3, 3.0, n)
    joined = lb + np.floor(frac * np.maximum(span, 0)).astype("timedelta64[D]")
    p_lb = np.maximum(lb, as_of - np.timedelta64(364, "D"))
    p_span = (as_of - p_lb).astype(np.int64)
    p_joined = p_lb + np.floor(rng.random(n) * (p_span + 1)).astype("timedelta64[D]")
    # last year's cohort: joined 13–24 months ago, so that some become full members this quarter
    rest_young = np.flatnonzero(~is_prob & (age <= 45))
    cohort = rng.choice(rest_young, min(len(rest_young), n_prob), replace=False)
    c_joined = as_of - rng.integers(400, 731, len(cohort)).astype("timedelta64[D]")
    joined[cohort] = np.minimum(np.maximum(c_joined, lb[cohort]), ub[cohort])
    joined = np.where(is_prob, p_joined, joined)
    full_since = joined + (365 + rng.integers(0, 31, n)).astype("timedelta64[D]")
    full_since = np.where(is_prob, np.datetime64("NaT"), full_since)
    # new members' education: 54.4% 大专及以上
    u = rng.random(n)
    dev_edu = np.where(u < 0.04, GRAD, np.where(u < 0.30, BACHELOR, np.where(
        u < NEW_COLLEGE_SHARE, ASSOCIATE, np.where(u < 0.66, SECONDARY, np.where(u < 0.88, HIGH_SCHOOL, JUNIOR)))))
    mem["education"] = np.where(is_prob, dev_edu, mem["education"].to_numpy()).astype(object)
    mem["x_college"] = np.isin(mem["education"].to_numpy(), schema.COLLEGE_LEVELS)
    mem["joined"] = joined
    mem["full_member_since"] = full_since
    mem["status"] = np.where(is_prob, PROBATIONARY, FULL).astype(object)
    mem["x_prob"] = is_prob
    mem["x_dev"] = is_prob & (joined >= _day(period.start))
    mem["mobile"] = _yn(rng.random(n) < MOBILE_SHARE)
    mem["occupation"] = _occupation(rng, sector, age, mem["x_retired"].to_numpy(), mem["x_college"].to_numpy())
    mem["x_order"] = rng.permutation(n)
    return mem


def _occupation(rng: np.random.Generator, sector: np.ndarray, age: np.ndarray, retired: np.ndarray,
                college: np.ndarray) -> np.ndarray:
    n = len(sector)
    u = rng.random(n)
    prof_or_mgr = np.where(u < 0.6, PROFESSIONAL, MANAGER)
    worker_prof_mgr = np.where(u < 0.35, WORKER, np.where(u < 0.7, PROFESSIONAL, MANAGER))
    occ = np.select(
        [sector == GOV, sector == INSTITUTION, sector == SOE, sector == PRIVATE, sector == SOCIAL,
         sector == COMMUNITY, sector == RURAL, sector == SCHOOL],
        [np.where(u < 0.85, OFFICIAL, MANAGER),
         np.where(u < 0.7, PROFESSIONAL, np.where(u < 0.9, MANAGER, WORKER)),
         worker_prof_mgr, worker_prof_mgr,
         np.where(u < 0.5, PROFESSIONAL, np.where(u < 0.8, MANAGER, OTHER_JOB)),
         np.where(u < 0.55, OTHER_JOB, np.where(u < 0.75, WORKER, prof_or_mgr)),
         np.where(u < 0.8, FARMER, np.where(u < 0.9, WORKER, OTHER_JOB)),
         np.where(age <= 24, STUDENT, np.where(u < 0.85, PROFESSIONAL, MANAGER))],
        default=np.where(u < 0.6, OTHER_JOB, prof_or_mgr),
    )
    occ = np.where((sector == RURAL) & college & (occ == FARMER), OTHER_JOB, occ)
    return np.where(retired, RETIRED, occ).astype(object)


def _place_left(rng: np.random.Generator, left: pd.DataFrame, orgs: pd.DataFrame,
                as_of: np.datetime64) -> pd.DataFrame:
    """Members of the previous quarter who left during this one (transferred out or deceased)."""
    n = len(left)
    cand = orgs[(orgs["x_kind"] == "rest") & (orgs["x_size"] >= 8) & (orgs["x_size"] <= 45)]["x_idx"].to_numpy()
    left = left.copy()
    left["x_branch"] = rng.choice(cand, n)
    birth = left["birth_date"].to_numpy().astype("datetime64[D]")
    lb = _add_years(birth, 18) + np.timedelta64(60, "D")
    span = (as_of - np.timedelta64(500, "D") - lb).astype(np.int64)
    joined = lb + np.floor(rng.beta(1.3, 3.0, n) * np.maximum(span, 0)).astype("timedelta64[D]")
    left["joined"] = joined
    left["full_member_since"] = joined + np.timedelta64(366, "D")
    left["status"] = FULL
    left["mobile"] = NO
    left["occupation"] = np.where(left["x_retired"], RETIRED, OTHER_JOB).astype(object)
    left["x_prob"] = False
    left["x_dev"] = False
    left["x_order"] = rng.permutation(n)
    return left


def _org_counts(orgs: pd.DataFrame, mem: pd.DataFrame) -> pd.DataFrame:
    """Members and full members per organization (own and in its subtree), committee flags."""
    orgs = orgs.copy()
    own = mem.groupby("x_branch").size()
    own_full = mem[~mem["x_prob"]].groupby("x_branch").size()
    orgs["x_members_own"] = orgs["x_idx"].map(own).fillna(0).astype(np.int64)
    orgs["x_full_own"] = orgs["x_idx"].map(own_full).fillna(0).astype(np.int64)
    anc = _ancestors(orgs)
    total = np.zeros(len(orgs), dtype=np.int64)
    total_full = np.zeros(len(orgs), dtype=np.int64)
    pos = pd.Series(np.arange(len(orgs)), index=orgs["x_idx"].to_numpy())
    for level in anc:  # the organization itself and each ancestor level (≤ 4)
        ok = level >= 0
        np.add.at(total, pos[level[ok]].to_numpy(), orgs["x_members_own"].to_numpy()[ok])
        np.add.at(total_full, pos[level[ok]].to_numpy(), orgs["x_full_own"].to_numpy()[ok])
    orgs["x_members"] = total
    orgs["x_full"] = total_full
    is_branch = orgs["org_type"].isin(schema.BRANCH_TYPES).to_numpy()
    no_comm = orgs["x_cat"].to_numpy() == 4
    orgs["x_committee"] = ~is_branch | ((orgs["x_full_own"].to_numpy() >= 7) & ~no_comm)
    orgs["x_small"] = is_branch & ~orgs["x_committee"].to_numpy()
    return orgs


def _ancestors(orgs: pd.DataFrame) -> list[np.ndarray]:
    """[self, parent, grandparent, …] as arrays of x_idx (-1 where there is none), row-aligned."""
    parent_of = pd.Series(orgs["x_parent"].to_numpy(), index=orgs["x_idx"].to_numpy())
    cur = orgs["x_idx"].to_numpy()
    out = [cur]
    while (cur >= 0).any():
        cur = np.where(cur >= 0, parent_of.reindex(np.maximum(cur, 0)).to_numpy(), -1)
        cur = np.where(out[-1] >= 0, cur, -1)
        if (cur >= 0).any():
            out.append(cur)
        else:
            break
    return out


# ---- committees


def _make_committees(rng: np.random.Generator, orgs: pd.DataFrame, mem: pd.DataFrame,
                     period: Period) -> tuple[pd.DataFrame, dict[int, str]]:
    """本届 and 上届 committees drawn from each organization's full members (its subtree's for
    党委/党总支), about half re-elected, secretaries mostly re-elected, a few promoted."""
    full = mem[~mem["x_prob"].to_numpy()]
    age = full["x_age"].to_numpy()
    w = np.select([age < 25, age < 30, age <= 55, age <= 60], [0.2, 0.6, 1.0, 0.5], 0.12)
    w = w * np.where(full["x_college"].to_numpy(), 2.5, 1.0) * np.where(full["x_retired"].to_numpy(), 0.7, 1.0)
    # (member, organization) pairs: the branch and every ancestor
    parent_of = pd.Series(orgs["x_parent"].to_numpy(), index=orgs["x_idx"].to_numpy())
    cur = full["x_branch"].to_numpy()
    pm, po = [], []
    rows = np.arange(len(full))
    while len(cur):
        pm.append(rows)
        po.append(cur)
        nxt = parent_of.reindex(cur).to_numpy()
        keep = nxt >= 0
        rows, cur = rows[keep], nxt[keep].astype(np.int64)
    pair_m = np.concatenate(pm)
    pair_o = np.concatenate(po)
    key = np.log(rng.random(len(pair_m))) / w[pair_m]
    order = np.lexsort((-key, pair_o))
    pair_m, pair_o = pair_m[order], pair_o[order]
    rank = pd.Series(pair_o).groupby(pair_o).cumcount().to_numpy()
    pool = pd.Series(pair_o).value_counts()

    o = orgs.set_index("x_idx")
    comm = o[o["x_committee"]].copy()
    nco = len(comm)
    t = comm["org_type"].to_numpy()
    k = np.select([np.isin(t, schema.BRANCH_TYPES), t == ZONGZHI, t == DANGWEI],
                  [_pick(rng, (3, 5, 7), nco, [0.55, 0.4, 0.05]), _pick(rng, (5, 7), nco, [0.6, 0.4]),
                   _pick(rng, (5, 7, 9), nco, [0.3, 0.5, 0.2])],
                  _pick(rng, (7, 9), nco, [0.5, 0.5])).astype(np.int64)
    psize = comm.index.to_series().map(pool).fillna(0).astype(np.int64).to_numpy()
    k = np.minimum(k, psize)
    u = rng.random(nco)
    kp = np.where(u < 0.7, k, np.where(u < 0.85, k - 2, k + 2))
    kp = np.clip(kp, np.minimum(3, k), psize)
    case = _pick(rng, ("same", "promoted", "new"), nco, [0.68, 0.12, 0.20])
    r = rng.binomial(k, 0.55)
    lo = np.maximum(0, k + kp - psize)
    hi = np.minimum(k, kp)
    hi_c = np.where(case == "same", hi, np.minimum(hi, kp - 1))
    lo_c = np.where(case == "new", lo, np.maximum(lo, 1))
    bad = lo_c > hi_c
    case = np.where(bad, "same", case)
    lo_c = np.where(bad, np.maximum(lo, 1), lo_c)
    hi_c = np.where(bad, hi, hi_c)
    r = np.clip(r, lo_c, np.maximum(lo_c, hi_c))
    deputy = (k >= 5) & (rng.random(nco) < 0.5)
    deputy_prev = (kp >= 5) & (rng.random(nco) < 0.4)
    params = pd.DataFrame({"k": k, "kp": kp, "r": r, "case": case, "deputy": deputy, "deputy_prev": deputy_prev},
                          index=comm.index)

    # secretaries of organizations without a committee: the top of their pool
    sec_rows = rank == 0
    secretaries = dict(zip(pair_o[sec_rows].tolist(), full["name"].to_numpy()[pair_m[sec_rows]].tolist()))

    need = pd.Series(pair_o).map(params["k"] + params["kp"] - params["r"]).to_numpy()
    sel = ~np.isnan(need) & (rank < np.nan_to_num(need))
    cm = pd.DataFrame({"x_idx": pair_o[sel], "x_m": pair_m[sel], "rank": rank[sel]})
    cm = cm.join(params, on="x_idx")
    flag0 = (cm["case"] != "new").to_numpy()
    inner = (cm["rank"] > 0) & (cm["rank"] < cm["k"])
    sub = np.full(len(cm), 10**6, dtype=np.int64)
    rk = rng.random(len(cm))
    tmp = pd.DataFrame({"o": cm["x_idx"].to_numpy(), "rk": rk})[inner.to_numpy()]
    sub[inner.to_numpy()] = tmp.groupby("o")["rk"].rank(method="first").to_numpy().astype(np.int64) - 1
    rank_a = cm["rank"].to_numpy()
    k_a, r_a = cm["k"].to_numpy(), cm["r"].to_numpy()
    re0 = (rank_a == 0) & flag0
    re_inner = inner.to_numpy() & (sub < (r_a - flag0.astype(np.int64)))
    reelected = re0 | re_inner
    in_cur = rank_a < k_a
    left_person = rank_a >= k_a
    in_prev = (in_cur & reelected) | left_person
    cur_role = np.where(rank_a == 0, SECRETARY, np.where((rank_a == 1) & cm["deputy"].to_numpy(), DEPUTY,
                                                         COMMITTEE_MEMBER))
    # previous secretary: same person (case same); else the first left person, else the lowest
    # ranked re-elected non-secretary
    prev = cm[in_prev].copy()
    prev["x_is0"] = prev["rank"] == 0
    cand = prev[~((prev["rank"] == 0) & (prev["case"] != "same"))]
    cand = cand.assign(pri=np.where(cand["case"] == "same", np.where(cand["rank"] == 0, 0, 9),
                                    np.where(cand["rank"] >= cand["k"], 1, 2)),
                       r2=cand["rank"])
    first = cand.sort_values(["x_idx", "pri", "r2"], kind="stable").groupby("x_idx").head(1)
    prev_sec_rows = set(first.index.tolist())
    prev_role = np.where(prev.index.isin(list(prev_sec_rows)), SECRETARY, COMMITTEE_MEMBER)
    prev = prev.assign(role=prev_role)
    # one 副书记 in the previous term where it had one
    dep_cand = prev[(prev["role"] == COMMITTEE_MEMBER) & prev["deputy_prev"]]
    dep = dep_cand.sort_values(["x_idx", "rank"], kind="stable").groupby("x_idx").head(1).index
    prev.loc[dep, "role"] = DEPUTY
    cur = cm[in_cur].assign(role=cur_role[in_cur])

    def rows_of(part: pd.DataFrame, term: str, blank_share: float) -> pd.DataFrame:
        person = full.iloc[part["x_m"].to_numpy()]
        ids = person["id_number"].to_numpy().copy()
        ids[rng.random(len(ids)) < blank_share] = None
        return pd.DataFrame({
            "x_idx": part["x_idx"].to_numpy(), "term": term, "name": person["name"].to_numpy(),
            "id_number": ids, "gender": person["gender"].to_numpy(),
            "birth_date": person["birth_date"].to_numpy(), "education": person["education"].to_numpy(),
            "role": part["role"].to_numpy(), "concurrent": None, "x_rank": part["rank"].to_numpy(),
            "x_member": person["x_mid"].to_numpy(),
        })

    committee = pd.concat([rows_of(cur, CURRENT, 0.02), rows_of(prev, PREVIOUS, 0.08)], ignore_index=True)
    secretaries.update(dict(zip(cur.loc[cur["role"] == SECRETARY, "x_idx"].tolist(),
                                full["name"].to_numpy()[cur.loc[cur["role"] == SECRETARY, "x_m"].to_numpy()].tolist())))
    return committee, secretaries


def _concurrent(rng: np.random.Generator, committee: pd.DataFrame, union_chair: pd.Series,
                orgs: pd.DataFrame) -> pd.DataFrame:
    """兼任职务: the secretary chairs the union where the organization says so; in two-new
    organizations some members lead the youth league or women's organization or the business."""
    committee = committee.copy()
    sector = committee["org_id"].map(orgs.set_index("org_id")["sector"]).to_numpy()
    two_new = np.isin(sector, schema.TWO_NEW_SECTORS)
    chair = committee["org_id"].map(union_chair).to_numpy() == YES
    is_sec = committee["role"].to_numpy() == SECRETARY
    u = rng.random(len(committee))
    other = np.where(u < 0.1, _CONCURRENT[0], np.where(
        (u < 0.2) & (committee["gender"].to_numpy() == FEMALE), _CONCURRENT[1],
        np.where(u < 0.3, _CONCURRENT[2], "")))
    text = np.where(two_new & ~is_sec, other, "")
    text = np.where(is_sec & chair, _UNION_CHAIR, text)
    committee["concurrent"] = np.where(text == "", None, text).astype(object)
    return committee


# ---- terms and elections


def _make_elections(rng: np.random.Generator, orgs: pd.DataFrame, committee: pd.DataFrame,
                    period: Period) -> tuple[pd.DataFrame, pd.DataFrame]:
    orgs = orgs.copy()
    n = len(orgs)
    as_of = _day(period.as_of)
    start = _day(period.start)
    year_start = _day(period.year_start)
    years = orgs["org_type"].map(schema.TERM_YEARS_DEFAULT).to_numpy().astype(np.int64)
    street = orgs["x_street"].to_numpy()
    overdue_p = np.array([s.overdue for s in STREETS])[street]
    late_p = np.array([s.late for s in STREETS])[street]
    has_comm = orgs["x_committee"].to_numpy()
    electable = has_comm & (orgs["org_type"].to_numpy() != DANGGONGWEI)
    u = rng.random(n)
    per_quarter = 0.09  # about a twelfth of the organizations with a three-year term
    earlier_p = per_quarter * (period.quarter - 1)
    cat = np.where(electable & (u < per_quarter), "held",
                   np.where(electable & (u < per_quarter + earlier_p), "held_ytd",
                            np.where((u > 1 - overdue_p) & (orgs["org_type"].to_numpy() != DANGGONGWEI),
                                     "overdue", "normal")))
    # overdue: term ended 15–330 days ago, one in five more than a year ago
    serious = rng.random(n) < 0.2
    od = np.where(serious, rng.integers(380, 720, n), rng.integers(15, 330, n)).astype("timedelta64[D]")
    overdue_last = _add_years(as_of - od, -years)
    # normal: elected before this year, term not yet over
    lo = _add_years(np.full(n, as_of), -years) + np.timedelta64(1, "D")
    hi = year_start - np.timedelta64(1, "D")
    span = np.maximum((hi - lo).astype(np.int64), 0)
    normal_last = lo + np.floor(rng.random(n) * (span + 1)).astype("timedelta64[D]")
    held_last = start + np.floor(rng.random(n) * ((as_of - start).astype(np.int64) + 1)).astype("timedelta64[D]")
    ytd_hi = start - np.timedelta64(1, "D")
    ytd_last = year_start + np.floor(rng.random(n) * (max(int((ytd_hi - year_start).astype(np.int64)), 0) + 1)
                                     ).astype("timedelta64[D]")
    last = np.select([cat == "held", cat == "held_ytd", cat == "overdue"], [held_last, ytd_last, overdue_last],
                     normal_last)
    orgs["last_election"] = last
    orgs["x_cat_term"] = cat
    given_years = rng.random(n) < 0.75
    orgs["term_years"] = pd.array(np.where(given_years, years, -1), dtype="Int64")
    orgs.loc[~given_years, "term_years"] = pd.NA
    founded_back = (rng.integers(0, 25, n) + years).astype(np.int64)
    two_new = np.isin(orgs["sector"].to_numpy(), schema.TWO_NEW_SECTORS)
    founded_back = np.where(two_new, np.minimum(founded_back, years + rng.integers(0, 8, n)), founded_back)
    founded = _add_years(last, -founded_back) - rng.integers(0, 365, n).astype("timedelta64[D]")
    founded = np.maximum(founded, np.datetime64("1950-01-01"))
    orgs["founded"] = np.where(rng.random(n) < 0.85, founded, np.datetime64("NaT"))
    chair_p = np.where(two_new, 0.35, 0.06)
    orgs["secretary_union_chair"] = _yn(rng.random(n) < chair_p)
    for col, p in (("has_union", 0.85), ("has_youth_league", 0.45), ("has_women_org", 0.5)):
        orgs[col] = np.where(two_new, _yn(rng.random(n) < p), None).astype(object)

    # election rows: this year's elections of organizations with a committee
    held = orgs[np.isin(cat, ("held", "held_ytd"))].copy()
    m = len(held)
    h_years = held["org_type"].map(schema.TERM_YEARS_DEFAULT).to_numpy().astype(np.int64)
    date_ = held["last_election"].to_numpy().astype("datetime64[D]")
    is_late = rng.random(m) < late_p[np.isin(cat, ("held", "held_ytd"))]
    shift = np.where(is_late, -rng.integers(30, 300, m), rng.integers(0, 61, m)).astype("timedelta64[D]")
    prev_date = _add_years(date_, -h_years) + shift
    size = held["x_members"].to_numpy()
    congress = size >= 500
    eligible = np.where(congress, np.clip(size // 6, 100, 300), held["x_full"].to_numpy())
    eligible = np.maximum(eligible, 1)
    absent = np.floor(eligible * rng.uniform(0, 0.15, m)).astype(np.int64)
    present = eligible - absent
    present = np.maximum(present, np.minimum(eligible, np.floor(eligible * 0.8).astype(np.int64) + 1))
    bad_quorum = rng.random(m) < 0.06
    present = np.where(bad_quorum & (eligible >= 5),
                       np.floor(eligible * 0.8).astype(np.int64) - rng.integers(0, 3, m), present)
    present = np.clip(present, 1, eligible)
    seats = committee[committee["term"] == CURRENT].groupby("x_idx").size()
    seats = held["x_idx"].map(seats).fillna(0).astype(np.int64).to_numpy()
    need = np.ceil(seats * 1.2 - 1e-9).astype(np.int64)
    candidates = need + rng.integers(0, 2, m)
    short = (rng.random(m) < 0.07) & (seats >= 3)
    candidates = np.where(short, np.maximum(seats, need - 1 - rng.integers(0, 2, m)), candidates)
    candidates = np.maximum(candidates, seats)
    elections = pd.DataFrame({
        "org_id": held["org_id"].to_numpy(), "date": date_, "previous_date": prev_date,
        "method": np.where(congress, CONGRESS, ASSEMBLY).astype(object), "eligible": eligible,
        "present": present, "seats": seats, "candidates": candidates, "x_idx": held["x_idx"].to_numpy(),
    })
    elections = elections.sort_values(["org_id", "date"], kind="stable").reset_index(drop=True)
    prev = elections.set_index("x_idx")["previous_date"]
    # (an empty datetime mapping would be cast to float and fail: a small district may hold no election)
    orgs["x_prev_election"] = orgs["x_idx"].map(prev) if len(prev) else pd.Series(pd.NaT, index=orgs.index)
    return orgs, elections


# ---- the previous quarter


def _previous(d: District) -> District:
    p = d.period.previous()
    as_of = pd.Timestamp(p.as_of)
    start = pd.Timestamp(d.period.start)
    mem = d.members[~(d.members["joined"] >= start)].copy()
    left = d.left.copy()
    mem = pd.concat([mem, left], ignore_index=True)
    late_full = mem["full_member_since"] > as_of
    mem.loc[late_full, "full_member_since"] = pd.NaT
    mem.loc[late_full, "status"] = PROBATIONARY
    mem["x_prob"] = mem["status"] == PROBATIONARY
    mem["x_dev"] = mem["joined"] >= pd.Timestamp(p.start)
    order = np.lexsort((mem["x_order"].to_numpy(), mem["org_id"].to_numpy().astype(str)))
    mem = mem.iloc[order].reset_index(drop=True)

    elections = d.elections[d.elections["date"] <= as_of].reset_index(drop=True)
    redo = d.orgs["last_election"] > as_of  # elections of the later quarter: not yet held
    orgs = d.orgs.copy()
    orgs.loc[redo, "last_election"] = orgs.loc[redo, "x_prev_election"]
    redo_ids = set(orgs.loc[redo, "org_id"])
    com = d.committee
    in_redo = com["org_id"].isin(redo_ids)
    then_current = com[in_redo & (com["term"] == PREVIOUS)].assign(term=CURRENT)
    committee = pd.concat([com[~in_redo], then_current], ignore_index=True)
    committee = _sort_committee(committee)
    sec = then_current[then_current["role"] == SECRETARY].drop_duplicates("org_id").set_index("org_id")["name"]
    orgs.loc[redo, "secretary"] = orgs.loc[redo, "org_id"].map(sec).to_numpy()
    return District(d.name, p, d.seed, orgs, mem, elections, committee, d.units.copy(),
                    d.left.iloc[0:0].copy())


def _sort_committee(c: pd.DataFrame) -> pd.DataFrame:
    term_rank = c["term"].map({CURRENT: 0, PREVIOUS: 1})
    role_rank = c["role"].map({SECRETARY: 0, DEPUTY: 1, COMMITTEE_MEMBER: 2})
    c = c.assign(_t=term_rank, _r=role_rank)
    c = c.sort_values(["org_id", "_t", "_r", "x_rank"], kind="stable")
    return c.drop(columns=["_t", "_r"]).reset_index(drop=True)


# =========================================================================== writing

_DATA_START = {"plain": 2, "title": 3, "twolevel": 3, "title+twolevel": 4}  # first data row (Excel)
_TEXT_TYPES = ("code", "id_number", "phone", "credit_code")
_DAY_STYLES = ("iso", "slash", "cn", "compact")
_MONTH_STYLES = ("month_dot", "month_cn", "month_compact")
_GROUPS = {  # two-row headers: a group title over these fields; the other fields span both rows
    "members": (("基本信息", ("name", "id_number", "gender", "ethnicity", "birth_date", "education")),
                ("党籍信息", ("joined", "full_member_since", "status", "org_id"))),
    "units": (("单位基本情况", ("unit_name", "credit_code", "unit_type", "employees", "location")),
              ("党组织和群团组织建设情况", ("party_org", "org_id", "party_members", "has_instructor",
                                      "has_union", "has_youth_league", "has_women_org"))),
    "orgs": (("组织基本情况", ("org_id", "name", "parent_id", "org_type", "sector", "area", "founded")),
             ("任期情况", ("last_election", "term_years", "term_end", "secretary"))),
}


@dataclass
class SampleResult:
    """What ``generate`` wrote: the folder, its files (relative paths), the manifest of planted
    problems (messy mode) and row counts; ``previous`` holds the preceding quarter when asked."""

    out_dir: Path
    period: str
    files: list[str]
    manifest: Path | None
    counts: dict[str, int]
    previous: "SampleResult | None" = None


@dataclass
class _SheetOut:
    key: str
    name: str
    fields: list[schema.Field]
    headers: list[str]
    frame: pd.DataFrame  # canonical values and a unique "_key" per row
    layout: str = "plain"
    title: str | None = None
    date_styles: dict[str, str] = field(default_factory=dict)
    value_aliases: dict[str, dict[str, str]] = field(default_factory=dict)
    org_names: dict[str, str] | None = None  # members' organization written by name
    overrides: dict[tuple[int, str], object] = field(default_factory=dict)

    @property
    def start(self) -> int:
        return _DATA_START[self.layout]

    def header_of(self, key: str) -> str:
        return self.headers[[f.key for f in self.fields].index(key)]


@dataclass
class _BookOut:
    file: str
    kind: str  # xlsx | xls | csv
    unit: str
    sheets: list[_SheetOut]
    cover: bool = True
    period_text: str = ""
    as_of_text: bool = False


@dataclass
class _Plant:
    book: _BookOut
    sheet: _SheetOut
    key: int
    field: str
    rule: str


def generate(out_dir: str | Path, members: int = 10_000, workbooks: int = 8, seed: int = 2026,
             period: str | Period = "2026Q3", messy: bool = False, previous: bool = False,
             district: str = "示例区", *, manifest: str | Path | None = None,
             previous_manifest: str | Path | None = None, legacy_formats: bool = False,
             jobs: int | None = None) -> SampleResult:
    """Write a synthetic district's submissions for ``period`` into ``out_dir``.

    ``workbooks`` workbooks as sub-units send them (a street's 党组织, 党员, 换届选举 and 班子成员;
    the 两新组织 from the two-new committee). ``messy`` adds the mess of SPEC §5 and writes a
    manifest of every planted problem (default ``out_dir/.manifest.csv``, a hidden file the reader
    ignores). ``previous`` also writes the preceding quarter into the sibling folder
    ``out_dir/../<label>`` (e.g. ``2026Q2``). ``legacy_formats`` (messy only) turns one street's
    党员 into a GBK ``.csv`` and another's 换届选举 into an ``.xls`` (needs xlwt).
    """
    d = build_district(members, seed, period, district)
    out = Path(out_dir)
    result = write_district(d, out, workbooks=workbooks, messy=messy, manifest=manifest,
                            legacy_formats=legacy_formats, stream=1, jobs=jobs)
    if previous:
        prev = d.previous()
        prev_dir = out.resolve().parent / prev.period.label
        if prev_dir == out.resolve():
            raise ValueError(f"输出目录 {out} 与上一季度目录同名，请换一个输出目录")
        result.previous = write_district(prev, prev_dir, workbooks=workbooks, messy=messy,
                                         manifest=previous_manifest, legacy_formats=legacy_formats, stream=2,
                                         jobs=jobs)
    return result


def write_district(d: District, out_dir: str | Path, workbooks: int = 8, messy: bool = False,
                   manifest: str | Path | None = None, legacy_formats: bool = False,
                   stream: int = 1, jobs: int | None = None) -> SampleResult:
    """Write one district's tables as submission workbooks (see ``generate``). ``jobs``: worker
    processes writing files side by side (default: 2 for large sets, else 1)."""
    if workbooks < 1:
        raise ValueError(f"工作簿个数至少为 1（现为 {workbooks}），请调大 --workbooks")
    out = Path(out_dir)
    rng = _rng(d.seed, 100 + stream)
    books = _plan_books(d, workbooks)
    plants: list[_Plant] = []
    if messy:
        _messy_layouts(books, d, rng, legacy_formats)
        plants = _plant_problems(books, d, rng)
    names = [b.file for b in books]
    _check_out_dir(out, names)
    meta = _Meta(d.name, d.period, d.seed)
    rows = sum(len(s.frame) for b in books for s in b.sheets)
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    if jobs is None:
        jobs = min(2, os.cpu_count() or 1) if rows >= 60_000 and can_fork else 1
    order = sorted(books, key=lambda b: -sum(len(s.frame) for s in b.sheets))
    if jobs > 1 and len(books) > 1 and can_fork:
        # Each file is independent of the others, so the bytes do not depend on the schedule.
        # fork (not spawn): workers must not re-import the caller's main module.
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=min(jobs, len(books)), mp_context=ctx,
                                 initializer=child_init) as pool:
            for fut in [pool.submit(_write_book, b, meta, out / b.file) for b in order]:
                fut.result()
    else:
        for b in order:
            _write_book(b, meta, out / b.file)
    man_path = None
    if messy:
        man_path = Path(manifest) if manifest is not None else out / ".manifest.csv"
        _write_manifest(plants, man_path)
    counts = {k: len(getattr(d, k)) for k in District.TABLES}
    counts["problems"] = len(plants)
    return SampleResult(out, d.period.label, names, man_path, counts)


def _check_out_dir(out: Path, names: list[str]) -> None:
    if not out.exists():
        return
    ignored = ("narrative.yaml", "narrative.yml")  # files the reader does not take for submissions
    others = sorted(p.name for p in out.iterdir()
                    if not p.name.startswith((".", "~$")) and p.name not in names and p.name.lower() not in ignored)
    if others:
        raise FileExistsError(f"输出目录 {out} 中已有其他文件（{'、'.join(others[:3])}…），"
                              "读取时会混在一起，请指定一个空目录")


# ---- which workbook holds what


def _plan_books(d: District, k: int) -> list[_BookOut]:
    orgs = d.orgs
    label = d.period.label
    tops = orgs[orgs["x_depth"] == 0].sort_values("org_id")
    n_streets = len(tops)
    if k == 1:
        return [_book(d, f"01_{d.name}.xlsx", f"中共{d.name}委员会组织部", None, True)]
    n_org_books = k - 1
    street_members = orgs[orgs["x_depth"] == 0].set_index("x_street")["x_members"].sort_index()
    block = np.where(orgs["x_depth"].to_numpy() == 0, orgs["org_id"].to_numpy().astype(str) + "000",
                     orgs["org_id"].astype(str).str.slice(0, 6).to_numpy())
    orgs_block = pd.Series(block, index=orgs.index)
    plans: list[tuple[str, str, list[str]]] = []  # (file stem, unit, org ids)
    if n_org_books <= n_streets:
        groups = np.array_split(np.arange(n_streets), n_org_books)
        for g in groups:
            ids = orgs.loc[orgs["x_street"].isin(g), "org_id"].tolist()
            names_ = [STREETS[int(s)].name for s in g]
            unit = tops.iloc[int(g[0])]["name"] if len(g) == 1 else f"中共{d.name}委员会组织部"
            plans.append(("_".join(names_), unit, ids))
    else:
        blocks_per_street = orgs.assign(b=orgs_block).groupby("x_street")["b"].nunique().sort_index()
        alloc = np.ones(n_streets, dtype=np.int64)
        extra = _largest_remainder(street_members.to_numpy().astype(float), n_org_books - n_streets)
        alloc = np.minimum(alloc + extra, blocks_per_street.to_numpy())
        while alloc.sum() < n_org_books and (alloc < blocks_per_street.to_numpy()).any():
            room = np.flatnonzero(alloc < blocks_per_street.to_numpy())
            alloc[room[np.argmax(street_members.to_numpy()[room] / alloc[room])]] += 1
        for s in range(n_streets):
            sub = orgs[orgs["x_street"] == s]
            sb = orgs_block[sub.index]
            sizes = sub.groupby(sb.to_numpy())["x_members_own"].sum().sort_index()
            cuts = np.array_split(np.arange(len(sizes)), 1) if alloc[s] == 1 else _balanced(sizes.to_numpy(), alloc[s])
            for j, part in enumerate(cuts):
                bset = set(sizes.index[part])
                ids = sub.loc[sb.isin(bset).to_numpy(), "org_id"].tolist()
                stem = STREETS[s].name if alloc[s] == 1 else f"{STREETS[s].name}_{j + 1}"
                plans.append((stem, tops.iloc[s]["name"], ids))
    books = [_book(d, f"{i + 1:02d}_{stem}.xlsx", unit, set(ids), False) for i, (stem, unit, ids) in enumerate(plans)]
    books.append(_book(d, f"{len(plans) + 1:02d}_两新组织.xlsx",
                       f"中共{d.name}非公有制经济组织和社会组织工作委员会", None, "units_only"))
    for b in books:
        b.period_text = label
    return books


def _balanced(sizes: np.ndarray, parts: int) -> list[np.ndarray]:
    """Cut a sequence into ``parts`` contiguous non-empty pieces of about equal total size."""
    cum = np.cumsum(sizes)
    targets = cum[-1] * np.arange(1, parts) / parts
    cuts = np.searchsorted(cum, targets, side="left") + 1
    cuts = np.clip(cuts, 1, len(sizes) - 1)
    cuts = np.maximum.accumulate(cuts)
    for i in range(1, len(cuts)):  # strictly increasing, leaving room for the later pieces
        cuts[i] = max(cuts[i], cuts[i - 1] + 1)
    cuts = np.minimum(cuts, len(sizes) - (parts - 1) + np.arange(parts - 1))
    return [p for p in np.split(np.arange(len(sizes)), cuts) if len(p)]


def _book(d: District, file: str, unit: str, org_ids: set | None, units: bool | str) -> _BookOut:
    sheets = []
    if units != "units_only":
        def sel(frame: pd.DataFrame) -> pd.DataFrame:
            return frame if org_ids is None else frame[frame["org_id"].isin(org_ids)]
        for key, frame in (("orgs", d.orgs), ("members", d.members), ("elections", d.elections),
                           ("committee", d.committee)):
            sheets.append(_sheet(key, sel(frame)))
    if units:
        sheets.append(_sheet("units", d.units))
    return _BookOut(file, "xlsx", unit, sheets)


def _sheet(key: str, frame: pd.DataFrame) -> _SheetOut:
    sh = schema.sheet(key)
    fields = [f for f in sh.fields if f.key != "term_end"]
    frame = frame.reset_index(drop=True).copy()
    frame["_key"] = np.arange(len(frame))
    return _SheetOut(key, sh.name, fields, [f.header for f in fields], frame)


# ---- the mess of SPEC §5 (none of it a problem) and the planted problems


def _usable_aliases(f: schema.Field) -> list[str]:
    return [a for a in f.aliases if not re.search(r"[()（）/、]", a)]


def _value_alias_map(rng: np.random.Generator, enum: schema.Enumeration) -> dict[str, str]:
    out = {}
    for v in enum.values:
        cands = [a for a, t in enum.aliases.items() if t == v and a != v and re.search(r"[\u4e00-\u9fff]", a)]
        if cands:
            out[v] = cands[int(rng.integers(0, len(cands)))]
    return out


def _messy_layouts(books: list[_BookOut], d: District, rng: np.random.Generator, legacy: bool) -> None:
    org_books = [b for b in books if any(s.key == "members" for s in b.sheets)]
    unit_books = [b for b in books if [s.key for s in b.sheets] == ["units"]]
    zh_forms = (d.period.label, d.period.zh, d.period.zh.replace("第", ""))
    for i, b in enumerate(org_books):
        profile = i % 5
        b.period_text = zh_forms[i % 3]
        for sh in b.sheets:
            if profile == 0:
                sh.layout = "title"
            elif profile == 1:
                _alias_headers(sh, rng)
                sh.date_styles = {f.key: _DAY_STYLES[(j + i) % 2] for j, f in enumerate(sh.fields) if f.type == "date"}
                if sh.key == "members":
                    sh.layout = "twolevel"
            elif profile == 2:
                aliases = [a for a in schema.sheet(sh.key).aliases if not re.search(r"[()（）/、]", a)]
                sh.name = aliases[0] if aliases else sh.name
                _alias_headers(sh, rng)
                sh.date_styles = {f.key: "cn" for f in sh.fields if f.type == "date"}
                if sh.key == "members":
                    sh.date_styles["joined"] = "month_cn"
                for f in sh.fields:
                    if f.enum is not None and f.key not in ("gender", "role", "org_type", "sector", "mobile",
                                                            "secretary_union_chair"):
                        sh.value_aliases[f.key] = _value_alias_map(rng, f.enum)
                b.as_of_text = True
            elif profile == 3:
                sh.layout = "title+twolevel" if sh.key in _GROUPS else "title"
                sh.date_styles = {f.key: "compact" for f in sh.fields if f.type == "date"}
                if sh.key == "members":
                    sh.date_styles["joined"] = "month_dot"
                    f = schema.MEMBERS.field("org_id")
                    by_name = [a for a in f.aliases if "名称" in a]
                    sh.headers[[x.key for x in sh.fields].index("org_id")] = by_name[0]
                    sh.org_names = dict(zip(d.orgs["org_id"], d.orgs["name"]))
                    sh.frame.attrs["by_name"] = True
                if sh.key == "orgs":  # 本届届满日期 instead of 任期年数
                    term_end = schema.ORGS.field("term_end")
                    pos = [x.key for x in sh.fields].index("term_years")
                    sh.fields[pos] = term_end
                    sh.headers[pos] = term_end.header
                    years = sh.frame["org_type"].map(schema.TERM_YEARS_DEFAULT).to_numpy().astype(np.int64)
                    last = sh.frame["last_election"].to_numpy().astype("datetime64[D]")
                    sh.frame["term_end"] = _add_years(last, years)
            if sh.layout != "plain" or profile in (0, 3):
                sh.title = f"{b.unit}{sh.name}（{d.period.zh}）"
    for b in unit_books:
        for sh in b.sheets:
            sh.layout = "title+twolevel"
            sh.title = f"{d.name}非公有制企业和社会组织党建工作情况（{d.period.zh}）"
            _alias_headers(sh, rng)
            for f in sh.fields:
                if f.enum is not None:
                    sh.value_aliases[f.key] = _value_alias_map(rng, f.enum)
    plain = [b for i, b in enumerate(org_books) if i % 5 not in (1, 3)]  # keep the merged headers
    if legacy and len(plain) >= 2:
        _split_legacy(books, plain[-1], "members", "csv")
        _split_legacy(books, plain[-2], "elections", "xls")


def _alias_headers(sh: _SheetOut, rng: np.random.Generator) -> None:
    for j, f in enumerate(sh.fields):
        cands = [a for a in _usable_aliases(f) if "名称" not in a or sh.key != "members"]
        if cands and rng.random() < 0.6:
            sh.headers[j] = cands[int(rng.integers(0, len(cands)))]
    assert len(set(sh.headers)) == len(sh.headers), sh.headers


def _split_legacy(books: list[_BookOut], book: _BookOut, key: str, kind: str) -> None:
    """Move one sheet of ``book`` into a file of its own (a GBK .csv or an .xls)."""
    sheet = next(s for s in book.sheets if s.key == key)
    book.sheets.remove(sheet)
    sheet.layout = "plain"
    sheet.title = None
    sheet.date_styles = {f.key: "iso" for f in sheet.fields if f.type == "date"} if kind == "csv" else {}
    sheet.org_names = None
    stem = book.file.rsplit(".", 1)[0]
    new = _BookOut(f"{stem}_{sheet.name}.{kind}", kind, book.unit, [sheet], cover=(kind == "xls"),
                   period_text=book.period_text)
    books.insert(books.index(book) + 1, new)


def _plant_problems(books: list[_BookOut], d: District, rng: np.random.Generator) -> list[_Plant]:
    """Plant each problem of SPEC §5 at a known row, chosen so that it triggers its rule only."""
    plants: list[_Plant] = []
    as_of = pd.Timestamp(d.period.as_of)
    on_committee = set(d.committee["x_member"].dropna().astype(np.int64).tolist())
    own = d.orgs.set_index("org_id")["x_members_own"]
    otype = d.orgs.set_index("org_id")["org_type"]
    xlsx_member_sheets = [(b, s) for b in books if b.kind == "xlsx" for s in b.sheets if s.key == "members"]
    if not xlsx_member_sheets:
        return plants
    parts = []
    for bi, (b, s) in enumerate(xlsx_member_sheets):  # candidate rows: clean, ordinary members
        f = s.frame
        birth = pd.to_datetime(f["birth_date"])
        ok = (f["status"] == FULL) & (pd.to_datetime(f["joined"]) < as_of - pd.DateOffset(years=2))
        ok &= f["x_age"].between(25, 85) & f["phone"].notna()
        ok &= ~((birth.dt.month == 2) & (birth.dt.day == 29))
        ok &= f["org_id"].map(own).between(5, 45).to_numpy()
        ok &= ~f["x_mid"].isin(on_committee)
        parts.append(f.loc[ok, ["_key", "gender", "id_number"]].assign(bi=bi, by_name=s.org_names is not None))
    pool = pd.concat(parts, ignore_index=True)
    free = np.ones(len(pool), dtype=bool)

    def take(extra=None) -> tuple[_BookOut, _SheetOut, pd.Series] | None:
        m = free & (extra(pool).to_numpy() if extra is not None else True)
        idx = np.flatnonzero(m)
        if not len(idx):
            return None
        i = int(idx[int(rng.integers(0, len(idx)))])
        free[i] = False
        b, s = xlsx_member_sheets[int(pool.at[i, "bi"])]
        return b, s, s.frame.loc[s.frame["_key"] == pool.at[i, "_key"]].iloc[0]

    def plant(b, s, key, fkey, rule_id, value=_NOTHING) -> None:
        if value is not _NOTHING:
            s.overrides[(key, fkey)] = value
        plants.append(_Plant(b, s, key, fkey, rule_id))

    # an invalid check digit (gender and birth date given): warning
    for _ in range(2):
        got = take()
        if got:
            b, s, row = got
            good = row["id_number"]
            wrong = "0123456789X"[("0123456789X".index(good[-1]) + 1 + int(rng.integers(0, 9))) % 11]
            plant(b, s, int(row["_key"]), "id_number", "row.id_invalid", good[:17] + wrong)
    # birth date two years off the ID
    got = take()
    if got:
        b, s, row = got
        s.frame.loc[s.frame["_key"] == row["_key"], "birth_date"] = pd.Timestamp(row["birth_date"]) - pd.DateOffset(years=2)
        plant(b, s, int(row["_key"]), "birth_date", "row.id_mismatch")
    # an ID stored as a number (a woman's, so that the lost digits cannot also look like a gender mismatch)
    got = take(lambda f: (f["gender"] == FEMALE) & f["id_number"].str.slice(15, 16).isin(list("01234"))
               & (f["id_number"].str.slice(17, 18) != "X"))
    if got:
        b, s, row = got
        plant(b, s, int(row["_key"]), "id_number", "row.id_numeric", float(int(row["id_number"][:15]) * 1000))
    # blank required field; value outside the enumeration; unparseable date; joined before 18
    got = take()
    if got:
        plant(got[0], got[1], int(got[2]["_key"]), "education", "row.required", None)
    got = take()
    if got:
        plant(got[0], got[1], int(got[2]["_key"]), "education", "row.enum", "高级")
    got = take()
    if got:
        plant(got[0], got[1], int(got[2]["_key"]), "joined", "row.date", "待查")
    got = take()
    if got:
        b, s, row = got
        eighteen = pd.Timestamp(row["birth_date"]) + pd.DateOffset(years=18)
        s.frame.loc[s.frame["_key"] == row["_key"], "joined"] = eighteen - pd.Timedelta(days=int(rng.integers(120, 500)))
        plant(b, s, int(row["_key"]), "joined", "row.date_range")
    # unknown organization (in a sheet that gives organizations by code)
    got = take(lambda f: ~f["by_name"])
    if got:
        plant(got[0], got[1], int(got[2]["_key"]), "org_id", "set.unknown_org", "Z99999")
    # malformed phone
    got = take()
    if got:
        b, s, row = got
        plant(b, s, int(row["_key"]), "phone", "row.phone", str(row["phone"])[:10] + "O")
    # duplicates: a member copied into a later workbook (transferred but not removed)
    for _ in range(2):
        got = take()
        if not got:
            break
        b, s, row = got
        bi = [x[0] for x in xlsx_member_sheets].index(b)
        later = xlsx_member_sheets[bi + 1:] or [(b, s)]
        tb, ts = later[int(rng.integers(0, len(later)))]
        tf = ts.frame
        okb = tf["org_id"].map(own).between(5, 44) & (tf["org_id"].map(otype) == BRANCH)
        if tb is b:
            okb &= tf["org_id"] == row["org_id"]
        targets = tf.loc[okb, "org_id"].unique()
        if len(targets) == 0:
            continue
        target = targets[int(rng.integers(0, len(targets)))]
        pos = int(np.flatnonzero((tf["org_id"] == target).to_numpy())[-1]) + 1
        if tb is b:
            pos = max(pos, int(np.flatnonzero((tf["_key"] == row["_key"]).to_numpy())[0]) + 1)
        copy = s.frame.loc[s.frame["_key"] == row["_key"]].copy()
        copy["org_id"] = target
        new_key = int(tf["_key"].max()) + 1
        copy["_key"] = new_key
        ts.frame = pd.concat([tf.iloc[:pos], copy, tf.iloc[pos:]], ignore_index=True)
        own[target] = own[target] + 1
        plant(tb, ts, new_key, "id_number", "set.duplicate_member")
    # present > eligible in an election
    for b in books:
        if b.kind != "xlsx":
            continue
        el = [s for s in b.sheets if s.key == "elections" and len(s.frame) and (s.frame["eligible"] >= 5).any()]
        if el:
            s = el[0]
            cand = s.frame.loc[s.frame["eligible"] >= 5, "_key"].to_numpy()
            key = int(cand[int(rng.integers(0, len(cand)))])
            eligible = int(s.frame.loc[s.frame["_key"] == key, "eligible"].iloc[0])
            s.frame.loc[s.frame["_key"] == key, "present"] = eligible + 1 + int(rng.integers(0, 3))
            plant(b, s, key, "present", "row.present_gt_eligible")
            break
    # a credit code with a wrong check character
    for b in books:
        us = [s for s in b.sheets if s.key == "units" and b.kind == "xlsx"]
        if us:
            s = us[0]
            cand = s.frame.loc[s.frame["credit_code"].notna(), "_key"].to_numpy()
            if len(cand):
                key = int(cand[int(rng.integers(0, len(cand)))])
                code = str(s.frame.loc[s.frame["_key"] == key, "credit_code"].iloc[0])
                wrong = _CREDIT_CHARS[(_CREDIT_CHARS.index(code[-1]) + 1 + int(rng.integers(0, 29))) % 31]
                plant(b, s, key, "credit_code", "row.credit_code", code[:17] + wrong)
            break
    return plants


_NOTHING = object()


def _write_manifest(plants: list[_Plant], path: Path) -> None:
    rows = []
    for p in plants:
        pos = int(np.flatnonzero((p.sheet.frame["_key"] == p.key).to_numpy())[0])
        rows.append({"file": p.book.file, "sheet": p.sheet.name, "row": p.sheet.start + pos,
                     "column": p.sheet.header_of(p.field), "rule": p.rule, "severity": RULES[p.rule].severity})
    frame = pd.DataFrame(rows, columns=["file", "sheet", "row", "column", "rule", "severity"])
    frame = frame.sort_values(["file", "sheet", "row", "rule"], kind="stable")
    buf = io.StringIO()
    frame.to_csv(buf, index=False, lineterminator="\n")
    with atomic_write(path) as tmp:
        tmp.write_bytes(buf.getvalue().encode("utf-8-sig"))


# ---- cell values


def _date_texts(values: pd.Series, style: str) -> list:
    if len(values) == 0:
        return []
    d = pd.to_datetime(values)
    ok = d.notna().to_numpy()
    y = d.dt.year.fillna(0).astype(np.int64).to_numpy().astype(str)
    m_i = d.dt.month.fillna(0).astype(np.int64).to_numpy()
    d_i = d.dt.day.fillna(0).astype(np.int64).to_numpy()
    m2, d2 = _zfill(m_i, 2), _zfill(d_i, 2)
    m1, d1 = m_i.astype(str), d_i.astype(str)
    text = {
        "iso": lambda: _cat(y, "-", m2, "-", d2), "slash": lambda: _cat(y, "/", m1, "/", d1),
        "cn": lambda: _cat(y, "年", m1, "月", d1, "日"), "compact": lambda: _cat(y, m2, d2),
        "month_dot": lambda: _cat(y, ".", m2), "month_cn": lambda: _cat(y, "年", m1, "月"),
        "month_compact": lambda: _cat(y, m2),
    }[style]()
    return np.where(ok, text.astype(object), None).tolist()


def _cells(sh: _SheetOut, f: schema.Field) -> list:
    """The values of one column as written: Python str/int/float/None."""
    s = sh.frame[f.key] if f.key in sh.frame.columns else pd.Series([None] * len(sh.frame))
    style = sh.date_styles.get(f.key, "excel")
    if f.type == "date":
        d = pd.to_datetime(s)
        if style == "excel":
            days = d.to_numpy().astype("datetime64[D]").astype("int64") + _EPOCH_SERIAL
            return np.where(d.notna().to_numpy(), days.astype(float), None).tolist()
        return _date_texts(s, style)
    if f.type == "int":
        v = pd.array(s, dtype="Int64")
        return [None if x is pd.NA else int(x) for x in v.tolist()]
    missing = pd.isna(s).to_numpy()
    vals = np.where(missing, None, s.astype(object).to_numpy()).tolist()
    if f.key == "org_id" and sh.org_names is not None:
        vals = [None if v is None else sh.org_names.get(v, v) for v in vals]
    if f.key in sh.value_aliases:
        table = sh.value_aliases[f.key]
        vals = [None if v is None else table.get(v, v) for v in vals]
    return [None if (v is None or v == "") else str(v) for v in vals]


def _columns(sh: _SheetOut) -> list[list]:
    cols = [_cells(sh, f) for f in sh.fields]
    if sh.overrides:
        pos_of = pd.Series(np.arange(len(sh.frame)), index=sh.frame["_key"].to_numpy())
        keys = [f.key for f in sh.fields]
        for (key, fkey), value in sh.overrides.items():
            cols[keys.index(fkey)][int(pos_of[key])] = value
    return cols


def _width(header: str, f: schema.Field) -> float:
    base = {"date": 12, "id_number": 21, "credit_code": 21, "phone": 14, "code": 14, "int": 10}.get(f.type, 10)
    if f.key in ("name", "unit_name") and f.type == "text":
        base = 12 if f.key == "name" else 34
    return max(base, 2.2 * len(header) + 2)


# ---- writers


@dataclass(frozen=True)
class _Meta:
    name: str
    period: Period
    seed: int


def _write_book(b: _BookOut, meta: _Meta, path: Path) -> None:
    if b.kind == "xlsx":
        _write_xlsx(b, meta, path)
    elif b.kind == "csv":
        _write_csv(b, meta, path)
    else:
        _write_xls(b, meta, path)


def _write_xlsx(b: _BookOut, d: _Meta, path: Path) -> None:
    import xlsxwriter

    with atomic_write(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_numbers": False,
                                            "strings_to_formulas": False, "strings_to_urls": False})
        wb.set_properties({"title": f"{b.unit}{d.period.zh}报送", "author": d.name, "created": FIXED_TIME})
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center",
                              "valign": "vcenter", "text_wrap": True})
        title = wb.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
        date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
        text_fmt = wb.add_format({"num_format": "@"})
        if b.cover:
            _cover_xlsx(wb, b, d, head, date_fmt)
        for sh in b.sheets:
            ws = wb.add_worksheet(sh.name)
            for j, (f, h) in enumerate(zip(sh.fields, sh.headers)):
                fmt = date_fmt if f.type == "date" and sh.date_styles.get(f.key, "excel") == "excel" else \
                    text_fmt if f.type in _TEXT_TYPES else None
                ws.set_column(j, j, _width(h, f), fmt)
            r = 0
            last = len(sh.fields) - 1
            if sh.layout.startswith("title"):
                ws.set_row(0, 28)
                if last > 0:
                    ws.merge_range(0, 0, 0, last, sh.title or sh.name, title)
                else:
                    ws.write_string(0, 0, sh.title or sh.name, title)
                r = 1
            if sh.layout.endswith("twolevel") and sh.key in _GROUPS:
                keys = [f.key for f in sh.fields]
                grouped: dict[int, tuple[int, str]] = {}
                for gname, gkeys in _GROUPS[sh.key]:
                    cols = sorted(keys.index(k) for k in gkeys if k in keys)
                    if cols:
                        grouped[cols[0]] = (cols[-1], gname)
                covered = {c for first, (lst, _) in grouped.items() for c in range(first, lst + 1)}
                for first, (lst, gname) in sorted(grouped.items()):
                    if lst > first:
                        ws.merge_range(r, first, r, lst, gname, head)
                    else:
                        ws.write_string(r, first, gname, head)
                for j, h in enumerate(sh.headers):
                    if j not in covered:
                        ws.write_string(r, j, h, head)
                # vertical merges over the two header rows (constant_memory: record them directly,
                # since rows already left behind cannot be written again)
                for j in range(len(sh.headers)):
                    if j not in covered:
                        ws.merge.append([r, j, r + 1, j])
                r += 1
                for j, h in enumerate(sh.headers):
                    if j in covered:
                        ws.write_string(r, j, h, head)
                    else:
                        ws.write_blank(r, j, None, head)
            else:
                ws.write_row(r, 0, sh.headers, head)
            ws.freeze_panes(r + 1, 0)
            r += 1
            assert r + 1 == sh.start
            for row in zip(*_columns(sh)):
                ws.write_row(r, 0, row)
                r += 1
        wb.close()


def _cover_xlsx(wb, b: _BookOut, d: _Meta, head, date_fmt) -> None:
    ws = wb.add_worksheet(schema.COVER.name)
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 40)
    c = schema.COVER
    contact = _contact(d, b.file)
    ws.write_string(0, 0, c.header("unit"), head)
    ws.write_string(0, 1, b.unit)
    ws.write_string(1, 0, c.header("period"), head)
    ws.write_string(1, 1, b.period_text or d.period.label)
    ws.write_string(2, 0, c.header("as_of"), head)
    if b.as_of_text:
        ws.write_string(2, 1, f"{d.period.as_of.year}年{d.period.as_of.month}月{d.period.as_of.day}日")
    else:
        ws.write_datetime(2, 1, datetime.combine(d.period.as_of, datetime.min.time()), date_fmt)
    ws.write_string(3, 0, c.header("contact"), head)
    ws.write_string(3, 1, contact[0])
    ws.write_string(4, 0, c.header("contact_phone"), head)
    ws.write_string(4, 1, contact[1])


def _contact(d: _Meta, file: str) -> tuple[str, str]:
    h = sum(file.encode("utf-8")) + d.seed
    return (_SURNAMES[h % len(_SURNAMES)] + _GIVEN_N[(h // 7) % len(_GIVEN_N)] + _GIVEN_F[(h // 3) % len(_GIVEN_F)],
            f"139{(h * 7919) % 10**8:08d}")


def _write_csv(b: _BookOut, d: _Meta, path: Path) -> None:
    sh = b.sheets[0]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(sh.headers)
    for row in zip(*_columns(sh)):
        w.writerow(["" if v is None else v for v in row])
    with atomic_write(path) as tmp:
        tmp.write_bytes(buf.getvalue().encode("gbk"))


def _write_xls(b: _BookOut, d: _Meta, path: Path) -> None:
    try:
        import xlwt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError("写 .xls 文件需要 xlwt：pip install xlwt") from exc
    wb = xlwt.Workbook(encoding="utf-8")
    head = xlwt.easyxf("font: bold on; pattern: pattern solid, fore_colour light_turquoise; "
                       "borders: left thin, right thin, top thin, bottom thin")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    text_style = xlwt.easyxf(num_format_str="@")
    if b.cover:
        ws = wb.add_sheet(schema.COVER.name)
        c = schema.COVER
        ws.write(0, 0, c.header("unit"), head)
        ws.write(0, 1, b.unit)
        ws.write(1, 0, c.header("period"), head)
        ws.write(1, 1, b.period_text or d.period.label)
        ws.write(2, 0, c.header("as_of"), head)
        ws.write(2, 1, d.period.as_of, date_style)
        ws.col(1).width = 256 * 40
    for sh in b.sheets:
        ws = wb.add_sheet(sh.name)
        for j, (f, h) in enumerate(zip(sh.fields, sh.headers)):
            ws.write(0, j, h, head)
            ws.col(j).width = int(256 * _width(h, f))
        cols = _columns(sh)
        for j, (f, col) in enumerate(zip(sh.fields, cols)):
            style = date_style if f.type == "date" else text_style if f.type in _TEXT_TYPES else None
            for i, v in enumerate(col):  # .xls sheets here are small (one street's elections)
                if v is None:
                    continue
                if f.type == "date" and isinstance(v, float):
                    ws.write(i + 1, j, v, style)
                elif style is not None:
                    ws.write(i + 1, j, v, style)
                else:
                    ws.write(i + 1, j, v)
    buf = io.BytesIO()
    wb.save(buf)
    with atomic_write(path) as tmp:
        tmp.write_bytes(buf.getvalue())
