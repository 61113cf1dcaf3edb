"""The bell in the header: the signed-in user's unread count (one query per page)."""

from reports.notifications.models import Notification


def bell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": Notification.objects.for_user(user).unread().count()}
