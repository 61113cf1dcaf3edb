"""The notification list: read them, mark them read."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reports.notifications import services
from reports.notifications.models import Notification
from zhengfa.inputs import parse_id


def notification_list(request):
    """The signed-in user's notifications, newest first, unread highlighted."""
    notifications = Notification.objects.for_user(request.user).select_related("department")
    page = Paginator(notifications, 30).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@require_POST
def mark_read(request):
    """Mark one notification (`id`) or all of them read; `next` opens the notification's page."""
    notification_id = request.POST.get("id", "")
    ids = None
    if notification_id:
        ids = [parse_id(notification_id)]
        if ids[0] is None:
            # A forged id must not fall back to "all of them".
            messages.error(request, _("无法识别的通知编号，未做任何标记。"))
            return redirect("notification_list")
    services.mark_read(user=request.user, notification_ids=ids)
    target = request.POST.get("next", "")
    if ids and target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        get_object_or_404(Notification, pk=ids[0], recipient=request.user)
        return redirect(target)
    return redirect("notification_list")
