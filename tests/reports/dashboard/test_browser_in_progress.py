"""A period in progress in Debian's Chromium: the header names the months covered and compared, a card says
how complete its July is (issue 16)."""

import datetime
import re

from tests.browser import ARTIFACTS, BROWSER_MARKS

pytestmark = BROWSER_MARKS


def test_reviewer_reads_july_against_july(transactional_db, demo, live_server, browser_page, settings):
    settings.ZHENGFA_TODAY = datetime.date(2023, 8, 3)
    page = browser_page
    base = live_server.url.replace("localhost", "127.0.0.1")
    page.goto(f"{base}/login/?next=/dashboard/")
    page.fill("#id_username", "reviewer")
    page.fill("#id_password", "zhengfa2023")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/dashboard/"))
    # The default: the last complete half-year, whatever July holds.
    assert "2023年上半年" in page.locator("#dash-sub").inner_text()

    page.goto(f"{base}/dashboard/?period=2023H2&include_submitted=1")
    header = page.locator("#dash-sub").inner_text()
    assert "2023年下半年（7月）" in header and "同比：与2022年下半年（7月）相比" in header
    risks = page.locator('[data-indicator="stability.litigation_risks_found"]')
    assert "7月：3/4 单位已上报" in risks.inner_text()
    closed = page.locator('[data-indicator="mediation.tribunal_cases_closed"]').inner_text()
    assert "340" in closed and "同比下降24.94%" in closed
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-2023H2-july.png"))

    page.goto(f"{base}/dashboard/?period=2023")
    assert "2023年（1—6月）" in page.locator("#dash-sub").inner_text()
    cases = page.locator('[data-indicator="anti_fraud.cases"]').inner_text()
    assert "127" in cases and "同比下降11.81%" in cases
    page.screenshot(path=str(ARTIFACTS / "dashboard-2023-in-progress.png"))

    # The summary table: the columns name the months, an incomplete July is noted beside the figure.
    page.goto(f"{base}/tables/summary/?period=2023H2&include_submitted=1&area=stability")
    table = page.locator("table.figures").inner_text()
    assert "2023年下半年（7月）" in table and "2022年下半年（7月）" in table
    row = page.locator('tr[data-code="stability.litigation_risks_found"]').inner_text()
    assert "7月：3/4 单位已上报" in row
    page.screenshot(path=str(ARTIFACTS / "summary-table-2023H2-july.png"))
