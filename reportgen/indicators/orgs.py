"""orgs.*: how many organizations, of which kinds, and the organizational-setup rules (SPEC §2)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import schema
from ..config import Config
from .registry import NO_AREA, Result, among, breakdown, count, indicator

H = schema.ORGS.header
# The branch-level organizations the 党支部 rules of SPEC §2 apply to; a 临时党支部 is left out
# (its members keep their membership in their own branch).
RULE_BRANCHES = (schema.BRANCH, schema.JOINT_BRANCH)


def _is(orgs: pd.DataFrame, types: tuple[str, ...]) -> np.ndarray:
    return orgs["org_type"].isin(types).to_numpy(dtype=bool)


@indicator("orgs.total", label="党组织总数", unit="个",
           definition="党组织表中的党组织个数（含党委、党工委、党总支和各类党支部）")
def total(orgs: pd.DataFrame) -> Result:
    return Result(len(orgs), len(orgs), None, orgs)


@indicator("orgs.by_type", label="党组织类别构成", unit="表", compare_columns=("个数", "占比"),
           definition="按组织类别统计的党组织个数及其占党组织总数的比例")
def by_type(orgs: pd.DataFrame) -> Result:
    return Result(breakdown(orgs["org_type"], H("org_type"), schema.ORG_TYPE.values, "个数"), rows=orgs)


@indicator("orgs.by_sector", label="党组织领域分布", unit="表", compare_columns=("个数", "占比"),
           definition="按所属领域统计的党组织个数及其占比")
def by_sector(orgs: pd.DataFrame) -> Result:
    return Result(breakdown(orgs["sector"], H("sector"),
                            schema.SECTOR.values, "个数"), rows=orgs)


@indicator("orgs.by_area", label="各片区党组织数", unit="表", compare_columns=("个数", "党员总数"),
           definition="按所属片区统计的党组织个数、其中党支部个数和所属党员总数；未填片区的单列")
def by_area(orgs: pd.DataFrame) -> Result:
    o = pd.DataFrame({"area": orgs["area_label"].to_numpy(), "n": 1,
                      "branch": _is(orgs, schema.BRANCH_TYPES).astype("int64"),
                      "members": orgs["n_members"].to_numpy(dtype="int64")})
    g = o.groupby("area", sort=True)[["n", "branch", "members"]].sum()
    table = pd.DataFrame({
        H("area"): g.index.astype(object),
        "个数": g["n"].to_numpy(dtype="int64"),
        "党支部个数": g["branch"].to_numpy(dtype="int64"),
        "党员总数": g["members"].to_numpy(dtype="int64"),
    })
    total_orgs = int(table["个数"].sum())
    table.insert(2, "占比", table["个数"] / total_orgs if total_orgs else np.nan)
    return Result(_area_last(table, H("area")), rows=orgs)


def _area_last(table: pd.DataFrame, col: str) -> pd.DataFrame:
    """Areas sorted by name, the blank-area row last."""
    blank = table[col] == NO_AREA
    return pd.concat([table[~blank], table[blank]], ignore_index=True)


@indicator("orgs.secretary_vacant", label="书记空缺的党组织", unit="个",
           definition="书记姓名为空的党组织个数")
def secretary_vacant(orgs: pd.DataFrame) -> Result:
    name = orgs["secretary"].astype("string").str.strip()
    return count(name.isna() | (name == ""), orgs)


@indicator("orgs.branches_under_3", label="正式党员不足3名的党支部", unit="个",
           definition="党支部、联合党支部中正式党员少于3名的个数（临时党支部不计）")
def branches_under_3(orgs: pd.DataFrame, config: Config) -> Result:
    return count(_is(orgs, RULE_BRANCHES) & (orgs["n_full"] < config.regulations.branch_min_full).to_numpy()
                 & ~verify(orgs), orgs)


def verify(orgs: pd.DataFrame) -> np.ndarray:
    """Organizations that rows left out refer to (``orgs.unverified``): findings that need their
    whole roster or committee are not stated for them."""
    return orgs["unverified"].to_numpy(dtype=bool) if "unverified" in orgs else np.zeros(len(orgs), dtype=bool)


@indicator("orgs.unverified", label="待核实党组织名单", unit="台账",
           definition="有未计入统计的党员或班子成员行（重复行除外）指向的党组织：其党员或班子成员可能不全，"
                      "“正式党员不足3名”“应设未设支委会”等结论对其不作判断，待核实后再定")
def unverified(orgs: pd.DataFrame) -> Result:
    hit = verify(orgs)
    o = orgs[hit]
    table = pd.DataFrame({
        H("org_id"): o["org_id"].astype(object).to_numpy(),
        H("name"): o["name"].astype(object).to_numpy(),
        H("org_type"): o["org_type"].astype(object).to_numpy(),
        "计入统计的党员数": o["n_members"].to_numpy(dtype="int64"),
        "其中正式党员数": o["n_full"].to_numpy(dtype="int64"),
        "未计入的党员行数": o["left_out_members"].to_numpy(dtype="int64"),
        "未计入的班子成员行数": o["left_out_committee"].to_numpy(dtype="int64"),
    })
    return Result(table.reset_index(drop=True), len(table), None, orgs, hit)


@indicator("orgs.no_committee_7plus", label="应设未设支委会的党支部", unit="个",
           definition="正式党员7名及以上、但班子成员表中没有本届班子成员的党支部、联合党支部个数；"
                      "未报送班子成员表时不计算")
def no_committee_7plus(orgs: pd.DataFrame, config: Config, ds) -> Result:
    c = ds.committee
    if len(c) == 0:
        return Result(None, rows=orgs, mask=np.zeros(len(orgs), dtype=bool))
    with_committee = c.loc[(c["term"] == schema.CURRENT_TERM).to_numpy(dtype=bool), "org_id"].dropna()
    hit = (_is(orgs, RULE_BRANCHES) & (orgs["n_full"] >= config.regulations.committee_min_full).to_numpy()
           & ~among(orgs["org_id"], with_committee) & ~verify(orgs))
    return count(hit, orgs)


@indicator("orgs.branches_over_50", label="党员超过50名的党支部", unit="个",
           definition="党支部、联合党支部中党员（含预备党员）超过50名的个数")
def branches_over_50(orgs: pd.DataFrame, config: Config) -> Result:
    return count(_is(orgs, RULE_BRANCHES) & (orgs["n_members"] > config.regulations.branch_max_members).to_numpy(),
                 orgs)


@indicator("orgs.type_size_mismatch", label="组织类别与党员规模不相称的党组织", unit="个",
           definition="党员50至99名的党支部、100名及以上的党支部或党总支，以及含下级党员不足50名的党委"
                      "（党委、党总支按含下级组织的党员数计）")
def type_size_mismatch(orgs: pd.DataFrame, config: Config) -> Result:
    return count(type_size_mask(orgs, config), orgs)


def type_size_mask(orgs: pd.DataFrame, config: Config) -> np.ndarray:
    """Organizations whose type does not fit their size (advisory): a 党支部 of 50+ members, a 党总支
    of 100+ (counted with its sub-organizations) and a 党委 of fewer than 50."""
    reg = config.regulations
    branch = _is(orgs, (schema.BRANCH,))
    zongzhi = _is(orgs, (schema.ZONGZHI,))
    dangwei = _is(orgs, (schema.DANGWEI_TYPES[0],))
    n, sub = orgs["n_members"].to_numpy(), orgs["n_subtree"].to_numpy()
    return ((branch & (n >= reg.zongzhi_min_members))
            | (zongzhi & (sub >= reg.dangwei_min_members))
            | (dangwei & (sub < reg.zongzhi_min_members)))


@indicator("orgs.joint_branch_over_units", label="覆盖单位超过5个的联合党支部", unit="个",
           definition="两新组织表中所属党组织编码指向同一联合党支部的单位超过5个的联合党支部个数")
def joint_branch_over_units(orgs: pd.DataFrame, config: Config) -> Result:
    return count(_is(orgs, (schema.JOINT_BRANCH,))
                 & (orgs["n_units"] > config.regulations.joint_branch_max_units).to_numpy(), orgs)
