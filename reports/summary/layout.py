"""GB/T 9704-2012 measures that need no document: title lines, the character grid, sign-off indents.

Pure functions on text; widths are in characters (em) of the font concerned: a
CJK character or full-width mark is 1, an ASCII letter or digit ½.
"""

import re
import unicodedata
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

# 7.3.1 and 5.2.2: the text block holds 22 lines of 28 characters of 3号 (16 pt).
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
# Word's grid: the pitch of a character is the font size plus charSpace/4096 pt.
CHAR_SPACE_UNIT = 4096


def width(text):
    """The width of a text in characters: ½ for ASCII and other narrow characters, 1 for the rest."""
    return sum((Decimal("0.5") if unicodedata.east_asian_width(ch) in "NaH" else Decimal(1) for ch in text), Decimal(0))


def char_space(text_width_twips, font_size_pt=16, chars=CHARS_PER_LINE):
    """w:docGrid's charSpace for `chars` characters of `font_size_pt` per line of `text_width_twips`."""
    pitch = Decimal(text_width_twips) / 20 / chars
    return int(((pitch - Decimal(str(font_size_pt))) * CHAR_SPACE_UNIT).quantize(Decimal(1), ROUND_HALF_UP))


def condensed_spacing(text_width_twips, font_size_pt=16, chars=CHARS_PER_LINE):
    """Character spacing (w:spacing, twentieths of a point, ≤ 0) that lets `chars` characters fit a line
    without a character grid: for LibreOffice, which puts a character wider than a grid cell into two cells.
    """
    pitch = Decimal(text_width_twips) / 20 / chars
    return min(0, int(((pitch - Decimal(str(font_size_pt))) * 20).to_integral_value(rounding=ROUND_FLOOR)))


# Where a title may break (7.3.1: 回行时词意完整): before a year, around 关于, and before a conjunction
# (及、以及、暨、和、与) that follows a phrase-ending noun (…工作总结|及下半年…) — so never inside a
# word such as 和谐 or 及时. A break is made nowhere else.
_PHRASE_END = "工作|总结|报告|情况|打算|建设|意见|方案|规划|计划|安排|部署|要点|措施"
_CONJUNCTION = "(?=以及|及|暨|和|与)"
_BREAK_BEFORE = re.compile(
    "|".join(
        [r"(?=\d{4}年)", "(?=关于)", "(?<=关于)", *(f"(?<={end}){_CONJUNCTION}" for end in _PHRASE_END.split("|"))]
    )
)


def title_breaks(text):
    """Positions in `text` where a line may end, in order."""
    return sorted({m.start() for m in _BREAK_BEFORE.finditer(text) if 0 < m.start() < len(text)})


# Up to this many break points every way of breaking is weighed (2^n); past it, lines are filled greedily.
_WEIGHED_BREAKS = 12


def title_lines(text, line_width):
    """The title split into lines of at most `line_width` characters, at phrase boundaries only.

    Of the ways to break that fit, the fewest lines, then the shortest longest line (a balanced
    梯形 or 菱形), then the longer line first. When no way fits, the fewest overflowing breaks win:
    Word then wraps the one long phrase itself. A title that fits stays one line.
    """
    if width(text) <= line_width:
        return [text]
    breaks = title_breaks(text)
    if len(breaks) > _WEIGHED_BREAKS:
        return _filled(text, breaks, line_width)
    best = None
    for mask in range(1, 1 << len(breaks)):
        cuts = [b for n, b in enumerate(breaks) if mask >> n & 1]
        lines = _cut(text, cuts)
        widths = [width(line) for line in lines]
        overflow = sum(max(w - line_width, 0) for w in widths)
        key = (overflow, len(lines), max(widths), [-w for w in widths])
        if best is None or key < best[0]:
            best = (key, lines)
    return best[1] if best else [text]


def _cut(text, cuts):
    bounds = [0, *cuts, len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]


def _filled(text, breaks, line_width):
    """Greedy lines: each as long as fits, ending at the last break point that allows it."""
    cuts, start = [], 0
    for n, point in enumerate(breaks):
        following = breaks[n + 1] if n + 1 < len(breaks) else len(text)
        if width(text[start:following]) > line_width and point > start:
            cuts.append(point)
            start = point
    return _cut(text, cuts)


def sign_off_indents(signatory, dated, *, date_right=4, least=2):
    """(署名, 成文日期) right indents in characters (7.3.5.1): the date 右空四字, the organ centred over it.

    When the organ is so much wider than the date that centring leaves it less than `least`
    characters from the edge, both move left together (the date's indent grows).
    """
    sig, date = width(signatory), width(dated)
    if not dated:
        return Decimal(least), Decimal(date_right)
    if not signatory:
        return Decimal(least), Decimal(date_right)
    date_indent = max(Decimal(date_right), least + (sig - date) / 2)
    return date_indent + (date - sig) / 2, date_indent
