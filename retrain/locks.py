"""Inter-process locks of the retrain daemon: one per domain and one per GPU slot (fcntl.flock, non-blocking).

flock locks belong to an open file description, so the kernel drops them when the holder's process dies
(crash, SIGKILL, OOM): a stale lock file on disk never blocks anyone. Two `FileLock` objects on the same
path conflict even inside one process, which keeps two daemons in one test process honest too.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path

__all__ = ["FileLock", "GpuSlots", "detect_gpu_slots", "domain_lock"]

log = logging.getLogger(__name__)
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")


class FileLock:
    """An exclusive, non-blocking flock on one file; the file holds the holder's pid for operators."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self._fd: int | None = None
        self._guard = threading.Lock()  # one object shared by threads must not open two descriptors

    @property
    def held(self) -> bool:
        """Whether this object holds the lock now."""
        return self._fd is not None

    def try_acquire(self) -> bool:
        """Take the lock if it is free; False at once when another holder has it (or this object does)."""
        with self._guard:
            if self._fd is not None:
                return False
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return False
            except BaseException:
                os.close(fd)
                raise
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            self._fd = fd
            return True

    def release(self) -> None:
        """Give the lock back (a no-op when not held)."""
        with self._guard:
            if self._fd is None:
                return
            fd, self._fd = self._fd, None
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)

    def holder_pid(self) -> int | None:
        """The pid written by the last holder (informational: the holder may have exited since)."""
        try:
            text = self.path.read_text().strip()
        except OSError:
            return None
        return int(text) if text.isdigit() else None

    def __enter__(self) -> FileLock:
        if not self.try_acquire():
            raise BlockingIOError(f"{self.path} is locked by another holder (pid {self.holder_pid()})")
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def domain_lock(lock_dir: str | os.PathLike[str], domain: str) -> FileLock:
    """The lock that lets only one daemon (any process) train a domain at a time."""
    if not _SAFE_NAME.match(domain):
        raise ValueError(f"domain={domain!r}: not usable in a lock file name")
    return FileLock(Path(lock_dir) / f"domain-{domain}.lock")


def detect_gpu_slots() -> int:
    """CUDA devices visible to torch (imported only now), or 1 on a machine without CUDA: one job per slot."""
    try:
        import torch
    except ImportError:
        return 1
    try:
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    except Exception as e:  # a broken driver must not stop the daemon: train on CPU, one job at a time
        log.warning("CUDA device count failed (%s); using one CPU slot", e)
        count = 0
    return max(1, int(count))


class GpuSlots:
    """One lock file per GPU (or one for the CPU); a job runs only while it holds a slot."""

    def __init__(self, lock_dir: str | os.PathLike[str], slots: int = 0,
                 detect: Callable[[], int] = detect_gpu_slots):
        if slots < 0:
            raise ValueError(f"gpu_slots={slots!r}: expected >= 0 (0 = detect)")
        self._lock_dir = Path(lock_dir)
        self._requested = slots
        self._detect = detect
        self._locks: list[FileLock] | None = None  # built lazily: detection imports torch

    @property
    def count(self) -> int:
        """How many slots there are (detected on first use when configured as 0)."""
        return len(self._all())

    def _all(self) -> list[FileLock]:
        if self._locks is None:
            n = self._requested or self._detect()
            self._locks = [FileLock(self._lock_dir / f"gpu-{i}.lock") for i in range(n)]
        return self._locks

    def try_acquire(self) -> int | None:
        """Take the first free slot and return its index; None when every slot is busy."""
        for index, lock in enumerate(self._all()):
            if lock.try_acquire():
                return index
        return None

    def release(self, index: int) -> None:
        """Give a slot back."""
        self._all()[index].release()
