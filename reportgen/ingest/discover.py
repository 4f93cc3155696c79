"""Finding the submitted files and telling what they are from their content (SPEC §1, §2).

Every file under the folder is a submission except Office lock files (``~$*``), hidden files and
folders (name starting with "."), the narrative file of the report and the few files operating
systems leave behind; they are skipped silently. Skipped with a line each (:class:`Skipped`):
files identical to another, reportgen's own outputs (marked by a document property), the output
folder, names that cannot be decoded, unreadable folders and links to folders already read. The
format comes from the first bytes, not the extension, and the size guards run before anything is
parsed or inflated.
"""

from __future__ import annotations

import hashlib
import os
import re
import struct
import zipfile
import zlib
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np

from ..config import Limits
from ..outputs import MANIFEST as OUTPUT_MANIFEST, OUTPUT_CATEGORY
from . import xlsxscan

# Files that live in a submission folder without being submissions (compared case-insensitively).
IGNORED_NAMES = ("narrative.yaml", "narrative.yml", "thumbs.db", "desktop.ini")
TEXT_EXTENSIONS = (".csv", ".txt", ".tsv")
WPS_EXTENSIONS = (".et", ".ett")
MB = 1024 * 1024

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # ZIP local file header (30 bytes)
_CHUNK = 1 << 20
_SAVE_AS = "请用 Excel 或 WPS 打开后另存为 .xlsx 再报送"
_CORE = "docProps/core.xml"
_OWN_MARK = re.compile(rb"<(?:\w+:)?category>\s*" + re.escape(OUTPUT_CATEGORY.encode("utf-8")))
OWN_OUTPUT = "这是 reportgen 生成的输出文件，不作为报送数据读取"
_WPS = "这是 WPS 表格专用格式（.et），请在 WPS 中“另存为” Excel 工作簿（.xlsx）后再报送"


@dataclass(frozen=True)
class Sniffed:
    """What a file is: a readable ``kind`` (xlsx, xlsb, xls, ods, csv), or a refusal (``rule``
    with a Chinese ``detail`` saying what was found and what to do)."""

    kind: str | None
    rule: str | None = None
    detail: str = ""
    # .xlsx: sheet name → (row, column) of its number cells that may hold 1e15 or more (see
    # xlsxscan); a sheet missing here could not be scanned and is asked about by the reader.
    big_numbers: dict[str, np.ndarray] = field(default_factory=dict, compare=False, hash=False)

    @property
    def ok(self) -> bool:
        return self.rule is None


def is_ignored(name: str) -> bool:
    """Whether a file or folder name is skipped silently."""
    return name.startswith((".", "~$")) or name.lower() in IGNORED_NAMES


def discover(path: str | Path) -> tuple[Path, list[tuple[Path, str]]]:
    """The files to read: (root, [(path, relative posix path)]) sorted by relative path (see
    :func:`survey`, which also says what was skipped and why)."""
    found = survey(path)
    return found.root, found.files


@dataclass(frozen=True)
class Skipped:
    """A file or folder not read, with its reason: one issue line (``rule`` and a Chinese
    ``detail``) and one line of the file table (``status``). ``rel`` is printable; a folder's
    ends with "/"."""

    rel: str
    rule: str
    detail: str
    status: str


@dataclass
class Survey:
    """What a submission folder holds: the files to read and what was skipped."""

    root: Path
    files: list[tuple[Path, str]]
    skipped: list[Skipped] = field(default_factory=list)


def survey(path: str | Path, exclude: Iterable[str | Path] = ()) -> Survey:
    """Walk a folder (or take a single file) and tell which files to read.

    Folders are walked explicitly: symbolic links to folders are followed once (a link to a
    folder already read, or to one of its own ancestors, is listed and not read again), an
    unreadable folder is listed, and the folders in ``exclude`` (the output folder when it lies
    inside the input) are left out with a note. Files whose name cannot be decoded are listed and
    not read; files byte-for-byte identical to another are read once (the kept one is the first
    by (looks like a copy, relative path))."""
    path = Path(path)
    if path.is_file():
        rel = path.name
        if _undecodable(rel):
            return Survey(path.parent, [], [_bad_name(rel)])
        return Survey(path.parent, [(path, rel)])
    walk = _Walk(path, exclude)
    walk.run()
    files = sorted(walk.files, key=lambda t: t[1])
    kept, copies = _identical(files)
    skipped = sorted(walk.skipped + copies, key=lambda s: s.rel)
    return Survey(path, kept, skipped)


class _Walk:
    """An explicit walk of a folder tree: real folders breadth-first in name order, then the
    folders reached through symbolic links (so that a folder is read under its own name when it
    is also linked), each real folder once."""

    def __init__(self, root: Path, exclude: Iterable[str | Path]) -> None:
        self.root = root
        self.exclude = {os.path.realpath(p) for p in exclude}
        self.visited: dict[str, str] = {os.path.realpath(root): ""}  # real path → relative path
        self.files: list[tuple[Path, str]] = []
        self.skipped: list[Skipped] = []
        self.links: list[tuple[str, str, str]] = []  # (path, relative path, parent's real path)

    def run(self) -> None:
        queue: deque[tuple[str, str]] = deque([(str(self.root), "")])
        while queue or self.links:
            if not queue:
                self.links.sort(key=lambda t: t[1])
                link = self.links.pop(0)
                if self._enter(*link):
                    queue.append(link[:2])
                continue
            folder, rel = queue.popleft()
            for entry_path, entry_rel in self._scan(folder, rel):
                queue.append((entry_path, entry_rel))

    def _scan(self, folder: str, rel: str) -> list[tuple[str, str]]:
        """The folder's files go to ``self.files``; its real sub-folders are returned."""
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            where = f"文件夹“{printable(rel)}”" if rel else "报送文件夹"
            self.skipped.append(Skipped(
                (printable(rel) + "/") if rel else "./", "file.folder_unreadable",
                f"{where}无法打开（{_reason(exc)}），其中的文件都没有读取", "文件夹无法打开，未读取"))
            return []
        real_parent = os.path.realpath(folder)
        subfolders = []
        for entry in entries:
            if is_ignored(entry.name):
                continue
            entry_rel = f"{rel}/{entry.name}" if rel else entry.name
            try:
                is_dir = entry.is_dir()
                is_link = entry.is_symlink()
                is_file = not is_dir and entry.is_file()
            except OSError:  # cannot even tell what it is: the reader says it cannot open it
                is_dir = is_link = False
                is_file = True
            if _undecodable(entry.name):
                self.skipped.append(_bad_name(entry_rel, folder=is_dir))
            elif is_dir and is_link:
                self.links.append((entry.path, entry_rel, real_parent))
            elif is_dir:
                if self._enter(entry.path, entry_rel, real_parent):
                    subfolders.append((entry.path, entry_rel))
            elif is_file:
                self.files.append((Path(entry.path), entry_rel))
            elif is_link:  # a link to nothing (is_dir and is_file follow links)
                self.skipped.append(Skipped(
                    entry_rel, "file.unreadable",
                    f"“{entry_rel}”是一个快捷方式（符号链接），它指向的文件或文件夹不存在", "链接失效，未读取"))
        return subfolders

    def _enter(self, path: str, rel: str, real_parent: str) -> bool:
        """Whether to walk a folder; a note when it is the output folder or was already walked."""
        real = os.path.realpath(path)
        if real in self.exclude:
            self.skipped.append(Skipped(
                rel + "/", "file.output_folder",
                f"文件夹“{rel}”是本次的输出文件夹，位于报送文件夹之内，其中的文件不作为报送数据读取",
                "已跳过（本次输出文件夹）"))
            return False
        if os.path.isfile(os.path.join(path, OUTPUT_MANIFEST)):  # an earlier build's output folder
            self.skipped.append(Skipped(
                rel + "/", "file.output_folder",
                f"文件夹“{rel}”是 reportgen 以前生成的输出文件夹，其中的报告、统计表和图表不作为报送数据读取",
                "已跳过（reportgen 输出文件夹）"))
            return False
        if real not in self.visited:
            self.visited[real] = rel
            return True
        seen = self.visited[real]
        seen_text = f"文件夹“{seen}”" if seen else "最上层的报送文件夹"
        loop = real_parent == real or real_parent.startswith(real.rstrip(os.sep) + os.sep)
        why = f"指向它的上级{seen_text}，会形成循环" if loop else f"与{seen_text}是同一个文件夹，已读取过"
        self.skipped.append(Skipped(rel + "/", "file.folder_link",
                                    f"“{rel}”是一个快捷方式（符号链接），{why}，未重复读取",
                                    "已跳过（链接形成循环）" if loop else f"已跳过（与{seen_text}相同）"))
        return False


def _reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "没有访问权限"
    return exc.strerror or type(exc).__name__


def _undecodable(name: str) -> bool:
    """Whether a name came from bytes that are not UTF-8 (Python keeps them as lone surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def printable(name: str) -> str:
    """A path safe to print and write: each part that is not UTF-8 shown as ``\\xb5\\xb3`` escapes
    of all its non-ASCII bytes (half-decoded bytes would show as unrelated letters)."""
    return "/".join(part if not _undecodable(part) else _escaped(part) for part in name.split("/"))


def _escaped(part: str) -> str:
    try:
        return part.encode("utf-8", "surrogateescape").decode("ascii", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that is no escaped byte (Windows)
        return part.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")


def _bad_name(rel: str, folder: bool = False) -> Skipped:
    shown = printable(rel)
    guess = ""
    try:
        name = rel.rsplit("/", 1)[-1]
        guessed = name.encode("utf-8", "surrogateescape").decode("gb18030")
        if guessed != name:
            guess = f"；按 GBK 编码读作“{guessed}”"
    except UnicodeError:
        pass
    what = "文件夹名" if folder else "文件名"
    after = "，其中的文件都没有读取" if folder else "，文件没有读取"
    return Skipped(shown + ("/" if folder else ""), "file.bad_name",
                   f"{what}“{shown}”无法识别（可能是编码问题，常见于在其他系统上解压的压缩包{guess}）{after}；"
                   "请把文件改名后重新报送", "文件名无法识别，未读取")


_COPY_WORDS = ("副本", "备份", "copy", "backup", "bak")
_COPY_NUMBER = re.compile(r"[(（]\d+[)）]$")


def _looks_like_copy(rel: str) -> bool:
    """Whether a path names a copy: a 备份/backup folder, "- 副本", "(1)"…"""
    low = rel.lower()
    return any(w in low for w in _COPY_WORDS) or bool(_COPY_NUMBER.search(Path(rel).stem.strip()))


def _identical(files: list[tuple[Path, str]]) -> tuple[list[tuple[Path, str]], list[Skipped]]:
    """The files to read and the byte-for-byte copies skipped. Only files whose size equals
    another's are hashed (streamed), so a set without copies costs one stat per file."""
    by_size: dict[int, list[tuple[Path, str]]] = {}
    for p, rel in files:
        try:
            size = p.stat().st_size
        except OSError:
            continue  # the reader reports it
        if size:
            by_size.setdefault(size, []).append((p, rel))
    drop: dict[str, str] = {}
    for group in by_size.values():
        if len(group) < 2:
            continue
        by_hash: dict[bytes, list[str]] = {}
        for p, rel in group:
            digest = _digest(p)
            if digest is not None:
                by_hash.setdefault(digest, []).append(rel)
        for same in by_hash.values():
            if len(same) > 1:
                first, *rest = sorted(same, key=lambda r: (_looks_like_copy(r), r))
                drop.update((r, first) for r in rest)
    kept = [(p, rel) for p, rel in files if rel not in drop]
    skipped = [Skipped(rel, "file.duplicate",
                       f"“{rel}”与“{first}”内容完全相同（常见于备份或副本），只读取了“{first}”，本文件已跳过，"
                       "数据没有重复计入", f"已跳过（与“{first}”内容相同）")
               for rel, first in drop.items()]
    return kept, skipped


def _digest(path: Path) -> bytes | None:
    h = hashlib.blake2b(digest_size=32)
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                h.update(chunk)
    except OSError:
        return None  # the reader reports it
    return h.digest()


def sniff(path: Path, limits: Limits) -> Sniffed:
    """Tell a file's format from its content, applying the size guards of ``limits``."""
    try:
        size = path.stat().st_size
        if size > limits.max_file_mb * MB:
            return Sniffed(None, "file.too_large",
                           f"文件大小 {size / MB:.0f} MB，超过上限 {limits.max_file_mb:g} MB")
        if size == 0:
            return Sniffed(None, "file.unreadable", "文件是空的（0 字节）")
        with path.open("rb") as fh:
            head = fh.read(65536)
    except OSError as exc:
        return Sniffed(None, "file.unreadable", f"无法打开文件（{exc.strerror or exc}）")
    ext = path.suffix.lower()
    if head.startswith(_ZIP_MAGIC):
        return _sniff_zip(path, size, ext, limits)
    if head.startswith(_OLE_MAGIC):
        return _sniff_ole(path, ext)
    if ext in WPS_EXTENSIONS:
        return Sniffed(None, "file.unsupported", _WPS)
    if head.startswith(b"%PDF"):
        return Sniffed(None, "file.unsupported", "这是 PDF 文件，无法读取其中的表格；请报送 Excel 工作簿（.xlsx）")
    return _sniff_text(head, ext)


def _sniff_zip(path: Path, size: int, ext: str, limits: Limits) -> Sniffed:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > limits.max_zip_entries:
                return Sniffed(None, "file.too_large",
                               f"压缩结构中有 {len(infos)} 个部件，超过上限 {limits.max_zip_entries}")
            total = sum(i.file_size for i in infos)
            if total > limits.max_uncompressed_mb * MB:
                return Sniffed(None, "file.too_large",
                               f"解压后大小 {total / MB:.0f} MB，超过上限 {limits.max_uncompressed_mb:g} MB")
            ratio = total / max(size, 1)
            if ratio > limits.max_compression_ratio:
                return Sniffed(None, "file.too_large",
                               f"压缩比 {ratio:.0f} 倍，超过上限 {limits.max_compression_ratio:g} 倍，疑似异常文件")
            names = {i.filename for i in infos}
            if _own_output(zf, names):
                return Sniffed(None, "file.own_output", OWN_OUTPUT)
            big: dict[str, np.ndarray] = {}
            for info in infos:
                keep = "xl/workbook.xml" in names and bool(xlsxscan.WORKSHEET_PART.match(info.filename)) \
                    and info.file_size <= xlsxscan.MAX_SCAN_BYTES
                ok, xml = _true_size_ok(path, info, keep)
                if not ok:
                    return Sniffed(None, "file.too_large",
                                   f"压缩结构中的部件“{info.filename[:60]}”解压后比它声明的大小更大，疑似压缩炸弹，"
                                   "已拒绝读取")
                if xml is not None:
                    try:
                        big[info.filename.lstrip("/")] = xlsxscan.big_number_cells(xml)
                    except xlsxscan.Unsure:
                        pass  # the reader asks fastexcel for this sheet's cell types
                    del xml
            mimetype = b""
            if "mimetype" in names:
                with zf.open("mimetype") as fh:
                    mimetype = fh.read(200)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        return Sniffed(None, "file.unreadable", "文件已损坏（压缩结构不完整，可能没有传完整）")
    if "xl/workbook.xml" in names:
        return Sniffed("xlsx", big_numbers=_by_sheet(path, names, big))
    if "xl/workbook.bin" in names:
        return Sniffed("xlsb")
    if b"opendocument.spreadsheet" in mimetype:
        return Sniffed("ods")
    if "word/document.xml" in names or b"opendocument.text" in mimetype:
        return Sniffed(None, "file.unsupported",
                       "这是 Word 文档而不是电子表格；请把表格复制到 Excel 或 WPS 表格中，另存为 .xlsx 后再报送")
    if "ppt/presentation.xml" in names or b"opendocument.presentation" in mimetype:
        return Sniffed(None, "file.unsupported", "这是演示文稿而不是电子表格；" + _SAVE_AS)
    if ext in WPS_EXTENSIONS:
        return Sniffed(None, "file.unsupported", _WPS)
    return Sniffed(None, "file.unsupported", "这是压缩包而不是电子表格；请解压后把其中的 .xlsx 文件放入报送文件夹")


def _own_output(zf: zipfile.ZipFile, names: set[str]) -> bool:
    """Whether a workbook or document carries the mark of reportgen's outputs (its core property
    ``category``, see :data:`reportgen.outputs.OUTPUT_CATEGORY`); bounded read of one small part."""
    if _CORE not in names:
        return False
    with zf.open(_CORE) as fh:
        core = fh.read(65536)
    return _OWN_MARK.search(core) is not None


def _by_sheet(path: Path, names: set[str], big: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The scan's findings keyed by sheet name (parts the workbook does not name are dropped)."""
    if not big or "xl/_rels/workbook.xml.rels" not in names:
        return {}
    try:
        with zipfile.ZipFile(path) as zf:
            parts = xlsxscan.sheet_parts(zf.read("xl/workbook.xml"), zf.read("xl/_rels/workbook.xml.rels"))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error):
        return {}
    return {sheet: big[part] for sheet, part in parts.items() if part in big}


def _true_size_ok(path: Path, info: zipfile.ZipInfo, keep: bool = False) -> tuple[bool, bytes | None]:
    """Whether a deflated entry inflates to no more than the size it declares, and (``keep``)
    its inflated bytes. The size guards above trust the declared sizes, and the spreadsheet
    parser does not: it inflates until the stream ends. So the stream is inflated here in
    bounded chunks and stopped as soon as it passes the declared size (cost: one pass of zlib
    over the file); the bytes are kept only for the worksheets' number-cell scan."""
    if info.compress_type != zipfile.ZIP_DEFLATED:
        if info.compress_type == zipfile.ZIP_STORED and info.compress_size > info.file_size:
            return False, None
        if keep and info.compress_type == zipfile.ZIP_STORED:
            with zipfile.ZipFile(path) as zf:
                return True, zf.read(info)
        return True, None
    with path.open("rb") as fh:
        fh.seek(info.header_offset)
        local = fh.read(_LOCAL_HEADER.size)
        if len(local) < _LOCAL_HEADER.size or local[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile("bad local header")
        name_len, extra_len = _LOCAL_HEADER.unpack(local)[-2:]
        fh.seek(name_len + extra_len, 1)
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        left, out = info.compress_size, 0
        allowed = info.file_size
        kept: list[bytes] = []
        while left > 0 and not inflater.eof:
            chunk = fh.read(min(left, _CHUNK))
            if not chunk:
                break
            left -= len(chunk)
            data = chunk
            while data and not inflater.eof:
                try:
                    piece = inflater.decompress(data, _CHUNK)
                except zlib.error:
                    raise zipfile.BadZipFile("bad deflate stream") from None
                out += len(piece)
                if out > allowed:
                    return False, None
                if keep:
                    kept.append(piece)
                data = inflater.unconsumed_tail
        try:
            rest = inflater.flush()
        except zlib.error:
            raise zipfile.BadZipFile("bad deflate stream") from None
        if out + len(rest) > allowed:
            return False, None
        kept.append(rest)
    return True, (b"".join(kept) if keep else None)


def _sniff_ole(path: Path, ext: str) -> Sniffed:
    try:
        with path.open("rb") as fh:
            cfb = _Cfb(fh)
            names = cfb.stream_names()
            encrypted = {"encryptioninfo", "encryptedpackage"} & {n.lower() for n in names}
            if encrypted:
                return Sniffed(None, "file.encrypted", "文件已加密（设置了打开密码）")
            book = next((n for n in names if n.lower() in ("workbook", "book")), None)
            if book is not None:
                if cfb.xls_filepass(book):
                    return Sniffed(None, "file.encrypted", "文件已加密（设置了打开密码）")
                return Sniffed("xls")
    except (ValueError, struct.error, OSError, IndexError):
        return Sniffed(None, "file.unreadable", "文件已损坏（复合文档结构不完整）")
    lower = {n.lower() for n in names}
    if "worddocument" in lower:
        return Sniffed(None, "file.unsupported",
                       "这是 Word 文档（.doc）而不是电子表格；请把表格复制到 Excel 或 WPS 表格中，另存为 .xlsx 后再报送")
    if "powerpoint document" in lower:
        return Sniffed(None, "file.unsupported", "这是演示文稿而不是电子表格；" + _SAVE_AS)
    if ext in WPS_EXTENSIONS or any("wps" in n or "kso" in n for n in lower):
        return Sniffed(None, "file.unsupported", _WPS)
    return Sniffed(None, "file.unsupported", "这不是电子表格文件；" + _SAVE_AS)


def _sniff_text(head: bytes, ext: str) -> Sniffed:
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Sniffed(None, "file.unsupported", "这不是电子表格文件；" + _SAVE_AS)
    text = head.decode("utf-8", errors="replace") if not head.startswith((b"\xff\xfe", b"\xfe\xff")) \
        else head.decode("utf-16", errors="replace")
    start = text.lstrip("\ufeff \t\r\n").lower()[:2048]
    if start.startswith(("<!doctype html", "<html", "<table", "<meta")) or "<html" in start[:400]:
        return Sniffed(None, "file.unsupported",
                       "这是网页格式（HTML）的表格，常见于系统导出的 .xls；" + _SAVE_AS)
    if start.startswith("<?xml"):
        return Sniffed(None, "file.unsupported", "这是 XML 格式的表格；" + _SAVE_AS)
    if ext in TEXT_EXTENSIONS:
        return Sniffed("csv")
    # a title line ("示例区党员花名册") may stand above the header: any of the first lines will do
    lines = [line for line in text.splitlines()[:100] if line.strip()][:20]
    if any(line.count(",") + line.count("，") >= 2 or line.count("\t") >= 2 for line in lines):
        return Sniffed("csv")
    return Sniffed(None, "file.unsupported", "这不是电子表格文件；" + _SAVE_AS)


class _Cfb:
    """Just enough of the Compound File Binary format ([MS-CFB]) to list stream names and read
    the first bytes of a stream."""

    END = 0xFFFFFFFE

    def __init__(self, fh) -> None:
        self.fh = fh
        header = fh.read(512)
        if len(header) < 512:
            raise ValueError("short header")
        self.sector_size = 1 << struct.unpack_from("<H", header, 0x1E)[0]
        self.mini_size = 1 << struct.unpack_from("<H", header, 0x20)[0]
        if self.sector_size not in (512, 4096) or self.mini_size != 64:
            raise ValueError("bad sector size")
        n_fat, first_dir = struct.unpack_from("<II", header, 0x2C)
        self.cutoff, first_minifat, n_minifat, first_difat, n_difat = struct.unpack_from(
            "<IIIII", header, 0x38)
        fh.seek(0, 2)
        self.n_sectors = max(0, fh.tell() // self.sector_size - 1)
        difat = list(struct.unpack_from("<109I", header, 0x4C))
        sector = first_difat
        for _ in range(min(n_difat, self.n_sectors)):
            if sector >= self.n_sectors:
                break
            data = self._sector(sector)
            values = struct.unpack(f"<{self.sector_size // 4}I", data)
            difat.extend(values[:-1])
            sector = values[-1]
        fat_sectors = [s for s in difat if s < self.n_sectors][:n_fat]
        self.fat: list[int] = []
        for s in fat_sectors:
            self.fat.extend(struct.unpack(f"<{self.sector_size // 4}I", self._sector(s)))
        self.entries = self._directory(first_dir)
        self.first_minifat, self.n_minifat = first_minifat, n_minifat

    def _sector(self, n: int) -> bytes:
        self.fh.seek((n + 1) * self.sector_size)
        data = self.fh.read(self.sector_size)
        if len(data) < self.sector_size:
            raise ValueError("truncated sector")
        return data

    def _chain(self, start: int, limit: int | None = None) -> list[int]:
        chain = []
        sector = start
        while sector < self.n_sectors and sector < len(self.fat) and len(chain) <= self.n_sectors:
            chain.append(sector)
            if limit is not None and len(chain) >= limit:
                break
            sector = self.fat[sector]
        return chain

    def _directory(self, first: int) -> list[tuple[str, int, int, int]]:
        entries = []
        for sector in self._chain(first):
            data = self._sector(sector)
            for off in range(0, self.sector_size, 128):
                raw = data[off:off + 128]
                length = struct.unpack_from("<H", raw, 0x40)[0]
                kind = raw[0x42]
                if kind == 0 or length < 2 or length > 64:
                    continue
                name = raw[: length - 2].decode("utf-16-le", errors="replace")
                start, size = struct.unpack_from("<II", raw, 0x74)
                entries.append((name, kind, start, size))
        if not entries:
            raise ValueError("no directory")
        return entries

    def stream_names(self) -> list[str]:
        return [name for name, kind, _, _ in self.entries if kind == 2]

    def head(self, name: str, nbytes: int = 64) -> bytes:
        """The first bytes of a stream (from the mini stream when it is small)."""
        entry = next(e for e in self.entries if e[0] == name and e[1] == 2)
        _, _, start, size = entry
        if size >= self.cutoff:
            return self._sector(start)[:nbytes] if start < self.n_sectors else b""
        root = next(e for e in self.entries if e[1] == 5)
        minifat = []
        for s in self._chain(self.first_minifat, self.n_minifat):
            minifat.extend(struct.unpack(f"<{self.sector_size // 4}I", self._sector(s)))
        if start >= len(minifat) + 1:
            return b""
        offset = start * self.mini_size
        per = self.sector_size // self.mini_size
        chain = self._chain(root[2], offset // self.sector_size + 1)
        if len(chain) <= offset // self.sector_size:
            return b""
        data = self._sector(chain[offset // self.sector_size])
        inner = (start % per) * self.mini_size
        return data[inner:inner + min(nbytes, self.mini_size)]

    def xls_filepass(self, name: str) -> bool:
        """Whether a BIFF workbook stream is encrypted: a FILEPASS record (0x002F) right after BOF."""
        data = self.head(name, 64)
        if len(data) < 8:
            return False
        rec, length = struct.unpack_from("<HH", data, 0)
        if rec not in (0x0809, 0x0409, 0x0209, 0x0009) or 4 + length + 4 > len(data):
            return False
        return struct.unpack_from("<H", data, 4 + length)[0] == 0x002F
