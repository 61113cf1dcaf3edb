"""Text bound for Excel: the one place that makes a cell or a sheet title safe.

Every generated spreadsheet (tables, the summary annex, the entry workbook, the
catalogue workbook) and every CSV made to be opened in Excel passes its text
cells through `neutralise` and its sheet titles through `sheet_title`. Readers
of the workbooks and files we write back in take the mark off with `read_text`.
"""

import re

# What Excel (or LibreOffice) reads as the start of a formula or a DDE call, and the mark that stops it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MARK = "'"
# Excel's limit on a sheet title, the characters it forbids there, and a title it reserves.
SHEET_TITLE_MAX = 31
_FORBIDDEN_IN_TITLES = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")
_RESERVED_TITLES = {"history"}


def neutralise(value):
    """Text that a spreadsheet would run as a formula gets a leading '; numbers, dates and None pass unchanged.

    Text that already looks marked ('=x) is marked again, so that read_text gives back exactly what was written.
    """
    if isinstance(value, str) and (value.startswith(FORMULA_STARTS) or _marked(value)):
        return MARK + value
    return value


def _marked(value):
    """Whether text is one or more marks before a formula start: what neutralise produces."""
    rest = value.lstrip(MARK)
    return rest != value and rest.startswith(FORMULA_STARTS)


def read_text(value):
    """The text `neutralise` was given: a cell read back from a workbook or CSV we wrote loses the mark."""
    if isinstance(value, str) and _marked(value):
        return value[1:]
    return value


def sheet_title(text, *, taken=()):
    """A sheet title Excel accepts: forbidden characters replaced, at most 31 characters, unique among `taken`.

    A department such as 县教育局/体育局 or an area named [试点]: 区域 would otherwise make openpyxl
    refuse the workbook; two long names cut to the same 31 characters get (2), (3)… at the end.
    """
    title = _FORBIDDEN_IN_TITLES.sub("_", str(text or "")).strip().strip(MARK).strip() or "Sheet"
    title = title[:SHEET_TITLE_MAX].strip(MARK) or "Sheet"
    used = {t.lower() for t in taken} | _RESERVED_TITLES
    candidate, number = title, 1
    while candidate.lower() in used:
        number += 1
        suffix = f"({number})"
        candidate = title[: SHEET_TITLE_MAX - len(suffix)] + suffix
    return candidate
