"""The outbox wake-up: one broker publish serves a burst of messages, none is left behind."""

import time

from notifications import wakeup


def test_a_burst_of_messages_costs_one_wake_up_now_and_one_after_the_interval(monkeypatch):
    published: list[float] = []
    monkeypatch.setattr(wakeup, "_publish", lambda: published.append(time.monotonic()))
    waker = wakeup._Waker()
    for _ in range(50):
        waker.wake()
    assert len(published) == 1  # the first message of a quiet spell wakes the sender at once
    deadline = time.monotonic() + 5
    while len(published) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(published) == 2  # the other 49 share the trailing wake-up
    time.sleep(wakeup.WAKE_INTERVAL * 1.5)
    waker.wake()
    assert len(published) == 3  # a quiet interval later, at once again
