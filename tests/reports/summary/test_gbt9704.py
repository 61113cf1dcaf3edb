"""A checklist over the Word file's XML, one test per point of GB/T 9704-2012 the summary follows."""

import io
from decimal import Decimal

import pytest
from django.conf import settings
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from reports.summary import layout, word
from reports.summary.demo import DEMO_BODY, DEMO_DATED, DEMO_PERIOD, DEMO_SIGNATORY, DEMO_TITLE
from reports.summary.models import SummaryTemplate
from reports.summary.selectors import render_summary

pytestmark = pytest.mark.django_db

# The demo template with a level-3 and a level-4 heading added under （一）.
LEVELS = "1.学习教育。全年组织专题学习。\n（1）专题党课。县委常委为干警讲党课。\n"
BODY = DEMO_BODY.replace("抓实理论武装。", LEVELS + "抓实理论武装。", 1)


@pytest.fixture(scope="module")
def document(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        template = SummaryTemplate(
            period=DEMO_PERIOD, title=DEMO_TITLE, body=BODY, signatory=DEMO_SIGNATORY, dated=DEMO_DATED
        )
        return Document(io.BytesIO(word.build_docx(render_summary(template))))


def _paragraphs(document):
    return [p for p in document.paragraphs if p.text]


def _ppr(paragraph, name):
    ppr = paragraph._p.pPr
    return None if ppr is None else ppr.find(qn(name))


def test_a4_and_margins(document):
    """5.2.1 / 5.2.2: A4, 天头 37 mm, 订口 28 mm; bottom 35, right 26 make the 156 × 225 mm block."""
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(x.mm) for x in (section.top_margin, section.bottom_margin)] == [37, 35]
    assert [round(x.mm) for x in (section.left_margin, section.right_margin)] == [28, 26]


def test_grid_of_22_lines_of_28_characters(document):
    """5.2.2: w:docGrid linesAndChars; 28 characters of 3号 fill the line, 22 lines the block."""
    section = document.sections[0]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    pitch_twips, char_space = int(grid.get(qn("w:linePitch"))), int(grid.get(qn("w:charSpace")))
    assert pitch_twips == Pt(28.95).twips
    text_width = section.page_width.twips - section.left_margin.twips - section.right_margin.twips
    char_pitch_twips = (Decimal(16) + Decimal(char_space) / 4096) * 20
    assert abs(char_pitch_twips * 28 - text_width) < 2  # within a tenth of a point
    text_height = section.page_height.twips - section.top_margin.twips - section.bottom_margin.twips
    assert text_height // pitch_twips == 22


def test_title_is_2hao_xiaobiaosong_centred_and_broken_at_phrases(document):
    """7.3.1: 2号小标宋, centred, 回行时词意完整 — the demo title breaks before 及, not inside 下半年."""
    title = _paragraphs(document)[0]
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert {(r.font.name, r.font.size) for r in title.runs if r.text} == {("方正小标宋简体", Pt(22))}
    assert title.text.split("\n") == [f"{settings.COUNTY_NAME}委政法委2023年上半年工作总结", "及下半年工作打算"]
    # Off the character grid: a 2号 character must not take two 3号 cells.
    assert _ppr(title, "w:snapToGrid").get(qn("w:val")) == "0"
    # A blank line between the title and the text.
    assert document.paragraphs[1].text == ""


def test_body_is_3hao_fangsong_with_exact_lines_and_two_character_indent(document):
    normal = document.styles["Normal"]
    assert normal.font.name == "仿宋_GB2312" and normal.font.size == Pt(16)
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    body = next(p for p in _paragraphs(document) if "127件" in p.text)
    assert body.style.name == "Normal"
    assert body.paragraph_format.line_spacing == Pt(28.95)
    assert _ppr(body, "w:ind").get(qn("w:firstLineChars")) == "200"


@pytest.mark.parametrize(
    "start,level,font,bold",
    [
        ("一、上半年工作开展情况", 0, "黑体", False),
        ("（一）坚决维护社会大局和谐稳定", 1, "楷体_GB2312", False),
        ("1.学习教育。", 2, "仿宋_GB2312", True),
        ("（1）专题党课。", 3, "仿宋_GB2312", False),
    ],
)
def test_headings_are_styles_with_outline_levels(document, start, level, font, bold):
    """7.3.3: 一、黑体, （一）楷体, 1. 仿宋加粗, （1）仿宋 — styles with outline levels (the navigation pane)."""
    paragraph = next(p for p in _paragraphs(document) if p.text.startswith(start))
    style = paragraph.style
    assert style.name == f"Heading {level + 1}"
    assert style.element.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) == str(level)
    fonts = style.element.rPr.rFonts
    assert {fonts.get(qn(a)) for a in ("w:ascii", "w:hAnsi", "w:eastAsia")} == {font}
    assert fonts.get(qn("w:eastAsiaTheme")) is None and fonts.get(qn("w:asciiTheme")) is None
    assert bool(style.font.bold) == bold and style.font.size == Pt(16)
    assert str(style.font.color.rgb) == "000000"
    assert style.paragraph_format.line_spacing == Pt(28.95) and style.paragraph_format.space_before == 0
    # Run-in text after the heading's first 。 is body text: 仿宋, not bold.
    if paragraph.text != start:
        tail = paragraph.runs[-1]
        assert tail.font.name == "仿宋_GB2312" and not tail.font.bold


def test_sign_off_date_four_characters_in_and_organ_centred_over_it(document):
    """7.3.5.1: a blank line under the text; 成文日期 右空四字 (more for a wider organ), 署名 centred over it."""
    paragraphs = document.paragraphs
    signatory, dated = paragraphs[-2], paragraphs[-1]
    assert paragraphs[-3].text == ""
    assert signatory.text == f"中共{settings.COUNTY_NAME}委政法委员会" and dated.text == "2023年7月10日"
    indents = {}
    for line in (signatory, dated):
        assert line.alignment == WD_ALIGN_PARAGRAPH.RIGHT
        chars = Decimal(_ppr(line, "w:ind").get(qn("w:rightChars"))) / 100
        assert line.paragraph_format.right_indent == Pt(float(chars) * 16)
        indents[line.text] = chars
    date_indent, sig_indent = indents[dated.text], indents[signatory.text]
    assert date_indent >= 4 and sig_indent >= 2
    centre = date_indent + layout.width(dated.text) / 2
    assert sig_indent + layout.width(signatory.text) / 2 == centre


def test_page_numbers_odd_right_even_left(document):
    """7.5: 4号 半角 — N —, odd pages right, even pages left, one character in."""
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT and odd.paragraph_format.right_indent == Pt(14)
    assert even.alignment == WD_ALIGN_PARAGRAPH.LEFT and even.paragraph_format.left_indent == Pt(14)
    for footer in (odd, even):
        assert footer.text.startswith("— ") and footer.text.endswith(" —") and "PAGE" in footer._p.xml


@pytest.mark.parametrize(
    "title,lines",
    [
        (
            "示范县委政法委2023年上半年工作总结及下半年工作打算",
            ["示范县委政法委2023年上半年工作总结", "及下半年工作打算"],
        ),
        # 和谐 is a word, 和下半年 a conjunction after a phrase.
        (
            "示范县委政法委关于2023年上半年维护社会和谐稳定工作情况和下半年工作安排的报告",
            ["示范县委政法委关于", "2023年上半年维护社会和谐稳定工作情况", "和下半年工作安排的报告"],
        ),
        ("示范县委政法委及时报送信息工作制度", ["示范县委政法委及时报送信息工作制度"]),
        ("短标题", ["短标题"]),
    ],
)
def test_title_lines_break_only_between_phrases(title, lines):
    assert layout.title_lines(title, 20) == lines


def test_a_title_with_many_break_points_is_filled_line_by_line():
    """Hostile input: 40 years in a 200-character title breaks at once, each line within the width."""
    title = "2023年" * 40
    lines = layout.title_lines(title, 20)
    assert "".join(lines) == title and all(layout.width(line) <= 20 for line in lines)
    assert len(lines) == 7  # 6 years (18 characters) a line: 6 full lines and 4 years left


def test_heading_numbers_are_not_taken_from_figures():
    from reports.summary.placeholders import HEADING3, HEADING4, PARAGRAPH, parse_template

    blocks, _problems = parse_template("1.学习。\n1.5万人参加。\n2023年工作。\n（1）专题。\n（12）专题")
    assert [b.kind for b in blocks] == [HEADING3, PARAGRAPH, PARAGRAPH, HEADING4, HEADING4]
