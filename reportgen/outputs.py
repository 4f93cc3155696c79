"""Writing outputs safely: atomic replacement, clean text, masked ID numbers.

Every file reportgen writes goes through :func:`atomic_write`, every text cell or paragraph through
:func:`clean_text`, and every ID number that could reach an output through :func:`mask_id` or
:func:`mask_ids`.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pandas as pd

# Characters XML 1.0 forbids (C0 controls except tab/newline/CR, surrogates, U+FFFE/U+FFFF).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# an 18-character ID (17 digits and a digit or X) or a legacy 15-digit one, standing alone
_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[0-9Xx]|\d{15})(?![0-9A-Za-z])")
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


def mask_ids_in_text(text: str) -> str:
    """Mask anything that looks like an 18- or 15-digit ID number inside free text."""
    return _ID_LIKE.sub(lambda m: mask_id(m.group(0)), text)


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


# The document property ``category`` (docProps/core.xml) of every workbook and document written as
# output (tables.xlsx, validation.xlsx, the report), never of the blank submission template: the
# reader skips a file carrying it wherever it lies (ingest.discover.sniff).
OUTPUT_CATEGORY = "reportgen 输出文件（不是报送数据）"


# --------------------------------------------------------------------------- the output set
#
# A build's outputs (report.docx, tables.xlsx, validation.xlsx, charts/, the area folders of
# --by area) are one set: they are written into a hidden staging folder beside the output folder
# and swapped in together at the end, under a lock, so that the folder never holds files of two
# builds. Files of the user's own in the output folder are left where they are: only what
# reportgen wrote (the names below and those its manifest lists) is replaced.

MANIFEST = ".reportgen-outputs.json"
OWN_NAMES = ("report.docx", "tables.xlsx", "validation.xlsx", "charts")
_STAGE_TAG = "reportgen-tmp-"
_OLD_TAG = "reportgen-old-"
_LOCK_TAG = "reportgen-lock"
_COMMIT = ".reportgen-commit.json"
_WRITE_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT,
                 errno.EEXIST, errno.ENOTDIR, errno.EISDIR, errno.ENAMETOOLONG}


class OutputError(Exception):
    """The outputs cannot be written for a reason the user can fix (exit 2); the message is
    Chinese, names the user's path and says what to do."""


class OutputLocked(OutputError):
    """Another build is writing into the same output folder."""


def os_error_message(exc: OSError, path: str | os.PathLike | None = None, verb: str = "写入") -> str:
    """A Chinese message for an operating-system fault on ``path`` (default: the error's own file
    name): what happened and what to do."""
    where = str(path if path is not None else (exc.filename or "输出文件夹"))
    code = exc.errno
    head = f"无法{verb}“{where}”："
    if getattr(exc, "winerror", None) in (32, 33) or (
            isinstance(exc, PermissionError) and sys.platform == "win32"
            and Path(where).suffix.lower() in (".docx", ".xlsx", ".png")):
        return head + "它可能正在 Word/WPS 或 Excel 中打开，请关闭该文件后重试。"
    if code in (errno.EACCES, errno.EPERM):
        return head + ("没有写入权限（也可能是该文件正在 Word/WPS 或 Excel 中打开）。请关闭该文件，"
                       "或用 -o 换一个有写入权限的文件夹后重试。")
    if code == errno.EROFS:
        return head + "它在只读的磁盘或文件夹上。请用 -o 换一个可以写入的文件夹后重试。"
    if code in (errno.ENOSPC, errno.EDQUOT):
        return head + "磁盘空间不足（或超出了空间配额）。请清理出空间，或用 -o 换到空间充足的磁盘后重试。"
    if code in (errno.EEXIST, errno.ENOTDIR, errno.EISDIR):
        return head + ("该路径（或它的上级）已被同名的文件或文件夹占用。请删除或改名占用的文件，"
                       "或用 -o 换一个输出文件夹后重试。")
    if code == errno.ENAMETOOLONG:
        return head + "路径太长。请用 -o 换一个路径较短的输出文件夹后重试。"
    if code == errno.ENOENT:
        return head + "路径不存在（或其中的文件夹被移走了）。请检查路径，或用 -o 换一个输出文件夹后重试。"
    detail = exc.strerror or type(exc).__name__
    return head + f"操作系统报告错误（{detail}）。请检查该位置能否写入，或用 -o 换一个输出文件夹后重试。"


def _layout(target: Path) -> tuple[Path, str]:
    """Where the lock, the staging folder and the old set's holding folder go, and their names'
    prefix: beside the output folder (``.out.reportgen-…``), so that the whole folder can be
    swapped; inside it (``.reportgen-…``) when it is a mount point or its parent cannot be
    written (a rename out of it or across disks would fail)."""
    if target.is_dir() and not target.is_symlink() and (
            os.path.ismount(target) or not os.access(target.parent, os.W_OK)):
        return target, "."
    return target.parent, f".{target.name}."


def lock_path(target: str | os.PathLike) -> Path:
    """The lock file of output folder ``target``: beside it (inside it, see _layout), hidden."""
    base, prefix = _layout(Path(target))
    return base / f"{prefix}{_LOCK_TAG}"


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if sys.platform == "win32":
        import ctypes

        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return ctypes.get_last_error() == 5  # access denied: it exists
        try:
            code = ctypes.c_ulong()
            kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
            return code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def _lock_holder(lock: Path) -> int | None:
    """The pid in a lock file; None if it has none (yet)."""
    try:
        text = lock.read_text(encoding="ascii", errors="replace").strip()
    except FileNotFoundError:
        return 0
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _take_lock(target: Path) -> Path:
    lock = lock_path(target)
    for _ in range(5):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            pid = _lock_holder(lock)
            if pid == 0:  # released meanwhile
                continue
            if pid is None:  # being written by its owner right now, or garbage from long ago
                try:
                    young = time.time() - lock.stat().st_mtime < 10
                except OSError:
                    continue
                if young:
                    raise OutputLocked(_locked_message(target, lock))
            elif _pid_alive(pid):
                raise OutputLocked(_locked_message(target, lock))
            try:  # its build ended without releasing it (killed): take it over
                lock.unlink()
            except FileNotFoundError:
                pass
            continue
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(str(os.getpid()))
        return lock
    raise OutputLocked(_locked_message(target, lock))


def _locked_message(target: Path, lock: Path) -> str:
    return (f"另一个生成任务正在向“{target}”输出，请等它结束后再试"
            f"（如果确认没有其他任务在运行，可删除“{lock}”后重试）。")


def _release_lock(lock: Path) -> None:
    try:
        if _lock_holder(lock) == os.getpid():
            lock.unlink()
    except OSError:
        pass


def _own_entries(target: Path) -> list[str]:
    """The names in ``target`` that an earlier run of reportgen wrote."""
    names = set(OWN_NAMES)
    try:
        listed = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
        names.update(n for n in listed.get("outputs", []) if isinstance(n, str) and n
                     and n == Path(n).name and not n.startswith("."))
        names.add(MANIFEST)
    except (OSError, ValueError, AttributeError):
        pass
    return sorted(n for n in names if os.path.lexists(target / n))


def _rmtree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
    if os.path.lexists(path):  # a file, not a folder
        try:
            path.unlink()
        except OSError:
            pass


def _recover(target: Path) -> None:
    """Undo what a build killed while it swapped its outputs in left behind (called under the
    lock): the previous set comes back whole; leftover staging folders go."""
    base, prefix = _layout(target)
    try:
        leftovers = sorted(p for p in base.iterdir() if p.name.startswith(prefix + "reportgen-"))
    except OSError:
        return
    for old in (p for p in leftovers if p.name.startswith(prefix + _OLD_TAG)):
        if not os.path.lexists(target):  # killed between the two renames of a folder swap
            try:
                os.rename(old, target)
            except OSError:
                pass
            continue
        plan = old / _COMMIT
        try:
            moved = json.loads(plan.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            moved = None
        if isinstance(moved, dict):  # killed while moving entries one by one: put the old ones back
            was = set(moved.get("old", []))
            for name in moved.get("new", []):
                if name in was and not os.path.lexists(old / name):
                    continue  # not moved out yet: what is in the folder is still the old one
                _rmtree(target / name)
            for name in was:
                if os.path.lexists(old / name):
                    try:
                        os.rename(old / name, target / name)
                    except OSError:
                        pass
        _rmtree(old)
    for stage in (p for p in leftovers if p.name.startswith(prefix + _STAGE_TAG)):
        _rmtree(stage)


class OutputSet:
    """The output folder of one run, written as a whole::

        with OutputSet(out) as outset:
            write(outset.dir / "report.docx")   # and everything else, into the staging folder
            outset.commit()                     # swap the new set in

    Entering takes the lock (:class:`OutputLocked` if another run holds it) and makes the
    staging folder; leaving without :meth:`commit` (an error, Ctrl-C) throws the staging folder
    away and leaves the previous set as it was. An operating-system fault while writing becomes an
    :class:`OutputError` naming the user's path."""

    def __init__(self, target: str | os.PathLike) -> None:
        # a link to a folder: the set is swapped in the folder it points to, the link stays
        self.target = Path(os.path.realpath(target)) if os.path.islink(target) else Path(target)
        self.dir: Path = self.target
        self._lock: Path | None = None
        self.committed = False

    def __enter__(self) -> "OutputSet":
        t = self.target
        if os.path.lexists(t) and not t.is_dir():
            raise OutputError(f"输出位置“{t}”是一个文件，不是文件夹：请用 -o 指定一个文件夹"
                              "（可以是还不存在的新文件夹），或把这个文件改名后重试。")
        try:
            t.parent.mkdir(parents=True, exist_ok=True)
            self._lock = _take_lock(t)
            _recover(t)
            base, prefix = _layout(t)
            self.dir = Path(tempfile.mkdtemp(prefix=prefix + _STAGE_TAG, dir=base))
        except OutputError:
            raise
        except OSError as exc:
            self._release()
            raise OutputError(os_error_message(exc, self._user_path(exc))) from exc
        return self

    def final(self, path: str | os.PathLike) -> Path:
        """Where a file written into the staging folder ends up."""
        p = Path(path)
        try:
            return self.target / p.relative_to(self.dir)
        except ValueError:
            return p

    def _user_path(self, exc: OSError) -> Path:
        """The path to name in a message: the user's, not the staging folder's."""
        name = exc.filename
        if not name:
            return self.target
        p = self.final(name)
        if p.name.startswith((f".{self.target.name}.reportgen-", ".reportgen-tmp-", ".reportgen-old-",
                              ".reportgen-lock")):  # the staging folder or the lock: the folder itself
            return self.target
        if p.name.startswith(".") and p.name.endswith(".tmp"):  # atomic_write's temporary file
            return p.with_name(p.name[1:].rsplit(".", 2)[0])
        return p

    def _concerns_us(self, exc: OSError) -> bool:
        """Whether an error is about writing the outputs (not reading the submissions)."""
        names = [n for n in (exc.filename, getattr(exc, "filename2", None)) if n]
        if not names:
            return exc.errno in _WRITE_ERRNOS
        bases = (self.dir.absolute(), self.target.absolute())
        for name in names:
            p = Path(os.fsdecode(name)).absolute()
            if any(p == b or b in p.parents for b in bases):
                return True
        return False

    def commit(self) -> None:
        """Swap the staged set in for the previous one: the folder then holds this run's outputs
        and the user's own files, nothing of an earlier run."""
        if self.committed:
            return
        stage, target = self.dir, self.target
        names = sorted(p.name for p in stage.iterdir())
        os.chmod(stage, 0o777 & ~_umask())  # mkdtemp makes 0700; a new folder follows the umask
        (stage / MANIFEST).write_text(json.dumps({"outputs": names}, ensure_ascii=False, indent=1)
                                      + "\n", encoding="utf-8")
        try:
            if not os.path.lexists(target):
                os.rename(stage, target)
            else:
                new = [*names, MANIFEST]
                # an earlier run's outputs, and whatever sits where this run's go
                own = sorted(set(_own_entries(target)) | {n for n in new if os.path.lexists(target / n)})
                base, prefix = _layout(target)
                ours = (prefix + _STAGE_TAG, prefix + _OLD_TAG, prefix + _LOCK_TAG)
                foreign = [p for p in target.iterdir() if p.name not in own and not p.name.startswith(ours)]
                swapped = False
                if not foreign and base != target:
                    try:
                        self._swap_folder(stage, target)
                        swapped = True
                    except PermissionError:  # Windows: a file in it is open; find which, below
                        pass
                if not swapped:
                    self._swap_entries(stage, target, own, new)
        except OSError as exc:
            raise OutputError(os_error_message(exc, self._user_path(exc))) from exc
        self.committed = True
        self.dir = target

    @staticmethod
    def _swap_folder(stage: Path, target: Path) -> None:
        old = Path(tempfile.mktemp(prefix=f".{target.name}.{_OLD_TAG}", dir=target.parent))
        os.rename(target, old)
        try:
            os.rename(stage, target)
        except BaseException:  # an error, or Ctrl-C right now: the old set goes back
            os.rename(old, target)
            raise
        _rmtree(old)

    @staticmethod
    def _swap_entries(stage: Path, target: Path, own: list[str], new: list[str]) -> None:
        base, prefix = _layout(target)
        old = Path(tempfile.mkdtemp(prefix=prefix + _OLD_TAG, dir=base))
        (old / _COMMIT).write_text(json.dumps({"old": own, "new": new}, ensure_ascii=False),
                                   encoding="utf-8")
        out: list[str] = []
        came: list[str] = []
        try:
            for name in own:
                os.replace(target / name, old / name)
                out.append(name)
            for name in new:
                os.replace(stage / name, target / name)
                came.append(name)
        except BaseException:  # an error, or Ctrl-C right now: the old set goes back
            for name in reversed(came):
                try:
                    os.replace(target / name, stage / name)
                except OSError:
                    _rmtree(target / name)
            kept = True
            for name in reversed(out):
                try:
                    os.replace(old / name, target / name)
                except OSError:
                    kept = False
            if kept:
                _rmtree(old)  # else the next run puts them back (_recover)
            raise
        _rmtree(old)
        _rmtree(stage)

    def _release(self) -> None:
        if self._lock is not None:
            _release_lock(self._lock)
            self._lock = None

    def __exit__(self, kind, exc, tb) -> None:
        try:
            if not self.committed and self.dir != self.target:
                _rmtree(self.dir)
        finally:
            self._release()
        if isinstance(exc, OSError) and not isinstance(exc, OutputError) and self._concerns_us(exc):
            raise OutputError(os_error_message(exc, self._user_path(exc))) from exc
