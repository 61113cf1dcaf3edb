"""A save refused as stale (HTTP 409) lists only what changed since the form was opened, and shows as
"您填写的" only what this user typed."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ENTRY = reverse("report_entry", args=["police", "police_monthly", 2023, 8])


def _form(version, **values):
    data = {"v_anti_fraud.cases": "12", "v_anti_fraud.losses": "30.5", "version": str(version), "action": "save"}
    data.update({f"v_{code}": text for code, text in values.items()})
    return data


def _conflict(client, login_as):
    """Version 1 holds 12 cases and 30.5 losses; someone else makes them 15 and 40 (version 2); this
    user, still on version 1, changes only the number of suspects caught and leaves the rest as shown."""
    login_as("admin")
    client.post(ENTRY, _form(0))
    client.post(ENTRY, _form(1, **{"anti_fraud.cases": "15", "anti_fraud.losses": "40"}))
    login_as("clerk_police")
    response = client.post(ENTRY, _form(1, **{"anti_fraud.suspects_caught": "7"}))
    assert response.status_code == 409
    return response


def _conflict_table(page):
    start = page.index("他人在您打开本页后做了以下修改")
    return page[start : page.index("</section>", start)]


def test_the_conflict_lists_only_the_changes_since_the_form_was_opened(client, login_as):
    table = _conflict_table(_conflict(client, login_as).content.decode())
    rows = table.count("<tr><td>")
    assert rows == 2, table  # cases 12 → 15, losses 30.5 → 40; not the first save that made version 1
    assert "发生电信网络诈骗案件" in table and "电信网络诈骗损失金额" in table


def test_values_the_user_did_not_touch_are_never_shown_as_typed(client, login_as):
    response = _conflict(client, login_as)
    page = response.content.decode()
    assert "您填写的：12" not in page and "您填写的：30.5" not in page  # shown when opened, not typed
    assert "您填写的：7" in page  # typed, and not what is stored now
    rows = {row.indicator.code: row for _area, rows in response.context["groups"] for row in rows}
    assert rows["anti_fraud.cases"].mine is None and rows["anti_fraud.suspects_caught"].mine == "7"


def test_a_value_typed_over_someone_elses_change_is_kept_beside_the_box(client, login_as):
    login_as("admin")
    client.post(ENTRY, _form(0))
    client.post(ENTRY, _form(1, **{"anti_fraud.cases": "15"}))
    login_as("clerk_police")
    page = client.post(ENTRY, _form(1, **{"anti_fraud.cases": "13"})).content.decode()
    assert "您填写的：13" in page and "您填写的：30.5" not in page
