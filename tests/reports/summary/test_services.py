"""Saving, versioning and restoring templates; queueing, running, failing and retrying exports."""

import datetime

import pytest
from django.utils import timezone

from reports.models import User
from reports.summary import services
from reports.summary.demo import DEMO_PERIOD
from reports.summary.models import ExportState, SummaryExport
from reports.summary.placeholders import TemplateProblem
from reports.summary.selectors import template_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(demo):
    return User.objects.get(username="reviewer")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_demo_template_is_loaded_once_as_version_one(demo):
    template = template_for(DEMO_PERIOD)
    assert template.version == 1 and template.versions.count() == 1


def test_saving_makes_a_new_version_with_who_and_restoring_keeps_history(reviewer):
    template = template_for(DEMO_PERIOD)
    original = template.body
    services.save_template(period=DEMO_PERIOD, title=template.title, body=original + "\n补充一段。", user=reviewer)
    template.refresh_from_db()
    assert template.version == 2 and template.updated_by == reviewer
    assert template.versions.get(number=2).created_by == reviewer

    restored = services.restore_version(template=template, number=1, user=reviewer)
    assert restored.version == 3 and restored.body == original.strip()
    assert restored.versions.get(number=3).note == "恢复自第1版"
    assert list(restored.versions.values_list("number", flat=True)) == [3, 2, 1]


def test_saving_the_same_text_makes_no_version(reviewer):
    template = template_for(DEMO_PERIOD)
    services.save_template(period=DEMO_PERIOD, title=template.title, body=template.body, user=reviewer)
    template.refresh_from_db()
    assert template.version == 1


def test_unknown_code_or_option_is_refused_and_nothing_changes(reviewer):
    template = template_for(DEMO_PERIOD)
    body = template.body.replace("【anti_fraud.cases】", "【anti_fraud.casez】").replace(
        "【anti_fraud.cases|同比】", "【anti_fraud.cases|同比率】"
    )
    with pytest.raises(TemplateProblem) as caught:
        services.save_template(period=DEMO_PERIOD, title=template.title, body=body, user=reviewer)
    messages = [p.message for p in caught.value.problems]
    assert len(messages) == 2
    assert "【anti_fraud.casez】" in messages[0] and "不存在" in messages[0] and "整治社会治安突出问题" in messages[0]
    assert "未知选项“同比率”" in messages[1]
    line = next(n for n, text in enumerate(body.strip().splitlines(), 1) if "casez" in text)
    assert messages[0].startswith(f"第{line}行")
    template.refresh_from_db()
    assert template.version == 1 and "casez" not in template.body


@pytest.mark.parametrize("field", ["title", "body", "signatory", "dated", "note"])
def test_a_control_character_is_refused_in_chinese_and_nothing_changes(reviewer, field):
    """NUL (which PostgreSQL refuses in text) anywhere in a template is a problem, never a 500."""
    template = template_for(DEMO_PERIOD)
    fields = {"title": template.title, "body": template.body, "signatory": "署名", "dated": "2023年7月10日", "note": ""}
    fields[field] += "【anti_fraud.cases|为零：\x00】"
    with pytest.raises(TemplateProblem) as caught:
        services.save_template(period=DEMO_PERIOD, user=reviewer, **fields)
    [problem] = caught.value.problems
    assert "控制字符" in problem.message and "\x00" not in problem.message
    if field == "body":
        assert problem.message.startswith(f"第{len(template.body.splitlines())}行")
    template.refresh_from_db()
    assert template.version == 1


def test_export_runs_in_process_without_a_broker_and_stores_the_file(
    reviewer, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        export = services.request_export(period=DEMO_PERIOD, format="docx", user=reviewer)
    export.refresh_from_db()
    assert export.state == ExportState.DONE and export.progress == 100
    assert export.template_version == 1 and export.missing_count == 11
    assert export.file.name.startswith("summary_exports/")
    assert (media / export.file.name).read_bytes()[:2] == b"PK"
    assert export.created_by == reviewer and export.finished_at >= export.started_at


def test_a_failed_export_shows_its_reason_and_can_be_retried(reviewer, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        export = services.request_export(period="2024H1", format="docx", user=reviewer)
    export.refresh_from_db()
    assert export.state == ExportState.FAILED
    assert "2024年上半年还没有总结模板" in export.error
    with django_capture_on_commit_callbacks(execute=True):
        retry = services.retry_export(export=export, user=reviewer)
    retry.refresh_from_db()
    assert retry.retry_of == export and retry.state == ExportState.FAILED
    assert SummaryExport.objects.filter(period="2024H1").count() == 2


def test_only_failed_exports_can_be_retried(reviewer, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        export = services.request_export(period=DEMO_PERIOD, format="xlsx", user=reviewer)
    export.refresh_from_db()
    with pytest.raises(services.ExportError):
        services.retry_export(export=export, user=reviewer)


def test_a_task_delivered_twice_runs_once(reviewer, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        export = services.request_export(period=DEMO_PERIOD, format="xlsx", user=reviewer)
    export.refresh_from_db()
    finished = export.finished_at
    services.run_export(export_id=export.pk)
    export.refresh_from_db()
    assert export.state == ExportState.DONE and export.finished_at == finished


def test_export_is_queued_only_after_commit(reviewer, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        export = services.request_export(period=DEMO_PERIOD, format="xlsx", user=reviewer)
    export.refresh_from_db()
    assert export.state == ExportState.QUEUED and len(callbacks) == 1


def test_unknown_format_is_refused(reviewer):
    with pytest.raises(services.ExportError):
        services.request_export(period=DEMO_PERIOD, format="odt", user=reviewer)
    assert not SummaryExport.objects.exists()


def test_an_export_stuck_for_long_can_be_retried_and_is_closed_as_failed(
    reviewer, media, django_capture_on_commit_callbacks
):
    stuck = SummaryExport.objects.create(period=DEMO_PERIOD, format="xlsx", created_by=reviewer)
    assert not stuck.can_retry
    SummaryExport.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=20))
    stuck.refresh_from_db()
    assert stuck.is_stale and stuck.can_retry
    with django_capture_on_commit_callbacks(execute=True):
        retry = services.retry_export(export=stuck, user=reviewer)
    stuck.refresh_from_db()
    retry.refresh_from_db()
    assert stuck.state == ExportState.FAILED and "超时未完成" in stuck.error
    assert retry.state == ExportState.DONE and retry.retry_of == stuck


def test_sign_off_takes_only_special_words(reviewer):
    template = template_for(DEMO_PERIOD)
    with pytest.raises(TemplateProblem) as caught:
        services.save_template(
            period=DEMO_PERIOD,
            title=template.title,
            body=template.body,
            signatory="中共【县名】委政法委员会【anti_fraud.cases】",
            dated="2023年7月10日",
            user=reviewer,
        )
    (problem,) = caught.value.problems
    assert problem.message.startswith("署名：【anti_fraud.cases】")
    saved = services.save_template(
        period=DEMO_PERIOD, title=template.title, body=template.body, signatory="县委政法委", dated="", user=reviewer
    )
    assert saved.version == 2 and saved.versions.get(number=2).signatory == "县委政法委"
    restored = services.restore_version(template=saved, number=1, user=reviewer)
    assert restored.signatory == "中共【县名】委政法委员会" and restored.dated == "2023年7月10日"
