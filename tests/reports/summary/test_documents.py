"""The 2023H1 demo summary exported as Word, Excel and PDF: every figure of the report, 公文 layout."""

import csv
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import load_workbook

from metrics.models import Indicator, Kind
from reports.summary.demo import DEMO_BODY, DEMO_PERIOD
from reports.summary.placeholders import parse_template, used_codes
from reports.summary.selectors import catalogue
from reports.summary.services import build_export

pytestmark = pytest.mark.django_db

# Figures as the 2023 report writes them (the demo template reproduces each from data).
REPORT_FIGURES = [
    "127件",
    "同比下降11.81%",
    "1043.5万元",
    "同比下降10.96%",
    "93.6%",
    "88.1%",
    "49.39%",
    "44.86%",
    "2343件",
    "2193件",
    "63666.7755万元",
    "32.96万元",
    "3515名",
    "2149件",
    "14.5万余起",
    "22852枚",
    "468572人",
    "全国排第213位",
    "9974.9万元",
    "1349.9万元",
    "200余篇",
    "20余个",
    "150多万元",
    "600多万元",
    "近60次",
    "县政府研究政法工作1次并表彰",
    "未发生负面舆情事件",
    "同比下降10.96%，实现案件数、损失额“双降”",
    "任务10件，已化解4件",
    "雪亮工程在线率98%",
    "出图率95%以上",
    "法定期限结案率100%",
]
# The report's blanks, marked in place.
MISSING = [
    "【缺数：重大事项请示报告备案 · 县委政法委】",
    "【缺数：重大决策社会稳定风险评估备案 · 县委政法委】",
    "【缺数：社会稳定形势研判 · 县委政法委】",
    "【缺数：涉稳会商会议 · 县委政法委】",
    # The petitions bureau and the 33 towns report these (乡镇综治月报): the first three are named.
    "【缺数：排查化解非访群体 · 县信访局、城关镇、新华镇等34个单位】",
    "【缺数：稳控非访重点人员 · 县信访局、城关镇、新华镇等34个单位】",
    "【缺数：综治中心干部教育培训 · 县委政法委】",
]


def docx_text(content):
    """Paragraphs one a line; the title's line breaks (phrase boundaries) are dropped."""
    paragraphs = Document(io.BytesIO(content)).paragraphs
    return "\n".join(p.text.replace("\n", "") if n == 0 else p.text for n, p in enumerate(paragraphs))


@pytest.fixture(scope="module")
def docx_bytes(django_db_blocker):
    with django_db_blocker.unblock():
        return build_export(period=DEMO_PERIOD, format="docx")[0]


def test_demo_template_uses_every_indicator_the_report_gives(demo):
    """Each catalogue indicator taken from the report (with a figure or a blank) has a placeholder."""
    rows = csv.DictReader((Path(settings.BASE_DIR) / "metrics/data/indicators.csv").open(encoding="utf-8"))
    from_report = {r["code"] for r in rows if not r["note"].startswith("not in the source") and r["kind"]}
    blocks, problems = parse_template(DEMO_BODY)
    assert problems == []
    used = set(used_codes(blocks, catalogue()))
    # A ratio's components are given through the ratio (结案率100% of 30 cases).
    components = set(Indicator.objects.filter(code__in=used, kind=Kind.RATIO).values_list("numerator__code", flat=True))
    assert from_report - used - components == set()


def test_docx_has_every_report_figure_and_marks_the_blanks(demo, docx_bytes):
    text = docx_text(docx_bytes)
    for figure in REPORT_FIGURES:
        assert figure in text, figure
    for marker in MISSING:
        assert marker in text, marker
    assert f"{settings.COUNTY_NAME}委政法委2023年上半年工作总结及下半年工作打算" in text
    assert "*" not in text and "【anti" not in text
    assert " 0次" not in text and "备案0" not in text


def test_docx_page_follows_gb_t_9704(demo, docx_bytes):
    document = Document(io.BytesIO(docx_bytes))
    section = document.sections[0]

    # Word stores twentieths of a point: compare in millimetres to 0.1 mm.
    def mm(length):
        return round(length.mm, 1)

    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert (mm(section.top_margin), mm(section.bottom_margin)) == (37, 35)
    assert (mm(section.left_margin), mm(section.right_margin)) == (28, 26)
    assert document.settings.odd_and_even_pages_header_footer


def _east_asia(run):
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


def test_docx_fonts_sizes_spacing_and_indent(demo, docx_bytes):
    paragraphs = [p for p in Document(io.BytesIO(docx_bytes)).paragraphs if p.text]
    title = paragraphs[0]
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    fonts = {(_east_asia(r), r.font.name, r.font.size) for r in title.runs}
    assert fonts == {("方正小标宋简体", "方正小标宋简体", Pt(22))}

    *body, signatory, dated = paragraphs[1:]
    # Sign-off (GB/T 9704 7.3.5.1; placement checked in test_gbt9704): right-aligned, 仿宋 3号.
    assert signatory.text == f"中共{settings.COUNTY_NAME}委政法委员会" and dated.text == "2023年7月10日"
    for line in (signatory, dated):
        assert line.alignment == WD_ALIGN_PARAGRAPH.RIGHT
        assert {(_east_asia(r), r.font.size) for r in line.runs} == {("仿宋_GB2312", Pt(16))}
    for paragraph in body:
        fmt = paragraph.paragraph_format
        assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY
        assert fmt.line_spacing == Pt(28.95)
        assert fmt.first_line_indent == Pt(32)
        for run in paragraph.runs:
            assert run.font.size == Pt(16)
            assert _east_asia(run) == run.font.name
    h1 = next(p for p in body if p.text.startswith("一、"))
    assert {_east_asia(r) for r in h1.runs} == {"黑体"}
    h2 = next(p for p in body if p.text.startswith("（一）坚决"))
    assert {_east_asia(r) for r in h2.runs} == {"楷体_GB2312"}
    run_in = next(p for p in body if p.text.startswith("（一）违规违纪"))
    assert [_east_asia(r) for r in run_in.runs] == ["楷体_GB2312", "仿宋_GB2312"]
    plain = next(p for p in body if "127件" in p.text)
    assert {_east_asia(r) for r in plain.runs} == {"仿宋_GB2312"}
    missing_runs = [r for p in body for r in p.runs if r.text.startswith("【缺数")]
    assert missing_runs and all(r.font.highlight_color is not None for r in missing_runs)


def test_docx_page_numbers_odd_right_even_left_in_song_14pt(demo, docx_bytes):
    section = Document(io.BytesIO(docx_bytes)).sections[0]
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT and even.alignment == WD_ALIGN_PARAGRAPH.LEFT
    for footer in (odd, even):
        assert footer.text.startswith("— ") and footer.text.endswith(" —")
        assert "PAGE" in footer._p.xml
        assert {(_east_asia(r), r.font.size) for r in footer.runs} == {("宋体", Pt(14))}


def test_xlsx_annex_has_the_periods_figures_as_numbers_by_area(demo):
    content, _version, _missing = build_export(period=DEMO_PERIOD, format="xlsx")
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames[0] == "全部指标"
    assert "打击治理电信网络诈骗" in workbook.sheetnames and "执行攻坚" in workbook.sheetnames
    rows = {row[1]: row for row in workbook["全部指标"].iter_rows(min_row=3, values_only=True)}
    cases = rows["发生电信网络诈骗案件"]
    assert cases[3] == 127 and isinstance(cases[3], int)
    assert cases[5] == -11.81
    assert rows["电信网络诈骗损失金额"][3] == 1043.5 and rows["电信网络诈骗损失金额"][5] == -10.96
    assert rows["执行结案率"][3] == 93.6  # as the text writes it (|1位小数), not 93.5979
    assert rows["涉法涉诉信访积案化解"][7] == 10 and rows["涉法涉诉信访积案化解"][8] == 40
    filings = rows["重大事项请示报告备案"]
    assert filings[3] is None and filings[10] == "缺数"
    fraud = {row[1]: row for row in workbook["打击治理电信网络诈骗"].iter_rows(min_row=3, values_only=True)}
    assert fraud["滞留缅北人员核减率"][3] == 88.1  # 88.1098 in the data, 88.1 in the text
    assert rows["国家反诈中心APP实有人口注册率"][3] == 49.39 and rows["雪亮工程在线率"][3] == 98


def test_xlsx_annex_prints_a4_landscape_with_repeated_headings(demo):
    content, _version, _missing = build_export(period=DEMO_PERIOD, format="xlsx")
    workbook = load_workbook(io.BytesIO(content))
    for sheet in workbook.worksheets:
        setup = sheet.page_setup
        assert (setup.orientation, int(setup.paperSize)) == ("landscape", 9)  # 9: A4
        assert sheet.print_title_rows == "$1:$2"
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and int(setup.fitToWidth) == 1
        assert int(setup.fitToHeight) == 0
        assert "&P" in sheet.oddFooter.center.text


def test_xlsx_annex_without_a_template_rounds_amounts_and_ratios_to_two_places(demo):
    """2023Q2 has no template: 2231.1454万元 becomes 2231.15, ratios keep two decimals."""
    content, _version, _missing = build_export(period="2023Q2", format="xlsx")
    rows = {
        row[1]: row for row in load_workbook(io.BytesIO(content))["全部指标"].iter_rows(min_row=3, values_only=True)
    }
    assert rows["为藤椒企业挽回加工产值"][3] == 2231.15
    rate = rows["执行结案率"][3]
    assert rate == round(rate, 2)


needs_soffice = pytest.mark.skipif(
    shutil.which("soffice") is None and __import__("os").environ.get("CI") != "true",
    reason="LibreOffice (soffice) is not installed",
)


@needs_soffice
def test_pdf_has_every_figure_a4_pages_and_only_embedded_cjk_fonts(demo, tmp_path):
    content, _version, missing = build_export(period=DEMO_PERIOD, format="pdf")
    assert content.startswith(b"%PDF")
    path = tmp_path / "summary.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout.decode()
    # Page numbers (— N —) sit between a page's last line and the next page's first.
    body = "\n".join(line for line in text.splitlines() if not re.fullmatch(r"\s*—\s*\d+\s*—\s*", line))
    flat = re.sub(r"\s+", "", body)
    for figure in [*REPORT_FIGURES, *(m.replace(" ", "") for m in MISSING)]:
        assert figure.replace(" ", "") in flat, figure
    assert missing == 11
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True).stdout.decode()
    font_lines = fonts.splitlines()[2:]
    assert font_lines and all(" yes " in line for line in font_lines), fonts  # every font embedded
    # Real 仿宋 (body) and 楷体 (level-2 headings) faces, Noto Sans for 黑体, Noto Serif for 小标宋 and 宋体.
    names = {line.split()[0].split("+")[-1] for line in font_lines}
    assert "FandolFang-Regular" in names and "FandolKai-Regular" in names, names
    assert any("Sans" in n for n in names) and any("NotoSerif" in n for n in names), names
    # 28 characters a line: no line holds more, and full lines of Chinese hold exactly 28.
    widths = [
        len(re.sub(r"\s", "", line))
        for line in body.splitlines()
        if re.fullmatch(r"[\s\u3000-\u9fff\uff00-\uffef“”]+", line)
    ]
    assert max(widths) == 28 and widths.count(28) > 20
    # The heading styles' outline levels survive as the PDF's bookmarks: 一、 at the top, （一） under it.
    from pypdf import PdfReader

    outline = PdfReader(path).outline
    assert [item.title for item in outline if not isinstance(item, list)] == [
        "一、上半年工作开展情况",
        "二、存在问题",
        "三、下半年工作打算",
    ]
    assert outline[1][0].title == "（一）坚决维护社会大局和谐稳定"
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True).stdout.decode()
    assert "A4" in info
    assert re.search(r"—\s*1\s*—", text)


def test_a_change_that_rounds_to_nothing_is_written_as_flat(demo, nearly_flat_cases):
    """100001 against 100000 (+0.001 %) reads 同比持平 in the document, not 上升0.00%."""
    from reports.summary.models import SummaryTemplate
    from reports.summary.selectors import render_summary

    body = f"案件【{nearly_flat_cases}】，【{nearly_flat_cases}|同比】；【{nearly_flat_cases}|增减】。"
    text = render_summary(SummaryTemplate(period="2023H1", title="总结", body=body)).text
    assert "案件100001件，同比持平；持平。" in text


def _render(body, period):
    from reports.summary.models import SummaryTemplate
    from reports.summary.selectors import render_summary

    return render_summary(SummaryTemplate(period=period, title="总结", body=body)).text


def test_wording_follows_each_periods_data(demo):
    """The demo template's words follow the data of any half-year or quarter, not the 2023H1 report."""
    h2_2022 = _render(DEMO_BODY, "2022H2")
    assert "双降" not in h2_2022  # 2021 has no data: nothing to assert
    assert "全面下降" not in h2_2022
    q2 = _render(DEMO_BODY, "2023Q2")
    # Amounts to two decimals (2231.1454 in the data), qualifiers only where rounding dropped something.
    assert "2231.15万元" in q2 and "2231.1454" not in q2
    assert not re.search(r"\d+\.\d{3,}万元", q2.replace("30562.4827万元", ""))  # only the one asked for 4 places


def test_a_group_condition_is_asserted_only_when_every_member_fell(demo):
    body = "【anti_fraud.cases+anti_fraud.losses|全降：实现“双降”】"
    assert _render(body, "2023H1") == "总结\n实现“双降”"
    rose = _render("【anti_fraud.cases+anti_fraud.losses|全升：实现“双升”】", "2023H1")
    assert rose == "总结\n发生电信网络诈骗案件同比下降11.81%，电信网络诈骗损失金额同比下降10.96%"
