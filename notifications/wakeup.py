"""Wake the outbox sender after a commit without paying for a broker publish per message.

Every queued message is a row first; what remains is telling a worker that there
is something to send. Publishing one Celery task per message costs a broker round
trip inside the request, which is most of the price of a busy write endpoint (the
shop API registering guarantees). Instead each web process publishes at most one
`send_pending_messages` task per WAKE_INTERVAL: the first message after a quiet
spell wakes the sender at once, messages within the interval share one trailing
wake-up, published from a timer thread after the interval. The sender task sends
every due row, so no row waits for more than about WAKE_INTERVAL; a row whose
wake-up was lost (broker down, process killed) is picked up by the sweeper.

With no broker (tests, the demo) tasks run inline: each message is sent at once,
by its own task, as soon as the transaction commits.
"""

from __future__ import annotations

import logging
import threading
import time

from config.celery import app as celery_app

WAKE_INTERVAL = 0.2  # seconds

logger = logging.getLogger(__name__)


class _Waker:
    """Per-process state: when the last wake-up went out and whether one is scheduled."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0.0
        self._timer: threading.Timer | None = None

    def wake(self) -> None:
        with self._lock:
            if self._timer is not None:
                return  # a trailing wake-up is coming and will see this row
            wait = self._last + WAKE_INTERVAL - time.monotonic()
            if wait > 0:
                self._timer = threading.Timer(wait, self._trailing)
                self._timer.daemon = True
                self._timer.start()
                return
            self._last = time.monotonic()
        _publish()

    def _trailing(self) -> None:
        with self._lock:
            self._timer = None
            self._last = time.monotonic()
        _publish()


def _publish() -> None:
    from notifications.tasks import send_pending_messages

    try:
        send_pending_messages.delay()
    except Exception:  # the broker is down: the row waits for the sweeper
        logger.warning("outbox wake-up not published; the sweeper will send", exc_info=True)


_waker = _Waker()


def message_queued(message_id: int) -> None:
    """Call once the transaction that wrote the message has committed."""
    if celery_app.conf.task_always_eager:
        from notifications.tasks import send_outgoing_message

        send_outgoing_message.delay(message_id)
        return
    _waker.wake()
