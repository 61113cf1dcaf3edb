"""The summary as a Word document laid out after GB/T 9704-2012 (党政机关公文格式).

A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; a document grid of 22
lines × 28 characters (w:docGrid linesAndChars); title 2号 (22 pt) 方正小标宋简体
centred, broken into lines at phrase boundaries only (reports.summary.layout); body
3号 (16 pt) 仿宋_GB2312, exact line spacing 28.95 pt, first line indented two
characters; headings are real styles with outline levels (Word's navigation pane):
一、 黑体, （一） 楷体_GB2312, 1. 仿宋 bold, （1） 仿宋; 署名 and 成文日期 as 7.3.5.1
places them (the date 右空四字, the organ centred over it); page numbers "— N —" in
4号 (14 pt) 宋体, odd pages right, even pages left. Every run names its East Asian
font (w:eastAsia) so that Word and WPS use the 公文 fonts rather than a Latin fallback.
"""

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from reports.summary import layout
from reports.summary.placeholders import HEADING1, HEADING2, HEADING3, HEADING4

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
PAGE_NUMBER_FONT = "宋体"
# Heading level → (paragraph style, font, bold). Outline levels 0–3 come with the styles.
HEADING_STYLES = {
    HEADING1: ("Heading 1", "黑体", False),
    HEADING2: ("Heading 2", "楷体_GB2312", False),
    HEADING3: ("Heading 3", "仿宋_GB2312", True),
    HEADING4: ("Heading 4", "仿宋_GB2312", False),
}
# How a segment kind stands out in Word (a 待核实 mark would add its kind here).
HIGHLIGHTS = {"missing": WD_COLOR_INDEX.YELLOW}

TITLE_SIZE = Pt(22)  # 2号
BODY_SIZE = Pt(16)  # 3号
PAGE_NUMBER_SIZE = Pt(14)  # 4号
LINE_SPACING = Pt(28.95)
TITLE_LINE_SPACING = Pt(36)  # a 2号 title needs more than the body's exact line height
INDENT = Pt(32)  # two characters of 3号

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"top_margin": Mm(37), "bottom_margin": Mm(35), "left_margin": Mm(28), "right_margin": Mm(26)}
# The page number sits about 7 mm below the text block.
FOOTER_DISTANCE = Mm(23)
_FONT_ATTRIBUTES = ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs")
_THEME_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def set_run_font(run, name, size, *, bold=None):
    """Font of a run for Latin and East Asian text alike (w:ascii, w:hAnsi, w:eastAsia)."""
    run.font.name = name
    run.font.size = size
    if bold is not None:
        run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in _FONT_ATTRIBUTES:
        fonts.set(qn(attribute), name)


def _style_font(style, name, size, *, bold=False):
    style.font.name = name
    style.font.size = size
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    # Theme fonts (Word's built-in headings use them) would win over the named ones.
    for attribute in _THEME_ATTRIBUTES:
        fonts.attrib.pop(qn(attribute), None)
    for attribute in _FONT_ATTRIBUTES:
        fonts.set(qn(attribute), name)
    bcs = rpr.find(qn("w:bCs"))
    if bcs is not None and not bold:
        rpr.remove(bcs)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _body_format(fmt, *, indent=True, alignment=WD_ALIGN_PARAGRAPH.JUSTIFY, element=None):
    """Exact 28.95 pt lines, no spacing, justified, first line indented two characters."""
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_SPACING
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.alignment = alignment
    if indent:
        fmt.first_line_indent = INDENT
        # Word and WPS prefer character units when present: exactly two characters whatever the font.
        element.get_or_add_pPr().find(qn("w:ind")).set(qn("w:firstLineChars"), "200")


def _paragraph(document, *, indent=True, alignment=WD_ALIGN_PARAGRAPH.JUSTIFY, style=None):
    paragraph = document.add_paragraph(style=style)
    _body_format(paragraph.paragraph_format, indent=indent, alignment=alignment, element=paragraph._p)
    return paragraph


def _set_outline_level(style, level):
    ppr = style.element.get_or_add_pPr()
    outline = ppr.find(qn("w:outlineLvl"))
    if outline is None:
        outline = OxmlElement("w:outlineLvl")
        ppr.append(outline)
    outline.set(qn("w:val"), str(level))


def _styles(document, *, spacing=0):
    """Normal as the body (仿宋_GB2312 3号), and the four heading levels as real styles with outline levels.

    `spacing` (twentieths of a point) condenses the characters of all of them.
    """
    styles = [document.styles["Normal"]]
    _style_font(styles[0], BODY_FONT, BODY_SIZE)
    for level, (name, font, bold) in enumerate(HEADING_STYLES.values()):
        style = document.styles[name]
        styles.append(style)
        _style_font(style, font, BODY_SIZE, bold=bold)
        _body_format(style.paragraph_format, element=style.element)
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.keep_together = False
        _set_outline_level(style, level)
    if spacing:
        for style in styles:
            element = OxmlElement("w:spacing")
            element.set(qn("w:val"), str(spacing))
            style.element.get_or_add_rPr().append(element)


def _text_width(section):
    return section.page_width.twips - section.left_margin.twips - section.right_margin.twips


def _grid(section, *, chars=True):
    """w:docGrid linesAndChars: 22 lines of 28 characters in the text block (GB/T 9704 5.2.2).

    chars=False keeps the line grid only (for LibreOffice, see build_docx).
    """
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "linesAndChars" if chars else "lines")
    grid.set(qn("w:linePitch"), str(LINE_SPACING.twips))
    if chars:
        grid.set(qn("w:charSpace"), str(layout.char_space(_text_width(section), BODY_SIZE.pt)))


def _no_grid(paragraph):
    """Keep a paragraph off the character grid (a 2号 title would take two cells a character)."""
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    paragraph._p.get_or_add_pPr().append(snap)


def _add_segments(paragraph, segments, font, size, *, bold=None):
    for segment in segments:
        run = paragraph.add_run(segment.text)
        set_run_font(run, font, size, bold=bold)
        highlight = HIGHLIGHTS.get(segment.kind)
        if highlight is not None:
            run.font.highlight_color = highlight


def _page_number(paragraph):
    """— N — with a PAGE field, in 4号 宋体."""

    def run(text=""):
        r = paragraph.add_run(text)
        set_run_font(r, PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
        return r

    def field_char(kind):
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run()._r.append(element)

    run("— ")
    field_char("begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    run()._r.append(instruction)
    field_char("separate")
    run("1")
    field_char("end")
    run(" —")


def _footer(footer, alignment):
    paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    paragraph.paragraph_format.alignment = alignment
    # One character (4号) in from the edge of the text block, as the standard places it.
    if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
        paragraph.paragraph_format.right_indent = PAGE_NUMBER_SIZE
    else:
        paragraph.paragraph_format.left_indent = PAGE_NUMBER_SIZE
    _page_number(paragraph)


def _title(document, title, section):
    """The title centred, in as many lines as it needs, each ending at a phrase boundary (7.3.1)."""
    paragraph = _paragraph(document, indent=False, alignment=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph.paragraph_format.line_spacing = TITLE_LINE_SPACING
    _no_grid(paragraph)
    text_width = section.page_width - section.left_margin - section.right_margin
    segments = [*title.lead, *title.segments]
    lines = layout.title_lines("".join(s.text for s in segments), int(text_width / TITLE_SIZE))
    ends, position = set(), 0
    for line in lines[:-1]:
        position += len(line)
        ends.add(position)
    position = 0
    for segment in segments:
        # Cut each segment where a line ends; a line break follows each line but the last.
        cuts = [0, *sorted(e - position for e in ends if position < e <= position + len(segment.text))]
        if cuts[-1] != len(segment.text):
            cuts.append(len(segment.text))
        for a, b in zip(cuts, cuts[1:], strict=False):
            _add_segments(paragraph, [type(segment)(segment.text[a:b], segment.kind)], TITLE_FONT, TITLE_SIZE)
            if position + b in ends:
                paragraph.runs[-1].add_break(WD_BREAK.LINE)
        position += len(segment.text)
    return paragraph


def _right_indent(paragraph, chars):
    """Right indent in characters of 3号: w:rightChars for Word and WPS, twips for the rest."""
    paragraph.paragraph_format.right_indent = Pt(float(chars) * BODY_SIZE.pt)
    paragraph._p.get_or_add_pPr().find(qn("w:ind")).set(qn("w:rightChars"), str(int(chars * 100)))


def _sign_off(document, signatory, dated):
    """GB/T 9704 7.3.5.1: a blank line under the text, the date 右空四字, the organ centred over it."""
    _paragraph(document, indent=False)
    signatory_indent, date_indent = layout.sign_off_indents(signatory, dated)
    for text, indent in ((signatory, signatory_indent), (dated, date_indent)):
        if text:
            line = _paragraph(document, indent=False, alignment=WD_ALIGN_PARAGRAPH.RIGHT)
            _right_indent(line, indent)
            set_run_font(line.add_run(text), BODY_FONT, BODY_SIZE)


def build_docx(rendered, *, author="", for_libreoffice=False):
    """The filled summary (a RenderedSummary) as .docx bytes.

    Word and WPS squeeze a 16 pt character into a 15.79 pt grid cell; LibreOffice gives it two
    cells (14 characters a line). for_libreoffice=True (the PDF's source) keeps the line grid and
    condenses the characters by ¼ pt instead, which puts the same 28 on a line.
    """
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    for name, value in MARGINS.items():
        setattr(section, name, value)
    section.footer_distance = FOOTER_DISTANCE
    _grid(section, chars=not for_libreoffice)
    document.settings.odd_and_even_pages_header_footer = True
    _footer(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _footer(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)
    spacing = layout.condensed_spacing(_text_width(section), BODY_SIZE.pt) if for_libreoffice else 0
    _styles(document, spacing=spacing)

    properties = document.core_properties
    properties.title = rendered.title.text if rendered.title else ""
    properties.author = author
    properties.language = "zh-CN"

    if rendered.title:
        _title(document, rendered.title, section)
        set_run_font(_paragraph(document, indent=False).add_run(""), BODY_FONT, BODY_SIZE)

    for block in rendered.blocks:
        style, font, bold = HEADING_STYLES.get(block.kind, (None, BODY_FONT, False))
        paragraph = _paragraph(document, style=style and document.styles[style])
        if style:
            _add_segments(paragraph, block.lead, font, BODY_SIZE, bold=bold)
        # Run-in text after a heading's first 。 is body text: 仿宋, never bold.
        _add_segments(paragraph, block.segments, BODY_FONT, BODY_SIZE, bold=False if bold else None)

    if rendered.signatory or rendered.dated:
        _sign_off(document, rendered.signatory, rendered.dated)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
