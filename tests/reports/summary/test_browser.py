"""The summary pages in Debian's Chromium: preview marks and sources, export progress by polling, the editor."""

import re
from urllib.parse import urlparse

import pytest

from reports.models import User
from reports.summary import services
from reports.summary.demo import DEMO_PERIOD
from reports.summary.models import SummaryExport
from tests.browser import ARTIFACTS, BROWSER_MARKS, launch_chromium

pytestmark = BROWSER_MARKS


@pytest.fixture
def page(settings, tmp_path):
    from playwright.sync_api import sync_playwright

    settings.MEDIA_ROOT = tmp_path
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN")
        page = context.new_page()
        page.errors, page.outside = [], []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
        page.on(
            "request",
            lambda request: (
                urlparse(request.url).hostname not in ("127.0.0.1", None) and page.outside.append(request.url)
            ),
        )
        yield page
        context.close()
        browser.close()


def _login(page, base, username, next_url):
    page.goto(f"{base}/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", "zhengfa2023")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(re.escape(next_url)))


def test_preview_shows_figures_sources_and_an_export_finishing(transactional_db, demo, live_server, page):
    base = live_server.url.replace("localhost", "127.0.0.1")
    reviewer = User.objects.get(username="reviewer")
    # Queued but not run: the page must pick up its progress by polling.
    queued = SummaryExport.objects.create(period=DEMO_PERIOD, format="docx", created_by=reviewer)
    url = f"/summary/{DEMO_PERIOD}/"
    _login(page, base, "reviewer", url)

    counts = page.locator("#counts").inner_text()
    assert "缺数 11 处" in counts and "引用数据" in counts
    assert page.locator(".paper .gap").count() == 11
    assert page.locator(".paper .fig").count() > 100
    first_gap = page.locator("#gap-1")
    assert first_gap.inner_text() == "【缺数：重大事项请示报告备案 · 县委政法委】"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "summary-preview.png"))

    page.locator('.fig[data-code="anti_fraud.cases"]').first.click()
    panel = page.locator("#source-panel")
    panel.wait_for(state="visible")
    text = panel.inner_text()
    assert "发生电信网络诈骗案件：127件" in text and "县公安局" in text and "144件" in text and "6月" in text
    page.locator('.fig[data-code="anti_fraud.cases"]').first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "summary-preview-source.png"))

    row = page.locator(f'tr[data-id="{queued.pk}"]')
    assert "排队中" in row.inner_text()
    services.run_export(export_id=queued.pk)
    row.locator("a.button").wait_for(timeout=10_000)
    assert "已完成" in row.inner_text()
    with page.expect_download() as download:
        row.locator("a.button").click()
    assert download.value.suggested_filename == f"{DEMO_PERIOD}半年工作总结.docx"
    page.locator("#exports").scroll_into_view_if_needed()
    page.locator("#exports").screenshot(path=str(ARTIFACTS / "summary-exports.png"))
    assert page.errors == [] and page.outside == []


def test_failed_export_shows_reason_and_retry(transactional_db, demo, live_server, page):
    base = live_server.url.replace("localhost", "127.0.0.1")
    reviewer = User.objects.get(username="reviewer")
    failed = SummaryExport.objects.create(period=DEMO_PERIOD, format="pdf", created_by=reviewer)
    SummaryExport.objects.filter(pk=failed.pk).update(state="failed", error="LibreOffice 转换 PDF 失败：示例原因")
    _login(page, base, "reviewer", f"/summary/{DEMO_PERIOD}/")
    row = page.locator(f'tr[data-id="{failed.pk}"]')
    assert "失败" in row.inner_text() and "示例原因" in row.inner_text()
    row.get_by_role("button", name="重试").click()
    page.wait_for_url(re.compile("#exports"))
    assert SummaryExport.objects.filter(retry_of=failed).exists()
    page.locator("#exports").screenshot(path=str(ARTIFACTS / "summary-exports-retry.png"))


def test_editor_refuses_a_bad_code_and_points_at_it(transactional_db, demo, live_server, page):
    base = live_server.url.replace("localhost", "127.0.0.1")
    _login(page, base, "reviewer", f"/summary/{DEMO_PERIOD}/edit/")
    body = page.locator("#id_body")
    body.fill(body.input_value().replace("【anti_fraud.cases】", "【anti_fraud.cases|环比】", 1))
    page.click("text=保存为新版本")
    problems = page.locator(".problems").inner_text()
    assert "未保存" in problems and "【anti_fraud.cases|环比】" in problems and "未知选项“环比”" in problems
    page.locator(".problems a.jump").first.click()
    selected = page.evaluate(
        "(() => { const b = document.getElementById('id_body'); "
        "return b.value.substring(b.selectionStart, b.selectionEnd); })()"
    )
    assert selected == "【anti_fraud.cases|环比】"
    page.screenshot(path=str(ARTIFACTS / "summary-editor-error.png"))
    page.fill("#indicator-filter", "诈骗")
    page.locator("#indicator-filter").screenshot(path=str(ARTIFACTS / "summary-editor-filter.png"))
    assert page.locator("#indicator-table tbody tr:visible").count() >= 2
    # The refused form answers 400 on purpose; nothing else may fail.
    assert [e for e in page.errors if "400" not in e] == [] and page.outside == []


def test_leader_reads_the_summary_without_edit_or_export_buttons(transactional_db, demo, live_server, page):
    base = live_server.url.replace("localhost", "127.0.0.1")
    _login(page, base, "leader", "/summary/")
    assert "预览与导出" in page.content() and "编辑模板" not in page.content()
    page.screenshot(path=str(ARTIFACTS / "summary-index-leader.png"))
    page.click("text=预览与导出")
    page.wait_for_url(re.compile(f"/summary/{DEMO_PERIOD}/"))
    assert page.locator(".export-buttons").count() == 0
    assert page.locator(".paper .fig").count() > 100
    page.locator(".paper").screenshot(path=str(ARTIFACTS / "summary-paper.png"))
    assert page.errors == [] and page.outside == []


def test_editor_documents_the_wording_options_and_warns_about_typed_digits(transactional_db, demo, live_server, page):
    base = live_server.url.replace("localhost", "127.0.0.1")
    _login(page, base, "reviewer", f"/summary/{DEMO_PERIOD}/edit/")
    body = page.locator("#id_body")
    body.fill(body.input_value() + "\n上半年共召开会议13次。")
    page.click("text=保存为新版本")
    page.wait_for_selector(".digit-warnings")
    warnings = page.locator(".digit-warnings").inner_text()
    assert "直接写了数字" in warnings and "召开会议13次" in warnings
    page.locator(".digit-warnings a.jump").last.click()
    selected = page.evaluate(
        "(() => { const b = document.getElementById('id_body'); "
        "return b.value.substring(b.selectionStart, b.selectionEnd); })()"
    )
    assert "13" in selected
    help_text = page.locator("#syntax").inner_text()
    for example in ("200余篇", "近60次", "未发生负面舆情事件", "双降", "全面下降", "14.5万余起"):
        assert example in help_text, example
    page.screenshot(path=str(ARTIFACTS / "summary-editor-warnings.png"))
    page.locator("#syntax").screenshot(path=str(ARTIFACTS / "summary-editor-options.png"))
    assert page.errors == [] and page.outside == []
