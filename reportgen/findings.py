"""Findings: what the data shows against the Party's regulations (SPEC §2) and data-driven concerns.

Each finding has a stable id, a severity (严重 / 一般 / 提示), a count, a ledger of the organizations
(or elections, units, areas) concerned, one Chinese sentence stating the fact with its figure and one
suggested measure. Thresholds come only from :mod:`reportgen.config`. A finding whose count is 0 is not
reported. Every finding is a small function registered with :func:`finding`, so that the catalogue in
docs/指标说明.md lists them with their thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

import numpy as np
import pandas as pd

from . import schema, zh
from .config import DEFAULT, Config

if TYPE_CHECKING:  # pragma: no cover
    from .dataset import Dataset
    from .indicators.registry import Inputs

SERIOUS, GENERAL, ADVISORY = "严重", "一般", "提示"
SEVERITY_ORDER = {SERIOUS: 0, GENERAL: 1, ADVISORY: 2}

ELECTION_RULES = "《中国共产党基层组织选举工作条例》"
BRANCH_RULES = "《中国共产党支部工作条例（试行）》"

HO = schema.ORGS.header
HU = schema.UNITS.header


@dataclass
class Finding:
    """One problem the data shows, with the ledger behind its count."""

    id: str
    title: str
    severity: str
    count: int
    sentence: str
    measure: str
    ledger: pd.DataFrame = field(repr=False)
    rule: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The finding as a plain dict (the ledger stays a DataFrame)."""
        return {"id": self.id, "title": self.title, "severity": self.severity, "count": self.count,
                "sentence": self.sentence, "measure": self.measure, "ledger": self.ledger,
                "rule": self.rule}


@dataclass
class Draft:
    """What a finding function returns; the count is the ledger's length."""

    ledger: pd.DataFrame
    sentence: str
    measure: str
    severity: str | None = None


@dataclass(frozen=True)
class FindingSpec:
    id: str
    title: str
    severity: str
    rule: str
    threshold: Callable[[Config], str]
    func: Callable[["Inputs", dict, Config], Draft | None]


FINDINGS: dict[str, FindingSpec] = {}


def finding(id: str, *, title: str, severity: str, rule: str,
            threshold: Callable[[Config], str] = lambda c: "") -> Callable:
    """Register a finding function ``f(inputs, values, config) -> Draft | None``."""

    def wrap(func: Callable) -> Callable:
        if id in FINDINGS:
            raise ValueError(f"finding {id} registered twice")
        FINDINGS[id] = FindingSpec(id, title, severity, rule, threshold, func)
        return func

    return wrap


def find(ds: "Dataset", values: dict[str, Any], config: Config = DEFAULT,
         inputs: "Inputs | None" = None) -> list[Finding]:
    """Every finding the data shows (count > 0), ordered by severity then id."""
    from .indicators.registry import Inputs

    if inputs is None:
        inputs = Inputs(ds, config)
    out = []
    for spec in FINDINGS.values():
        draft = spec.func(inputs, values, config)
        if draft is None or len(draft.ledger) == 0:
            continue
        ledger = draft.ledger.reset_index(drop=True)
        out.append(Finding(spec.id, spec.title, draft.severity or spec.severity, len(ledger),
                           draft.sentence, draft.measure, ledger, spec.rule))
    out.sort(key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.id))
    return out


# --------------------------------------------------------------------------- ledgers


def org_ledger(orgs: pd.DataFrame, mask: np.ndarray | pd.Series | None = None,
               extra: dict[str, Any] | None = None) -> pd.DataFrame:
    """Organizations with their code, name, area, type and member counts (+ ``extra`` columns)."""
    m = np.ones(len(orgs), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    o = orgs[m]
    table = pd.DataFrame({
        HO("org_id"): o["org_id"].astype(object).to_numpy(),
        HO("name"): o["name"].astype(object).to_numpy(),
        HO("area"): o["area_label"].to_numpy(),
        HO("org_type"): o["org_type"].astype(object).to_numpy(),
        "党员总数": o["n_members"].to_numpy(dtype="int64"),
        "正式党员数": o["n_full"].to_numpy(dtype="int64"),
    })
    for name, values in (extra or {}).items():  # full-length arrays aligned with ``orgs``
        table[name] = np.asarray(values)[m]
    return table.sort_values([HO("area"), HO("org_id")], kind="stable").reset_index(drop=True)


def _n(x: int) -> str:
    return f"{int(x)}"


# --------------------------------------------------------------------------- elections


@finding("elections.overdue", title="到期未换届", severity=GENERAL,
         rule=f"{ELECTION_RULES}：党的基层委员会每届任期5年，总支部委员会、支部委员会每届任期3年，任期届满应当按期"
              "换届；确需延期的须报上级党组织批准，延长期限一般不超过1年",
         threshold=lambda c: f"届满日期早于截止日期即列入；逾期超过{c.regulations.overdue_serious_months}个月的为“严重”")
def _overdue(inp: "Inputs", values: dict, config: Config) -> Draft | None:
    from .indicators.elections import MONTHS_OVERDUE, overdue_ledger

    ledger = overdue_ledger(inp.org_terms)
    if not len(ledger):
        return None
    limit = config.regulations.overdue_serious_months
    serious = int((ledger[MONTHS_OVERDUE] > limit).sum())
    sentence = f"有{_n(len(ledger))}个党组织到期未换届"
    sentence += f"，其中{serious}个逾期超过{limit}个月，超出规定的最长延期。" if serious else "。"
    return Draft(ledger, sentence,
                 "逐个制定换届计划，督促到期党组织尽快召开党员大会完成换届；确需延期的，须报上级党组织批准。",
                 SERIOUS if serious else GENERAL)


@finding("elections.due_soon", title="即将到期", severity=ADVISORY,
         rule=f"{ELECTION_RULES}：任期届满应当按期进行换届选举；届满前提前提醒、做好准备是本报告的工作口径",
         threshold=lambda c: f"届满日期在截止日期当天至其后{c.regulations.due_soon_months}个月内")
def _due_soon(inp: "Inputs", values: dict, config: Config) -> Draft | None:
    from .indicators.elections import due_soon_ledger

    ledger = due_soon_ledger(inp.org_terms)
    months = config.regulations.due_soon_months
    return Draft(ledger, f"有{_n(len(ledger))}个党组织将在{months}个月内任期届满，需提前做好换届准备。",
                 "提前向这些党组织发出换届提醒，指导做好候选人推荐、考察和选举准备工作。")


@finding("elections.invalid_quorum", title="到会人数不足", severity=SERIOUS,
         rule=f"{ELECTION_RULES}：进行选举时，有选举权的到会人数超过应到会人数的五分之四，会议有效",
         threshold=lambda c: f"实到会人数 ≤ 应到会人数 × {zh.num(c.regulations.quorum_fraction, 2)}")
def _invalid_quorum(inp: "Inputs", values: dict, config: Config) -> Draft | None:
    from .indicators.elections import election_ledger

    h = inp.held
    ledger = election_ledger(h, h["quorum_invalid"])
    return Draft(ledger, f"有{_n(len(ledger))}次换届选举实到会人数未超过应到会人数的五分之四，不符合选举有效的要求。",
                 "逐一核实到会情况，确属人数不足的，报上级党组织同意后重新召开大会进行选举。")


@finding("elections.candidate_margin", title="差额比例不足", severity=GENERAL,
         rule=f"{ELECTION_RULES}：委员实行差额选举，候选人数应多于应选人数的20%",
         threshold=lambda c: f"应选{c.regulations.candidate_margin_min_seats}名及以上时，候选人数 < 应选人数 × "
                             f"{zh.num(1 + c.regulations.candidate_margin, 2)}（向上取整）")
def _candidate_margin(inp: "Inputs", values: dict, config: Config) -> Draft | None:
    from .indicators.elections import election_ledger

    h = inp.held
    ledger = election_ledger(h, h["margin_violation"])
    share = zh.pct(config.regulations.candidate_margin)
    return Draft(ledger, f"有{_n(len(ledger))}次选举的候选人数未达到多于应选人数{share}的差额要求。",
                 f"核实候选人提名情况，今后换届严格按照多于应选人数{share}的差额比例提出候选人。")


@finding("elections.congress_small_org", title="党员不足500名召开党员代表大会", severity=GENERAL,
         rule=f"{ELECTION_RULES}：党员人数500名以上的基层党组织，经上级党组织批准，方可召开党员代表大会进行选举",
         threshold=lambda c: f"选举方式为党员代表大会且该组织（含下级）党员少于{c.regulations.congress_min_members}名")
def _congress_small(inp: "Inputs", values: dict, config: Config) -> Draft | None:
    from .indicators.elections import election_ledger

    h = inp.held
    ledger = election_ledger(h, h["congress_small"])
    n = config.regulations.congress_min_members
    return Draft(ledger, f"有{_n(len(ledger))}次选举在党员不足{n}名的党组织中召开了党员代表大会。",
                 f"核实是否经上级党组织批准；党员不足{n}名的，今后换届一般应召开党员大会选举。")


# --------------------------------------------------------------------------- organizations


@finding("orgs.branch_under_3", title="党支部正式党员不足3名", severity=GENERAL,
         rule=f"{BRANCH_RULES}：有正式党员3人以上的，应当成立党支部；不足3人的，可以与邻近单位的党员联合成立党支部",
         threshold=lambda c: f"党支部、联合党支部的正式党员少于{c.regulations.branch_min_full}名")
def _branch_under_3(inp: "Inputs", values: dict, config: Config) -> Draft | None:
    from .indicators.orgs import RULE_BRANCHES, verify

    o = inp.orgs
    n = config.regulations.branch_min_full
    mask = o["org_type"].isin(RULE_BRANCHES).to_numpy(dtype=bool) & (o["n_full"] < n).to_numpy()
    mask &= ~verify(o)  # rows left out refer to it: not stated until verified (orgs.unverified)
    ledger = org_ledger(o, mask)
    return Draft(ledger, f"有{_n(len(ledger))}个党支部正式党员不足{n}名。",
                 f"与邻近单位组建联合党支部，或调整党员组织关系，使每个党支部至少有{n}名正式党员。")


@finding("orgs.branch_over_50", title="党支部党员超过50名", severity=GENERAL,
         rule=f"{BRANCH_RULES}：党支部党员人数一般不超过50人",
         threshold=lambda c: f"党支部、联合党支部的党员多于{c.regulations.branch_max_members}名")
def _branch_over_50(inp: "Inputs", values: dict, config: Config) -> Draft | None:
    from .indicators.orgs import RULE_BRANCHES

    o = inp.orgs
    n = config.regulations.branch_max_members
    mask = o["org_type"].isin(RULE_BRANCHES).to_numpy(dtype=bool) & (o["n_members"] > n).to_numpy()
    ledger = org_ledger(o, mask)
    return Draft(ledger, f"有{_n(len(ledger))}个党支部党员超过{n}名。",
                 "按照便于组织开展活动的原则分设党支部，或经上级党组织批准成立党总支。")


@finding("orgs.no_committee_7plus", title="应设未设支部委员会", severity=GENERAL,
         rule=f"{BRANCH_RULES}：有正式党员7人以上的党支部，应当设立党支部委员会",
         threshold=lambda c: f"有{c.regulations.committee_min_full}名及以上正式党员、班子成员表中没有本届班子成员"
                             "（未报送班子成员表时不检查）")
def _no_committee(inp: "Inputs", values: dict, config: Config) -> Draft | None:
    from .indicators.orgs import RULE_BRANCHES, verify
    from .indicators.registry import among

    c = inp.ds.committee
    if len(c) == 0:
        return None
    o = inp.orgs
    n = config.regulations.committee_min_full
    with_committee = c.loc[(c["term"] == schema.CURRENT_TERM).to_numpy(dtype=bool), "org_id"].dropna()
    mask = (o["org_type"].isin(RULE_BRANCHES).to_numpy(dtype=bool) & (o["n_full"] >= n).to_numpy()
            & ~among(o["org_id"], with_committee) & ~verify(o))
    ledger = org_ledger(o, mask)
    return Draft(ledger, f"有{_n(len(ledger))}个正式党员{n}名以上的党支部没有报送本届支部委员会成员。",
                 "督促这些党支部按规定选举产生支部委员会；已经设立的，请在班子成员表中补报。")


@finding("orgs.type_size_mismatch", title="组织设置与党员规模不相称", severity=ADVISORY,
         rule=f"{BRANCH_RULES}等：党员人数超过50人的，经批准可以成立党总支；党员100人以上的，可以设立基层党委",
         threshold=lambda c: f"党支部党员{c.regulations.zongzhi_min_members}名及以上、党总支（含下级）"
                             f"{c.regulations.dangwei_min_members}名及以上、党委（含下级）不足"
                             f"{c.regulations.zongzhi_min_members}名")
def _type_size(inp: "Inputs", values: dict, config: Config) -> Draft | None:
    o = inp.orgs
    reg = config.regulations
    n, sub = o["n_members"].to_numpy(), o["n_subtree"].to_numpy()
    t = o["org_type"].astype(object).to_numpy()
    conds = [(t == schema.BRANCH) & (n >= reg.dangwei_min_members),
             (t == schema.BRANCH) & (n >= reg.zongzhi_min_members),
             (t == schema.ZONGZHI) & (sub >= reg.dangwei_min_members),
             (t == schema.DANGWEI_TYPES[0]) & (sub < reg.zongzhi_min_members)]
    advice = [f"有{reg.dangwei_min_members}名以上党员，一般可设立基层党委",
              f"有{reg.zongzhi_min_members}名以上党员，一般可成立党总支",
              f"含下级党员{reg.dangwei_min_members}名以上，一般可设立基层党委",
              f"含下级党员不足{reg.zongzhi_min_members}名，可考虑调整为党总支或党支部"]
    from .indicators.orgs import type_size_mask

    mask = type_size_mask(o, config)
    note = np.select(conds, advice, default="")
    ledger = org_ledger(o, mask, {"含下级党员总数": sub, "提示": note})
    return Draft(ledger, f"有{_n(len(ledger))}个党组织的组织类别与党员规模不够相称。",
                 "结合实际研究是否调整组织设置，按程序报上级党组织批准。")


@finding("orgs.joint_branch_units", title="联合党支部覆盖单位过多", severity=GENERAL,
         rule=f"{BRANCH_RULES}：联合党支部覆盖单位一般不超过5个",
         threshold=lambda c: f"两新组织表中指向同一联合党支部的单位多于{c.regulations.joint_branch_max_units}个")
def _joint_branch(inp: "Inputs", values: dict, config: Config) -> Draft | None:
    o = inp.orgs
    k = config.regulations.joint_branch_max_units
    mask = (o["org_type"] == schema.JOINT_BRANCH).to_numpy(dtype=bool) & (o["n_units"] > k).to_numpy()
    ledger = org_ledger(o, mask, {"覆盖单位数": o["n_units"].to_numpy()})
    return Draft(ledger, f"有{_n(len(ledger))}个联合党支部覆盖的单位超过{k}个。",
                 "对覆盖单位过多的联合党支部适当拆分，推动党员较多的单位单独建立党组织。")


@finding("orgs.secretary_vacant", title="书记空缺", severity=GENERAL,
         rule=f"{BRANCH_RULES}：党支部书记应当由支部党员大会或支部委员会选举产生，书记空缺应及时补选",
         threshold=lambda c: "党组织表“书记姓名”为空")
def _secretary_vacant(inp: "Inputs", values: dict, config: Config) -> Draft | None:
    o = inp.orgs
    name = o["secretary"].astype("string").str.strip()
    ledger = org_ledger(o, (name.isna() | (name == "")).to_numpy(dtype=bool))
    return Draft(ledger, f"有{_n(len(ledger))}个党组织书记空缺。",
                 "尽快按程序选举产生书记，空缺期间明确一名委员主持日常工作。")


@finding("orgs.aging", title="党员队伍老化", severity=ADVISORY,
         rule="数据反映的问题：离退休和60岁以上党员占比过高的党组织，发展和活动后继乏人",
         threshold=lambda c: f"有{c.concerns.aging_min_members}名及以上党员、离退休或60岁以上党员占比超过"
                             f"{zh.pct(c.concerns.aging_share)}")
def _aging(inp: "Inputs", values: dict, config: Config) -> Draft | None:
    from .indicators.members import OLD_AGE

    m = inp.members
    old = ((m["occupation"] == schema.RETIRED).to_numpy(dtype=bool)
           | (m["age"] > OLD_AGE).to_numpy(dtype=bool))
    o = inp.orgs
    pos = m["org_pos"].to_numpy()
    n_old = np.bincount(pos[old & (pos >= 0)], minlength=len(o)).astype("int64")
    n = o["n_members"].to_numpy()
    share = np.where(n > 0, n_old / np.maximum(n, 1), 0.0)
    c = config.concerns
    mask = (n >= c.aging_min_members) & (share > c.aging_share)
    ledger = org_ledger(o, mask, {"离退休或60岁以上人数": n_old, "离退休或60岁以上占比": share})
    return Draft(ledger, f"有{_n(len(ledger))}个党组织离退休和60岁以上党员占比超过{zh.pct(c.aging_share)}，"
                         "党员队伍老化。",
                 "加大在青年职工、生产经营一线中培养入党积极分子的力度，优化党员队伍年龄结构。")


# --------------------------------------------------------------------------- development


@finding("development.few_young", title="发展青年党员不足", severity=ADVISORY,
         rule="数据反映的问题：新发展党员中35岁及以下的比例，以及片区发展党员工作是否断档",
         threshold=lambda c: f"片区本期新发展党员中35岁及以下占比低于{zh.pct(c.concerns.young_recruit_share)}，"
                             "或片区本期没有发展党员")
def _few_young(inp: "Inputs", values: dict, config: Config) -> Draft | None:
    from .indicators.development import development_by_area

    table = development_by_area(inp.new_members, inp.orgs)
    if not len(table):
        return None
    target = config.concerns.young_recruit_share
    n = table["人数"].to_numpy()
    share = table["35岁及以下占比"].to_numpy(dtype="float64")
    zero = n == 0
    low = (n > 0) & ~np.isnan(share) & (share < target)
    ledger = table[zero | low].reset_index(drop=True)
    if not len(ledger):
        return None
    parts = []
    overall = values.get("development.under35_share")
    if overall is not None and overall < target:
        parts.append(f"本期新发展党员中35岁及以下的占{zh.pct_text(overall)}，低于{zh.pct(target)}的目标")
    details = []
    if low.sum():
        details.append(f"{int(low.sum())}个片区新发展党员中35岁及以下的比例低于{zh.pct(target)}")
    if zero.sum():
        details.append(f"{int(zero.sum())}个片区本期没有发展党员")
    if len(details) == 2:
        parts.append(f"有{len(ledger)}个片区发展青年党员不足，其中" + "，".join(details))
    else:
        parts.append("有" + details[0])
    return Draft(ledger, "；".join(parts) + "。",
                 "把发展党员重点放在青年和生产经营一线，对没有发展党员的片区加强入党积极分子培养。")


# --------------------------------------------------------------------------- committees


@finding("committee.few_women", title="班子中女性偏少", severity=ADVISORY,
         rule="数据反映的问题：班子成员结构中女性比例偏低",
         threshold=lambda c: f"本期换届党组织本届班子中女性占比低于{zh.pct(c.concerns.female_committee_share)}")
def _few_women(inp: "Inputs", values: dict, config: Config) -> Draft | None:
    c = inp.committee_current
    known = c["gender"].notna().to_numpy()
    fem = (c["gender"] == schema.FEMALE).to_numpy(dtype=bool)
    f = pd.DataFrame({"org": c["org_id"].astype(object).to_numpy(), "n": 1, "known": known.astype("int64"),
                      "female": fem.astype("int64")})
    g = f.groupby("org").sum()
    o = inp.orgs.drop_duplicates("org_id")
    ids = o["org_id"].astype(object)
    size = ids.map(g["n"]).fillna(0).astype("int64").to_numpy()
    kn = ids.map(g["known"]).fillna(0).astype("int64").to_numpy()
    women = ids.map(g["female"]).fillna(0).astype("int64").to_numpy()
    share = np.where(kn > 0, women / np.maximum(kn, 1), np.nan)
    target = config.concerns.female_committee_share
    mask = (kn > 0) & (share < target)
    ledger = org_ledger(o, mask, {"本届班子人数": size, "女性人数": women, "女性占比": share})
    return Draft(ledger, f"本期换届的党组织中，有{_n(len(ledger))}个班子女性成员占比低于{zh.pct(target)}。",
                 "换届时注重发现和推荐优秀女党员，把符合条件的女党员选进班子。")


# --------------------------------------------------------------------------- coverage


@finding("coverage.below_target_100plus", title="规模以上两新组织未建党组织", severity=GENERAL,
         rule="“两新”组织党建工作要求：从业人员较多、具备条件的非公有制企业和社会组织应当建立党组织",
         threshold=lambda c: f"从业人员{c.concerns.large_unit_employees}人及以上单位的党组织覆盖率低于"
                             f"{zh.pct(c.concerns.coverage_target_100plus)}时，列出其中未建党组织的单位")
def _below_target(inp: "Inputs", values: dict, config: Config) -> Draft | None:
    u = inp.units
    # a unit whose 党组织建立情况 is blank or unrecognised is neither counted as built nor listed
    large = u["large"].to_numpy(dtype=bool) & u["party_org"].notna().to_numpy()
    if not large.any():
        return None
    built = u["built"].to_numpy(dtype=bool)
    rate = float(built[large].mean())
    target = config.concerns.coverage_target_100plus
    if rate >= target:
        return None
    x = u[large & ~built]
    ledger = pd.DataFrame({
        HU("unit_name"): x["unit_name"].astype(object).to_numpy(),
        HU("unit_type"): x["unit_type"].astype(object).to_numpy(),
        HU("employees"): x["employees"].astype("float64").to_numpy(),
        HU("location"): x["location"].astype(object).to_numpy(),
        HU("party_org"): x["party_org"].astype(object).to_numpy(),
        HU("has_instructor"): x["has_instructor"].astype(object).to_numpy(),
    }).sort_values([HU("employees"), HU("unit_name")], ascending=[False, True], kind="stable")
    k = config.concerns.large_unit_employees
    return Draft(ledger, f"从业人员{k}人以上的{int(large.sum())}个两新组织中，有{len(ledger)}个尚未建立党组织，"
                         f"党的组织覆盖率为{zh.pct_text(rate)}，低于{zh.pct(target)}的目标。",
                 f"逐一摸排这些单位的党员情况，有{config.regulations.branch_min_full}名以上正式党员的推动单独组建，"
                 "不足的采取联合组建或先选派党建指导员。")


# --------------------------------------------------------------------------- ranking (issue 18)


def rank_key(f: Any) -> tuple:
    """Severity first (严重 > 一般 > 提示), then the larger count, then the id: the order in
    which the report states its findings. ``f`` is a Finding or its ``as_dict()``."""
    d = f.as_dict() if hasattr(f, "as_dict") else f
    count = d.get("count")
    count = int(count) if isinstance(count, (int, np.integer)) or (
        isinstance(count, float) and count == count) else -1
    return (SEVERITY_ORDER.get(d.get("severity"), 9), -count, str(d.get("id", "")))


def rank(findings: list) -> list:
    """The findings (Finding objects or dicts) ordered by :func:`rank_key`."""
    return sorted(findings, key=rank_key)
