"""Batches feedback writes on a dedicated thread so the chat path never waits on SQLite.

Capacity is reserved before work starts (a chat request reserves the slot its answer will need),
so a full queue turns into RESOURCE_EXHAUSTED up front and nothing accepted is ever dropped.
A signal's future resolves only after its transaction committed (synchronous=FULL): the ack is durable.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future

from loraloop.errors import FeedbackUnavailable, Overloaded
from loraloop.feedback.store import ErrorRecord, FeedbackStore, ResponseRecord, SignalAck, SignalRecord

__all__ = ["FeedbackWriter", "Reservation"]

log = logging.getLogger(__name__)
_STOP = object()


class Reservation:
    """A slot in the writer's queue, held until one item is submitted (or the slot is released)."""

    def __init__(self, writer: FeedbackWriter):
        self._writer = writer
        self._open = True

    def submit(self, item: ResponseRecord | SignalRecord | ErrorRecord) -> Future:
        """Queue the item in the reserved slot; the future resolves after commit."""
        if not self._open:
            raise RuntimeError("reservation already used")
        self._open = False
        return self._writer._enqueue(item)

    def release(self) -> None:
        """Give the slot back unused."""
        if self._open:
            self._open = False
            self._writer._release()


class FeedbackWriter:
    """Owns the FeedbackStore on one thread; other threads and the event loop hand it items."""

    def __init__(self, open_store: Callable[[], FeedbackStore], *, queue_size: int, batch_size: int,
                 on_signals: Callable[[list[tuple[str, int | None, str]]], None] | None = None):
        self._open_store = open_store
        self._on_signals = on_signals  # gets (domain, version, kind) of each committed signal, for metrics
        self._queue: queue.Queue = queue.Queue()
        self._capacity = queue_size
        self._batch_size = batch_size
        self._used = 0  # reserved + queued + being written
        self._lock = threading.Lock()
        self._pending_responses: set[str] = set()
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="feedback-writer", daemon=True)

    def start(self) -> None:
        """Open the store on the writer thread (migrating it) and start taking writes."""
        self._thread.start()
        self._ready.wait()
        if self._startup_error:
            raise self._startup_error

    def reserve(self) -> Reservation:
        """Take one queue slot now, or raise Overloaded when the queue is full."""
        with self._lock:
            if self._used >= self._capacity:
                raise Overloaded(f"feedback queue full ({self._capacity} writes waiting); retry later")
            self._used += 1
        return Reservation(self)

    async def write(self, item: ResponseRecord | SignalRecord | ErrorRecord) -> SignalAck | None:
        """Reserve, submit and wait for the commit; raises the item's own error."""
        return await asyncio.wrap_future(self.reserve().submit(item))

    def is_pending(self, response_id: str) -> bool:
        """True while an answer is queued but not yet committed."""
        with self._lock:
            return response_id in self._pending_responses

    @property
    def capacity(self) -> int:
        """Most slots in use before writes are refused."""
        return self._capacity

    @property
    def queued(self) -> int:
        """Slots in use (reserved, queued or being written)."""
        return self._used

    def close(self, timeout: float = 30.0) -> None:
        """Write everything queued, then stop the thread."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout)

    def _release(self, n: int = 1) -> None:
        with self._lock:
            self._used -= n

    def _enqueue(self, item: ResponseRecord | SignalRecord | ErrorRecord) -> Future:
        future: Future = Future()
        if isinstance(item, ResponseRecord):
            with self._lock:
                self._pending_responses.add(item.id)
        self._queue.put((item, future))
        return future

    def _run(self) -> None:
        try:
            store = self._open_store()
        except BaseException as e:  # reported by start()
            self._startup_error = e
            self._ready.set()
            return
        self._ready.set()
        try:
            stop = False
            while not stop:
                batch = [self._queue.get()]
                while len(batch) < self._batch_size:
                    try:
                        batch.append(self._queue.get_nowait())
                    except queue.Empty:
                        break
                if _STOP in batch:
                    stop = True
                    batch = [b for b in batch if b is not _STOP]
                if batch:
                    self._write(store, batch)
        finally:
            store.close()

    def _write(self, store: FeedbackStore, batch: list) -> None:
        items = [item for item, _ in batch]
        try:
            results = store.write_batch(items)
        except sqlite3.Error as e:
            log.error("feedback write of %d items failed: %s", len(items), e)
            error = FeedbackUnavailable(f"feedback database {store.path} cannot take writes: {e}")
            results = [error] * len(items)
        else:
            if self._on_signals and store.recorded_signals:
                try:
                    self._on_signals(store.recorded_signals)
                except Exception:
                    log.exception("counting recorded signals failed")
        with self._lock:
            for item in items:
                if isinstance(item, ResponseRecord):
                    self._pending_responses.discard(item.id)
        self._release(len(items))
        for (_, future), result in zip(batch, results):
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)
