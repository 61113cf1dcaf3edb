"""The notifications listen to the workflow: each transition that tells someone queues one task."""

from django.dispatch import receiver

from reports.notifications.tasks import notify_chase, notify_transition
from reports.reporting.chasing import chased
from reports.reporting.workflow import transitioned


@receiver(transitioned)
def queue_transition_notice(sender, event_id, **kwargs):
    """Queue the notices of a transition (the task decides whether anyone is told)."""
    notify_transition.delay(event_id)


@receiver(chased)
def queue_chase_notice(sender, chase_id, **kwargs):
    """Queue the notices of a reviewer's 催报."""
    notify_chase.delay(chase_id)
