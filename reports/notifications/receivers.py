"""The notifications listen to the workflow: each transition that tells someone queues one task."""

from django.dispatch import receiver

from reports.notifications.tasks import notify_chase, notify_transition
from reports.reporting.chasing import chased
from reports.reporting.workflow import transitioned
from zhengfa.queueing import publish


@receiver(transitioned)
def queue_transition_notice(sender, event_id, **kwargs):
    """Queue the notices of a transition (the task decides whether anyone is told).

    When the broker cannot take the task the notices are made here, in this request: the
    transition is already committed, and its notices must neither be lost nor turn into an error.
    """
    if not publish(notify_transition, event_id):
        notify_transition.apply(args=[event_id])


@receiver(chased)
def queue_chase_notice(sender, chase_id, **kwargs):
    """Queue the notices of a reviewer's 催报; made here when the broker cannot take the task."""
    if not publish(notify_chase, chase_id):
        notify_chase.apply(args=[chase_id])
