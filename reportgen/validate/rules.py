"""The row and set rules of SPEC §2, vectorised over the concatenated tables of a submission set.

:func:`check` takes the raw text tables (one per schema sheet, every file's rows concatenated in
reading order), normalises them and records issues; :func:`clean_table` then gives the rows
not left out. Severities and effects come from ``catalog``; messages are assembled column-wise, only for
the rows that failed, from parts naming the column (as the user wrote it) and the value, and end
with the catalogue's fix. Decisions where the spec is silent:

- a 本届 committee without exactly one 书记 is reported once per organization, on its first
  本届 row (column 职务);
- duplicates are looked for among the rows that passed the row rules, so that one copy always
  remains counted; an organization referenced by other sheets must be one that passed its own
  row and duplicate rules;
- an unknown or cyclic 上级组织编码 is blanked in the clean table (the organization is top-level);
- members, elections, committee members, units and parents may name their organization by code,
  by an all-digit code that lost its leading zeros, by full name or by 简称, tried in that order; a
  name or 简称 shared by two organizations cannot be resolved (use the code), nor can a code that
  two differently named organizations share (set.duplicate_org says so);
- duplicates: an election is its organization and date; a unit its credit code, else its name
  (a second row of one name is no duplicate when both rows give different credit codes); a member
  without an ID number is the same person as another with the same name, birth date and
  organization;
- joined before the 18th birthday and any date after the as-of date (except 本届届满日期) are
  ``row.date_range``; 转正日期 not after 入党日期, and 上届选举日期 not before 选举日期, are
  ``row.date_order``;
- a row is left out only when it cannot be attributed (``row.unidentified``: a member without a
  name and without a well-formed ID, or without an organization; an organization without code and
  name; an election or committee member without organization; a committee member or 两新组织
  without name), as a second copy, or for an unknown organization (``set.unknown_org``). Every
  other 错误 blanks the field concerned and counts the row: an impossible date blanks the doubtful
  date (入党日期 before the 18th birthday: 入党日期; 转正日期 not after 入党日期: 转正日期, the
  member stays 正式党员; 上届选举日期: that date, filled again from the term); 实到多于应到 blanks
  both figures, 候选人少于应选 both figures; an ID disagreeing with the gender or birth date
  written beside it keeps the written value (the disagreement is listed); an ID stored as a
  number is blanked (the row is left out when no name identifies the person);
- blank optional fields are warned only for the fields in ``OPTIONAL_WARNED`` — once per sheet
  when the whole column is missing, else once per blank cell.
"""

from __future__ import annotations

import pickle
from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Callable, Union

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import schema
from ..config import Config
from ..ingest import idcard
from ..ingest import normalize as nz
from ..outputs import mask_ids
from ..periods import Period
from . import catalog
from .terms import OLDER_TERM, derive_terms

STRING = pd.StringDtype()
DATE = "datetime64[ns]"
DATE_MIN = pd.Timestamp(1900, 1, 1)
ADULT_AGE = 18
EXTRA_PREFIX = "extra:"

# Optional fields whose blank cells are warned: a derived indicator would have used them.
OPTIONAL_WARNED: dict[str, tuple[str, ...]] = {"orgs": ("area",), "members": ("occupation",)}
# Date fields that cannot lie after the as-of date (本届届满日期 may).
NOT_FUTURE: dict[str, tuple[str, ...]] = {
    "orgs": ("founded", "last_election"),
    "members": ("birth_date", "joined", "full_member_since"),
    "elections": ("date", "previous_date"),
    "committee": ("birth_date",),
}
ID = "id_number"
MONTH_ONLY = "_month_only:"  # prefix of the flags of dates given as a month only
GROUP_ROWS = 10  # row numbers listed in the message of a value repeated down a column
PROVENANCE = ("_file", "_sheet", "_row")


# --------------------------------------------------------------------------- message parts

@dataclass(frozen=True)
class H:
    """Message part: the header of field ``key`` as written in each row's sheet, in quotes."""

    key: str
    quoted: bool = True


@dataclass(frozen=True)
class D:
    """Message part: a date column written as YYYY-MM-DD."""

    values: pd.Series


@dataclass(frozen=True)
class Q:
    """Message part: a value column in quotes."""

    values: pd.Series


Part = Union[str, pd.Series, H, D, Q, Callable[[np.ndarray], pd.Series]]


def _ymd(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s).dt.strftime("%Y-%m-%d").astype(STRING).fillna("")


@dataclass
class Table:
    """One schema sheet's rows from every file, with the issues found so far."""

    key: str
    raw: pd.DataFrame  # text as written (cleaned), provenance, _src, _id_numeric
    headers: list[dict[str, str]]  # per source sheet: column → header as written
    values: pd.DataFrame = field(default_factory=pd.DataFrame)  # normalised fields
    parts: list[pd.DataFrame] = field(default_factory=list)  # issue frames (with _idx)
    error: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    copies: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # left out as duplicates
    pending: list = field(default_factory=list)  # (key, mask) to blank once ``values`` is built

    @property
    def sheet(self) -> schema.Sheet:
        return schema.sheet(self.key)

    def __len__(self) -> int:
        return len(self.raw)

    def header_at(self, key: str, idx: np.ndarray) -> pd.Series:
        """The header of field ``key`` as written in the sheets of rows ``idx`` (the template's
        header where a sheet had no such column)."""
        default = self.sheet.header(key) if key in self.sheet.keys else key
        table = {i: h.get(key, default) for i, h in enumerate(self.headers)}
        src = self.raw["_src"].to_numpy()[idx]
        return pd.Series(src).map(table).astype(STRING).fillna(default)

    def has_column(self, key: str) -> np.ndarray:
        """Per row: whether that row's sheet had a column for field ``key``."""
        table = np.array([key in h for h in self.headers] or [False], dtype=bool)
        return table[self.raw["_src"].to_numpy(dtype=np.int64)] if len(self.headers) else \
            np.zeros(len(self), dtype=bool)

    def text(self, key: str) -> pd.Series:
        return self.raw[key]

    def render(self, parts: tuple[Part, ...], idx: np.ndarray) -> pd.Series:
        """Assemble message parts for rows ``idx`` (column-wise string concatenation)."""
        out = pd.Series([""] * len(idx), dtype=STRING)
        for p in parts:
            if isinstance(p, str):
                out = out + p
            elif isinstance(p, H):
                h = self.header_at(p.key, idx)
                out = out + ("“" + h + "”" if p.quoted else h)
            elif isinstance(p, D):
                out = out + _ymd(p.values.iloc[idx].reset_index(drop=True))
            elif isinstance(p, Q):
                out = out + "“" + _sub(p.values, idx) + "”"
            elif isinstance(p, pd.Series):
                out = out + _sub(p, idx)
            else:
                out = out + pd.Series(p(idx)).astype(STRING).fillna("").reset_index(drop=True)
        # an Excel date cell reads as "1996-10-30 00:00:00": show it as the user sees it
        return out.str.replace(r"(\d{4}-\d{2}-\d{2}) 00:00:00", r"\1", regex=True)

    def add(self, mask, rule_id: str, key: str | None, value: Part, *parts: Part,
            fix: bool = True, null: str | tuple[str, ...] | None = "", effect: str | None = None,
            group: bool = False) -> None:
        """Record one issue per row where ``mask`` is true; the message is ``parts`` followed by
        the catalogue's fix (``fix=False`` when the parts end with their own advice).

        What happens to the row follows the rule's effect (``effect`` overrides it for these
        rows): ``drop`` marks it left out; ``unknown`` blanks field ``null`` (default: ``key``;
        a tuple blanks several) in ``values`` and ends the message with "已计入统计，该项按未填写处理".
        With ``group``, rows with the same file, sheet, column and value make one issue line (on
        the first row) saying how often and in which rows the value occurs."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        idx = np.flatnonzero(mask)
        rule = catalog.rule(rule_id)
        effect = effect or rule.effect
        first = idx
        if group and len(idx) > 1:
            first, times, rows_text = self._groups(idx, key, value)
        sub = {c: self.raw[c].iloc[first].to_numpy() for c in PROVENANCE}  # not the whole raw frame
        message = self.render(parts, first)
        if group and len(first) < len(idx):
            message = message + pd.Series(np.where(times > 1, "，该值共出现" + pd.Series(times).astype(str)
                                                   + "次（" + rows_text + "）", ""), dtype=STRING)
        if fix:
            message = message + "；" + rule.fix
        if effect == catalog.UNKNOWN:
            message = message + "；" + catalog.COUNTED_AS_BLANK
        column = self.header_at(key, first) if key is not None else pd.Series([""] * len(first), dtype=STRING)
        frame = pd.DataFrame({
            "file": sub["_file"], "sheet": sub["_sheet"],
            "row": sub["_row"], "column": column.to_numpy(),
            "value": self.render((value,), first).to_numpy() if not isinstance(value, str) else value,
            "rule": rule_id, "severity": rule.severity, "message": message.to_numpy(), "_idx": first})
        self.parts.append(frame)
        if effect == catalog.DROP:
            self.error[idx] = True
            if rule_id.startswith("set.duplicate"):
                self.copies[idx] = True
        elif effect == catalog.UNKNOWN:
            keys = (key,) if null == "" else (null,) if isinstance(null, str) else (null or ())
            for k in keys:
                if k is not None:
                    self.blank(k, mask)

    def blank(self, key: str, mask: np.ndarray) -> None:
        """Treat field ``key`` as not filled in the rows of ``mask`` (now, or once ``values`` is
        built when the field rules are still parsing)."""
        if key not in self.values.columns:
            self.pending.append((key, mask))
            return
        self.values[key] = self.values[key].mask(mask)
        flag = "_month_only:" + key
        if flag in self.values.columns:
            self.values[flag] = self.values[flag].to_numpy(dtype=bool) & ~mask

    def _groups(self, idx: np.ndarray, key: str | None, value: Part
                ) -> tuple[np.ndarray, np.ndarray, pd.Series]:
        """Failing rows ``idx`` grouped by file, sheet, column and value (vectorised): the first
        row of each group, the group sizes and "第5、9、14…行" (at most ``GROUP_ROWS`` numbers)."""
        raw = self.raw
        if isinstance(value, pd.Series):  # the text as written: no need to word it for every row
            val = _sub(value, idx)
        else:
            val = self.render((value,), idx) if not isinstance(value, str) else pd.Series([value] * len(idx))
        frame = pd.DataFrame({"src": raw["_src"].to_numpy()[idx], "v": val.astype(object).to_numpy(),
                              "row": raw["_row"].to_numpy()[idx], "pos": idx})
        # each source frame is one (file, sheet) with one header per field
        code = frame.groupby(["src", "v"], sort=False, dropna=False).ngroup().to_numpy()
        order = np.argsort(code, kind="stable")
        frame = frame.iloc[order].reset_index(drop=True)
        code = code[order]
        sizes = np.bincount(code)
        rank = frame.groupby(code, sort=False).cumcount().to_numpy()
        shown = np.flatnonzero(rank < GROUP_ROWS)  # only these rows are written out
        c = code[shown]
        last = rank[shown] == np.minimum(sizes[c], GROUP_ROWS) - 1
        piece = (frame["row"].to_numpy()[shown].astype(str).astype(object)
                 + np.where(last, np.where(sizes[c] > GROUP_ROWS, "…行", "行"), "、"))
        rows_text = "第" + pd.Series(piece).groupby(c, sort=True).sum()
        firsts = frame["pos"].to_numpy()[rank == 0]  # in group-code order (sorted)
        keep = np.argsort(firsts, kind="stable")
        return (firsts[keep], sizes[keep],
                rows_text.reset_index(drop=True).iloc[keep].reset_index(drop=True).astype(STRING))

    def alive(self) -> np.ndarray:
        return ~self.error


def _masked(ids: pd.Series) -> Callable[[np.ndarray], pd.Series]:
    """Message part: ID numbers masked (110105********1234), computed for the failing rows only."""
    return lambda idx: mask_ids(ids.iloc[idx]).astype(STRING).fillna("")


def _sub(s: pd.Series, idx: np.ndarray) -> pd.Series:
    return s.iloc[idx].astype(STRING).fillna("").reset_index(drop=True)


def _fail(mask) -> np.ndarray:
    """A nullable comparison as a plain boolean mask (NA → False)."""
    if isinstance(mask, pd.Series):
        return mask.fillna(False).to_numpy(dtype=bool)
    return np.asarray(mask, dtype=bool)


# --------------------------------------------------------------------------- row rules

def _field_rules(t: Table, as_of: pd.Timestamp) -> None:
    """Parse every field by its type; required, enumeration, date, integer, phone and credit
    code rules."""
    values: dict[str, pd.Series] = {}
    for f in t.sheet.fields:
        text = t.text(f.key)
        if f.type == "enum":
            res = nz.map_enum(text, f.enum)
            t.add(res["bad"], "row.enum", f.key, text, H(f.key), "填写的", Q(text),
                  "不在规定选项内（可选：" + "、".join(f.enum.values) + "）", group=True)
            values[f.key] = res["value"]
        elif f.type == "date":
            res = nz.parse_dates(text)
            date = res["date"]
            t.add(res["bad"], "row.date", f.key, text, H(f.key), "填写的", Q(text), "无法识别为日期", group=True)
            t.add(_fail(date < DATE_MIN), "row.date_range", f.key, text, H(f.key), "为", D(date), "，早于1900年")
            if f.key in NOT_FUTURE.get(t.key, ()):
                t.add(_fail(date > as_of), "row.date_range", f.key, text, H(f.key), "为", D(date),
                      f"，晚于统计截止日期{as_of:%Y-%m-%d}")
            values[f.key] = date
            values["_month_only:" + f.key] = res["month_only"]
        elif f.type == "int":
            res = nz.parse_ints(text)
            t.add(res["bad"], "row.int", f.key, text, H(f.key), "填写的", Q(text), "不是非负整数")
            values[f.key] = res["value"]
        elif f.type == "phone":
            t.add(_fail(nz.phone_ok(text) == False), "row.phone", f.key, text,  # noqa: E712
                  H(f.key), "填写的", Q(text), "不是有效的电话号码")
            values[f.key] = text
        elif f.type == "credit_code":
            t.add(_fail(nz.credit_code_ok(text) == False), "row.credit_code", f.key, text,  # noqa: E712
                  H(f.key), Q(text), "的位数或校验位不正确")
            values[f.key] = nz.compact(text).str.upper()
        elif f.type == "code":
            values[f.key] = nz.compact(text)
        elif f.type == "id_number":
            values[f.key] = idcard.normalize(text)
        else:
            values[f.key] = text
        if f.required and not f.derivable and f.key not in IDENTITY.get(t.key, ()):
            missing = text.isna().to_numpy()
            if f.key == "term" and OLDER_TERM in t.raw:  # an office of an older term: no 届别 on purpose
                missing = missing & ~t.raw[OLDER_TERM].to_numpy(dtype=bool)
            _required(t, f.key, missing)
    t.values = pd.DataFrame(values, index=t.raw.index)
    pending, t.pending = t.pending, []
    for key, mask in pending:
        t.blank(key, mask)


def _required(t: Table, key: str, missing: np.ndarray, rule_id: str = "row.required", why: str = "") -> None:
    """Blank required field ``key``: ``row.required`` (the field is unknown), or, with ``rule_id``
    ``row.unidentified`` and ``why``, the row left out because it cannot be attributed."""
    missing = np.asarray(missing, dtype=bool)
    if not missing.any():
        return
    absent = ~t.has_column(key)
    t.add(missing & ~absent, rule_id, key, "", H(key), "为空" + why)
    t.add(missing & absent, rule_id, key, "", "本表没有", H(key), "列" + (why or "，该项必填") + "；请增加该列并填写",
          fix=False)


# Fields that say whose row it is (SPEC §2): a row without them cannot be attributed and is left
# out (``row.unidentified``) instead of being counted with the field unknown.
IDENTITY: dict[str, tuple[str, ...]] = {
    "orgs": ("org_id", "name"),
    "members": ("name", "org_id"),
    "elections": ("org_id",),
    "committee": ("name", "org_id"),
    "units": ("unit_name",),
}
_LEFT_OUT = "，无法确定本行{}，该行未计入统计"


def _identity_rules(t: Table, usable_id: np.ndarray | None = None, excused: np.ndarray | None = None) -> None:
    """Rows that cannot be attributed are left out; a blank identity field that another column
    makes up for is only unknown. An organization needs its code or its name; a member a name or a
    usable ID number, and an organization; a committee member a name and an organization; an
    election its organization; a 两新组织 its name."""
    blank = {k: t.text(k).isna().to_numpy() for k in IDENTITY.get(t.key, ())}
    if excused is not None:  # already left out for their identity (an ID stored as a number, no name)
        blank = {k: b & ~excused for k, b in blank.items()}
    if t.key == "orgs":
        both = blank["org_id"] & blank["name"]
        _required(t, "org_id", both, "row.unidentified",
                  "，“" + t.sheet.header("name") + "”也为空" + _LEFT_OUT.format("是哪个党组织"))
        _required(t, "org_id", blank["org_id"] & ~both)
        _required(t, "name", blank["name"] & ~both)
        return
    if t.key == "members":
        usable = np.zeros(len(t), dtype=bool) if usable_id is None else usable_id
        _required(t, "name", blank["name"] & ~usable, "row.unidentified", "，也没有有效的身份证号" + _LEFT_OUT.format("是哪位党员"))
        _required(t, "name", blank["name"] & usable)
        gone = blank["name"] & ~usable if excused is None else (blank["name"] & ~usable) | excused
        _required(t, "org_id", blank["org_id"] & ~gone, "row.unidentified",
                  _LEFT_OUT.format("属于哪个党组织"))
        return
    whose = {"elections": "是哪个党组织的选举", "committee": "是哪个班子的哪位成员", "units": "是哪个单位"}[t.key]
    done = np.zeros(len(t), dtype=bool)
    for k in IDENTITY[t.key]:
        _required(t, k, blank[k] & ~done, "row.unidentified", _LEFT_OUT.format(whose))
        done |= blank[k]


def _person_rules(t: Table, config: Config, as_of: pd.Timestamp) -> None:
    """ID number, gender and birth date of a person (党员, 班子成员): numeric IDs, check
    character, agreement, derivation; plausibility of a derived birth date; age."""
    v = t.values
    id_text = t.text(ID)
    masked = _masked(id_text)
    numeric = t.raw["_id_numeric"].to_numpy(dtype=bool) & id_text.notna().to_numpy()
    # an ID stored as a number is unknown; when no name identifies the person either, the row is out
    no_name = t.text("name").isna().to_numpy()
    t.add(numeric & ~no_name, "row.id_numeric", ID, masked, H(ID), "被存成了数字（读出为", masked, "），后几位已丢失")
    t.add(numeric & no_name, "row.unidentified", ID, masked, H(ID), "被存成了数字（读出为", masked,
          "），后几位已丢失，", H("name"), "也为空，无法确定是哪个人，该行未计入统计；",
          "请把该列设置为文本格式后重新录入完整的身份证号，并填写姓名", fix=False)
    ida = idcard.analyse(id_text.where(~numeric))
    has_id = ida["id"].notna().to_numpy()
    _identity_rules(t, ida["well_formed"].to_numpy(dtype=bool), numeric & no_name)
    valid = ida["valid"].to_numpy(dtype=bool)
    invalid = has_id & ~valid
    well_formed = ida["well_formed"].to_numpy(dtype=bool)
    g_given = t.text("gender").notna().to_numpy()
    b_given = t.text("birth_date").notna().to_numpy()
    t.add(invalid & g_given & b_given, "row.id_invalid", ID, masked, H(ID), masked,
          lambda idx: np.where(well_formed[idx], "的校验位或其中的出生日期不正确", "的位数或字符不正确（应为18位）"))

    # a valid ID must agree with the gender and birth date written beside it
    gender, birth = v["gender"], v["birth_date"]
    g_bad = valid & _fail(gender != ida["gender"])
    t.add(g_bad, "row.id_mismatch", "gender", t.text("gender"),
          H(ID), masked, "显示性别为", ida["gender"], "，但", H("gender"), "填写为", Q(t.text("gender")),
          "（已计入统计，按所填", H("gender", quoted=False), "统计）")
    month_only = v["_month_only:birth_date"].to_numpy(dtype=bool)
    same_day = _fail(birth == ida["birth"])
    same_month = _fail((birth.dt.year == ida["birth"].dt.year) & (birth.dt.month == ida["birth"].dt.month))
    b_bad = valid & birth.notna().to_numpy() & ~np.where(month_only, same_month, same_day)
    t.add(b_bad, "row.id_mismatch", "birth_date", t.text("birth_date"),
          H(ID), masked, "显示出生日期为", D(ida["birth"]), "，但", H("birth_date"), "填写为",
          Q(t.text("birth_date")), "（已计入统计，按所填", H("birth_date", quoted=False), "统计）")

    # derive what is blank; what cannot be derived is missing
    def why(idx: np.ndarray) -> np.ndarray:
        return np.where(numeric[idx], "，身份证号已丢失数字，无法推出",
                        np.where(invalid[idx], "，身份证号有误，无法推出", "，也未填身份证号"))

    for key, derived, given in (("gender", ida["gender"], g_given), ("birth_date", ida["birth"], b_given)):
        t.add(~given & ~valid, "row.required", key, "", H(key), "为空", why,
              "；请补填", H(key, quoted=False), "或核对身份证号", fix=False)
        v[key] = v[key].where(v[key].notna(), derived)
    v["gender"] = v["gender"].astype(STRING)
    v["birth_date"] = pd.to_datetime(v["birth_date"]).astype(DATE)

    birth = v["birth_date"]
    odd = _fail((birth > as_of) | (birth < DATE_MIN)) & ~b_given
    t.add(odd, "row.date_range", ID, masked, "由身份证号", masked, "推出的出生日期", D(birth), "不合理；请核对身份证号",
          fix=False, null="birth_date")
    over = config.concerns.member_max_age
    old = _fail(birth <= as_of - pd.DateOffset(years=over + 1)) & _fail(birth >= DATE_MIN)
    t.add(old, "row.age_over_100", "birth_date", t.text("birth_date"), H("birth_date"), "为", D(birth),
          f"，年龄超过{over}岁")


def _member_rules(t: Table, as_of: pd.Timestamp) -> None:
    v = t.values
    birth, joined, full = v["birth_date"], v["joined"], v["full_member_since"]
    adult = birth + pd.DateOffset(years=ADULT_AGE)
    plausible = _fail((birth >= DATE_MIN) & (birth <= as_of))  # else the birth date is the problem
    t.add(_fail(joined < adult) & plausible, "row.date_range", "joined", t.text("joined"), H("joined"), D(joined),
          "早于年满18周岁之日", D(adult), "（出生日期", D(birth), "）")
    # 转正日期 not after 入党日期: the later date is the doubtful one; the person stays a 正式党员
    order = _fail(full <= joined)
    if order.any() and "status" in v:
        v["status"] = v["status"].mask(order & v["status"].isna().to_numpy(), schema.FULL_MEMBER)
    t.add(order, "row.date_order", "full_member_since", t.text("full_member_since"),
          H("full_member_since"), D(full), "不晚于", H("joined"), D(joined))


def _election_rules(t: Table) -> None:
    v = t.values
    t.add(_fail(v["present"] > v["eligible"]), "row.present_gt_eligible", "present", t.text("present"),
          H("present"), v["present"], "多于", H("eligible"), v["eligible"], null=("present", "eligible"))
    t.add(_fail(v["seats"] > v["candidates"]), "row.seats_gt_candidates", "candidates", t.text("candidates"),
          H("candidates"), v["candidates"], "少于", H("seats"), v["seats"], null=("candidates", "seats"))
    t.add(_fail(v["previous_date"] >= v["date"]), "row.date_order", "previous_date", t.text("previous_date"),
          H("previous_date"), D(v["previous_date"]), "不早于", H("date"), D(v["date"]), "；请核对两次选举的日期",
          fix=False)


def _unit_rules(t: Table) -> None:
    v = t.values
    built = _fail(v["party_org"].isin(schema.ORG_BUILT))
    t.add(built & v["org_id"].isna().to_numpy(), "row.required", "org_id", "",
          H("org_id"), "为空，但", H("party_org"), "为", v["party_org"], "；已建立党组织的请填写所属党组织编码",
          fix=False)


def _optional_blank(t: Table) -> None:
    for key in OPTIONAL_WARNED.get(t.key, ()):
        has_col = t.has_column(key)
        t.add(t.text(key).isna().to_numpy() & has_col, "row.optional_blank", key, "",
              H(key), "为空，相关统计将不含此行")
        # a sheet without the column at all: one line for the sheet
        src = t.raw["_src"].to_numpy()
        header = schema.sheet(t.key).header(key)
        for i, h in enumerate(t.headers):  # one per source sheet
            rows = np.flatnonzero(src == i)
            if key in h or not len(rows):
                continue
            first = rows[0]
            t.parts.append(pd.DataFrame({
                "file": [t.raw["_file"].iloc[first]], "sheet": [t.raw["_sheet"].iloc[first]],
                "row": [None], "column": [header], "value": [""], "rule": ["row.optional_blank"],
                "severity": [catalog.rule("row.optional_blank").severity],
                "message": [f"本表没有“{header}”列，相关统计将不含本表的{len(rows)}行；建议增加该列并填写"],
                "_idx": [-1]}))


# --------------------------------------------------------------------------- set rules

def _place(t: Table, rows: np.ndarray) -> pd.Series:
    """"a.xlsx的“党员”表第5行" for rows of a table."""
    sub = t.raw.iloc[rows]
    return (sub["_file"].astype(STRING) + "的“" + sub["_sheet"].astype(STRING) + "”表第"
            + sub["_row"].astype(STRING) + "行").reset_index(drop=True)


def _first_positions(key: pd.Series) -> np.ndarray:
    """Per row: the position of the first row with the same key (-1 where the key is null)."""
    codes, _ = pd.factorize(key, use_na_sentinel=True)
    n_keys = codes.max() + 1 if len(codes) else 0
    first = np.full(max(n_keys, 1), -1, dtype=np.int64)
    pos = np.arange(len(codes))
    valid = codes >= 0
    first[codes[valid][::-1]] = pos[valid][::-1]  # the last assignment, i.e. the first row, wins
    return np.where(valid, first[np.maximum(codes, 0)], -1)


def _duplicates(t: Table, key: pd.Series, rule_id: str, column: str, value: pd.Series,
                *what: Part, keep: Callable[[np.ndarray], np.ndarray] | None = None,
                tail: Part = "") -> np.ndarray:
    """Second and later rows with the same non-null ``key`` among the rows without errors:
    errors naming the first place. ``keep(first)`` (per row, the position of its first) may
    exempt rows that share a key but are not the same thing; ``tail`` ends the message. Returns
    the first position of each duplicate (-1 elsewhere)."""
    k = key.where(t.alive() & key.notna().to_numpy())
    first = _first_positions(k)
    dup = (first >= 0) & (first != np.arange(len(k)))
    if keep is not None and dup.any():
        dup &= ~keep(first)
    if not dup.any():
        return np.full(len(k), -1, dtype=np.int64)
    t.add(dup, rule_id, column, value, *what, "与", lambda idx: _place(t, first[idx]), "重复", tail)
    return np.where(dup, first, -1)


def _isin(values: pd.Series, members: set | tuple) -> np.ndarray:
    """``values.isin(members)`` for text, by Arrow hash lookup (NA → False)."""
    if not len(members):
        return np.zeros(len(values), dtype=bool)
    found = pc.is_in(nz.arrow(values), value_set=pa.array(sorted(members), type=pa.large_string()))
    return pc.fill_null(found, False).to_numpy(zero_copy_only=False)


def _lookup(values: pd.Series, mapping: pd.Series) -> pd.Series:
    """``values.map(mapping)`` for text keys and text values, by Arrow hash lookup."""
    if not len(mapping):
        return pd.Series(pd.NA, index=values.index, dtype=STRING)
    keys = pa.array(mapping.index.astype(str).tolist(), type=pa.large_string())
    targets = pa.array(mapping.astype(str).tolist(), type=pa.large_string())
    pos = pc.index_in(nz.arrow(values), value_set=keys)
    return nz.series(pc.take(targets, pos), values.index)


def _number(codes: pd.Series) -> pd.Series:
    """An all-digit code without its leading zeros ("030130" → "30130"); NA for other codes: the
    form in which a code that Excel turned into a number still matches."""
    arr = nz.arrow(codes.astype(STRING))
    digits = pc.fill_null(pc.match_substring_regex(arr, r"^\d+$"), False)
    stripped = pc.utf8_ltrim(arr, "0")
    ok = pc.and_(digits, pc.not_equal(stripped, ""))
    return nz.series(pc.if_else(ok, stripped, pa.scalar(None, pa.large_string())), codes.index)


def _unique_map(keys: pd.Series, codes: pd.Series) -> tuple[pd.Series, set]:
    """key → code for the keys of exactly one organization, and the keys of several."""
    pairs = pd.DataFrame({"k": keys.to_numpy(), "c": codes.to_numpy()}).dropna().drop_duplicates()
    shared = pairs["k"].duplicated(keep=False).to_numpy()
    unique = pairs[~shared]
    return pd.Series(unique["c"].to_numpy(), index=unique["k"].to_numpy()), set(pairs["k"][shared])


@dataclass
class OrgLookup:
    """How other sheets' references resolve to the surviving organizations: by code, by an
    all-digit code that lost its leading zeros, by full name, then by 简称."""

    codes: set  # codes of exactly one surviving organization
    by_number: pd.Series  # all-digit code without leading zeros → code
    by_name: pd.Series  # full name (comparison form) → code, names of one organization
    by_short: pd.Series  # 简称 (comparison form) → code, 简称 of one organization
    ambiguous: set  # names and 简称 of several organizations
    clashing: pd.Series  # code shared by organizations with different names → their names


def _org_lookup(orgs: Table, clashing: pd.Series | None = None) -> OrgLookup:
    """The lookup over the organizations without errors; ``clashing`` (code → names) are the
    codes two differently named organizations shared: they identify no organization."""
    alive = orgs.alive()
    v = orgs.values
    clashing = clashing if clashing is not None else pd.Series(dtype=STRING)
    codes = v["org_id"][alive]
    codes = codes[codes.notna() & ~_isin(codes, set(clashing.index))]
    named = alive & v["org_id"].notna().to_numpy()  # a clashing code's first organization too
    code_ok = v["org_id"][named & ~_isin(v["org_id"], set(clashing.index))]
    by_number, _ = _unique_map(_number(code_ok), code_ok)
    by_name, amb_name = _unique_map(nz.name_key(v["name"][named]), v["org_id"][named])
    by_short, amb_short = _unique_map(nz.name_key(v["short_name"][named]), v["org_id"][named])
    by_short = by_short[~by_short.index.isin(list(by_name.index))]  # a full name wins
    amb_short -= set(by_name.index)
    return OrgLookup(set(codes), by_number, by_name, by_short, amb_name | amb_short, clashing)


def _resolve(given: pd.Series, text: pd.Series, lookup: OrgLookup) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """References to organizations (code, code without its leading zeros, full name, 简称) →
    (codes, NA where unresolved; given a name or 简称 of several organizations; given a code
    that several differently named organizations share)."""
    resolved = given.where(_isin(given, lookup.codes)).astype(STRING)
    todo = np.flatnonzero(resolved.isna().to_numpy() & given.notna().to_numpy())
    if len(todo):  # the other forms, for the rows not given a code as written (names: few rows)
        g, k = given.iloc[todo], nz.name_key(text.iloc[todo])
        found = pd.Series(pd.NA, index=g.index, dtype=STRING)
        for keys, mapping in ((_number(g), lookup.by_number), (k, lookup.by_name), (k, lookup.by_short)):
            found = found.where(found.notna(), _lookup(keys, mapping))
        resolved.iloc[todo] = found.to_numpy()
    clash = _isin(given, set(lookup.clashing.index))
    resolved = resolved.mask(clash)
    unresolved = given.notna().to_numpy() & resolved.isna().to_numpy()
    ambiguous = np.zeros(len(given), dtype=bool)
    left = np.flatnonzero(unresolved)
    if len(left) and lookup.ambiguous:
        ambiguous[left] = _isin(nz.name_key(text.iloc[left]), lookup.ambiguous)
    return resolved, ambiguous, unresolved & clash


def _resolve_orgs(t: Table, lookup: OrgLookup, rule_id: str) -> None:
    """Resolve org_id given as code (also one that lost its leading zeros), full name or 简称;
    unknown ones are ``rule_id``."""
    if not len(t):
        return
    v = t.values
    given = v["org_id"]
    text = t.text("org_id")
    resolved, amb, clash = _resolve(given, text, lookup)
    unknown = given.notna().to_numpy() & resolved.isna().to_numpy()
    t.add(amb, rule_id, "org_id", text, H("org_id"), "填写的", Q(text),
          "是多个党组织共用的名称或简称，无法确定是哪一个；请改填组织编码", fix=False)
    t.add(clash, rule_id, "org_id", text, H("org_id"), "填写的", Q(text),
          "在党组织表中被名称不同的多个党组织共用（",
          lambda idx: _sub(lookup.clashing, _positions(given.iloc[idx], lookup.clashing)),
          "），无法确定是哪一个；请先更正党组织表中重复的编码，或在本表改填组织全称", fix=False)
    t.add(unknown & ~amb & ~clash, rule_id, "org_id", text, H("org_id"), "填写的", Q(text),
          "在党组织表中不存在（既不是组织编码，也不是组织全称或简称）")
    if catalog.rule(rule_id).drops_row:
        v["org_id"] = resolved
    else:
        v["org_id"] = resolved.where(resolved.notna(), given)


def _positions(values: pd.Series, mapping: pd.Series) -> np.ndarray:
    """Per value: its position in ``mapping``'s index (0 where absent: only read where present)."""
    pos = pc.index_in(nz.arrow(values.astype(STRING)),
                      value_set=pa.array(mapping.index.astype(str).tolist(), type=pa.large_string()))
    return pc.fill_null(pos, 0).to_numpy(zero_copy_only=False)


def _duplicate_orgs(orgs: Table) -> pd.Series:
    """Duplicate 组织编码: the second and later rows are errors; where their names differ from
    the first's, two organizations share a self-made code, which the message says and which then
    identifies neither (returned: code → the names that share it)."""
    v = orgs.values
    code = v["org_id"]
    names = nz.name_key(v["name"]).to_numpy(dtype=object, na_value=None)
    k = code.where(orgs.alive() & code.notna().to_numpy())
    first = _first_positions(k)
    pos = np.arange(len(k))
    differs = (first >= 0) & (first != pos)
    differs = _differs(names, first, differs)
    name = v["name"].astype(STRING).fillna("")

    def tail(idx: np.ndarray) -> pd.Series:
        f = first[idx]
        words = ("，但组织名称不同（“" + _sub(name, idx) + "”与第一处的“"
                 + _sub(name, np.maximum(f, 0)) + "”），不同的党组织不能共用一个编码；"
                 "其他表按该编码填写的行无法确定所属组织")
        return words.where(pd.Series(differs[idx]), "")

    _duplicates(orgs, code, "set.duplicate_org", "org_id", orgs.text("org_id"), H("org_id"), Q(code), tail=tail)
    if not differs.any():
        return pd.Series(dtype=STRING)
    rows = np.flatnonzero(differs)
    both = pd.DataFrame({"code": np.concatenate([code.to_numpy()[rows], code.to_numpy()[first[rows]]]),
                         "name": np.concatenate([name.to_numpy()[rows], name.to_numpy()[first[rows]]]),
                         "pos": np.concatenate([rows, first[rows]])})
    both = both.sort_values("pos", kind="stable").drop_duplicates(["code", "name"])
    return both.groupby("code", sort=False)["name"].agg("、".join).astype(STRING)


def _differs(names: np.ndarray, first: np.ndarray, dup: np.ndarray) -> np.ndarray:
    """Per row: a duplicate whose name is given and differs from its first row's name, neither
    holding the other ("示例第一支部" and "中共示例第一支部委员会" are one organization written
    twice). Python per duplicate row only."""
    out = np.zeros(len(names), dtype=bool)
    for i in np.flatnonzero(dup):
        a, b = names[i], names[first[i]]
        out[i] = a is not None and b is not None and a not in b and b not in a
    return out


def _parents(orgs: Table, lookup: OrgLookup) -> None:
    """Parents given by code, full name or 简称; unknown parents and cycles are warned, and the
    organization treated as top-level."""
    v = orgs.values
    alive = orgs.alive()
    code, parent = v["org_id"], v["parent_id"]
    text = orgs.text("parent_id")
    resolved, amb, clash = _resolve(parent, text, lookup)
    unknown = parent.notna().to_numpy() & alive & resolved.isna().to_numpy()
    orgs.add(unknown & (amb | clash), "set.parent_unknown", "parent_id", text,
             H("parent_id"), Q(text), "是多个党组织共用的名称或编码，无法确定是哪一个，按最上级处理；请改填上级组织编码",
             fix=False)
    orgs.add(unknown & ~amb & ~clash, "set.parent_unknown", "parent_id", text,
             H("parent_id"), Q(text), "在党组织表中不存在，按最上级处理")
    parent = resolved.where(alive, parent).mask(unknown)
    # cycles among the surviving organizations: follow parents by pointer doubling
    live = np.flatnonzero(alive)
    pos = pd.Series(np.arange(len(live)), index=code.iloc[live].to_numpy())
    pos = pos[~pos.index.duplicated()]
    up = parent.iloc[live].map(pos).fillna(-1).to_numpy(dtype=np.int64)
    reach = up.copy()
    for _ in range(int(np.ceil(np.log2(max(len(live), 2)))) + 1):
        reach = np.where(reach >= 0, reach[np.maximum(reach, 0)], -1)
    in_cycle = np.zeros(len(orgs), dtype=bool)
    chains = pd.Series("", index=range(len(orgs)), dtype=STRING)
    for s in np.flatnonzero(reach >= 0):  # never reaches a top: only these few rows are walked
        seen, cur = [], int(s)
        while cur >= 0 and cur not in seen:
            seen.append(cur)
            cur = int(up[cur])
        if cur == s:
            in_cycle[live[s]] = True
            chains.iloc[live[s]] = " → ".join(str(code.iloc[live[i]]) for i in [*seen, s])
    orgs.add(in_cycle, "set.parent_cycle", "parent_id", orgs.text("parent_id"),
             "上级组织关系形成循环（", chains, "），按最上级处理")
    v["parent_id"] = parent.mask(in_cycle)


def _committee_sets(t: Table) -> None:
    v = t.values
    term = v["term"].astype(STRING)
    person = v[ID].where(v[ID].notna(), v["name"] + "|" + _ymd(v["birth_date"]).replace("", pd.NA))
    _duplicates(t, v["org_id"] + "|" + term + "|" + person, "set.duplicate_committee", "name",
                t.text("name"), Q(v["name"]), "（", v["org_id"], "，", term, "）")
    current = t.alive() & _fail(term == schema.CURRENT_TERM)
    if not current.any():
        return
    frame = pd.DataFrame({"org": v["org_id"][current].to_numpy(),
                          "sec": _fail(v["role"][current] == schema.SECRETARY),
                          "pos": np.flatnonzero(current)})
    per_org = frame.groupby("org", sort=False).agg(n=("sec", "sum"), first=("pos", "first"))
    bad = per_org[per_org["n"] != 1]
    mask = np.zeros(len(t), dtype=bool)
    mask[bad["first"].to_numpy()] = True
    count = pd.Series(0, index=range(len(t)))
    count.iloc[bad["first"].to_numpy()] = bad["n"].to_numpy()
    t.add(mask, "set.secretary_count", "role", t.text("role"), "组织", Q(v["org_id"]), "本届班子有",
          count, "名" + schema.SECRETARY + "（应为1名）")


def _branch_size(orgs: Table, members: Table, config: Config) -> None:
    limit = config.regulations.branch_max_members
    counts = members.values["org_id"][members.alive()].value_counts()
    v = orgs.values
    n = v["org_id"].map(counts).fillna(0).astype("int64")
    over = orgs.alive() & _fail(v["org_type"].isin(schema.BRANCH_TYPES)) & (n > limit).to_numpy()
    orgs.add(over, "set.branch_over_50", "org_id", orgs.text("org_id"),
             v["org_type"], Q(v["name"]), "有", n, f"名党员，超过{limit}名")


# --------------------------------------------------------------------------- driver

def make_table(key: str, frames: list[pd.DataFrame], headers: list[dict[str, str]],
               places: list[tuple[str, str]]) -> Table:
    """Concatenate one sheet's raw frames into a Table; ``places`` gives each frame's (file, sheet),
    written into ``_file`` and ``_sheet`` for its rows, and ``_src`` numbers the frames (the index
    into ``headers``)."""
    sheet = schema.sheet(key)
    if frames:
        raw = pd.concat(frames, ignore_index=True, sort=False)
    else:
        raw = pd.DataFrame({c: pd.Series(dtype=STRING) for c in ("_file", "_sheet")})
        raw["_row"] = pd.Series(dtype="int64")
        raw["_src"] = pd.Series(dtype="int64")
    if frames:
        src = np.repeat(np.arange(len(frames), dtype=np.int64), [len(f) for f in frames])
        take = pa.array(src)
        for j, column in enumerate(("_file", "_sheet")):
            names = pa.array([p[j] for p in places], type=pa.large_string())
            raw[column] = nz.series(pc.take(names, take), raw.index)
        raw["_src"] = src
    for c in sheet.keys:
        raw[c] = raw[c].astype(STRING) if c in raw else pd.Series(pd.NA, index=raw.index, dtype=STRING)
    if "_id_numeric" not in raw:
        raw["_id_numeric"] = False
    raw["_id_numeric"] = raw["_id_numeric"].fillna(False).astype(bool)
    return Table(key, raw, headers, error=np.zeros(len(raw), dtype=bool),
                 copies=np.zeros(len(raw), dtype=bool))


# The tables whose row rules a worker of the reading pool takes while the main process checks
# the members (see ``check``). Shipping a table there and back costs about what checking it
# does, so the worker takes the small tables: at 200k members they go as 22 MB and come back as
# 14 MB (~0.1 s in all) for 0.28 s of rules, beside the members' 0.6 s. Sending the members
# instead (67 MB there, 44 MB back, ~0.5 s in all, for 0.28 s overlapped) made the stage 12-19%
# slower; this way it is 10-20% faster (alternating runs at 200k and 1M members).
AWAY: tuple[str, ...] = ("orgs", "elections", "committee", "units")
# The worker runs the set rules among them too (_set_rules_away), 0.12 s at 200k members that
# otherwise followed the members' row rules here with the second core idle.


def row_rules(t: Table, as_of: pd.Timestamp, config: Config) -> Table:
    """The row rules of one table: fills its ``values``, ``parts`` and ``error``; returns ``t``.
    Each row is judged on its own, so the tables can be checked in any order, or elsewhere."""
    _field_rules(t, as_of)
    if t.key in ("members", "committee"):
        _person_rules(t, config, as_of)
    else:
        _identity_rules(t)
    if t.key == "members":
        _member_rules(t, as_of)
    elif t.key == "elections":
        _election_rules(t)
    elif t.key == "units":
        _unit_rules(t)
    _optional_blank(t)
    return t


def check(tables: dict[str, Table], period: Period, config: Config, pool: Executor | None = None) -> None:
    """Apply every row and set rule; fills each table's ``values``, ``parts`` and ``error``.

    With ``pool`` (the reading's worker processes), the row rules of the tables in ``AWAY`` and
    the set rules among them run in a worker while this process checks the members; the set
    rules that involve the members follow here. A pool that is broken, or a worker that dies,
    leaves that work to this process; an error in the rules themselves is raised as without a
    pool."""
    as_of = pd.Timestamp(period.as_of)
    derive_terms(tables["committee"], tables["orgs"], as_of)  # 班子信息集: 届别 from 任职/离职 dates
    others = [tables[k] for k in AWAY]
    away = _send(pool, others, as_of, config) if pool is not None else None
    for sheet in schema.DATA_SHEETS:
        if away is None or sheet.key not in AWAY:
            row_rules(tables[sheet.key], as_of, config)
    lookup = _receive(away, others, as_of, config) if away is not None else _set_rules_away(*others)
    _set_rules_members(tables, lookup, config)


def _send(pool: Executor, ts: list[Table], as_of: pd.Timestamp, config: Config) -> Future | None:
    shipped = pickle.dumps(ts, protocol=5)
    try:
        return pool.submit(_rules_shipped, [shipped], as_of, config)
    except (RuntimeError, OSError):  # a broken or closed pool (BrokenProcessPool is a RuntimeError)
        return None


def _rules_shipped(box: list[bytes], as_of: pd.Timestamp, config: Config) -> bytes:
    """:func:`row_rules` and :func:`_set_rules_away` in a worker. The tables come pickled with
    protocol 5 (the executor's protocol 4 takes twice as long over Arrow-backed columns) and only
    what the rules add goes back, with the organizations' lookup: the raw frames stay in the main
    process. The pickled tables come in a list that is emptied here, so that they are freed once
    unpickled instead of staying with the call's arguments until it returns (1M: ~100 MB)."""
    ts = [row_rules(t, as_of, config) for t in pickle.loads(box.pop())]
    lookup = _set_rules_away(*ts)
    out = [(t.values, t.parts, t.error, t.copies) for t in ts]
    del ts  # the raw frames do not go back: freed before the pickling
    return pickle.dumps((out, lookup), protocol=5)


def _receive(away: Future, ts: list[Table], as_of: pd.Timestamp, config: Config) -> OrgLookup:
    try:
        filled, lookup = pickle.loads(away.result())
    except (BrokenProcessPool, OSError):  # the worker died: check those rows here, none is lost
        for t in ts:
            row_rules(t, as_of, config)
        return _set_rules_away(*ts)
    for t, (values, parts, error, copies) in zip(ts, filled):
        t.values, t.parts, t.error, t.copies = values, parts, error, copies
    return lookup


def _set_rules_away(orgs: Table, elections: Table, committee: Table, units: Table) -> OrgLookup:
    """The rules across rows and tables, over the rows that passed their row rules, that do not
    involve the members (the tables of ``AWAY``, in that order); returns the organizations'
    lookup the members are resolved with."""
    clashing = _duplicate_orgs(orgs)
    lookup = _org_lookup(orgs, clashing)
    for t in (elections, committee):
        _resolve_orgs(t, lookup, "set.unknown_org")
    _resolve_orgs(units, lookup, "set.unit_unknown_org")
    _parents(orgs, lookup)
    _election_sets(elections)
    _committee_sets(committee)
    _unit_sets(units)
    return lookup


def _election_sets(t: Table) -> None:
    """An election is one organization's election on one date: a second row of the same
    organization and 选举日期 is a duplicate (error, naming the first)."""
    if not len(t):
        return
    v = t.values
    _duplicates(t, v["org_id"] + "|" + _ymd(v["date"]).replace("", pd.NA), "set.duplicate_election", "date",
                t.text("date"), "组织", Q(v["org_id"]), "在", D(v["date"]), "的换届选举")


def _unit_sets(t: Table) -> None:
    """A 两新 unit is identified by its 统一社会信用代码, else by its name (half-width, without
    spaces): the second and later rows are duplicates. Two rows of one name whose credit codes
    are both given and differ are two units."""
    if not len(t):
        return
    v = t.values
    credit = v["credit_code"]
    _duplicates(t, credit, "set.duplicate_unit", "credit_code", t.text("credit_code"),
                H("credit_code"), Q(credit), "（", Q(t.text("unit_name")), "）")
    has = credit.notna().to_numpy()
    _duplicates(t, nz.name_key(t.text("unit_name")), "set.duplicate_unit", "unit_name", t.text("unit_name"),
                H("unit_name"), Q(t.text("unit_name")), keep=lambda first: has & has[np.maximum(first, 0)])


def _set_rules_members(tables: dict[str, Table], lookup: OrgLookup, config: Config) -> None:
    """The set rules that involve the members, after :func:`_set_rules_away` (each table's issues
    come out in the same order as when all set rules ran in one pass)."""
    members = tables["members"]
    _resolve_orgs(members, lookup, "set.unknown_org")
    v = members.values
    masked = _masked(v[ID])
    _duplicates(members, v[ID], "set.duplicate_member", ID, masked,
                H(ID), masked, "（", v["name"], "）")
    # without an ID number: the same name, birth date and organization is the same person
    no_id = np.flatnonzero(v[ID].isna().to_numpy() & members.alive())
    if len(no_id) > 1:  # keys for those rows only: a roster mostly has ID numbers
        sub = v.iloc[no_id]
        person = pd.Series(pd.NA, index=v.index, dtype=STRING)
        person.iloc[no_id] = (nz.name_key(sub["name"]) + "|" + _ymd(sub["birth_date"]).replace("", pd.NA)
                              + "|" + sub["org_id"].astype(STRING)).to_numpy()
        _duplicates(members, person, "set.duplicate_member_noid", "name", members.text("name"),
                    "未填身份证号的党员", Q(v["name"]), "（出生日期", D(v["birth_date"]), "，", H("org_id"),
                    Q(v["org_id"]), "）")
    _branch_size(tables["orgs"], members, config)


def clean_table(t: Table) -> pd.DataFrame:
    """The rows without errors: normalised fields, extra columns, provenance."""
    keep = t.alive()
    frame = pd.DataFrame({k: t.values[k] for k in t.sheet.keys}, index=t.raw.index)
    for c in t.values.columns:  # dates known only to the month (SPEC §1.3): kept for month precision
        if c.startswith(MONTH_ONLY) and t.values[c].any():
            frame[c] = t.values[c].to_numpy(dtype=bool)
    for c in t.raw.columns:
        if c.startswith(EXTRA_PREFIX):
            frame[c] = t.raw[c]
    for c in PROVENANCE:
        frame[c] = t.raw[c]
    return frame[keep].reset_index(drop=True)


def left_out(t: Table) -> pd.DataFrame:
    """Rows left out, per file and sheet."""
    sub = t.raw.loc[t.error, ["_file", "_sheet"]]
    out = sub.groupby(["_file", "_sheet"], sort=False).size().rename("rows_left_out").reset_index()
    return out.rename(columns={"_file": "file", "_sheet": "sheet"})


def unverified_refs(tables: dict[str, Table]) -> pd.DataFrame:
    """Organizations that rows left out refer to (by code or by a name that resolves): their
    roster or committee may be incomplete, so findings that need the whole of it are not stated
    for them (SPEC §2; ``orgs.unverified``). Second copies of a duplicate do not count: one copy
    is counted. Columns: org_id, members (member rows left out), committee (committee rows)."""
    counts = {}
    orgs = tables.get("orgs")
    names = pd.DataFrame({"key": pd.Series([], dtype=object), "code": pd.Series([], dtype=object)})
    if orgs is not None and len(orgs) and "org_id" in orgs.values:
        alive = orgs.alive()
        names = pd.DataFrame({"key": nz.name_key(orgs.values["name"][alive]).astype(object).to_numpy(),
                              "code": orgs.values["org_id"][alive].astype(object).to_numpy()}).dropna()
    for key in ("members", "committee"):
        t = tables.get(key)
        if t is None or not len(t) or "org_id" not in t.values:
            continue
        gone = t.error & ~t.copies
        if not gone.any():
            continue
        resolved = t.values["org_id"][gone].dropna().astype(object)
        # a name shared by several organizations could be any of them: each is to be verified
        open_ = gone & t.values["org_id"].isna().to_numpy() & t.text("org_id").notna().to_numpy()
        shared = pd.Series([], dtype=object)
        if open_.any() and len(names):
            keys = pd.DataFrame({"key": nz.name_key(t.text("org_id")[open_]).astype(object).to_numpy()})
            shared = keys.merge(names, on="key")["code"]
        counts[key] = pd.concat([resolved, shared], ignore_index=True).value_counts()
    if not counts:
        return pd.DataFrame({"org_id": pd.Series(dtype=STRING), "members": pd.Series(dtype="int64"),
                             "committee": pd.Series(dtype="int64")})
    frame = pd.DataFrame(counts).reindex(columns=["members", "committee"]).fillna(0).astype("int64")
    frame = frame.sort_index()
    frame.insert(0, "org_id", frame.index.astype(str))
    frame["org_id"] = frame["org_id"].astype(STRING)
    return frame.reset_index(drop=True)
