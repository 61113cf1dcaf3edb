"""/healthz for a monitor, and the reviewers' page 后台任务状态 (the same checks, in Chinese)."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from reports.operations import health
from reports.operations.schedule import LABELS, is_late, scheduled_tasks
from reports.permissions import can_review


@login_not_required
@never_cache
@require_safe
def healthz(request):
    """200 when every part works, 503 naming the failing ones; only ok/fail/off/unknown, no detail."""
    states = health.states_for_monitor()
    ok = health.healthy(states)
    return JsonResponse({"status": "ok" if ok else "fail", "checks": states}, status=200 if ok else 503)


def _check_rows(states):
    """(name, state, what it means) per check, in Chinese."""
    names = {
        "database": _("数据库"),
        "migrations": _("数据库结构（迁移）"),
        "broker": _("消息队列（Redis）"),
        "worker": _("后台进程（worker）"),
        "beat": _("定时器（beat）"),
    }
    failures = {
        "database": _("数据库连接失败：所有页面都无法使用。请检查 PostgreSQL 服务。"),
        "migrations": _("程序已升级但数据库结构未更新：请运行 manage.py migrate。"),
        "broker": _("无法连接消息队列：导出、提醒和通知都无法排队。请检查 Redis 服务。"),
        "worker": _("没有后台进程应答：导出不会完成，提醒和通知不会发出。请检查 zhengfa-worker 服务。"),
        "beat": _("定时器未按时运行：截止提醒和逾期通知已停止。请检查 zhengfa-beat 服务。"),
    }
    words = {
        health.OK: _("正常"),
        health.FAIL: _("异常"),
        health.OFF: _("未启用（任务在网页进程中直接运行）"),
        health.UNKNOWN: _("无法判断（所依赖的部分异常）"),
    }
    return [
        {"name": names[key], "state": state, "word": words[state], "help": failures[key] * (state == health.FAIL)}
        for key, state in states.items()
    ]


def _task_rows(runs):
    """Each scheduled task: what it does, its last run and whether the next one is overdue."""
    rows = []
    for task, schedule in scheduled_tasks(settings.CELERY_BEAT_SCHEDULE).items():
        run = runs.get(task)
        if run is None:
            word, late = _("尚未运行"), False
        else:
            late = is_late(schedule, run.finished_at, settings.HEALTH_BEAT_GRACE)
            word = _("已逾期未运行") if late else (_("按时") if run.succeeded else _("上次运行失败"))
        rows.append({"label": LABELS.get(task, task), "run": run, "word": word, "late": late})
    return rows


@never_cache
@require_safe
def task_status(request):
    """后台任务状态: every check in words, and when each scheduled task last ran."""
    if not can_review(request.user):
        raise PermissionDenied(_("后台任务状态仅对审核员和管理员开放。"))
    states, runs = health.report()
    context = {
        "healthy": health.healthy(states),
        "checks": _check_rows(states),
        "tasks": _task_rows(runs) if settings.CELERY_BROKER_URL else [],
        "checked_at": timezone.now(),
    }
    return render(request, "operations/task_status.html", context)
