"""development.*: members who joined the Party in the period (发展党员) and their structure."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import schema
from .members import UNDER35, _unknown, college, female
from .registry import NO_AREA, Result, count, indicator, share


def two_new(frame: pd.DataFrame) -> pd.Series:
    """Members of organizations in the 非公有制企业 / 社会组织 sectors."""
    return frame["sector"].isin(schema.TWO_NEW_SECTORS)


@indicator("development.total", label="发展党员数", unit="名",
           definition="入党日期在本统计期内（期初至期末，含首尾两日）的党员人数")
def total(new_members: pd.DataFrame) -> Result:
    return Result(len(new_members), len(new_members), None, new_members)


@indicator("development.under35_share", label="新发展党员中35岁及以下占比", unit="%",
           numerator="入党时周岁35岁及以下的新党员人数", denominator="有出生日期的新党员人数",
           definition="入党时35岁及以下的新发展党员人数 ÷ 新发展党员人数（年龄按入党日期计算）")
def under35_share(new_members: pd.DataFrame) -> Result:
    age = new_members["age_at_join"]
    return share(age <= UNDER35, new_members, age.notna())


@indicator("development.college_share", label="新发展党员中大专及以上占比", unit="%",
           numerator="大专及以上学历的新党员人数", denominator="填写了学历的新党员人数",
           definition="大专及以上学历的新发展党员人数 ÷ 新发展党员人数")
def college_share(new_members: pd.DataFrame) -> Result:
    return share(college(new_members), new_members, new_members["education"].notna())


@indicator("development.female_share", label="新发展党员中女性占比", unit="%",
           numerator="女性新党员人数", denominator="填写了性别的新党员人数",
           definition="女性新发展党员人数 ÷ 新发展党员人数")
def female_share(new_members: pd.DataFrame) -> Result:
    return share(female(new_members), new_members, new_members["gender"].notna())


@indicator("development.two_new", label="在“两新”组织中发展的党员数", unit="名",
           definition="所在党组织所属领域为非公有制企业或社会组织的新发展党员人数")
def two_new_count(new_members: pd.DataFrame) -> Result:
    return count(two_new(new_members), new_members)


@indicator("development.two_new_share", label="新发展党员中“两新”组织占比", unit="%",
           numerator="在“两新”组织中发展的党员数", denominator="新发展党员人数",
           definition="在非公有制企业、社会组织党组织中发展的党员人数 ÷ 新发展党员人数")
def two_new_share(new_members: pd.DataFrame) -> Result:
    return share(two_new(new_members), new_members)


@indicator("development.by_area", label="各片区发展党员情况", unit="表", compare_columns=("人数",),
           definition="按所属片区统计的新发展党员人数、其中35岁及以下人数和占比、大专及以上占比、女性占比；"
                      "本期没有发展党员的片区也列出（人数为0）")
def by_area(new_members: pd.DataFrame, orgs: pd.DataFrame) -> Result:
    return Result(development_by_area(new_members, orgs), rows=new_members)


def development_by_area(new_members: pd.DataFrame, orgs: pd.DataFrame) -> pd.DataFrame:
    """Per area of the organizations (all areas, zeros included): new members and their structure."""
    n = new_members
    age = n["age_at_join"].astype("float64")
    f = pd.DataFrame({
        "area": n["area_label"].array,
        "n": 1,
        "young": (age <= UNDER35).to_numpy().astype("int64"),
        "age_known": age.notna().to_numpy().astype("int64"),
        "college": college(n).to_numpy(dtype=bool).astype("int64"),
        "edu_known": n["education"].notna().to_numpy().astype("int64"),
        "female": female(n).to_numpy(dtype=bool).astype("int64"),
        "gender_known": n["gender"].notna().to_numpy().astype("int64"),
    })
    areas = sorted(set(orgs["area_label"]) | set(pd.unique(f["area"].dropna())))
    g = f.groupby("area", observed=True).sum()
    g.index = g.index.astype(object)
    g = g.reindex(areas, fill_value=0)

    def div(a: str, b: str) -> np.ndarray:
        return np.where(g[b] > 0, g[a] / g[b].where(g[b] > 0, 1), np.nan)

    table = pd.DataFrame({
        schema.ORGS.header("area"): list(areas),
        "人数": g["n"].to_numpy(dtype="int64"),
        "35岁及以下人数": g["young"].to_numpy(dtype="int64"),
        "35岁及以下占比": div("young", "age_known"),
        "大专及以上占比": div("college", "edu_known"),
        "女性占比": div("female", "gender_known"),
    })
    blank = table.iloc[:, 0] == NO_AREA
    return pd.concat([table[~blank], table[blank]], ignore_index=True)


# New members whose field is unknown (left out of that share's denominator; see members.unknown_*).

@indicator("development.unknown_birth_date", label="出生日期未知的新发展党员", unit="名", compare=False,
           definition="新发展党员中出生日期为空、无法识别或不合理的人数（不计入35岁及以下占比的分母）")
def unknown_birth_date(new_members: pd.DataFrame) -> Result:
    return _unknown(new_members["birth_date"], new_members)


@indicator("development.unknown_education", label="学历未知的新发展党员", unit="名", compare=False,
           definition="新发展党员中学历为空或不在规定选项内的人数（不计入大专及以上占比的分母）")
def unknown_education(new_members: pd.DataFrame) -> Result:
    return _unknown(new_members["education"], new_members)


@indicator("development.unknown_gender", label="性别未知的新发展党员", unit="名", compare=False,
           definition="新发展党员中性别为空、无法识别或无法由身份证号推出的人数（不计入女性占比的分母）")
def unknown_gender(new_members: pd.DataFrame) -> Result:
    return _unknown(new_members["gender"], new_members)
