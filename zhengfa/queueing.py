"""Publishing tasks to the broker: the one place that decides what happens when it cannot take them.

The settings bound every publish (CELERY_BROKER_CONNECTION_TIMEOUT, the transport's socket
timeouts, CELERY_TASK_PUBLISH_RETRY_POLICY), so a broker that hangs or a closed port costs
seconds, never the web worker. `publish` turns what is then raised into False; each caller
decides what the user sees (an export marked failed, a notice made in-process).
"""

import logging

from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)

# What a publish raises when the broker is unreachable or does not answer in time (kombu wraps the
# transport's own errors in OperationalError; a bare socket error is kept for transports that do not).
UNREACHABLE = (BrokerError, ConnectionError, TimeoutError)


def publish(task, *args):
    """Queue `task` with `args`; False (and a log line) when the broker could not take it in time.

    Without a broker (CELERY_TASK_ALWAYS_EAGER) the task runs here and now, as `delay` would.
    """
    try:
        task.apply_async(args=args)
    except UNREACHABLE as error:
        logger.error("broker unavailable, %s(%s) not queued: %s", task.name, ", ".join(map(str, args)), error)
        return False
    return True
