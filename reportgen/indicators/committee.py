"""committee.*: the new (本届) committees of the organizations that held elections in the window,
against their previous (上届) committees. Ages are taken at each term's own election date.

``*_delta`` here compares terms (本届 − 上届), not periods.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import schema
from .members import age_bands_table, college, female
from .registry import NO_AREA, Result, among, breakdown, count, indicator, mean, share

HC = schema.COMMITTEE.header
# Words of 兼任职务 that mean the secretary also chairs the trade union.
UNION_CHAIR_WORDS = "工会主席"


def _mean(frame: pd.DataFrame) -> float | None:
    return mean(frame["age"]).value


def _college(frame: pd.DataFrame) -> float | None:
    return share(college(frame), known=frame["education"].notna()).value


def _female_share(frame: pd.DataFrame) -> float | None:
    return share(female(frame), known=frame["gender"].notna()).value


def _diff(a: float | int | None, b: float | int | None) -> float | int | None:
    if a is None or b is None:
        return None
    d = a - b
    return round(d, 12) if isinstance(d, float) else d


@indicator("committee.size", label="本届班子成员数", unit="名",
           definition="换届统计范围内举行换届选举的党组织本届班子成员人数")
def size(committee_current: pd.DataFrame) -> Result:
    return Result(len(committee_current), len(committee_current), None, committee_current)


@indicator("committee.size_previous", label="上届班子成员数", unit="名",
           definition="同一批党组织上届班子成员人数")
def size_previous(committee_previous: pd.DataFrame) -> Result:
    return Result(len(committee_previous), len(committee_previous), None, committee_previous)


@indicator("committee.size_delta", label="班子成员数比上届增减", unit="名",
           definition="本届班子成员数 − 上届班子成员数")
def size_delta(committee_current: pd.DataFrame, committee_previous: pd.DataFrame) -> int:
    return len(committee_current) - len(committee_previous)


@indicator("committee.reelected", label="连选连任人数", unit="名",
           definition="本届班子成员中上届也在本组织班子的人数（同一身份证号；无身份证号时同姓名同出生日期；"
                      "出生日期也缺时同姓名）")
def reelected(committee_current: pd.DataFrame) -> Result:
    return count(committee_current["reelected"], committee_current)


@indicator("committee.reelected_share", label="连选连任比例", unit="%", numerator="连选连任人数",
           denominator="本届班子成员数", definition="本届班子成员中上届也在本组织班子的人数 ÷ 本届班子成员数")
def reelected_share(committee_current: pd.DataFrame) -> Result:
    return share(committee_current["reelected"], committee_current)


@indicator("committee.new", label="新进班子人数", unit="名",
           definition="本届班子成员中上届不在本组织班子的人数")
def new(committee_current: pd.DataFrame) -> Result:
    return count(~committee_current["reelected"].to_numpy(dtype=bool), committee_current)


@indicator("committee.new_share", label="新进班子比例", unit="%", numerator="新进班子人数",
           denominator="本届班子成员数", definition="新进班子人数 ÷ 本届班子成员数")
def new_share(committee_current: pd.DataFrame) -> Result:
    return share(~committee_current["reelected"].to_numpy(dtype=bool), committee_current)


@indicator("committee.secretary_reelected_share", label="书记连任比例", unit="%",
           numerator="上届也任本组织书记的本届书记人数", denominator="本届书记人数",
           definition="本届书记中上届也是本组织书记的人数 ÷ 本届书记人数（由委员、副书记升任书记的不计）")
def secretary_reelected_share(committee_current: pd.DataFrame) -> Result:
    c = committee_current
    return share(c["secretary_reelected"], c, c["role"] == schema.SECRETARY)


@indicator("committee.age_mean", label="本届班子平均年龄", unit="岁", numerator="年龄之和",
           denominator="有出生日期的本届班子成员数", definition="本届班子成员在本次选举日期的周岁年龄的算术平均")
def age_mean(committee_current: pd.DataFrame) -> Result:
    return mean(committee_current["age"], committee_current)


@indicator("committee.age_mean_previous", label="上届班子平均年龄", unit="岁", numerator="年龄之和",
           denominator="有出生日期的上届班子成员数", definition="上届班子成员在上届选举日期的周岁年龄的算术平均")
def age_mean_previous(committee_previous: pd.DataFrame) -> Result:
    return mean(committee_previous["age"], committee_previous)


@indicator("committee.age_mean_delta", label="班子平均年龄比上届增减", unit="岁",
           definition="本届班子平均年龄 − 上届班子平均年龄（负数表示更年轻）")
def age_mean_delta(committee_current: pd.DataFrame, committee_previous: pd.DataFrame) -> float | None:
    return _diff(_mean(committee_current), _mean(committee_previous))


@indicator("committee.college_share", label="本届班子大专及以上学历比例", unit="%",
           numerator="大专及以上学历的本届班子成员数", denominator="填写了学历的本届班子成员数",
           definition="本届班子成员中大专及以上学历人数 ÷ 本届班子成员数")
def college_share(committee_current: pd.DataFrame) -> Result:
    c = committee_current
    return share(college(c), c, c["education"].notna())


@indicator("committee.college_share_previous", label="上届班子大专及以上学历比例", unit="%",
           numerator="大专及以上学历的上届班子成员数", denominator="填写了学历的上届班子成员数",
           definition="上届班子成员中大专及以上学历人数 ÷ 上届班子成员数")
def college_share_previous(committee_previous: pd.DataFrame) -> Result:
    c = committee_previous
    return share(college(c), c, c["education"].notna())


@indicator("committee.college_share_delta", label="班子大专及以上比例比上届增减", unit="%",
           definition="本届大专及以上学历比例 − 上届大专及以上学历比例（百分点）")
def college_share_delta(committee_current: pd.DataFrame, committee_previous: pd.DataFrame) -> float | None:
    return _diff(_college(committee_current), _college(committee_previous))


@indicator("committee.female", label="本届班子女性人数", unit="名", definition="本届班子成员中的女性人数")
def female_count(committee_current: pd.DataFrame) -> Result:
    return count(female(committee_current), committee_current)


@indicator("committee.female_share", label="本届班子女性比例", unit="%", numerator="本届班子女性人数",
           denominator="填写了性别的本届班子成员数", definition="本届班子女性人数 ÷ 本届班子成员数")
def female_share(committee_current: pd.DataFrame) -> Result:
    c = committee_current
    return share(female(c), c, c["gender"].notna())


@indicator("committee.female_previous", label="上届班子女性人数", unit="名", definition="上届班子成员中的女性人数")
def female_previous(committee_previous: pd.DataFrame) -> Result:
    return count(female(committee_previous), committee_previous)


@indicator("committee.female_share_previous", label="上届班子女性比例", unit="%", numerator="上届班子女性人数",
           denominator="填写了性别的上届班子成员数", definition="上届班子女性人数 ÷ 上届班子成员数")
def female_share_previous(committee_previous: pd.DataFrame) -> Result:
    c = committee_previous
    return share(female(c), c, c["gender"].notna())


@indicator("committee.female_delta", label="班子女性人数比上届增减", unit="名",
           definition="本届班子女性人数 − 上届班子女性人数")
def female_delta(committee_current: pd.DataFrame, committee_previous: pd.DataFrame) -> int:
    return int(female(committee_current).sum()) - int(female(committee_previous).sum())


@indicator("committee.female_share_delta", label="班子女性比例比上届增减", unit="%",
           definition="本届班子女性比例 − 上届班子女性比例（百分点）")
def female_share_delta(committee_current: pd.DataFrame, committee_previous: pd.DataFrame) -> float | None:
    return _diff(_female_share(committee_current), _female_share(committee_previous))


def union_chair_flags(renewals: pd.DataFrame, orgs: pd.DataFrame,
                      committee_current: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """(organizations that held elections, 一肩挑, known) — 书记兼任工会主席 where filled, else
    whether the 本届 书记's 兼任职务 mentions 工会主席; unknown when neither is given."""
    o = orgs[among(orgs["org_id"], renewals["org_id"])].drop_duplicates("org_id")
    c = committee_current
    sec = c[(c["role"] == schema.SECRETARY).to_numpy(dtype=bool)]
    chair = sec["concurrent"].astype("string").str.contains(UNION_CHAIR_WORDS, regex=False).fillna(False)
    has_sec = among(o["org_id"], sec["org_id"])
    sec_chair = among(o["org_id"], sec.loc[chair.to_numpy(dtype=bool), "org_id"])
    flag = o["secretary_union_chair"]
    given = flag.notna().to_numpy()
    hit = np.where(given, (flag == schema.YES).to_numpy(dtype=bool), sec_chair)
    return o, hit, given | has_sec


@indicator("committee.secretary_union_chair_share", label="书记兼任工会主席（“一肩挑”）比例", unit="%",
           numerator="书记兼任工会主席的党组织数", denominator="举行换届且能判断是否兼任的党组织数",
           definition="举行换届选举的党组织中，书记兼任工会主席的个数 ÷ 这些党组织个数；以党组织表“书记兼任工会主席”"
                      "为准，该项空白时看本届书记的兼任职务是否含“工会主席”，两者都没有的不计入分母")
def secretary_union_chair_share(renewals: pd.DataFrame, orgs: pd.DataFrame,
                                committee_current: pd.DataFrame) -> Result:
    o, hit, known = union_chair_flags(renewals, orgs, committee_current)
    return share(hit, o, known)


def _term_table(cur: pd.Series, prev: pd.Series, make) -> pd.DataFrame:
    """The same breakdown of both terms side by side: 人数, 占比, 上届人数, 上届占比."""
    a, b = make(cur), make(prev)
    label = a.columns[0]
    order = list(a[label]) + [x for x in b[label] if x not in set(a[label])]
    a, b = a.set_index(label).reindex(order), b.set_index(label).reindex(order)
    out = pd.DataFrame({label: order, "人数": a["人数"].fillna(0).astype("int64").to_numpy(),
                        "占比": a["占比"].to_numpy(dtype="float64"),
                        "上届人数": b["人数"].fillna(0).astype("int64").to_numpy(),
                        "上届占比": b["占比"].to_numpy(dtype="float64")})
    return out


@indicator("committee.age_bands", label="班子成员年龄结构", unit="表", compare=False,
           definition="本届、上届班子成员按选举日期周岁年龄分段的人数及占比")
def age_bands(committee_current: pd.DataFrame, committee_previous: pd.DataFrame) -> Result:
    return Result(_term_table(committee_current["age"], committee_previous["age"], age_bands_table),
                  rows=committee_current)


@indicator("committee.education", label="班子成员学历结构", unit="表", compare=False,
           definition="本届、上届班子成员按六类学历统计的人数及占比")
def education(committee_current: pd.DataFrame, committee_previous: pd.DataFrame) -> Result:
    def make(s: pd.Series) -> pd.DataFrame:
        return breakdown(s, HC("education"), schema.EDUCATION.values)

    return Result(_term_table(committee_current["education"], committee_previous["education"], make),
                  rows=committee_current)


@indicator("committee.by_area", label="各片区换届后班子结构", unit="表", compare=False,
           definition="按所属片区统计举行换届的党组织个数、本届班子人数、连选连任比例、新进班子比例、平均年龄、"
                      "大专及以上比例和女性比例")
def by_area(committee_current: pd.DataFrame, renewals: pd.DataFrame, orgs: pd.DataFrame) -> Result:
    c = committee_current
    age = c["age"].astype("float64")
    f = pd.DataFrame({
        "area": c["area_label"].to_numpy(), "n": 1,
        "re": c["reelected"].to_numpy(dtype="int64"),
        "age_sum": age.fillna(0).to_numpy(), "age_known": age.notna().to_numpy().astype("int64"),
        "college": college(c).to_numpy(dtype=bool).astype("int64"),
        "edu_known": c["education"].notna().to_numpy().astype("int64"),
        "female": female(c).to_numpy(dtype=bool).astype("int64"),
        "gender_known": c["gender"].notna().to_numpy().astype("int64"),
    })
    area_of = orgs.drop_duplicates("org_id").set_index("org_id")["area_label"]
    renewed_area = renewals["org_id"].map(area_of).fillna(NO_AREA)
    n_orgs = renewed_area.value_counts()
    areas = sorted(set(n_orgs.index) | set(f["area"]))
    g = f.groupby("area").sum().reindex(areas, fill_value=0)

    def div(a: str, b: str) -> np.ndarray:
        return np.where(g[b] > 0, g[a] / g[b].where(g[b] > 0, 1), np.nan)

    table = pd.DataFrame({
        schema.ORGS.header("area"): list(areas),
        "换届党组织个数": n_orgs.reindex(areas, fill_value=0).to_numpy(dtype="int64"),
        "人数": g["n"].to_numpy(dtype="int64"),
        "连选连任比例": div("re", "n"),
        "新进班子比例": np.where(g["n"] > 0, 1 - div("re", "n"), np.nan),
        "平均年龄": div("age_sum", "age_known"),
        "大专及以上占比": div("college", "edu_known"),
        "女性占比": div("female", "gender_known"),
    })
    blank = table.iloc[:, 0] == NO_AREA
    return Result(pd.concat([table[~blank], table[blank]], ignore_index=True), rows=c)

