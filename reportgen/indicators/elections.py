"""elections.*: terms that ended, elections held in the election window and their validity.

Definitions (also in docs/指标说明.md):
- the *current term* of an organization at the as-of date starts at the later of its 本届选举日期
  and any election on record up to the as-of date held after it, and ends at 本届届满日期 (or that
  newer election plus the term length);
- *due* in the period: the term under review ended on or before the period end, where the term
  under review is the one replaced by the organization's election in the window when it held one,
  else its current term;
- *overdue*: the current term ended before the as-of date; *due soon*: it ends on or after the
  as-of date and no later than ``due_soon_months`` after it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import schema
from ..config import Config
from .registry import NO_AREA, Result, as_dates, count, indicator, ratio, share

HO = schema.ORGS.header
HE = schema.ELECTIONS.header
MONTHS_OVERDUE = "逾期月数"
DAYS_LEFT = "距届满天数"


def overdue_ledger(org_terms: pd.DataFrame) -> pd.DataFrame:
    """Overdue organizations, longest overdue first."""
    o = org_terms[org_terms["overdue"].to_numpy(dtype=bool)]
    o = o.sort_values(["months_overdue", "org_id"], ascending=[False, True], kind="stable")
    return pd.DataFrame({
        HO("org_id"): o["org_id"].astype(object).to_numpy(),
        HO("name"): o["name"].astype(object).to_numpy(),
        HO("area"): o["area_label"].to_numpy(),
        HO("org_type"): o["org_type"].astype(object).to_numpy(),
        HO("last_election"): as_dates(o["eff_last"]).to_numpy(),
        HO("term_end"): as_dates(o["eff_term_end"]).to_numpy(),
        MONTHS_OVERDUE: o["months_overdue"].astype("int64").to_numpy(),
    })


def due_soon_ledger(org_terms: pd.DataFrame) -> pd.DataFrame:
    """Organizations whose term ends within the reminder window, soonest first."""
    o = org_terms[org_terms["due_soon"].to_numpy(dtype=bool)]
    o = o.sort_values(["eff_term_end", "org_id"], kind="stable")
    return pd.DataFrame({
        HO("org_id"): o["org_id"].astype(object).to_numpy(),
        HO("name"): o["name"].astype(object).to_numpy(),
        HO("area"): o["area_label"].to_numpy(),
        HO("org_type"): o["org_type"].astype(object).to_numpy(),
        HO("last_election"): as_dates(o["eff_last"]).to_numpy(),
        HO("term_end"): as_dates(o["eff_term_end"]).to_numpy(),
        DAYS_LEFT: o["days_left"].astype("int64").to_numpy(),
    })


def election_ledger(held: pd.DataFrame, mask: np.ndarray | None = None) -> pd.DataFrame:
    """Elections (all held in the window, or those picked by ``mask``) with their figures."""
    h = held if mask is None else held[np.asarray(mask, dtype=bool)]
    eligible = h["eligible"].astype("Float64")
    seats = h["seats"].astype("Float64")
    turnout = (h["present"].astype("Float64") / eligible.where(eligible > 0))
    margin = (h["candidates"].astype("Float64") - seats) / seats.where(seats > 0)
    return pd.DataFrame({
        HO("org_id"): h["org_id"].astype(object).to_numpy(),
        HO("name"): h["org_name"].to_numpy(),
        HO("area"): h["area_label"].to_numpy(),
        HE("date"): as_dates(h["date"]).to_numpy(),
        HE("method"): h["method"].astype(object).to_numpy(),
        HE("eligible"): h["eligible"].astype("float64").to_numpy(),
        HE("present"): h["present"].astype("float64").to_numpy(),
        "到会率": turnout.astype("float64").to_numpy(),
        HE("seats"): h["seats"].astype("float64").to_numpy(),
        HE("candidates"): h["candidates"].astype("float64").to_numpy(),
        "差额比例": margin.astype("float64").to_numpy(),
        "党员总数": h["n_members"].to_numpy(dtype="int64"),
    })


@indicator("elections.due", label="应换届党组织数", unit="个",
           definition="任期截至本期末已届满的党组织个数：本换届统计范围内举行了换届的，看被接替的那一届"
                      "（上届选举日期加任期）是否在期末前届满；没有举行的，看现任一届的届满日期")
def due(due: pd.DataFrame) -> Result:
    return count(due["is_due"], due)


@indicator("elections.held", label="完成换届选举次数", unit="次",
           definition="选举日期在换届统计范围内（默认为本统计期，可选本年度截至期末）的换届选举次数")
def held(held: pd.DataFrame) -> Result:
    return Result(len(held), len(held), None, held)


@indicator("elections.on_time_share", label="按期换届率", unit="%", numerator="在届满日期当天或之前完成换届的应换届党组织数",
           denominator="应换届党组织数",
           definition="应换届党组织中，在换届统计范围内于届满日期当天或之前完成换届的个数 ÷ 应换届党组织数")
def on_time_share(due: pd.DataFrame) -> Result:
    return share(due["on_time"], due, due["is_due"])


@indicator("elections.overdue", label="到期未换届党组织台账", unit="台账",
           definition="现任一届届满日期早于截止日期、且此后没有新的换届选举记录的党组织，列出组织名称、片区、"
                      "届满日期和逾期月数（届满日期到截止日期之间的整月数）")
def overdue(org_terms: pd.DataFrame) -> Result:
    return Result(overdue_ledger(org_terms), rows=org_terms, mask=org_terms["overdue"])


@indicator("elections.overdue_count", label="到期未换届党组织数", unit="个",
           definition="到期未换届党组织台账中的党组织个数")
def overdue_count(org_terms: pd.DataFrame) -> Result:
    return count(org_terms["overdue"], org_terms)


@indicator("elections.overdue_serious", label="逾期超过12个月的党组织数", unit="个",
           definition="到期未换届且逾期月数超过规定最长延期（默认12个月）的党组织个数")
def overdue_serious(org_terms: pd.DataFrame, config: Config) -> Result:
    months = org_terms["months_overdue"].astype("float64")
    return count(org_terms["overdue"].to_numpy(dtype=bool)
                 & (months > config.regulations.overdue_serious_months).to_numpy(), org_terms)


@indicator("elections.due_soon", label="即将到期党组织台账", unit="台账",
           definition="届满日期在截止日期当天至其后6个月内的党组织，列出届满日期和距届满天数")
def due_soon(org_terms: pd.DataFrame) -> Result:
    return Result(due_soon_ledger(org_terms), rows=org_terms, mask=org_terms["due_soon"])


@indicator("elections.due_soon_count", label="即将到期党组织数", unit="个",
           definition="即将到期党组织台账中的党组织个数")
def due_soon_count(org_terms: pd.DataFrame) -> Result:
    return count(org_terms["due_soon"], org_terms)


@indicator("elections.turnout", label="到会率", unit="%", numerator="实到会人数之和",
           denominator="应到会人数之和",
           definition="换届统计范围内各次选举实到会人数之和 ÷ 应到会人数之和")
def turnout(held: pd.DataFrame) -> Result:
    ok = (held["eligible"].notna() & held["present"].notna()).to_numpy(dtype=bool)
    num = int(held.loc[ok, "present"].astype("int64").sum())
    den = int(held.loc[ok, "eligible"].astype("int64").sum())
    return Result(ratio(num, den), num, den, held, ok)


@indicator("elections.invalid_quorum", label="到会人数未超过五分之四的选举", unit="次",
           definition="实到会人数不超过应到会人数五分之四的选举次数（恰好五分之四也属无效：5×实到 ≤ 4×应到）")
def invalid_quorum(held: pd.DataFrame) -> Result:
    return count(held["quorum_invalid"], held)


@indicator("elections.candidate_margin_violations", label="差额比例不足的选举", unit="次",
           definition="应选委员3名及以上、候选人数少于应选人数的120%（向上取整，如应选5名须有6名候选人）的选举次数")
def candidate_margin_violations(held: pd.DataFrame) -> Result:
    return count(held["margin_violation"], held)


@indicator("elections.congress_small_org", label="党员不足500名却召开党员代表大会的选举", unit="次",
           definition="选举方式为党员代表大会、但该组织（含下级组织）党员不足500名的选举次数")
def congress_small_org(held: pd.DataFrame) -> Result:
    return count(held["congress_small"], held)


@indicator("elections.held_list", label="换届选举情况表", unit="台账",
           definition="换届统计范围内每次选举的组织、日期、方式、应到会和实到会人数、到会率、应选和候选人数、差额比例")
def held_list(held: pd.DataFrame) -> Result:
    return Result(election_ledger(held), rows=held)


@indicator("elections.overdue_by_area", label="各片区换届情况", unit="表",
           compare_columns=("到期未换届个数",),
           definition="按所属片区统计的党组织个数、到期未换届个数、其中逾期超过12个月的个数、即将到期个数和到期未换届比例")
def overdue_by_area(org_terms: pd.DataFrame, config: Config) -> Result:
    o = org_terms
    months = o["months_overdue"].astype("float64").to_numpy()
    serious = o["overdue"].to_numpy(dtype=bool) & (months > config.regulations.overdue_serious_months)
    f = pd.DataFrame({"area": o["area_label"].to_numpy(), "n": 1,
                      "overdue": o["overdue"].to_numpy(dtype="int64"),
                      "serious": serious.astype("int64"),
                      "soon": o["due_soon"].to_numpy(dtype="int64")})
    g = f.groupby("area", sort=True).sum()
    table = pd.DataFrame({
        HO("area"): g.index.astype(object),
        "党组织个数": g["n"].to_numpy(dtype="int64"),
        "到期未换届个数": g["overdue"].to_numpy(dtype="int64"),
        f"逾期超过{config.regulations.overdue_serious_months}个月个数": g["serious"].to_numpy(dtype="int64"),
        "即将到期个数": g["soon"].to_numpy(dtype="int64"),
        "到期未换届比例": (g["overdue"] / g["n"]).to_numpy(dtype="float64"),
    })
    blank = table.iloc[:, 0] == NO_AREA
    return Result(pd.concat([table[~blank], table[blank]], ignore_index=True), rows=o, mask=o["overdue"])
