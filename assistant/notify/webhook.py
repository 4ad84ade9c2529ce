"""Staff notices through the WeCom group robot, delivered in the background from the store's outbox.

`notify()` writes the notice (after the member's turn is committed) and wakes the sender thread (in an agent
worker process, which only queues, the server process is woken when the turn's reply comes back); the thread
claims due notices (several workers never take the same one at once), posts each card with tenacity's
backoff, and records the outcome. A delivery that fails every attempt is redone later with a growing wait,
and given up after NOTIFY_DELIVERIES. The robot answers HTTP 200 with an errcode: errcode != 0 is a failure.
Every attempt is counted: finassist_staff_notifications_total{outcome="sent"|"retried"|"failed"}.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import httpx
from prometheus_client import Counter
from tenacity import RetryCallState, Retrying, stop_after_attempt, wait_exponential

from assistant.notify.cards import Handoff, card
from assistant.store import Store

log = logging.getLogger(__name__)
NOTICES = Counter("finassist_staff_notifications_total", "Staff webhook attempts by outcome", ["outcome"])
SWEEP_SECONDS = 5.0
MAX_RETRY_WAIT = timedelta(minutes=30)


class WebhookError(Exception):
    pass


class StaffNotifier:
    """Posts handoff cards to the robot webhook from a background thread (started by `start`)."""

    def __init__(
        self,
        store: Store,
        url: str,
        *,
        base_url: str = "",
        attempts: int = 3,
        deliveries: int = 6,
        retry_after: float = 30.0,
        timeout: float = 5.0,
        backoff: float = 0.2,
        sending: bool = True,
    ) -> None:
        self.store = store
        self.url = url
        self.base_url = base_url
        self.attempts = attempts
        self.deliveries = deliveries
        self.retry_after = retry_after
        self.timeout = timeout
        self.backoff = backoff
        self.sending = sending  # False in agent worker processes: the server process sends (and counts)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        if not self.sending:
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self._run, name="staff-notifier", daemon=True)
                self._thread.start()

    def notify(self, handoff: Handoff) -> None:
        """Queue the card (durably) and wake the sender; never raises into the member's turn."""
        try:
            self.store.notices.add(handoff.kind, card(handoff, self.base_url))
        except Exception:
            NOTICES.labels("failed").inc()
            log.exception("could not queue a staff notice for a %s handoff", handoff.kind)
            return
        self.wake()

    def wake(self) -> None:
        """Look for due notices now (another process may have queued one)."""
        self.start()
        self._wake.set()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.deliver_due()
            except Exception:
                log.exception("staff notifier sweep failed")
            self._wake.wait(SWEEP_SECONDS)
            self._wake.clear()

    def deliver_due(self) -> int:
        """Deliver every due notice this worker can claim; returns how many were sent."""
        sent = 0
        for notice_id in self.store.notices.due():
            if self._stop.is_set():
                break
            notice = self.store.notices.claim(notice_id)
            if notice is None:
                continue
            try:
                self._post(notice.payload)
            except Exception as exc:
                give_up = notice.deliveries >= self.deliveries
                wait = min(timedelta(seconds=self.retry_after * 2 ** (notice.deliveries - 1)), MAX_RETRY_WAIT)
                self.store.notices.failed(notice.id, str(exc), retry_in=None if give_up else wait)
                log.warning("staff notice %s not delivered (delivery %d): %s", notice.id, notice.deliveries, exc)
                continue
            self.store.notices.sent(notice.id)
            sent += 1
        return sent

    def _post(self, payload: dict[str, object]) -> None:
        def retried(state: RetryCallState) -> None:
            NOTICES.labels("retried").inc()

        retrying = Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential(multiplier=self.backoff, max=5),
            before_sleep=retried,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    self._post_once(payload)
        except Exception:
            NOTICES.labels("failed").inc()
            raise
        NOTICES.labels("sent").inc()

    def _post_once(self, payload: dict[str, object]) -> None:
        response = httpx.post(self.url, json=payload, timeout=self.timeout)
        if response.status_code != 200:
            raise WebhookError(f"webhook answered HTTP {response.status_code}")
        try:
            errcode = int(response.json().get("errcode", 0))
        except (ValueError, AttributeError) as exc:
            raise WebhookError("webhook answered something other than JSON") from exc
        if errcode != 0:
            raise WebhookError(f"webhook answered errcode {errcode}: {response.json().get('errmsg', '')}")
