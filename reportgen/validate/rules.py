"""The row and set rules of SPEC §2, vectorised over the concatenated tables of a submission set.

:func:`check` takes the raw text tables (one per schema sheet, every file's rows concatenated in
reading order) and returns the normalised clean tables and the issue table. Severities come from
``catalog``; messages are built column-wise from the catalogue's title and fix and name the
offending value. Decisions where the spec is silent:

- a 本届 committee without exactly one 书记 is reported once per organization, on its first
  本届 row (column 职务);
- set rules see only the rows that passed the row rules: duplicates are the second and later of
  those, so one copy always remains counted; an organization referenced by other sheets must be
  one that survived its own row and duplicate rules;
- an unknown or cyclic 上级组织编码 is blanked in the clean table (the organization is top-level);
- members, elections, committee members and units may name their organization by code or by its
  exact name; a name shared by two organizations cannot be resolved (use the code);
- blank optional fields are warned only for the fields in ``OPTIONAL_WARNED`` — once per sheet
  when the whole column is missing, else once per blank cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import schema
from ..config import Config
from ..ingest import idcard
from ..ingest import normalize as nz
from ..outputs import mask_ids
from ..periods import Period
from . import catalog

STRING = pd.StringDtype()
DATE = "datetime64[ns]"
DATE_MIN = pd.Timestamp(1900, 1, 1)
ADULT_AGE = 18

# Optional fields whose blank cells are warned: a derived indicator would have used them.
OPTIONAL_WARNED: dict[str, tuple[str, ...]] = {"orgs": ("area",), "members": ("occupation",)}
# Date fields that cannot lie after the as-of date (term_end and the cover date may).
NOT_FUTURE = {"orgs": ("founded", "last_election"), "members": ("birth_date", "joined",
              "full_member_since"), "elections": ("date", "previous_date"),
              "committee": ("birth_date",)}
ID_COLUMN = "id_number"
PROVENANCE = ("_file", "_sheet", "_row")


def _q(s):
    """Chinese quotation marks around a value or a Series of values."""
    return "“" + s + "”"


def _ymd(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s).dt.strftime("%Y-%m-%d").astype(STRING)


@dataclass
class Table:
    """One schema sheet's rows from every file, with the issues found so far."""

    key: str
    raw: pd.DataFrame  # text as written (cleaned), provenance, _src, _id_numeric
    headers: list[dict[str, str]]  # per source sheet: column → header as written
    values: pd.DataFrame = field(default_factory=pd.DataFrame)  # normalised fields
    parts: list[pd.DataFrame] = field(default_factory=list)  # issue frames (with _idx)
    error: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    _header_cache: dict[str, pd.Series] = field(default_factory=dict)

    @property
    def sheet(self) -> schema.Sheet:
        return schema.sheet(self.key)

    def __len__(self) -> int:
        return len(self.raw)

    def header(self, key: str) -> pd.Series:
        """Per row: the header of field ``key`` as written in that row's sheet (the template's
        header where the sheet had no such column)."""
        if key not in self._header_cache:
            default = self.sheet.header(key) if key in self.sheet.keys else key
            table = {i: h.get(key, default) for i, h in enumerate(self.headers)}
            self._header_cache[key] = self.raw["_src"].map(table).astype(STRING)
        return self._header_cache[key]

    def has_column(self, key: str) -> np.ndarray:
        """Per row: whether that row's sheet had a column for field ``key``."""
        table = {i: key in h for i, h in enumerate(self.headers)}
        return self.raw["_src"].map(table).fillna(False).to_numpy(dtype=bool)

    def text(self, key: str) -> pd.Series:
        return self.raw[key]

    def add(self, mask, rule_id: str, key: str | None, value, message) -> None:
        """Record one issue per row where ``mask`` is true."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        idx = np.flatnonzero(mask)
        rule = catalog.rule(rule_id)
        sub = self.raw.iloc[idx]

        def pick(x):
            if isinstance(x, pd.Series):
                return x.iloc[idx].astype(STRING).fillna("").to_numpy()
            return np.full(len(idx), "" if x is None else str(x), dtype=object)

        column = pick(self.header(key)) if key is not None else pick("")
        frame = pd.DataFrame({
            "file": sub["_file"].to_numpy(), "sheet": sub["_sheet"].to_numpy(),
            "row": sub["_row"].to_numpy(), "column": column, "value": pick(value),
            "rule": rule_id, "severity": rule.severity, "message": pick(message),
            "_idx": idx})
        self.parts.append(frame)
        if rule.drops_row:
            self.error[idx] = True

    def alive(self) -> np.ndarray:
        return ~self.error


# --------------------------------------------------------------------------- row rules

def _field_rules(t: Table, as_of: pd.Timestamp) -> None:
    """Parse every field by its type; required, enumeration, date, integer, phone and credit
    code rules."""
    sheet = t.sheet
    values: dict[str, pd.Series] = {}
    for f in sheet.fields:
        text = t.text(f.key)
        head = t.header(f.key)
        present = text.notna().to_numpy()
        if f.type == "enum":
            res = nz.map_enum(text, f.enum)
            options = "、".join(f.enum.values)
            t.add(res["bad"], "row.enum", f.key, text,
                  _q(head) + "填写的" + _q(text) + "不在规定选项内（可选：" + options + "）；"
                  + catalog.rule("row.enum").fix)
            values[f.key] = res["value"]
        elif f.type == "date":
            res = nz.parse_dates(text)
            t.add(res["bad"], "row.date", f.key, text,
                  _q(head) + "填写的" + _q(text) + "无法识别为日期；" + catalog.rule("row.date").fix)
            early = (res["date"] < DATE_MIN).to_numpy()
            late = np.zeros(len(t), dtype=bool)
            if f.key in NOT_FUTURE.get(t.key, ()):
                late = (res["date"] > as_of).to_numpy()
            t.add(early, "row.date_range", f.key, text,
                  _q(head) + "为" + _ymd(res["date"]) + "，早于1900年；" + catalog.rule("row.date_range").fix)
            t.add(late, "row.date_range", f.key, text,
                  _q(head) + "为" + _ymd(res["date"]) + "，晚于统计截止日期" + f"{as_of:%Y-%m-%d}；"
                  + catalog.rule("row.date_range").fix)
            values[f.key] = res["date"]
            values["_month_only:" + f.key] = res["month_only"]
        elif f.type == "int":
            res = nz.parse_ints(text)
            t.add(res["bad"], "row.int", f.key, text,
                  _q(head) + "填写的" + _q(text) + "不是非负整数；" + catalog.rule("row.int").fix)
            values[f.key] = res["value"]
        elif f.type == "phone":
            ok = nz.phone_ok(text)
            t.add((ok == False).fillna(False).to_numpy(dtype=bool), "row.phone", f.key, text,  # noqa: E712
                  _q(head) + "填写的" + _q(text) + "不是有效的电话号码；" + catalog.rule("row.phone").fix)
            values[f.key] = text
        elif f.type == "credit_code":
            ok = nz.credit_code_ok(text)
            t.add((ok == False).fillna(False).to_numpy(dtype=bool), "row.credit_code", f.key, text,  # noqa: E712
                  _q(head) + _q(text) + "的位数或校验位不正确；" + catalog.rule("row.credit_code").fix)
            values[f.key] = nz.compact(text).str.upper()
        elif f.type == "code":
            values[f.key] = nz.compact(text)
        elif f.type == "id_number":
            values[f.key] = idcard.normalize(text)
        else:
            values[f.key] = text
        if f.required and not f.derivable:
            _required(t, f.key, ~present)
    t.values = pd.DataFrame(values, index=t.raw.index)


def _required(t: Table, key: str, missing: np.ndarray, why: str = "") -> None:
    missing = np.asarray(missing, dtype=bool)
    if not missing.any():
        return
    head = t.header(key)
    absent = ~t.has_column(key)
    fix = catalog.rule("row.required").fix
    msg = pd.Series(np.where(absent, "本表没有" + head + "列，必填项为空；请增加该列并填写",
                             _q(head) + "为空" + why + "；" + fix), index=t.raw.index, dtype=STRING)
    t.add(missing, "row.required", key, "", msg)


def _person_rules(t: Table, as_of: pd.Timestamp, config: Config) -> None:
    """ID number, gender and birth date of a person (党员, 班子成员): numeric IDs, check
    character, agreement, derivation; birth date plausibility and age."""
    v = t.values
    id_text = t.text(ID_COLUMN) if ID_COLUMN in t.raw else pd.Series(pd.NA, index=t.raw.index, dtype=STRING)
    numeric = t.raw["_id_numeric"].to_numpy(dtype=bool) & id_text.notna().to_numpy()
    head_id = t.header(ID_COLUMN)
    masked = mask_ids(id_text).fillna("")
    t.add(numeric, "row.id_numeric", ID_COLUMN, id_text,
          _q(head_id) + "被存成了数字（读出为" + masked + "），后几位已丢失；" + catalog.rule("row.id_numeric").fix)
    ida = idcard.analyse(id_text.where(~numeric))
    has_id = ida["id"].notna().to_numpy()
    valid = ida["valid"].to_numpy(dtype=bool)
    invalid = has_id & ~valid

    g_text, b_text = t.text("gender"), t.text("birth_date")
    g_given, b_given = g_text.notna().to_numpy(), b_text.notna().to_numpy()
    reason = np.where(~ida["well_formed"].to_numpy(dtype=bool), "位数或字符不正确", "校验位或出生日期不正确")
    t.add(invalid & g_given & b_given, "row.id_invalid", ID_COLUMN, id_text,
          _q(head_id) + masked + pd.Series(reason, index=t.raw.index) + "；" + catalog.rule("row.id_invalid").fix)

    # agreement of a valid ID with the gender and birth date written beside it
    gender = v["gender"]
    g_bad = valid & gender.notna().to_numpy() & (gender != ida["gender"]).fillna(False).to_numpy(dtype=bool)
    t.add(g_bad, "row.id_mismatch", "gender", g_text,
          "身份证号显示性别为" + ida["gender"].fillna("") + "，但" + _q(t.header("gender")) + "填写为"
          + g_text.fillna("") + "；" + catalog.rule("row.id_mismatch").fix)
    birth = v["birth_date"]
    month_only = v["_month_only:birth_date"].to_numpy(dtype=bool)
    same_month = (birth.dt.year == ida["birth"].dt.year) & (birth.dt.month == ida["birth"].dt.month)
    same = np.where(month_only, same_month.fillna(False), (birth == ida["birth"]).fillna(False))
    b_bad = valid & birth.notna().to_numpy() & ~same.astype(bool)
    t.add(b_bad, "row.id_mismatch", "birth_date", b_text,
          "身份证号显示出生日期为" + _ymd(ida["birth"]).fillna("") + "，但" + _q(t.header("birth_date"))
          + "填写为" + b_text.fillna("") + "；" + catalog.rule("row.id_mismatch").fix)

    # derivation and what is missing
    why = np.where(invalid, "，身份证号有误无法推出", np.where(numeric, "，身份证号已丢失数字无法推出",
                                                     "，且未填身份证号"))
    why_s = pd.Series(why, index=t.raw.index, dtype=STRING)
    for key, derived, given in (("gender", ida["gender"], g_given), ("birth_date", ida["birth"], b_given)):
        missing = ~given & ~valid
        head = t.header(key)
        t.add(missing, "row.required", key, "",
              _q(head) + "为空" + why_s + "；请补填" + head + "或核对身份证号")
        v[key] = v[key].where(v[key].notna(), derived)
    v["gender"] = v["gender"].astype(STRING)
    v["birth_date"] = pd.to_datetime(v["birth_date"]).astype(DATE)

    # plausibility of the birth date: a written one was checked with the other dates
    birth = v["birth_date"]
    head_b = t.header("birth_date")
    odd = ((birth > as_of) | (birth < DATE_MIN)).fillna(False).to_numpy(dtype=bool) & ~b_given
    t.add(odd, "row.date_range", ID_COLUMN, id_text,
          "由身份证号" + masked + "推出的出生日期" + _ymd(birth).fillna("") + "不合理；请核对身份证号")
    over = config.concerns.member_max_age
    cutoff = as_of - pd.DateOffset(years=over + 1)
    old = (birth <= cutoff).fillna(False).to_numpy(dtype=bool) & (birth >= DATE_MIN).fillna(False).to_numpy(dtype=bool)
    t.add(old, "row.age_over_100", "birth_date", _ymd(birth),
          _q(head_b) + "为" + _ymd(birth).fillna("") + f"，年龄超过{over}岁；" + catalog.rule("row.age_over_100").fix)


def _member_rules(t: Table, as_of: pd.Timestamp) -> None:
    v = t.values
    birth, joined, full = v["birth_date"], v["joined"], v["full_member_since"]
    adult = birth + pd.DateOffset(years=ADULT_AGE)
    young = (joined < adult).fillna(False).to_numpy(dtype=bool)
    t.add(young, "row.date_range", "joined", t.text("joined"),
          _q(t.header("joined")) + _ymd(joined).fillna("") + "早于年满18周岁之日" + _ymd(adult).fillna("")
          + "（出生日期" + _ymd(birth).fillna("") + "）；" + catalog.rule("row.date_range").fix)
    order = (full <= joined).fillna(False).to_numpy(dtype=bool)
    t.add(order, "row.date_order", "full_member_since", t.text("full_member_since"),
          _q(t.header("full_member_since")) + _ymd(full).fillna("") + "不晚于" + _q(t.header("joined"))
          + _ymd(joined).fillna("") + "；" + catalog.rule("row.date_order").fix)


def _election_rules(t: Table) -> None:
    v = t.values
    more = (v["present"] > v["eligible"]).fillna(False).to_numpy(dtype=bool)
    t.add(more, "row.present_gt_eligible", "present", t.text("present"),
          _q(t.header("present")) + v["present"].astype(STRING).fillna("") + "多于" + _q(t.header("eligible"))
          + v["eligible"].astype(STRING).fillna("") + "；" + catalog.rule("row.present_gt_eligible").fix)
    fewer = (v["seats"] > v["candidates"]).fillna(False).to_numpy(dtype=bool)
    t.add(fewer, "row.seats_gt_candidates", "candidates", t.text("candidates"),
          _q(t.header("candidates")) + v["candidates"].astype(STRING).fillna("") + "少于"
          + _q(t.header("seats")) + v["seats"].astype(STRING).fillna("") + "；"
          + catalog.rule("row.seats_gt_candidates").fix)
    order = (v["previous_date"] >= v["date"]).fillna(False).to_numpy(dtype=bool)
    t.add(order, "row.date_order", "previous_date", t.text("previous_date"),
          _q(t.header("previous_date")) + _ymd(v["previous_date"]).fillna("") + "不早于"
          + _q(t.header("date")) + _ymd(v["date"]).fillna("") + "；请核对两次选举的日期")


def _unit_rules(t: Table) -> None:
    v = t.values
    built = v["party_org"].isin(schema.ORG_BUILT).to_numpy(dtype=bool)
    missing = built & v["org_id"].isna().to_numpy()
    head = t.header("org_id")
    t.add(missing, "row.required", "org_id", "",
          _q(head) + "为空，但" + _q(t.header("party_org")) + "为" + v["party_org"].fillna("")
          + "；已建立党组织的请填写所属党组织编码")


def _optional_blank(t: Table) -> None:
    for key in OPTIONAL_WARNED.get(t.key, ()):
        blank = t.text(key).isna().to_numpy()
        has_col = t.has_column(key)
        head = t.header(key)
        fix = catalog.rule("row.optional_blank").fix
        t.add(blank & has_col, "row.optional_blank", key, "",
              _q(head) + "为空，相关统计将不含此行；" + fix)
        # a sheet without the column at all: one line for the sheet
        src = t.raw["_src"].to_numpy()
        for i, h in enumerate(t.headers):
            if key in h:
                continue
            rows = np.flatnonzero(src == i)
            if not len(rows):
                continue
            first = rows[0]
            part = pd.DataFrame({"file": [t.raw["_file"].iloc[first]], "sheet": [t.raw["_sheet"].iloc[first]],
                                 "row": [None], "column": [schema.sheet(t.key).header(key)], "value": [""],
                                 "rule": ["row.optional_blank"], "severity": [catalog.rule("row.optional_blank").severity],
                                 "message": [f"本表没有{_q(schema.sheet(t.key).header(key))}列，相关统计将不含本表的"
                                             f"{len(rows)}行；建议增加该列并填写"], "_idx": [-1]})
            t.parts.append(part)


# --------------------------------------------------------------------------- set rules

def _place(t: Table, idx: np.ndarray) -> pd.Series:
    """"a.xlsx 党员 第5行" for rows ``idx`` of a table."""
    sub = t.raw.iloc[idx]
    return (sub["_file"].astype(STRING) + "的“" + sub["_sheet"].astype(STRING) + "”表第"
            + sub["_row"].astype(STRING) + "行").reset_index(drop=True)


def _duplicates(t: Table, key: pd.Series, candidates: np.ndarray, rule_id: str, column: str,
                value: pd.Series, what: pd.Series) -> None:
    """Second and later rows with the same non-null ``key`` among ``candidates``: errors naming
    the first place."""
    k = key.where(candidates & key.notna().to_numpy())
    dup = k.duplicated(keep="first").to_numpy() & k.notna().to_numpy()
    if not dup.any():
        return
    first_idx = pd.Series(np.arange(len(k)), index=k.index)[k.notna()].groupby(k[k.notna()]).first()
    first = k.map(first_idx)
    places = pd.Series("", index=k.index, dtype=STRING)
    rows = np.flatnonzero(dup)
    places.iloc[rows] = _place(t, first.iloc[rows].to_numpy(dtype=np.int64)).to_numpy()
    t.add(dup, rule_id, column, value,
          what + "与" + places + "重复；" + catalog.rule(rule_id).fix)


def _org_rules(orgs: Table, config: Config) -> None:
    v = orgs.values
    alive = orgs.alive()
    code = v["org_id"]
    _duplicates(orgs, code, alive, "set.duplicate_org", "org_id", orgs.text("org_id"),
                _q(orgs.header("org_id")) + code.fillna(""))


def _org_lookup(orgs: Table) -> tuple[pd.Series, pd.Series, set]:
    """Known codes (surviving organizations) and a unique name → code map; ambiguous names."""
    alive = orgs.alive()
    codes = orgs.values["org_id"][alive]
    names = orgs.values["name"][alive].str.normalize("NFKC").str.replace(r"\s+", "", regex=True)
    by_name = pd.Series(codes.to_numpy(), index=names.to_numpy())
    counts = by_name.index.value_counts()
    ambiguous = set(counts[counts > 1].index)
    by_name = by_name[~by_name.index.isin(ambiguous)]
    return codes, by_name, ambiguous


def _resolve_orgs(t: Table, codes: pd.Series, by_name: pd.Series, ambiguous: set, rule_id: str) -> None:
    """Resolve org_id given as code or exact name; unknown ones are ``rule_id``."""
    if not len(t):
        return
    v = t.values
    given = v["org_id"]
    known = given.isin(set(codes)).to_numpy(dtype=bool)
    name_key = t.text("org_id").str.normalize("NFKC").str.replace(r"\s+", "", regex=True)
    from_name = name_key.map(by_name).astype(STRING)
    resolved = given.where(known, from_name)
    unknown = given.notna().to_numpy() & resolved.isna().to_numpy()
    amb = name_key.isin(ambiguous).to_numpy(dtype=bool)
    head = t.header("org_id")
    text = t.text("org_id").fillna("")
    rule = catalog.rule(rule_id)
    msg = pd.Series(np.where(amb, "是多个党组织共用的名称，无法确定是哪一个；请改填组织编码",
                             "在党组织表中不存在（既不是组织编码，也不是完整的组织名称）；" + rule.fix),
                    index=t.raw.index, dtype=STRING)
    t.add(unknown, rule_id, "org_id", text, _q(head) + "填写的" + _q(text) + msg)
    if rule.drops_row:
        v["org_id"] = resolved
    else:
        v["org_id"] = resolved.where(resolved.notna(), given)


def _parents(orgs: Table) -> None:
    """Unknown parents and cycles: warned, and the organization treated as top-level."""
    v = orgs.values
    alive = orgs.alive()
    code, parent = v["org_id"], v["parent_id"]
    codes = code[alive]
    has_parent = parent.notna().to_numpy() & alive
    unknown = has_parent & ~parent.isin(set(codes)).to_numpy(dtype=bool)
    orgs.add(unknown, "set.parent_unknown", "parent_id", orgs.text("parent_id"),
             _q(orgs.header("parent_id")) + _q(parent.fillna("")) + "在党组织表中不存在，按最上级处理；"
             + catalog.rule("set.parent_unknown").fix)
    parent = parent.mask(unknown)
    # cycles among the surviving organizations: follow parents by pointer doubling
    live = np.flatnonzero(alive)
    pos = pd.Series(np.arange(len(live)), index=code.iloc[live].to_numpy())
    pos = pos[~pos.index.duplicated()]
    up = parent.iloc[live].map(pos).fillna(-1).to_numpy(dtype=np.int64)
    n = len(live)
    reach = up.copy()
    for _ in range(max(1, int(np.ceil(np.log2(max(n, 2)))) + 1)):
        nxt = np.where(reach >= 0, reach[np.maximum(reach, 0)], -1)
        reach = np.where(reach >= 0, nxt, -1)
    suspects = np.flatnonzero(reach >= 0)  # never reaches a top: in or under a cycle
    in_cycle = np.zeros(len(orgs), dtype=bool)
    chains = pd.Series("", index=orgs.raw.index, dtype=STRING)
    for s in suspects:  # only rows that already failed: word the cycle
        seen, cur = [], s
        while cur >= 0 and cur not in seen:
            seen.append(cur)
            cur = up[cur]
        if cur >= 0 and cur == s:
            row = live[s]
            in_cycle[row] = True
            names = [str(code.iloc[live[i]]) for i in seen] + [str(code.iloc[live[s]])]
            chains.iloc[row] = " → ".join(names)
    orgs.add(in_cycle, "set.parent_cycle", "parent_id", orgs.text("parent_id"),
             "上级组织关系形成循环（" + chains + "），按最上级处理；" + catalog.rule("set.parent_cycle").fix)
    v["parent_id"] = parent.mask(in_cycle)


def _committee_sets(t: Table) -> None:
    v = t.values
    alive = t.alive()
    person = v["id_number"].where(v["id_number"].notna(),
                                  v["name"] + "|" + _ymd(v["birth_date"]))
    key = v["org_id"] + "|" + v["term"].astype(STRING) + "|" + person
    _duplicates(t, key, alive, "set.duplicate_committee", "name", t.text("name"),
                _q(v["name"].fillna("")) + "（" + v["org_id"].fillna("") + "，" + v["term"].astype(STRING).fillna("") + "）")
    alive = t.alive()
    current = alive & (v["term"] == schema.CURRENT_TERM).fillna(False).to_numpy(dtype=bool)
    if not current.any():
        return
    frame = pd.DataFrame({"org": v["org_id"][current], "sec": (v["role"][current] == schema.SECRETARY),
                          "pos": np.flatnonzero(current)})
    per_org = frame.groupby("org", sort=False).agg(n=("sec", "sum"), first=("pos", "first"))
    bad = per_org[per_org["n"] != 1]
    mask = np.zeros(len(t), dtype=bool)
    mask[bad["first"].to_numpy()] = True
    count = pd.Series("", index=t.raw.index, dtype=STRING)
    count.iloc[bad["first"].to_numpy()] = bad["n"].astype(int).astype(str).to_numpy()
    t.add(mask, "set.secretary_count", "role", t.text("role"),
          "组织" + _q(v["org_id"].fillna("")) + "本届班子有" + count + "名" + schema.SECRETARY + "（应为1名）；"
          + catalog.rule("set.secretary_count").fix)


def _branch_size(orgs: Table, members: Table, config: Config) -> None:
    limit = config.regulations.branch_max_members
    alive_m = members.alive()
    counts = members.values["org_id"][alive_m].value_counts()
    v = orgs.values
    n = v["org_id"].map(counts).fillna(0).astype("int64")
    over = orgs.alive() & v["org_type"].isin(schema.BRANCH_TYPES).to_numpy(dtype=bool) & (n > limit).to_numpy()
    orgs.add(over, "set.branch_over_50", "org_id", orgs.text("org_id"),
             v["org_type"].astype(STRING).fillna("") + _q(v["name"].fillna("")) + "有" + n.astype(STRING)
             + f"名党员，超过{limit}名；"
             + catalog.rule("set.branch_over_50").fix)


# --------------------------------------------------------------------------- driver

def make_table(key: str, frames: list[pd.DataFrame], headers: list[dict[str, str]]) -> Table:
    """Concatenate one sheet's raw frames (each with provenance and ``_src``) into a Table."""
    sheet = schema.sheet(key)
    cols = [*sheet.keys]
    if frames:
        raw = pd.concat(frames, ignore_index=True, sort=False)
    else:
        raw = pd.DataFrame({c: pd.Series(dtype=STRING) for c in (*cols, "_file", "_sheet")})
        raw["_row"] = pd.Series(dtype="int64")
        raw["_src"] = pd.Series(dtype="int64")
    for c in cols:
        if c not in raw:
            raw[c] = pd.Series(pd.NA, index=raw.index, dtype=STRING)
        else:
            raw[c] = raw[c].astype(STRING)
    if "_id_numeric" not in raw:
        raw["_id_numeric"] = False
    raw["_id_numeric"] = raw["_id_numeric"].fillna(False).astype(bool)
    return Table(key, raw, headers, error=np.zeros(len(raw), dtype=bool))


def check(tables: dict[str, Table], period: Period, config: Config) -> None:
    """Apply every row and set rule; fills each table's ``values``, ``parts`` and ``error``."""
    as_of = pd.Timestamp(period.as_of)
    for key in [s.key for s in schema.DATA_SHEETS]:
        t = tables[key]
        _field_rules(t, as_of)
        if key in ("members", "committee"):
            _person_rules(t, as_of, config)
        if key == "members":
            _member_rules(t, as_of)
        elif key == "elections":
            _election_rules(t)
        elif key == "units":
            _unit_rules(t)
        _optional_blank(t)
    orgs = tables["orgs"]
    _org_rules(orgs, config)
    codes, by_name, ambiguous = _org_lookup(orgs)
    for key in ("members", "elections", "committee"):
        _resolve_orgs(tables[key], codes, by_name, ambiguous, "set.unknown_org")
    _resolve_orgs(tables["units"], codes, by_name, ambiguous, "set.unit_unknown_org")
    _parents(orgs)
    members = tables["members"]
    _duplicates(members, members.values["id_number"], members.alive(), "set.duplicate_member",
                ID_COLUMN, members.text(ID_COLUMN),
                _q(members.header(ID_COLUMN)) + mask_ids(members.values["id_number"]).fillna("") + "（"
                + members.values["name"].fillna("") + "）")
    _committee_sets(tables["committee"])
    _branch_size(orgs, members, config)


def clean_table(t: Table) -> pd.DataFrame:
    """The rows without errors: normalised fields, extra columns, provenance."""
    keep = t.alive()
    cols = {k: t.values[k] for k in t.sheet.keys}
    frame = pd.DataFrame(cols, index=t.raw.index)
    for c in t.raw.columns:
        if c.startswith("extra:"):
            frame[c] = t.raw[c]
    for c in PROVENANCE:
        frame[c] = t.raw[c]
    return frame[keep].reset_index(drop=True)


def left_out(t: Table) -> pd.DataFrame:
    """Rows left out per file and sheet."""
    sub = t.raw.loc[t.error, ["_file", "_sheet"]]
    out = sub.groupby(["_file", "_sheet"], sort=False).size().rename("rows_left_out").reset_index()
    return out.rename(columns={"_file": "file", "_sheet": "sheet"})
