"""members.*: the size and structure of the membership at the as-of date."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import schema
from .registry import NO_AREA, Result, breakdown, count, indicator, mean, share, yes

H = schema.MEMBERS.header
AGE_BAND_LABEL = "年龄段"
UNDER35 = 35  # 35岁及以下, the youth line of 党内统计
OLD_AGE = 60  # over 60 (61岁及以上)


def female(frame: pd.DataFrame) -> pd.Series:
    return frame["gender"] == schema.FEMALE


def college(frame: pd.DataFrame) -> pd.Series:
    return frame["education"].isin(schema.COLLEGE_LEVELS)


def minority_known(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(minority, ethnicity filled): 民族 filled and not 汉族."""
    eth = frame["ethnicity"]
    if isinstance(eth.dtype, pd.CategoricalDtype):  # the normalised 民族 (schema.ETHNICITY): no text pass
        known = eth.notna()
        return known & (eth != schema.HAN).fillna(False), known
    eth = eth.astype("string").str.strip()
    known = eth.notna() & (eth != "")
    return known & (eth != schema.HAN), known


def age_band_labels(age: pd.Series) -> pd.Series:
    """Each age's 党内统计 band label (schema.AGE_BANDS) as a Categorical; NA when unknown."""
    uppers = np.array([hi for _, _, hi in schema.AGE_BANDS], dtype="float64")
    labels = [name for name, _, _ in schema.AGE_BANDS]
    a = age.to_numpy(dtype="float64", na_value=np.nan)
    pos = np.searchsorted(uppers, a, side="left").clip(0, len(labels) - 1)
    pos = np.where(np.isnan(a), -1, pos)
    return pd.Series(pd.Categorical.from_codes(pos, categories=labels), index=age.index)


def age_bands_table(age: pd.Series, count_col: str = "人数") -> pd.DataFrame:
    return breakdown(age_band_labels(age), AGE_BAND_LABEL, [b[0] for b in schema.AGE_BANDS], count_col)


@indicator("members.total", label="党员总数", unit="名", definition="党员花名册中的党员人数（含预备党员）")
def total(members: pd.DataFrame) -> Result:
    return Result(len(members), len(members), None, members)


@indicator("members.full", label="正式党员人数", unit="名", definition="人员类别为正式党员的人数")
def full(members: pd.DataFrame) -> Result:
    return count(members["status"] == schema.FULL_MEMBER, members)


@indicator("members.probationary", label="预备党员人数", unit="名", definition="人员类别为预备党员的人数")
def probationary(members: pd.DataFrame) -> Result:
    return count(members["status"] == schema.PROBATIONARY, members)


@indicator("members.female_share", label="女党员占比", unit="%", numerator="女党员人数",
           denominator="填写了性别的党员人数", definition="女党员人数 ÷ 党员人数")
def female_share(members: pd.DataFrame) -> Result:
    return share(female(members), members, members["gender"].notna())


@indicator("members.minority_share", label="少数民族党员占比", unit="%", numerator="少数民族党员人数",
           denominator="填写了民族的党员人数", definition="民族不是汉族的党员人数 ÷ 填写了民族的党员人数")
def minority_share(members: pd.DataFrame) -> Result:
    hit, known = minority_known(members)
    return share(hit, members, known)


@indicator("members.age_mean", label="党员平均年龄", unit="岁", numerator="年龄之和",
           denominator="有出生日期的党员人数",
           definition="截止日期时各党员周岁年龄的算术平均")
def age_mean(members: pd.DataFrame) -> Result:
    return mean(members["age"], members)


@indicator("members.age_bands", label="党员年龄结构", unit="表", compare_columns=("人数", "占比"),
           definition="截止日期时按周岁分为30岁及以下、31至35岁……61岁及以上八段的党员人数及占比")
def age_bands(members: pd.DataFrame) -> Result:
    return Result(age_bands_table(members["age"]), rows=members)


@indicator("members.under35_share", label="35岁及以下党员占比", unit="%", numerator="35岁及以下党员人数",
           denominator="有出生日期的党员人数", definition="截止日期时周岁35岁及以下的党员人数 ÷ 党员人数")
def under35_share(members: pd.DataFrame) -> Result:
    return share(members["age"] <= UNDER35, members, members["age"].notna())


@indicator("members.education", label="党员学历结构", unit="表", compare_columns=("人数", "占比"),
           definition="按研究生、大学本科、大学专科、中专、高中中技、初中及以下六类学历统计的党员人数及占比")
def education(members: pd.DataFrame) -> Result:
    return Result(breakdown(members["education"], H("education"), schema.EDUCATION.values), rows=members)


@indicator("members.college_share", label="大专及以上学历党员占比", unit="%",
           numerator="大专及以上学历（研究生、大学本科、大学专科）党员人数", denominator="填写了学历的党员人数",
           definition="大专及以上学历党员人数 ÷ 党员人数")
def college_share(members: pd.DataFrame) -> Result:
    return share(college(members), members, members["education"].notna())


@indicator("members.by_occupation", label="党员工作岗位分布", unit="表", compare_columns=("人数", "占比"),
           definition="按党内统计工作岗位分类统计的党员人数及占比（占比以填写了工作岗位的党员为分母）")
def by_occupation(members: pd.DataFrame) -> Result:
    return Result(breakdown(members["occupation"], H("occupation"), schema.OCCUPATION.values), rows=members)


@indicator("members.retired_share", label="离退休党员占比", unit="%", numerator="工作岗位为离退休人员的党员人数",
           denominator="填写了工作岗位的党员人数", definition="离退休人员党员人数 ÷ 填写了工作岗位的党员人数")
def retired_share(members: pd.DataFrame) -> Result:
    return share(members["occupation"] == schema.RETIRED, members, members["occupation"].notna())


@indicator("members.mobile_share", label="流动党员占比", unit="%", numerator="是否流动党员为“是”的人数",
           denominator="党员总数", definition="流动党员人数 ÷ 党员总数（未填写的按“否”计）")
def mobile_share(members: pd.DataFrame) -> Result:
    return share(yes(members["mobile"]), members)


@indicator("members.by_sector", label="各领域党员人数", unit="表", compare_columns=("人数", "占比"),
           definition="按所在党组织的所属领域统计的党员人数及占比")
def by_sector(members: pd.DataFrame) -> Result:
    return Result(breakdown(members["sector"], schema.ORGS.header("sector"), schema.SECTOR.values), rows=members)


@indicator("members.by_area", label="各片区党员队伍结构", unit="表", compare_columns=("人数", "占比"),
           definition="按所在党组织的所属片区统计的党员人数、占比、女党员占比、35岁及以下占比、"
                      "大专及以上占比和平均年龄")
def by_area(members: pd.DataFrame) -> Result:
    return Result(area_structure(members), rows=members)


def area_structure(members: pd.DataFrame) -> pd.DataFrame:
    """Per area: members, share of all, and the structure shares among those with the field filled."""
    age = members["age"].astype("float64")
    f = pd.DataFrame({
        "area": members["area_label"].array,
        "n": 1,
        "female": female(members).to_numpy(dtype=bool).astype("int64"),
        "gender_known": members["gender"].notna().to_numpy().astype("int64"),
        "young": (age <= UNDER35).to_numpy().astype("int64"),
        "college": college(members).to_numpy(dtype=bool).astype("int64"),
        "edu_known": members["education"].notna().to_numpy().astype("int64"),
        "age_sum": age.fillna(0).to_numpy(),
        "age_known": age.notna().to_numpy().astype("int64"),
    })
    g = f.groupby("area", sort=True, observed=True).sum()
    total_n = int(g["n"].sum())

    def div(a: str, b: str) -> np.ndarray:
        return np.where(g[b] > 0, g[a] / g[b].where(g[b] > 0, 1), np.nan)

    table = pd.DataFrame({
        schema.ORGS.header("area"): g.index.astype(object),
        "人数": g["n"].to_numpy(dtype="int64"),
        "占比": (g["n"] / total_n).to_numpy() if total_n else np.full(len(g), np.nan),
        "女党员占比": div("female", "gender_known"),
        "35岁及以下占比": div("young", "age_known"),
        "大专及以上占比": div("college", "edu_known"),
        "平均年龄": div("age_sum", "age_known"),
    })
    blank = table.iloc[:, 0] == NO_AREA
    return pd.concat([table[~blank], table[blank]], ignore_index=True)



# --------------------------------------------------------------------------- unknown fields
# Members counted whose field is blank or was not recognised (SPEC §2: the field is unknown, the
# member is counted); each share leaves them out of its denominator, and the report says so
# beside the figure when they exceed ``concerns.unknown_note_share`` of the members.

def _unknown(s: pd.Series | np.ndarray, members: pd.DataFrame) -> Result:
    miss = s.isna().to_numpy() if isinstance(s, pd.Series) else np.asarray(s, dtype=bool)
    return Result(int(miss.sum()), int(miss.sum()), len(members), members, miss)


@indicator("members.unknown_gender", label="性别未填写或无法识别的党员", unit="名", compare=False,
           definition="性别为空、无法识别或无法由身份证号推出的党员人数（不计入女党员占比的分母）")
def unknown_gender(members: pd.DataFrame) -> Result:
    return _unknown(members["gender"], members)


@indicator("members.unknown_birth_date", label="出生日期未填写或无法识别的党员", unit="名", compare=False,
           definition="出生日期为空、无法识别、不合理或无法由身份证号推出的党员人数（不计入年龄各项的分母）")
def unknown_birth_date(members: pd.DataFrame) -> Result:
    return _unknown(members["birth_date"], members)


@indicator("members.unknown_education", label="学历未填写或无法识别的党员", unit="名", compare=False,
           definition="学历为空或不在规定选项内的党员人数（不计入大专及以上学历占比的分母）")
def unknown_education(members: pd.DataFrame) -> Result:
    return _unknown(members["education"], members)


@indicator("members.unknown_ethnicity", label="民族未填写的党员", unit="名", compare=False,
           definition="民族为空的党员人数（不计入少数民族党员占比的分母）")
def unknown_ethnicity(members: pd.DataFrame) -> Result:
    return _unknown(~minority_known(members)[1].to_numpy(dtype=bool), members)


@indicator("members.unknown_occupation", label="工作岗位未填写或无法识别的党员", unit="名", compare=False,
           definition="工作岗位为空或不在规定选项内的党员人数（不计入离退休党员占比的分母）")
def unknown_occupation(members: pd.DataFrame) -> Result:
    return _unknown(members["occupation"], members)


@indicator("members.unknown_joined", label="入党日期未填写或无法识别的党员", unit="名", compare=False,
           definition="入党日期为空、无法识别或不合理（如早于年满18周岁之日）的党员人数（不计入发展党员统计）")
def unknown_joined(members: pd.DataFrame) -> Result:
    return _unknown(members["joined"], members)
