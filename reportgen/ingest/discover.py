"""Finding the submitted files and telling what they are from their content (SPEC §1, §2).

Every file under the folder is a submission except Office lock files (``~$*``), hidden files and
folders (name starting with "."), the narrative file of the report and the few files operating
systems leave behind; they are skipped silently. The format comes from the first bytes, not the
extension, and the size guards run before anything is parsed or inflated.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..config import Limits
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
    # .xlsx: sheet name → (hidden rows, hidden columns, autofilter rows) found in the same pass
    # (xlsxscan.hidden_marks); a sheet missing here hides nothing or could not be scanned.
    hidden: dict[str, tuple] = field(default_factory=dict, compare=False, hash=False)

    @property
    def ok(self) -> bool:
        return self.rule is None


def is_ignored(name: str) -> bool:
    """Whether a file or folder name is skipped silently."""
    return name.startswith((".", "~$")) or name.lower() in IGNORED_NAMES


def discover(path: str | Path) -> tuple[Path, list[tuple[Path, str]]]:
    """The files of a submission: (root, [(path, relative posix path)]) sorted by relative path.

    ``path`` is a folder (searched recursively) or a single file (its folder is the root)."""
    path = Path(path)
    if path.is_file():
        return path.parent, [(path, path.name)]
    found = []
    for p in path.rglob("*"):
        rel = p.relative_to(path)
        if any(is_ignored(part) for part in rel.parts) or not p.is_file():
            continue
        found.append((p, rel.as_posix()))
    found.sort(key=lambda t: t[1])
    return path, found


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
            big: dict[str, np.ndarray] = {}
            hidden: dict[str, tuple] = {}
            for info in infos:
                keep = "xl/workbook.xml" in names and bool(xlsxscan.WORKSHEET_PART.match(info.filename)) \
                    and info.file_size <= xlsxscan.MAX_SCAN_BYTES
                ok, xml = _true_size_ok(path, info, keep)
                if not ok:
                    return Sniffed(None, "file.too_large",
                                   f"压缩结构中的部件“{info.filename[:60]}”解压后比它声明的大小更大，疑似压缩炸弹，"
                                   "已拒绝读取")
                if xml is not None:
                    marks = xlsxscan.hidden_marks(xml)
                    if len(marks[0]) or len(marks[1]):
                        hidden[info.filename.lstrip("/")] = marks
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
        return Sniffed("xlsx", big_numbers=_by_sheet(path, names, big),
                       hidden=_by_sheet(path, names, hidden))
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


def _by_sheet(path: Path, names: set[str], big: dict) -> dict:
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
    first = next((line for line in text.splitlines() if line.strip()), "")
    if first.count(",") + first.count("，") >= 2 or first.count("\t") >= 2:
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
