"""Template text: structure, placeholder syntax, checking and filling (pure, no database)."""

from decimal import Decimal as D

import pytest

from metrics.aggregation import Figure
from metrics.models import Indicator, Kind
from reports.summary.filling import FillContext, fill_blocks, fill_placeholder
from reports.summary.placeholders import (
    HEADING1,
    HEADING2,
    PARAGRAPH,
    Placeholder,
    check_template,
    parse_placeholder,
    parse_template,
)

CASES = Indicator(code="anti_fraud.cases", name="发生电信网络诈骗案件", unit="件", kind=Kind.FLOW)
INCIDENTS = Indicator(code="cyber.negative_incidents", name="发生负面舆情事件", unit="起", kind=Kind.FLOW)
POSTS = Indicator(code="cyber.wechat_posts", name="发布微信推文", unit="篇", kind=Kind.FLOW)
DEATHS = Indicator(code="traffic.deaths", name="道路交通事故死亡人数", unit="人", kind=Kind.FLOW)
LOSSES = Indicator(code="anti_fraud.losses", name="电信网络诈骗损失金额", unit="万元", kind=Kind.FLOW, decimals=4)
RATE = Indicator(code="enforcement.conclusion_rate", name="执行结案率", unit="%", kind=Kind.RATIO, decimals=2)
FILINGS = Indicator(code="leadership.major_matter_filings", name="重大事项请示报告备案", unit="次", kind=Kind.FLOW)
BACKLOG = Indicator(code="stability.petition_backlog_resolved", name="涉法涉诉信访积案化解", unit="件", kind=Kind.FLOW)
VIOLATIONS = Indicator(code="traffic.violations_handled", name="查处各类交通违法行为", unit="起", kind=Kind.FLOW)

ALL = (CASES, LOSSES, RATE, FILINGS, BACKLOG, VIOLATIONS, INCIDENTS, POSTS, DEATHS)
CATALOGUE = {i.code: i.code for i in ALL} | {i.name: i.code for i in ALL}


def context():
    return FillContext(
        figures={
            "anti_fraud.cases": Figure(CASES, D(127), D(144)),
            "anti_fraud.losses": Figure(LOSSES, D("1043.5"), D("1172")),
            "enforcement.conclusion_rate": Figure(RATE, D("93.5979"), D("91.2")),
            "leadership.major_matter_filings": Figure(FILINGS, None, D(3)),
            "stability.petition_backlog_resolved": Figure(BACKLOG, D(4), None, target=D(10)),
            "traffic.violations_handled": Figure(VIOLATIONS, D(145000), None),
            "cyber.negative_incidents": Figure(INCIDENTS, D(0), D(2)),
            "cyber.wechat_posts": Figure(POSTS, D(104), D(90)),
            "traffic.deaths": Figure(DEATHS, D(7), D(7)),
        },
        catalogue=CATALOGUE,
        responsible={
            "leadership.major_matter_filings": "县委政法委",
            "stability.petition_backlog_resolved": "县信访局",
        },
        specials={"county": "示范县", "period": "2023年上半年", "year": "2023年", "previous_year": "2022年"},
    )


def fill(text):
    placeholder, reasons = parse_placeholder(text)
    assert not reasons, reasons
    return fill_placeholder(placeholder, context()).text


@pytest.mark.parametrize(
    "text,expected",
    [
        ("anti_fraud.cases", "127件"),
        ("发生电信网络诈骗案件", "127件"),
        ("anti_fraud.cases|同比", "同比下降11.81%"),
        ("anti_fraud.cases｜增减", "下降"),
        ("anti_fraud.cases|幅度", "11.81%"),
        ("anti_fraud.cases|上年", "144件"),
        ("anti_fraud.cases|无单位", "127"),
        ("anti_fraud.losses", "1043.5万元"),
        ("anti_fraud.losses|同比", "同比下降10.96%"),
        ("anti_fraud.losses|无单位", "1043.5"),
        ("enforcement.conclusion_rate", "93.60%"),
        ("enforcement.conclusion_rate|1位小数", "93.6%"),
        ("enforcement.conclusion_rate|一位小数", "93.6%"),
        ("enforcement.conclusion_rate|同比", "同比提高2.40个百分点"),
        ("enforcement.conclusion_rate|幅度|1位小数", "2.4个百分点"),
        ("stability.petition_backlog_resolved|目标", "10件"),
        ("stability.petition_backlog_resolved|完成率", "40%"),
        ("traffic.violations_handled|万|1位小数", "14.5万起"),
        ("traffic.violations_handled|取整", "145000起"),
        ("县名", "示范县"),
        ("期间", "2023年上半年"),
    ],
)
def test_placeholders_fill_as_the_report_writes_figures(text, expected):
    assert fill(text) == expected


def test_a_missing_figure_is_marked_with_indicator_and_department_never_zero():
    assert fill("leadership.major_matter_filings") == "【缺数：重大事项请示报告备案 · 县委政法委】"
    assert fill("leadership.major_matter_filings|同比") == "【缺数：重大事项请示报告备案 · 县委政法委】"


def test_a_missing_comparison_is_marked_as_last_years_figure():
    assert fill("stability.petition_backlog_resolved|同比") == "【缺数：涉法涉诉信访积案化解（上年同期） · 县信访局】"


def test_unknown_option_is_reported_with_the_option():
    placeholder, reasons = parse_placeholder("anti_fraud.cases|环比")
    assert isinstance(placeholder, Placeholder)
    assert len(reasons) == 1 and "未知选项“环比”" in reasons[0]


def test_two_things_to_show_conflict():
    _placeholder, reasons = parse_placeholder("anti_fraud.cases|同比|上年")
    assert reasons and "冲突" in reasons[0]


def test_structure_follows_the_report_headings_and_run_in_level_two_headings():
    blocks, problems = parse_template(
        "导语【县名】。\n\n一、上半年工作开展情况\n（一）坚决维护稳定\n正文【anti_fraud.cases】。\n"
        "二、存在问题\n（一）素质能力有待提升。部分干警存在短板。",
        title="【县名】总结",
    )
    assert not problems
    kinds = [b.kind for b in blocks[1:]]
    assert kinds == [PARAGRAPH, HEADING1, HEADING2, PARAGRAPH, HEADING1, HEADING2]
    run_in = blocks[-1]
    assert run_in.lead == ["（一）素质能力有待提升。"]
    assert run_in.parts == ["部分干警存在短板。"]
    assert blocks[3].lead == ["（一）坚决维护稳定"] and blocks[3].parts == []


def test_unknown_code_is_refused_with_line_section_and_bad_text():
    body = "一、上半年工作开展情况\n（二）护航发展\n发生案件【anti_fraud.case】，【anti_fraud.cases|同笔】。"
    problems = check_template(body, CATALOGUE)
    assert [p.line for p in problems] == [3, 3]
    messages = [p.message for p in problems]
    assert "第3行" in messages[0] and "（二）护航发展" in messages[0] and "【anti_fraud.case】" in messages[0]
    assert "anti_fraud.cases" in messages[0]  # the suggestion
    assert "【anti_fraud.cases|同笔】" in messages[1] and "未知选项“同笔”" in messages[1]


def test_unpaired_brackets_are_refused():
    problems = check_template("发生案件【anti_fraud.cases。", CATALOGUE)
    assert len(problems) == 1 and "没有配对" in problems[0].message


def test_a_good_template_has_no_problems():
    assert check_template("一、总体\n案件【anti_fraud.cases|同比】，【执行结案率|1位小数】。", CATALOGUE) == []


def test_fill_blocks_numbers_missing_figures_in_order():
    blocks, _problems = parse_template("甲【leadership.major_matter_filings】乙【anti_fraud.cases】丙【unknown.x】")
    filled = fill_blocks(blocks, context())
    missing = [s for s in filled[0].segments if s.missing]
    assert [s.number for s in missing] == [1, 2]
    assert filled[0].text.startswith("甲【缺数：重大事项请示报告备案 · 县委政法委】乙127件丙【缺数：")


@pytest.mark.parametrize(
    "text,expected",
    [
        ("cyber.wechat_posts|余", "104篇"),  # exact: no 余
        ("cyber.wechat_posts|整百|余", "100余篇"),
        ("cyber.wechat_posts|整十|近", "近110篇"),
        ("anti_fraud.losses|取整|约", "约1044万元"),
        ("traffic.violations_handled|万|1位小数|余", "14.5万起"),
        # The zero phrase, and the words otherwise (# is the figure).
        ("cyber.negative_incidents|为零：未发生负面舆情事件", "未发生负面舆情事件"),
        ("cyber.negative_incidents|为零：未发生负面舆情事件|否则：发生负面舆情事件#", "未发生负面舆情事件"),
        ("anti_fraud.cases|为零：未发生|否则：发生#", "发生127件"),
        ("anti_fraud.cases|为零：未发生", "127件"),
        # Group conditions: the words only when every member fell, else each with its own 同比.
        ("anti_fraud.cases+anti_fraud.losses|全降：实现“双降”", "实现“双降”"),
        (
            "anti_fraud.cases+cyber.wechat_posts|全降：实现“双降”",
            "发生电信网络诈骗案件同比下降11.81%，发布微信推文同比上升15.56%",
        ),
        ("anti_fraud.cases+traffic.deaths|全降：全面下降|否则：", ""),
        (
            "anti_fraud.cases+cyber.wechat_posts|全升：双升",
            "发生电信网络诈骗案件同比下降11.81%，发布微信推文同比上升15.56%",
        ),
    ],
)
def test_wording_follows_the_value(text, expected):
    placeholder, reasons = parse_placeholder(text)
    assert not reasons, reasons
    filled = fill_placeholder(placeholder, context())
    assert "".join(s.text for s in (filled if isinstance(filled, list) else [filled])) == expected


def test_a_group_with_a_member_missing_marks_it_and_asserts_nothing():
    blocks, _problems = parse_template("事故【anti_fraud.cases+leadership.major_matter_filings|全降：双降】。")
    text = fill_blocks(blocks, context())[0].text
    assert "双降" not in text
    assert text == "事故发生电信网络诈骗案件同比下降11.81%，【缺数：重大事项请示报告备案 · 县委政法委】。"


@pytest.mark.parametrize(
    "text,reason",
    [
        ("anti_fraud.cases|否则：发生", "#"),
        ("anti_fraud.cases|全降：双降", "“+”"),
        ("anti_fraud.cases+anti_fraud.losses|全降：双降|全升：双升", "只能选一个"),
        ("anti_fraud.cases+anti_fraud.losses|全降：双降|否则：#", "不能用 #"),
        ("anti_fraud.cases+anti_fraud.losses|全降：双降|同比", "只能带"),
        ("anti_fraud.cases|为零：【x】", "方括号"),
    ],
)
def test_wording_options_that_cannot_work_are_refused(text, reason):
    _placeholder, reasons = parse_placeholder(text)
    assert any(reason in r for r in reasons), reasons


def test_every_member_of_a_group_must_exist():
    problems = check_template("【anti_fraud.cases+anti_fraud.losez|全降：双降】", CATALOGUE)
    assert len(problems) == 1 and "anti_fraud.losez" in problems[0].message


def test_typed_digits_are_warned_about_outside_placeholders_and_heading_numbers():
    from reports.summary.wording import typed_digits

    body = "1.学习。召开会议2次。\n（1）专题。\n案件【anti_fraud.cases|整十|余】，【期间】。\n一、总体"
    warnings = typed_digits(body, title="2023年总结")
    assert [(w.line, w.text) for w in warnings] == [(0, "“2023年总”"), (1, "“召开会议2次。”")]
    assert "【年度】" in warnings[0].reason
