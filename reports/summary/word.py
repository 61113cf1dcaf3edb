"""The summary as a Word document laid out after GB/T 9704-2012 (党政机关公文格式).

A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; title 2号 (22 pt)
方正小标宋简体 centred; body 3号 (16 pt) 仿宋_GB2312, exact line spacing
28.95 pt, first line indented two characters; level-1 headings 黑体, level-2
楷体_GB2312; page numbers "— N —" in 4号 (14 pt) 宋体, odd pages right, even
pages left. Every run names its East Asian font (w:eastAsia) so that Word and
WPS use the 公文 fonts rather than a Latin fallback.
"""

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from reports.summary.placeholders import HEADING1, HEADING2

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"

TITLE_SIZE = Pt(22)  # 2号
BODY_SIZE = Pt(16)  # 3号
PAGE_NUMBER_SIZE = Pt(14)  # 4号
LINE_SPACING = Pt(28.95)
INDENT = Pt(32)  # two characters of 3号

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"top_margin": Mm(37), "bottom_margin": Mm(35), "left_margin": Mm(28), "right_margin": Mm(26)}
# The page number sits about 7 mm below the text block.
FOOTER_DISTANCE = Mm(23)


def set_run_font(run, name, size, *, bold=None):
    """Font of a run for Latin and East Asian text alike (w:ascii, w:hAnsi, w:eastAsia)."""
    run.font.name = name
    run.font.size = size
    if bold is not None:
        run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)


def _style_font(style, name, size):
    style.font.name = name
    style.font.size = size
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _body_format(paragraph, *, indent=True, alignment=WD_ALIGN_PARAGRAPH.JUSTIFY):
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_SPACING
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.alignment = alignment
    if indent:
        fmt.first_line_indent = INDENT
        # Word and WPS prefer character units when present: exactly two characters whatever the font.
        ind = paragraph._p.get_or_add_pPr().find(qn("w:ind"))
        ind.set(qn("w:firstLineChars"), "200")


def _add_segments(paragraph, segments, font, size):
    for segment in segments:
        run = paragraph.add_run(segment.text)
        set_run_font(run, font, size)
        if segment.missing:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW


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


def build_docx(rendered, *, author=""):
    """The filled summary (a RenderedSummary) as .docx bytes."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    for name, value in MARGINS.items():
        setattr(section, name, value)
    section.footer_distance = FOOTER_DISTANCE
    document.settings.odd_and_even_pages_header_footer = True
    _footer(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _footer(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)

    normal = document.styles["Normal"]
    _style_font(normal, BODY_FONT, BODY_SIZE)

    properties = document.core_properties
    properties.title = rendered.title.text if rendered.title else ""
    properties.author = author
    properties.language = "zh-CN"

    if rendered.title:
        title = document.add_paragraph()
        _body_format(title, indent=False, alignment=WD_ALIGN_PARAGRAPH.CENTER)
        # A 2号 title needs more than the body's exact line height.
        title.paragraph_format.line_spacing = Pt(36)
        _add_segments(title, [*rendered.title.lead, *rendered.title.segments], TITLE_FONT, TITLE_SIZE)
        blank = document.add_paragraph()
        _body_format(blank, indent=False)
        set_run_font(blank.add_run(""), BODY_FONT, BODY_SIZE)

    for block in rendered.blocks:
        paragraph = document.add_paragraph()
        _body_format(paragraph)
        heading_font = {HEADING1: HEADING1_FONT, HEADING2: HEADING2_FONT}.get(block.kind)
        if heading_font:
            _add_segments(paragraph, block.lead, heading_font, BODY_SIZE)
        _add_segments(paragraph, block.segments, BODY_FONT, BODY_SIZE)

    # GB/T 9704 7.3.5: one blank line under the text, the issuing organ and the date
    # right-aligned, two characters in from the right edge.
    if rendered.signatory or rendered.dated:
        blank = document.add_paragraph()
        _body_format(blank, indent=False)
        set_run_font(blank.add_run(""), BODY_FONT, BODY_SIZE)
        for text in (rendered.signatory, rendered.dated):
            if text:
                line = document.add_paragraph()
                _body_format(line, indent=False, alignment=WD_ALIGN_PARAGRAPH.RIGHT)
                line.paragraph_format.right_indent = INDENT
                set_run_font(line.add_run(text), BODY_FONT, BODY_SIZE)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
