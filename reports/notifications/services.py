"""Every write of notifications: create once, e-mail once, mark read.

`notify` is idempotent: the model's unique constraints make a second call for
the same (kind, department, month, recipient) return the existing row, and
the e-mail goes out only for a row that was just created, claimed by setting
`emailed_at` first so that two workers never send the same message.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from reports.notifications.models import Notification

logger = logging.getLogger(__name__)


@transaction.atomic
def notify(*, kind, recipient, month, title, body="", url="", department=None, event=None, chase=None):
    """The notification for this key, created (and e-mailed after commit) if it did not exist; (row, created).

    The key is (kind, department, month, recipient), or (event, recipient) for a workflow event,
    or (chase, recipient) for a reviewer's 催报.
    """
    if event is not None:
        key = {"event": event, "recipient": recipient}
        extra = {"kind": kind, "month": month, "department": department}
    elif chase is not None:
        key = {"chase": chase, "recipient": recipient}
        extra = {"kind": kind, "month": month, "department": department}
    else:
        key = {
            "kind": kind,
            "recipient": recipient,
            "month": month,
            "department": department,
            "event": None,
            "chase": None,
        }
        extra = {}
    existing = Notification.objects.filter(**key).first()
    if existing is not None:
        return existing, False
    try:
        # A savepoint, so that losing a race to a concurrent run leaves the outer transaction usable.
        with transaction.atomic():
            notification = Notification.objects.create(**key, **extra, title=title, body=body, url=url)
    except IntegrityError:
        return Notification.objects.get(**key), False
    if recipient.email:
        transaction.on_commit(lambda: send_notification_email(notification_id=notification.pk))
    return notification, True


def send_notification_email(*, notification_id):
    """E-mail one notification unless it was already e-mailed; True when this call sent it."""
    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(emailed_at=timezone.now())
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    link = f"{settings.SITE_URL.rstrip('/')}{notification.url}" if notification.url else ""
    message = "\n\n".join(part for part in (notification.body, link) if part)
    try:
        send_mail(
            subject=notification.title,
            message=message,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notification.recipient.email],
        )
    except Exception:
        # Release the claim so that `send_pending_emails` can try again later.
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)
        logger.exception("e-mail for notification %s failed", notification_id)
        return False
    return True


def send_pending_emails():
    """Retry the e-mails that failed (recipients with an address, never e-mailed); returns how many went out."""
    pending = Notification.objects.filter(emailed_at__isnull=True).exclude(recipient__email="")
    return sum(send_notification_email(notification_id=pk) for pk in pending.values_list("pk", flat=True))


@transaction.atomic
def mark_read(*, user, notification_ids=None):
    """Mark the user's notifications read (all unread ones when no ids are given); returns how many."""
    unread = Notification.objects.for_user(user).unread()
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())
