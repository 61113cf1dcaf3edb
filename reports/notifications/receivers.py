"""The notifications listen to the workflow: each transition that tells someone queues one task."""

from django.dispatch import receiver

from reports.notifications.tasks import notify_transition
from reports.reporting.workflow import transitioned


@receiver(transitioned)
def queue_transition_notice(sender, event_id, **kwargs):
    """Queue the notices of a transition (the task decides whether anyone is told)."""
    notify_transition.delay(event_id)
