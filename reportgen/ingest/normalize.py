"""Vectorised normalisation of submitted values: text, dates, integers, enumerations, phones,
credit codes. Every function takes and returns whole columns (pandas Series of text) and works on
their Arrow arrays with ``pyarrow.compute`` (RE2 regular expressions, Unicode normalisation), so
that no Python code runs per value.

Accepted forms (SPEC §1.3), decided here where the spec is silent:
- dates: Excel date cells (read as ``2010-05-01 00:00:00``), Excel serial numbers 10000–80000,
  ``2010-05-01``, ``2010/5/1``, ``2010.5.1``, ``2010.05``, ``2010-5``, ``2010年5月``, ``2010年5月1日``,
  ``201005``, ``20100501``, any of them with a time part, full-width digits; a month-only date
  means the 1st. A year alone is not a date.
- integers: ``25``, ``25.0``, ``1,200``, ``25人`` / ``25名`` / ``25个``; negative or fractional
  values and any other text are not.
"""

from __future__ import annotations

import functools
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import schema

STRING = pd.StringDtype()
DATE = "datetime64[ns]"
SERIAL_MIN, SERIAL_MAX = 10_000, 80_000  # Excel serials of 1927-05-18 … 2119-01-10
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")

_INVISIBLE = "[\u200b-\u200f\u2060\ufeff]"
# The apostrophe that makes Excel/WPS keep a number as text ("'110105…"), which survives as a
# character in CSV files and some exports; also its typographic and backquote look-alikes.
_TEXT_PREFIX = "^['\u2018\u2019`\u00b4]+"
_DATE_SEP = (r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*"
             r"(?:[-/.月]\s*(?:(?P<d>\d{1,2})\s*[日号]?)?)?\.?"
             r"(?:(?:\s+|T)\d{1,2}:\d{1,2}(?::\d{1,2}(?:\.\d+)?)?)?$")
_DATE_COMPACT = r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})?$"
_SERIAL = r"^\d{5}(?:\.\d+)?$"
_INT = r"^(?P<n>\d+)(?:\.0*)?[人名个位户家]?$"
_INT_GROUPED = r"^\d{1,3}(?:,\d{3})+(?:\.0*)?[人名个位户家]?$"
_PHONE_ONE = (r"(?:(?:\+?86)?-?1\d{10}"
              r"|(?:\(?0\d{2,3}\)?-?\d{7,8}|[2-9]\d{6,7})(?:(?:-|转|ext\.?|EXT\.?)\d{1,6})?)")
_PHONE = rf"^{_PHONE_ONE}(?:[,;/、，；]+{_PHONE_ONE})*$"

CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28],
                          dtype=np.int64)
_CREDIT_VALUE = np.full(128, -1, dtype=np.int64)
for _i, _c in enumerate(CREDIT_CHARS):
    _CREDIT_VALUE[ord(_c)] = _i
_NULL = pa.scalar(None, pa.large_string())


# --------------------------------------------------------------------------- Arrow plumbing

def arrow(s: pd.Series) -> pa.Array:
    """The Arrow (large_string) array of a text Series."""
    if not isinstance(s.dtype, pd.StringDtype):
        s = s.astype(STRING)
    arr = pa.array(s.array, type=pa.large_string(), from_pandas=True) \
        if not hasattr(s.array, "_pa_array") else s.array._pa_array
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    return arr.cast(pa.large_string()) if arr.type != pa.large_string() else arr


def series(arr: pa.Array, index: pd.Index) -> pd.Series:
    """A text Series (pandas StringDtype) over an Arrow string array."""
    return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([arr])), index=index, copy=False)


def _blank_to_null(arr: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(arr, ""), _NULL, arr)


def _any(mask: pa.Array) -> bool:
    return bool(pc.any(mask).as_py())


def _np(mask: pa.Array) -> np.ndarray:
    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False)


def _all_ascii(arr: pa.Array) -> bool:
    return pc.all(pc.string_is_ascii(arr)).as_py() in (True, None)


def _clean(arr: pa.Array) -> pa.Array:
    if _all_ascii(arr):  # IDs, dates, codes: cheap path
        return _blank_to_null(pc.ascii_trim_whitespace(arr))
    if _may_hold_invisible(arr) and _any(pc.match_substring_regex(arr, _INVISIBLE)):
        arr = pc.replace_substring_regex(arr, _INVISIBLE, "")
    return _trim(arr)


def _may_hold_invisible(arr: pa.Array) -> bool:
    """Whether the UTF-8 bytes behind ``arr`` may hold one of the _INVISIBLE characters (E2 80 8B-8F,
    E2 81 A0, EF BB BF), looked for over its whole value buffer with numpy: a fraction of the
    regex's cost, which then runs only where this says yes (False: there is none)."""
    data = arr.buffers()[2]
    if data is None or data.size < 3:
        return False
    v = np.frombuffer(data, dtype=np.uint8)
    at = np.flatnonzero((v[:-2] == 0xE2) | (v[:-2] == 0xEF))  # lead bytes: "（" and "—" too
    b, c = v[at + 1], v[at + 2]
    e2 = v[at] == 0xE2
    hit = e2 & (((b == 0x80) & (c >= 0x8B) & (c <= 0x8F)) | ((b == 0x81) & (c == 0xA0)))
    return bool((hit | (~e2 & (b == 0xBB) & (c == 0xBF))).any())


def _trim(arr: pa.Array) -> pa.Array:
    """Surrounding whitespace stripped, blank → null (text already :func:`clean`-ed otherwise)."""
    return _blank_to_null(pc.utf8_trim_whitespace(arr))


def _compact(arr: pa.Array) -> pa.Array:
    ascii_only = _all_ascii(arr)
    if not ascii_only:  # NFKC leaves ASCII as it is: IDs, codes and dates mostly are
        if _may_hold_invisible(arr) and _any(pc.match_substring_regex(arr, _INVISIBLE)):
            arr = pc.replace_substring_regex(arr, _INVISIBLE, "")
        arr = pc.utf8_normalize(arr, "NFKC")  # full-width digits, U+3000 and NBSP → ASCII
    if _any(pc.match_substring_regex(arr, r"\s")):
        arr = pc.replace_substring_regex(arr, r"\s+", "")
    prefixed = (_any(pc.starts_with(arr, "'")) or _any(pc.starts_with(arr, "`"))) if ascii_only else \
        _any(pc.match_substring_regex(arr, _TEXT_PREFIX))  # no regex over a column of plain IDs
    if prefixed:
        arr = pc.replace_substring_regex(arr, _TEXT_PREFIX, "")
    return _blank_to_null(arr)


def _per_value(fn):
    """Run a column function once per distinct value and spread the results back: submitted
    columns repeat few values (enumerations, dates, codes), so this is much less work."""
    @functools.wraps(fn)
    def wrapper(s: pd.Series, *args):
        arr = arrow(s)
        enc = pc.dictionary_encode(arr)
        if len(enc.dictionary) * 2 > len(arr):
            return fn(s, *args)
        values = pa.concat_arrays([enc.dictionary.cast(pa.large_string()), pa.nulls(1, pa.large_string())])
        res = fn(series(values, pd.RangeIndex(len(values))), *args)
        idx = pc.fill_null(enc.indices, len(enc.dictionary)).to_numpy(zero_copy_only=False)
        out = res.iloc[idx]
        out.index = s.index
        return out
    return wrapper


def clean(s: pd.Series) -> pd.Series:
    """Text with zero-width characters removed and surrounding whitespace (also full-width
    spaces and no-break spaces) stripped; blank cells become NA. The reader applies it to every
    cell; the parsers below expect cleaned text."""
    return series(_clean(arrow(s)), s.index)


def clean_arrow(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """:func:`clean` on an Arrow string array (as fastexcel gives it)."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.type != pa.large_string():
        arr = arr.cast(pa.large_string())
    return _clean(arr)


def half_width(s: pd.Series) -> pd.Series:
    """Full-width letters, digits and punctuation made half-width (NFKC), e.g. "２０１０" → "2010"."""
    return series(pc.utf8_normalize(arrow(s), "NFKC"), s.index)


@_per_value
def compact(s: pd.Series) -> pd.Series:
    """Half-width text without any whitespace (for codes, numbers, dates); blank → NA."""
    return series(_compact(_trim(arrow(s))), s.index)


def name_key(s: pd.Series) -> pd.Series:
    """Comparison form of a name: half-width, no whitespace."""
    return compact(s)


# --------------------------------------------------------------------------- dates

def _group_int(parts: pa.StructArray, name: str, matched: pa.Array) -> np.ndarray:
    col = pc.struct_field(parts, [name])
    col = pc.if_else(pc.and_(matched, pc.not_equal(col, "")), col, _NULL)
    return pc.cast(col, pa.float64()).to_numpy(zero_copy_only=False)  # nulls → nan


def _ymd_days(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """datetime64[D] from float arrays of components; NaT where missing or impossible."""
    ok = ~(np.isnan(year) | np.isnan(month) | np.isnan(day))
    ok &= (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31) & (year >= 1) & (year <= 9999)
    y = np.where(ok, year, 1970).astype(np.int64)
    m = np.where(ok, month, 1).astype(np.int64)
    d = np.where(ok, day, 1).astype(np.int64)
    months = ((y - 1970) * 12 + (m - 1)).astype("datetime64[M]")
    days = months.astype("datetime64[D]") + (d - 1).astype("timedelta64[D]")
    ok &= days.astype("datetime64[M]") == months  # 30 February rolls into March: not a date
    return np.where(ok, days, np.datetime64("NaT"))


def _iso_fast(arr: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``YYYY-MM-DD`` and ``YYYY-MM-DD hh:mm:ss`` (how Excel date cells are read) without
    regular expressions: (hit, year, month, day)."""
    length = pc.utf8_length(arr)
    sl = lambda a, b: pc.utf8_slice_codeunits(arr, a, b)  # noqa: E731
    hit = pc.and_(pc.or_(pc.equal(length, 10), pc.equal(length, 19)),
                  pc.and_(pc.equal(sl(4, 5), "-"), pc.equal(sl(7, 8), "-")))
    parts = []
    for a, b in ((0, 4), (5, 7), (8, 10)):
        piece = sl(a, b)
        hit = pc.and_(hit, pc.utf8_is_decimal(piece))
        parts.append(piece)
    hit = pc.and_(hit, pc.or_(pc.equal(length, 10), pc.equal(sl(10, 11), " ")))
    hit = pc.fill_null(hit, False)
    out = [_np(hit)]
    for piece in parts:
        out.append(pc.cast(pc.if_else(hit, piece, _NULL), pa.float64()).to_numpy(zero_copy_only=False))
    return out[0], out[1], out[2], out[3]


@_per_value
def parse_dates(s: pd.Series) -> pd.DataFrame:
    """Parse a column of dates in every accepted form.

    Returns columns ``date`` (datetime64, NaT when blank or not a date), ``bad`` (True where a
    non-blank value is not a date) and ``month_only`` (True where only year and month were
    given, so the date is the 1st)."""
    arr = _trim(pc.utf8_normalize(_trim(arrow(s)), "NFKC"))
    n = len(arr)
    present = _np(pc.is_valid(arr))
    month_only = np.zeros(n, dtype=bool)
    hit, year, month, day = _iso_fast(arr)
    todo = present & ~hit
    if todo.any():  # the other forms, by regular expression, on the rows left only
        rest = np.flatnonzero(todo)
        sub = pc.take(arr, pa.array(rest))
        left = np.ones(len(rest), dtype=bool)
        for pattern in (_DATE_SEP, _DATE_COMPACT):
            matched = pc.match_substring_regex(sub, pattern)
            got = _np(matched) & left
            if not got.any():
                continue
            parts = pc.extract_regex(sub, pattern)
            y, m, d = (_group_int(parts, g, matched) for g in ("y", "m", "d"))
            rows = rest[got]
            year[rows], month[rows] = y[got], m[got]
            day[rows] = np.where(np.isnan(d[got]), 1, d[got])
            month_only[rows] = np.isnan(d[got])
            left &= ~got
        todo[rest[~left]] = False
    dates = _ymd_days(year, month, day)
    if todo.any():
        is_serial = _np(pc.match_substring_regex(arr, _SERIAL)) & todo
        if is_serial.any():
            num = pc.cast(pc.if_else(pa.array(is_serial), arr, _NULL), pa.float64())
            v = num.to_numpy(zero_copy_only=False)
            ok = is_serial & (v >= SERIAL_MIN) & (v <= SERIAL_MAX)
            serial = _EXCEL_EPOCH + np.where(ok, np.floor(np.nan_to_num(v)), 0).astype("timedelta64[D]")
            dates = np.where(ok, serial, dates)
    date = pd.Series(dates.astype(DATE), index=s.index)
    bad = present & np.isnat(dates)
    return pd.DataFrame({"date": date, "bad": bad, "month_only": month_only & ~bad}, index=s.index)


# --------------------------------------------------------------------------- integers

@_per_value
def parse_ints(s: pd.Series) -> pd.DataFrame:
    """Parse non-negative integers. Returns ``value`` (Int64) and ``bad`` (non-blank, not a
    non-negative integer)."""
    arr = _compact(_trim(arrow(s)))
    grouped = pc.match_substring_regex(arr, _INT_GROUPED)
    if _any(grouped):  # "1,200"
        arr = pc.if_else(grouped, pc.replace_substring(arr, ",", ""), arr)
    matched = pc.match_substring_regex(arr, _INT)
    digits = pc.struct_field(pc.extract_regex(arr, _INT), ["n"])
    digits = pc.if_else(pc.and_(matched, pc.less_equal(pc.utf8_length(digits), 15)), digits, _NULL)
    value = pd.Series(pd.arrays.ArrowExtensionArray(pc.cast(digits, pa.int64())), index=s.index)
    value = value.astype("Int64")
    bad = _np(pc.is_valid(arr)) & ~_np(pc.is_valid(digits))
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


# The forgiving comparison form tried for values that are not an accepted spelling as written:
# a leading circled digit or list number followed by text ("①机关", "3.工人"), bracketed notes
# ("农村（行政村）", "省（区、市）委党校大学" → "省委党校大学") and punctuation are dropped.
_LOOSE_NUMBER = r"^(?:\(\d{1,2}\)|\d{1,2}[.、)]?)(\D.*)$"  # circled digits are digits after NFKC
# A circled digit alone ("③", as printed forms code their options) means nothing without the
# form's legend: it is not read as the digit NFKC makes of it.
_CIRCLED = r"^[\x{2460}-\x{2473}\x{2474}-\x{2487}\x{2776}-\x{2793}\x{3251}-\x{325f}\x{32b1}-\x{32bf}]+$"
_LOOSE_NOTE = r"[(\[【〔][^)\]】〕]*[)\]】〕]"
_LOOSE_PUNCT = r"[、,，/·.。;；:：'\"“”‘’\-_—~～]"
_TABLES: dict[int, tuple[schema.Enumeration, pa.Array, pa.Array, pa.Array, pa.Array]] = {}


def _loose(key: pa.Array) -> pa.Array:
    """The forgiving form of comparison keys (already half-width, lower-case, without spaces)."""
    key = pc.replace_substring_regex(key, _LOOSE_NUMBER, r"\1")
    key = pc.replace_substring_regex(key, _LOOSE_NOTE, "")
    return _blank_to_null(pc.replace_substring_regex(key, _LOOSE_PUNCT, ""))


def _enum_arrays(enum: schema.Enumeration) -> tuple[pa.Array, pa.Array, pa.Array, pa.Array]:
    """(keys, canonical values, loose keys, their canonical values) of an enumeration; a loose
    key that two canonical values share is left out (it decides nothing)."""
    got = _TABLES.get(id(enum))
    if got is not None and got[0] is enum:
        return got[1:]
    table = enum_table(enum)
    keys = pa.array(list(table), type=pa.large_string())
    canon = pa.array(list(table.values()), type=pa.large_string())
    loose = pd.DataFrame({"k": _loose(keys).to_pylist(), "v": list(table.values())}).dropna().drop_duplicates()
    loose = loose[~loose["k"].duplicated(keep=False)]
    arrays = (keys, canon, pa.array(loose["k"].tolist(), type=pa.large_string()),
              pa.array(loose["v"].tolist(), type=pa.large_string()))
    _TABLES[id(enum)] = (enum, *arrays)
    return arrays


@_per_value
def map_enum(s: pd.Series, enum: schema.Enumeration) -> pd.DataFrame:
    """Canonical enumeration values. Returns ``value`` (text, NA when blank or unknown) and
    ``bad`` (non-blank and not an accepted spelling). A value not accepted as written is tried
    again in a forgiving form (list numbers, bracketed notes and punctuation dropped)."""
    arr = _trim(arrow(s))
    key = pc.utf8_lower(_compact(arr))
    keys, canon, loose_keys, loose_canon = _enum_arrays(enum)
    value = pc.take(canon, pc.index_in(key, value_set=keys))
    unknown = pc.and_(pc.is_valid(key), pc.is_null(value))
    if _any(unknown) and len(loose_keys):
        again = pc.take(loose_canon, pc.index_in(_loose(pc.if_else(unknown, key, _NULL)),
                                                 value_set=loose_keys))
        value = pc.coalesce(value, again)
    if not _all_ascii(arr) and _any(pc.match_substring_regex(arr, _CIRCLED)):
        value = pc.if_else(pc.fill_null(pc.match_substring_regex(arr, _CIRCLED), False), _NULL, value)
    bad = _np(pc.is_valid(arr)) & ~_np(pc.is_valid(value))
    return pd.DataFrame({"value": series(value, s.index), "bad": bad}, index=s.index)


# --------------------------------------------------------------------------- phones, codes

@_per_value
def phone_ok(s: pd.Series) -> pd.Series:
    """True where a phone number is an 11-digit mobile or a landline (several may be listed);
    NA where blank."""
    arr = _compact(_trim(arrow(s)))
    ok = pc.match_substring_regex(arr, _PHONE)
    return pd.Series(pd.arrays.ArrowExtensionArray(ok), index=s.index).astype("boolean")


def credit_check_char(first17: str) -> str:
    """The GB 32100 check character of the first 17 characters of a credit code."""
    total = sum(CREDIT_CHARS.index(c) * int(w) for c, w in zip(first17.upper(), CREDIT_WEIGHTS))
    return CREDIT_CHARS[(31 - total % 31) % 31]


@_per_value
def credit_code_ok(s: pd.Series) -> pd.Series:
    """True where a unified social credit code has 18 valid characters and the right check
    character; NA where blank."""
    arr = pc.utf8_upper(_compact(_trim(arrow(s))))
    form = _np(pc.match_substring_regex(arr, f"^[{CREDIT_CHARS}]{{18}}$"))
    ok = np.zeros(len(arr), dtype=bool)
    if form.any():
        text = series(arr, s.index)[form]
        codes = text.to_numpy(dtype="U18").view(np.uint32).reshape(-1, 18).astype(np.int64)
        values = _CREDIT_VALUE[codes]
        check = (31 - (values[:, :17] @ CREDIT_WEIGHTS) % 31) % 31
        ok[np.flatnonzero(form)] = values[:, 17] == check
    present = _np(pc.is_valid(arr))
    return pd.Series(ok, index=s.index, dtype="boolean").where(present)
