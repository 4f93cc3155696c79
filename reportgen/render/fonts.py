"""Fonts and sizes of the GB/T 9704-2012 layout, and the bundled CJK font for charts.

Word and WPS pick the East Asian font of a run from ``w:eastAsia`` and the font of digits and Latin
letters from ``w:ascii``/``w:hAnsi``; every style and every run the renderer writes names both.
Charts never rely on system fonts: they use Noto Sans CJK SC shipped by the ``mpl-font`` package.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

# East Asian fonts of official documents (GB/T 9704-2012 §7).
TITLE_FONT = "方正小标宋简体"
HEI = "黑体"
KAI = "楷体_GB2312"
FANGSONG = "仿宋_GB2312"
SONG = "宋体"
LATIN = "Times New Roman"

# What Word and WPS use when a font above is not installed (a stock Windows has 仿宋, 楷体, 黑体 and
# 宋体 but not the *_GB2312 fonts nor 方正小标宋简体): written as w:altName into word/fontTable.xml,
# with the GB2312 charset (86) and the PANOSE numbers of the fonts Windows ships.
FALLBACKS: dict[str, tuple[str, str]] = {  # font → (altName, panose1)
    FANGSONG: ("仿宋", "02010609060101010101"),
    KAI: ("楷体", "02010609060101010101"),
    TITLE_FONT: ("宋体", "02000000000000000000"),  # 华文中宋 in WPS; 宋体 on every Windows
    HEI: ("SimHei", "02010609060101010101"),
    SONG: ("SimSun", "02010600030101010101"),
}

# Chinese font sizes in half-points (w:sz): 二号 22 pt, 三号 16 pt, 四号 14 pt, 小四 12 pt, 五号 10.5 pt.
SIZE_2 = 44
SIZE_3 = 32
SIZE_4 = 28
SIZE_XIAO4 = 24
SIZE_5 = 21

# Fixed line spacing of the body: 28.9 pt, in twentieths of a point (w:line with lineRule="exact").
BODY_LINE = 578
TABLE_LINE = 340  # 17 pt exact inside tables (五号 text)

# Page (twips): A4 and the margins of GB/T 9704: 37 mm top, 35 mm bottom, 28 mm left, 26 mm right.
PAGE_WIDTH = 11906
PAGE_HEIGHT = 16838
MARGIN_TOP = 2098
MARGIN_BOTTOM = 1984
MARGIN_LEFT = 1587
MARGIN_RIGHT = 1474
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT  # 8845 twips = 156 mm
TEXT_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM  # 12756 twips = 225 mm

# The document grid of GB/T 9704 §5.2.2: 28 characters × 22 lines of 三号 on the type area.
# w:linePitch is the line pitch in twips (12756 / 22 = 579.8 → 579; the body's exact 28.9 pt line
# fits it). A character grid ("linesAndChars") would need cells of 8845 / 28 = 315.9 twips, i.e.
# w:charSpace = (315.9 / 20 − 16) × 4096 = −841 (CHAR_SPACE); Word squeezes 16 pt characters into
# such cells, but LibreOffice gives a character wider than its cell two cells, which makes 14
# characters a line (measured with soffice 7). So the grid is "lines" (GRID_TYPE) and the body
# text is condensed by 0.5 pt (w:spacing −10 twentieths, BODY_CONDENSE): 442.25 pt / 15.5 pt gives
# 28 characters a line in Word, WPS and LibreOffice alike (tests/test_layout_gbt9704.py).
GRID_CHARS = 28
GRID_LINES = 22
GRID_TYPE = "lines"
LINE_PITCH = TEXT_HEIGHT // GRID_LINES
CHAR_SPACE = round((TEXT_WIDTH / 20 / GRID_CHARS - 16) * 4096)
BODY_CONDENSE = -10

# Colours of charts: greys and one dark red accent.
ACCENT = "#9b1c1c"
GREY_DARK = "#4d4d4d"
GREY = "#9e9e9e"
GREY_LIGHT = "#d9d9d9"


@lru_cache(maxsize=1)
def cjk_font_path() -> Path:
    """The path of NotoSansCJKsc-Regular.otf inside the installed mpl-font package."""
    spec = importlib.util.find_spec("mpl_font")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("缺少中文字体包 mpl-font，请执行 pip install mpl-font 后重试")
    for base in spec.submodule_search_locations:
        path = Path(base) / "fonts" / "noto" / "NotoSansCJKsc-Regular.otf"
        if path.is_file():
            return path
    raise RuntimeError("mpl-font 包中找不到 NotoSansCJKsc-Regular.otf，请重新安装 mpl-font")


@lru_cache(maxsize=1)
def chart_font_family() -> str:
    """Register the bundled CJK font with matplotlib once and return its family name."""
    from matplotlib import font_manager

    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()
