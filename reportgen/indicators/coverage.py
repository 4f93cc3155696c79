"""coverage.*: Party organizations and Party work in the 两新组织 of the area (SPEC §1.6).

是/否 columns left blank count as 否 (a form is usually ticked only where something exists).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import schema
from .registry import SIZE_BANDS, UNFILLED, Result, count, indicator, label_series, share, yes

HU = schema.UNITS.header
SIZE_LABEL = "从业人员规模"


def _built(units: pd.DataFrame) -> np.ndarray:
    return units["built"].to_numpy(dtype=bool)


@indicator("coverage.units", label="两新组织数", unit="个", definition="两新组织表中的单位个数")
def units_total(units: pd.DataFrame) -> Result:
    return Result(len(units), len(units), None, units)


@indicator("coverage.org_share", label="党的组织覆盖率", unit="%", numerator="已单独组建或联合组建党组织的单位数",
           denominator="党组织建立情况已知的两新组织数",
           definition="（单独组建 + 联合组建党组织的单位数）÷ 两新组织数（党组织建立情况未填写或无法识别的不计入）")
def org_share(units: pd.DataFrame) -> Result:
    return share(_built(units), units, units["party_org"].notna())


@indicator("coverage.work_share", label="党的工作覆盖率", unit="%",
           numerator="已建党组织或已选派党建指导员的单位数", denominator="两新组织数",
           definition="已建立党组织或已选派党建指导员的单位数 ÷ 两新组织数")
def work_share(units: pd.DataFrame) -> Result:
    covered = units["work_covered"].to_numpy(dtype=bool)
    return share(covered, units, covered | units["party_org"].notna().to_numpy())


@indicator("coverage.units_100plus", label="从业人员100人以上的两新组织数", unit="个",
           definition="从业人员数在100人及以上的单位个数")
def units_100plus(units: pd.DataFrame) -> Result:
    return count(units["large"], units)


@indicator("coverage.org_share_100plus", label="100人以上单位党的组织覆盖率", unit="%",
           numerator="从业人员100人及以上且已建党组织的单位数", denominator="从业人员100人及以上的单位数",
           definition="从业人员100人及以上的单位中已建党组织的个数 ÷ 这类单位个数")
def org_share_100plus(units: pd.DataFrame) -> Result:
    return share(_built(units), units, units["large"].to_numpy(dtype=bool) & units["party_org"].notna().to_numpy())


@indicator("coverage.uncovered_100plus", label="100人以上未建党组织的单位数", unit="个",
           definition="从业人员100人及以上、党组织建立情况为未建立的单位个数")
def uncovered_100plus(units: pd.DataFrame) -> Result:
    known = units["party_org"].notna().to_numpy()  # 未填写或无法识别: not said to be uncovered
    return count(units["large"].to_numpy(dtype=bool) & ~_built(units) & known, units)


def _mass(units: pd.DataFrame, col: str) -> Result:
    return share(yes(units[col]).to_numpy() & _built(units), units, _built(units))


@indicator("coverage.union_share", label="已建党组织单位的工会组建率", unit="%", numerator="已建党组织且已建工会的单位数",
           denominator="已建党组织的单位数", definition="已建党组织的单位中已建工会的个数 ÷ 已建党组织的单位数")
def union_share(units: pd.DataFrame) -> Result:
    return _mass(units, "has_union")


@indicator("coverage.youth_league_share", label="已建党组织单位的团组织组建率", unit="%",
           numerator="已建党组织且已建团组织的单位数", denominator="已建党组织的单位数",
           definition="已建党组织的单位中已建团组织的个数 ÷ 已建党组织的单位数")
def youth_league_share(units: pd.DataFrame) -> Result:
    return _mass(units, "has_youth_league")


@indicator("coverage.women_org_share", label="已建党组织单位的妇女组织组建率", unit="%",
           numerator="已建党组织且已建妇女组织的单位数", denominator="已建党组织的单位数",
           definition="已建党组织的单位中已建妇女组织的个数 ÷ 已建党组织的单位数")
def women_org_share(units: pd.DataFrame) -> Result:
    return _mass(units, "has_women_org")


@indicator("coverage.instructor_share", label="未建党组织单位的党建指导员选派率", unit="%",
           numerator="未建党组织但已选派党建指导员的单位数", denominator="未建党组织的单位数",
           definition="未建党组织的单位中已选派党建指导员的个数 ÷ 未建党组织的单位数")
def instructor_share(units: pd.DataFrame) -> Result:
    without = ~_built(units) & units["party_org"].notna().to_numpy()
    return share(yes(units["has_instructor"]).to_numpy() & without, units, without)


def coverage_table(units: pd.DataFrame, labels: pd.Series, label: str,
                   order: list[str] | None = None) -> pd.DataFrame:
    """Per category: units, units with a Party organization, organization and work coverage."""
    # the rates leave out units whose 党组织建立情况 is blank or unrecognised (and that have no
    # instructor, for the work coverage): the count 个数 keeps them
    known = units["party_org"].notna().to_numpy()
    work = units["work_covered"].to_numpy(dtype=bool)
    f = pd.DataFrame({"k": labels.to_numpy(), "n": 1, "built": _built(units).astype("int64"),
                      "work": work.astype("int64"), "known": known.astype("int64"),
                      "work_known": (known | work).astype("int64")})
    g = f.groupby("k", sort=True).sum()
    if order is not None:
        g = g.reindex(order, fill_value=0)
    else:  # largest first, then by name; blank last
        g = g.assign(_name=g.index.astype(str)).sort_values(["n", "_name"], ascending=[False, True])
        g = g.drop(columns="_name")
        g = pd.concat([g[g.index != UNFILLED], g[g.index == UNFILLED]])
    n = g["n"].to_numpy(dtype="int64")
    kn, wk = g["known"].to_numpy(dtype="int64"), g["work_known"].to_numpy(dtype="int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.DataFrame({
            label: list(g.index),
            "个数": n,
            "已建党组织个数": g["built"].to_numpy(dtype="int64"),
            "党组织覆盖率": np.where(kn > 0, g["built"].to_numpy() / np.maximum(kn, 1), np.nan),
            "党的工作覆盖率": np.where(wk > 0, g["work"].to_numpy() / np.maximum(wk, 1), np.nan),
        })


@indicator("coverage.by_location", label="各园区楼宇社区覆盖情况", unit="表", compare_columns=("个数", "党组织覆盖率"),
           definition="按所在园区楼宇（原样）统计的单位个数、已建党组织个数、党的组织覆盖率和党的工作覆盖率")
def by_location(units: pd.DataFrame) -> Result:
    return Result(coverage_table(units, label_series(units["location"], UNFILLED), HU("location")), rows=units)


@indicator("coverage.by_size", label="按从业人员规模的覆盖情况", unit="表", compare_columns=("个数", "党组织覆盖率"),
           definition="按从业人员少于50人、50至99人、100至299人、300人及以上分段统计的单位个数、已建党组织个数和覆盖率")
def by_size(units: pd.DataFrame) -> Result:
    labels = units["size_band"].astype(object).where(units["size_band"].notna(), UNFILLED)
    order = [b[0] for b in SIZE_BANDS] + ([UNFILLED] if (labels == UNFILLED).any() else [])
    return Result(coverage_table(units, labels, SIZE_LABEL, order), rows=units)


@indicator("coverage.by_type", label="按单位类型的覆盖情况", unit="表", compare_columns=("个数", "党组织覆盖率"),
           definition="非公有制企业、社会组织分别统计的单位个数、已建党组织个数和覆盖率")
def by_type(units: pd.DataFrame) -> Result:
    labels = label_series(units["unit_type"], UNFILLED)
    order = list(schema.UNIT_TYPE.values) + ([UNFILLED] if (labels == UNFILLED).any() else [])
    return Result(coverage_table(units, labels, HU("unit_type"), order), rows=units)
