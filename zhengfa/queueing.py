"""Publishing tasks to the broker: the one place that decides what happens when it cannot take them.

The settings bound every publish (CELERY_BROKER_CONNECTION_TIMEOUT, the transport's socket
timeouts, CELERY_TASK_PUBLISH_RETRY_POLICY), so a broker that hangs or a closed port costs
seconds, never the web worker. `publish` turns what is then raised into False; each caller
decides what the user sees (an export marked failed, a notice made in-process).
"""

import logging
import time

from django.conf import settings
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)

# What a publish raises when the broker is unreachable or does not answer in time (kombu wraps the
# transport's own errors in OperationalError; a bare socket error is kept for transports that do not).
UNREACHABLE = (BrokerError, ConnectionError, TimeoutError)

# When the broker last failed, the next attempt waits BROKER_RETRY_AFTER_SECONDS: a loop that queues
# once per report (bulk approval, 催报 of a whole month) must not wait seconds for each of them.
_down_until = 0.0


def broker_known_down():
    """Whether a publish failed less than BROKER_RETRY_AFTER_SECONDS ago (so none is tried now)."""
    return time.monotonic() < _down_until


def forget_broker_failure():
    """Try the broker again at the next publish (tests; a worker that saw the broker come back)."""
    global _down_until
    _down_until = 0.0


def publish(task, *args):
    """Queue `task` with `args`; False (and a log line) when the broker could not take it in time.

    Without a broker (CELERY_TASK_ALWAYS_EAGER) the task runs here and now, as `delay` would. After a
    failure, publishes within BROKER_RETRY_AFTER_SECONDS return False at once, without trying.
    """
    global _down_until
    named = f"{task.name}({', '.join(map(str, args))})"
    if broker_known_down():
        logger.error("broker unavailable (failed recently), %s not queued", named)
        return False
    try:
        task.apply_async(args=args)
    except UNREACHABLE as error:
        _down_until = time.monotonic() + settings.BROKER_RETRY_AFTER_SECONDS
        logger.error("broker unavailable, %s not queued: %s", named, error)
        return False
    return True
