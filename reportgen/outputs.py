"""Writing outputs safely: atomic replacement, clean text, masked ID and mobile numbers.

Every file reportgen writes goes through :func:`atomic_write`, every text cell or paragraph through
:func:`clean_text`. ID numbers of an ID column go through :func:`mask_id` / :func:`mask_ids`; every
other text that could reach an output or a stream goes through one masker for ID-like and mobile
numbers, in whatever column they were typed: :func:`mask_text` (a string), :func:`mask_texts` (a
column), :func:`mask_arrow` (an Arrow array), :func:`mask_frame` / :func:`mask_deep` (tables,
nested values). Where it is applied, once per exit: the report context (report, tables.xlsx,
charts), the validation workbook, the context JSON, explain's rows, the console and the log of the
CLI, and the folder names of ``--by area``.
"""

from __future__ import annotations

import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pandas as pd

# Characters XML 1.0 forbids (C0 controls except tab/newline/CR, surrogates, U+FFFE/U+FFFF).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# An ID-like number: a run of 15 or more digits (an 18-character ID ends in a digit or X; a legacy
# one has 15 digits; a longer run is an ID glued to other digits, e.g. an area named by an ID
# followed by "2026年"), or an 18- or 15-digit ID written in groups (6-4-4-4 / 6-8-4 / 6-6-3) split
# by one space or hyphen. Not after "digit." (the decimals of a number). Python's \d takes
# full-width digits too.
_ID_LIKE = re.compile(
    r"(?<!\d)(?<!\d\.)"
    r"(?:(\d{14,}[\dXx])|(\d{6})[ -]?(\d{4})[ -]?(\d{4})[ -]?(\d{3}[\dXx])|(\d{6})[ -]?(\d{6})[ -]?(\d{3}))"
    r"(?!\d)")
# A mobile number: 11 digits starting with 1, optionally after +86/86, whole or as 3-4-4 groups.
_MOBILE = re.compile(r"(?<!\d)(?<!\d\.)(\+?86[ -]?)?([1\uff11]\d{2})[ -]?(\d{4})[ -]?(\d{4})(?!\d)")
# The same, loosely, in RE2 (Arrow): every text either pattern matches holds one of these runs.
_PERSONAL_RE2 = r"\p{Nd}{6}[ -]?\p{Nd}{4}|[1\x{ff11}]\p{Nd}{2}[ -]?\p{Nd}{4}"
_PERSONAL_PY = r"\d{6}[ -]?\d{4}|[1\uff11]\d{2}[ -]?\d{4}"
_FILENAME_BAD = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def clean_text(value: object) -> str:
    """Text safe for XML (docx, xlsx): forbidden characters removed."""
    return _XML_INVALID.sub("", str(value))


def mask_id(value: object) -> str:
    """Mask an ID number as in SPEC §2: first 6 and last 4 characters kept (110105********1234)."""
    s = "" if value is None or (isinstance(value, float) and value != value) else str(value).strip()
    if len(s) <= 10:
        return "*" * len(s)
    return s[:6] + "*" * (len(s) - 10) + s[-4:]


def mask_ids(series: pd.Series) -> pd.Series:
    """Vectorised masking for a column of ID numbers: ``110105********1234``; nulls stay null.

    Unlike :func:`mask_id` the number of stars is fixed at 8, which hides the length too.
    """
    s = series.astype("string").str.strip()
    masked = s.str.slice(0, 6) + "********" + s.str.slice(-4)
    return masked.mask(s.str.len() <= 10, "****").where(s.notna())


def _id_sub(m: re.Match) -> str:
    return mask_id("".join(g for g in m.groups() if g))


def _mobile_sub(m: re.Match) -> str:
    return f"{m.group(1) or ''}{m.group(2)}****{m.group(4)}"


def mask_text(text: str) -> str:
    """Every ID-like number (``110105********1234``) and mobile number (``138****5678``) inside
    free text masked; the rest of the text unchanged."""
    if not isinstance(text, str):
        return text
    return _MOBILE.sub(_mobile_sub, _ID_LIKE.sub(_id_sub, text))


mask_ids_in_text = mask_text  # the older name: IDs and, now, mobile numbers


def mask_arrow(arr):
    """:func:`mask_text` over an Arrow text array: one RE2 pass finds the cells holding a long digit
    run, and only their distinct texts are masked one by one. Nulls stay null."""
    import pyarrow as pa
    import pyarrow.compute as pc

    given = arr
    if not len(arr):
        return given
    hit = pc.fill_null(pc.match_substring_regex(arr, _PERSONAL_RE2), False)
    if not pc.any(hit).as_py():
        return given  # the same object: nothing to mask
    if isinstance(arr, pa.ChunkedArray):
        arr, hit = arr.combine_chunks(), hit.combine_chunks()
    found = pc.dictionary_encode(pc.filter(arr, hit))  # each distinct text masked once (a file
    masked = pa.array([mask_text(v) for v in found.dictionary.to_pylist()], type=arr.type)  # name
    return pc.replace_with_mask(arr, hit, pc.take(masked, found.indices))  # on 100k issue lines)


def mask_texts(series: pd.Series) -> pd.Series:
    """:func:`mask_text` over a column, vectorised: text (string or object) and categorical columns
    are masked, other columns returned as they are; the dtype is kept."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        cats = dtype.categories
        if not (pd.api.types.is_string_dtype(cats) or cats.dtype == object):
            return series
        new = mask_texts(pd.Series(cats, dtype=object))
        if new.equals(pd.Series(cats, dtype=object)):
            return series
        if new.is_unique:
            return series.cat.rename_categories(list(new))
        return mask_texts(series.astype(object))
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        import pyarrow as pa

        arr = pa.array(series.array)
        out = mask_arrow(arr)
        if out is arr:
            return series
        return pd.Series(pd.array(out, dtype=dtype), index=series.index, name=series.name)
    if isinstance(dtype, pd.StringDtype):
        flag = series.str.contains(_PERSONAL_PY, regex=True).fillna(False).to_numpy(dtype=bool)
    elif dtype == object:
        is_text = series.map(type).to_numpy() == str  # object columns are small (tables, ledgers)
        if not is_text.any():
            return series
        flag = is_text.copy()
        flag[is_text] = series[is_text].str.contains(_PERSONAL_PY, regex=True).to_numpy(dtype=bool)
    else:
        return series
    if not flag.any():
        return series
    out = series.copy()
    out[flag] = [mask_text(v) for v in series[flag].tolist()]
    return out


def mask_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A table with every text cell and column title masked (:func:`mask_texts` per column)."""
    cols = [mask_deep(c) for c in frame.columns]
    out = None
    for i in range(frame.shape[1]):
        s = frame.iloc[:, i]
        m = mask_texts(s)
        if m is not s:
            if out is None:
                out = frame.copy()
            out.isetitem(i, m)
    if cols != list(frame.columns):
        out = (frame if out is None else out).copy()
        out.columns = pd.Index(cols, tupleize_cols=False) if not isinstance(frame.columns, pd.MultiIndex) \
            else pd.MultiIndex.from_tuples(cols)
    return frame if out is None else out


def mask_deep(value):
    """:func:`mask_text` over every text of nested dicts, lists, tuples, tables and columns (a
    report context, a JSON document); numbers, dates and other values unchanged."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, pd.DataFrame):
        return mask_frame(value)
    if isinstance(value, pd.Series):
        return mask_texts(value)
    if isinstance(value, dict):
        return {k: mask_deep(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_deep(v) for v in value]
    if isinstance(value, tuple):
        return tuple(mask_deep(v) for v in value)
    return value


def safe_filename(name: str, fallback: str = "未命名") -> str:
    """A file name made from data: no path separators, reserved or control characters."""
    s = _FILENAME_BAD.sub("_", str(name)).strip().strip(".")
    s = re.sub(r"\s+", " ", s)[:80]
    if s.upper() in {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                     *(f"LPT{i}" for i in range(1, 10))}:
        s = "_" + s
    return s or fallback


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_write(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it into place only if the block succeeds."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600; outputs follow the umask
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()
