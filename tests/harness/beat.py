"""Celery beat's sweeping jobs (`notifications.sweep_outbox`, `reports.sweep_stuck`) published every `period`
seconds, with short ages, from a thread of the test process."""

from __future__ import annotations

import logging
import threading

logger = logging.getLogger(__name__)


class Sweeper:
    """Celery beat's sweeping jobs with a short period, published from the test process."""

    def __init__(self, period: float = 2.0, queued_older_than: float = 1.0) -> None:
        self.period = period
        self.queued_older_than = queued_older_than
        self.ticks = 0
        self.failed_publishes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from notifications.tasks import sweep_outbox
        from reports.tasks import sweep_stuck

        while not self._stop.is_set():
            try:
                sweep_outbox.apply_async(kwargs={"queued_older_than": self.queued_older_than}, expires=30)
                sweep_stuck.apply_async(expires=30)
                self.ticks += 1
            except Exception:  # the broker may still be coming back: beat would try again next period too
                self.failed_publishes += 1
                logger.warning("sweeper: publish failed", exc_info=True)
            self._stop.wait(self.period)

    def __enter__(self) -> Sweeper:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(15)
