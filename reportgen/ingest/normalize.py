"""Vectorised normalisation of submitted values: text, dates, integers, enumerations, phones,
credit codes. Every function takes and returns whole columns (pandas Series of text).

Accepted forms (SPEC §1.3), decided here where the spec is silent:
- dates: Excel date cells (read as ``2010-05-01 00:00:00``), Excel serial numbers 10000–80000,
  ``2010-05-01``, ``2010/5/1``, ``2010.5.1``, ``2010.05``, ``2010-5``, ``2010年5月``, ``2010年5月1日``,
  ``201005``, ``20100501``, any of them with a time part; a month-only date means the 1st.
  A year alone is not a date.
- integers: ``25``, ``25.0``, ``1,200``, ``25人`` / ``25名`` / ``25个``; negative or fractional
  values and any other text are not.
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import schema

STRING = pd.StringDtype()
DATE = "datetime64[ns]"
SERIAL_MIN, SERIAL_MAX = 10_000, 80_000  # Excel serials of 1927-05-18 … 2119-01-10
_EXCEL_EPOCH = np.datetime64("1899-12-30")

_INVISIBLE = "[\u200b-\u200f\u2060\ufeff]"
_DATE_SEP = (r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*"
             r"(?:[-/.月]\s*(?:(?P<d>\d{1,2})\s*[日号]?)?)?\.?"
             r"(?:(?:\s+|T)\d{1,2}:\d{1,2}(?::\d{1,2}(?:\.\d+)?)?)?$")
_DATE_COMPACT = r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})?$"
_SERIAL = r"^\d{5}(?:\.\d+)?$"
_INT = r"^\d+(?:\.0*)?[人名个位户家]?$"
_PHONE_ONE = (r"(?:(?:\+?86)?-?1\d{10}"
              r"|(?:\(?0\d{2,3}\)?-?\d{7,8}|[2-9]\d{6,7})(?:(?:-|转|ext\.?|EXT\.?)\d{1,6})?)")
_PHONE = rf"^{_PHONE_ONE}(?:[,;/、，；]+{_PHONE_ONE})*$"

CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28],
                          dtype=np.int64)
_CREDIT_VALUE = np.full(128, -1, dtype=np.int64)
for _i, _c in enumerate(CREDIT_CHARS):
    _CREDIT_VALUE[ord(_c)] = _i


def _arrow(s: pd.Series) -> pa.Array:
    return pa.array(s.astype(STRING), type=pa.large_string(), from_pandas=True)


def clean(s: pd.Series) -> pd.Series:
    """Text with zero-width characters removed and surrounding whitespace (also full-width
    spaces and no-break spaces) stripped; blank cells become NA."""
    s = s.astype(STRING)
    if s.str.contains(_INVISIBLE, regex=True).fillna(False).any():
        s = s.str.replace(_INVISIBLE, "", regex=True)
    s = s.str.strip()
    return s.mask(s == "")


def half_width(s: pd.Series) -> pd.Series:
    """Full-width letters, digits and punctuation made half-width (NFKC), e.g. "２０１０" → "2010"."""
    return s.str.normalize("NFKC")


def compact(s: pd.Series) -> pd.Series:
    """Half-width text without any whitespace (for codes, numbers, dates)."""
    out = half_width(s).str.replace(r"\s+", "", regex=True)
    return out.mask(out == "")


# --------------------------------------------------------------------------- dates

def _extract(s: pd.Series, pattern: str) -> pd.DataFrame:
    """Named groups of a regex as text columns ('' where a group did not take part); rows that
    do not match are NA."""
    arr = _arrow(s)
    matched = pc.match_substring_regex(arr, pattern)
    parts = pc.extract_regex(arr, pattern)
    out = {}
    for name in ("y", "m", "d"):
        try:
            col = pc.struct_field(parts, name)
        except (KeyError, pa.ArrowInvalid):
            col = pa.nulls(len(arr), pa.large_string())
        col = pc.if_else(matched, col, pa.scalar(None, pa.large_string()))
        out[name] = pd.Series(col.to_pandas(), index=s.index, dtype=STRING)
    return pd.DataFrame(out, index=s.index)


def _to_int(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s.mask(s == ""), errors="coerce").astype("Int64")


def parse_dates(s: pd.Series) -> pd.DataFrame:
    """Parse a column of dates in every accepted form.

    Returns columns ``date`` (datetime64, NaT when blank or not a date), ``bad`` (True where a
    non-blank value is not a date) and ``month_only`` (True where only year and month were
    given, so the date is the 1st)."""
    text = half_width(clean(s)).str.strip()
    present = text.notna().to_numpy()
    year = pd.Series(pd.NA, index=s.index, dtype="Int64")
    month = year.copy()
    day = year.copy()
    month_only = np.zeros(len(s), dtype=bool)
    serial = pd.Series(np.nan, index=s.index)
    if present.any():
        for pattern in (_DATE_SEP, _DATE_COMPACT):
            parts = _extract(text, pattern)
            hit = parts["y"].notna() & year.isna()
            year = year.mask(hit, _to_int(parts["y"]))
            month = month.mask(hit, _to_int(parts["m"]))
            d = _to_int(parts["d"])
            mo = hit & d.isna()
            day = day.mask(hit, d.fillna(1))
            month_only |= mo.to_numpy(dtype=bool)
        is_serial = text.str.fullmatch(_SERIAL).fillna(False) & year.isna()
        if is_serial.any():
            serial = pd.to_numeric(text.where(is_serial), errors="coerce")
            serial = serial.where((serial >= SERIAL_MIN) & (serial <= SERIAL_MAX))
    parts = pd.DataFrame({"year": year, "month": month, "day": day}).astype("float64")
    ok = parts.notna().all(axis=1) & parts["month"].between(1, 12) & parts["day"].between(1, 31)
    date = pd.to_datetime(parts.where(ok, other=np.nan), errors="coerce").astype(DATE)
    if serial.notna().any():
        days = np.floor(serial.to_numpy(dtype="float64"))
        from_serial = pd.Series(_EXCEL_EPOCH + days.astype("timedelta64[D]"), index=s.index)
        date = date.mask(serial.notna(), from_serial.astype(DATE))
    bad = present & date.isna().to_numpy()
    return pd.DataFrame({"date": date, "bad": bad, "month_only": month_only & ~bad},
                        index=s.index)


# --------------------------------------------------------------------------- integers

def parse_ints(s: pd.Series) -> pd.DataFrame:
    """Parse non-negative integers. Returns ``value`` (Int64) and ``bad`` (non-blank, not a
    non-negative integer)."""
    text = compact(clean(s))
    grouped = text.str.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.0*)?[人名个位户家]?").fillna(False)
    if grouped.any():  # "1,200"
        text = text.mask(grouped, text.str.replace(",", "", regex=False))
    ok = text.str.fullmatch(_INT).fillna(False)
    digits = text.where(ok).str.extract(r"^(\d+)", expand=False)
    value = pd.to_numeric(digits, errors="coerce").astype("Int64")
    bad = (text.notna() & ~ok).to_numpy(dtype=bool)
    return pd.DataFrame({"value": value, "bad": bad}, index=s.index)


# --------------------------------------------------------------------------- enumerations

def enum_key(value: str) -> str:
    """The comparison form of an enumeration value (half-width, lower-case, no spaces)."""
    return "".join(unicodedata.normalize("NFKC", value).lower().split())


def enum_table(enum: schema.Enumeration) -> dict[str, str]:
    """Every accepted spelling, in comparison form, → the canonical value."""
    table: dict[str, str] = {}
    for spelling, canonical in enum.lookup().items():
        table.setdefault(enum_key(spelling), canonical)
    return table


def map_enum(s: pd.Series, enum: schema.Enumeration) -> pd.DataFrame:
    """Canonical enumeration values. Returns ``value`` (text, NA when blank or unknown) and
    ``bad`` (non-blank and not an accepted spelling)."""
    text = clean(s)
    key = half_width(text).str.lower().str.replace(r"\s+", "", regex=True)
    value = key.map(enum_table(enum)).astype(STRING)
    bad = (text.notna() & value.isna()).to_numpy(dtype=bool)
    return pd.DataFrame({"value": value, "bad": bad}, index=s.index)


# --------------------------------------------------------------------------- phones, codes

def phone_ok(s: pd.Series) -> pd.Series:
    """True where a phone number is an 11-digit mobile or a landline (several may be listed);
    NA where blank."""
    text = compact(clean(s))
    text = text.str.replace(r"[（(]", "(", regex=True).str.replace(r"[）)]", ")", regex=True)
    return text.str.fullmatch(_PHONE).astype("boolean").where(text.notna())


def credit_check_char(first17: str) -> str:
    """The GB 32100 check character of the first 17 characters of a credit code."""
    total = sum(CREDIT_CHARS.index(c) * int(w) for c, w in zip(first17.upper(), CREDIT_WEIGHTS))
    return CREDIT_CHARS[(31 - total % 31) % 31]


def credit_code_ok(s: pd.Series) -> pd.Series:
    """True where a unified social credit code has 18 valid characters and the right check
    character; NA where blank."""
    text = compact(clean(s)).str.upper()
    form = text.str.fullmatch(f"[{CREDIT_CHARS}]{{18}}").fillna(False).to_numpy(dtype=bool)
    ok = np.zeros(len(text), dtype=bool)
    if form.any():
        codes = text[form].to_numpy(dtype="U18").view(np.uint32).reshape(-1, 18).astype(np.int64)
        values = _CREDIT_VALUE[codes]
        check = (31 - (values[:, :17] @ CREDIT_WEIGHTS) % 31) % 31
        ok[np.flatnonzero(form)] = values[:, 17] == check
    return pd.Series(ok, index=s.index, dtype="boolean").where(text.notna())
