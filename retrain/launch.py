"""Runs a job's worker subprocess (plain python or `accelerate launch`) and stops it on cancel or timeout.

The worker runs in its own session (process group), so stopping it also stops what it started (accelerate's
per-GPU processes); GPU memory is free once the group is gone. Its stderr and stdout go to the job's
`worker.log`; stdout lines carrying the progress prefix are also forwarded to `on_progress`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from loraloop.config import RetrainConfig
from loraloop.retrain.spec import PROGRESS_PREFIX

__all__ = ["WorkerExit", "run_worker", "worker_command"]

_TERM_GRACE_S = 10.0


@dataclass(frozen=True, kw_only=True)
class WorkerExit:
    """How the worker ended: its exit code (negative = killed by that signal), and whether we stopped it."""

    returncode: int
    cancelled: bool = False
    timed_out: bool = False
    pid: int = 0


def worker_command(config: RetrainConfig, spec_file: Path) -> list[str]:
    """The command line that trains one job spec."""
    worker = ["-m", "loraloop.retrain.worker", "--spec", str(spec_file)]
    if config.launcher == "accelerate":
        return [sys.executable, "-m", "accelerate.commands.launch", "--num_processes", str(config.num_processes),
                "--num_machines", "1", *worker]
    return [sys.executable, *worker]


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM the worker's process group, SIGKILL it if it has not exited after the grace period."""
    for sig, wait in ((signal.SIGTERM, _TERM_GRACE_S), (signal.SIGKILL, None)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _forward(stream, log, on_progress: Callable[[str], None]) -> None:
    for line in stream:
        log.write(line)
        log.flush()
        at = line.find(PROGRESS_PREFIX)  # anywhere: a library may have left a partial line on stdout
        if at >= 0:
            # A broken progress callback must not stop the log copy, or the worker blocks on a full pipe.
            with contextlib.suppress(Exception):
                on_progress(line[at + len(PROGRESS_PREFIX):].rstrip("\n"))


def run_worker(config: RetrainConfig, spec_file: Path, log_file: Path, *, on_progress: Callable[[str], None],
               cancel: threading.Event | None, on_start: Callable[[int], None] | None = None) -> WorkerExit:
    """Start the worker, forward its progress, and wait; stop it when `cancel` is set or time runs out."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1", "TOKENIZERS_PARALLELISM": "false"}
    deadline = time.monotonic() + config.max_job_seconds if config.max_job_seconds else None
    with open(log_file, "a", encoding="utf-8") as log:
        proc = subprocess.Popen(worker_command(config, spec_file), stdout=subprocess.PIPE, stderr=log,
                                stdin=subprocess.DEVNULL, text=True, bufsize=1, env=env, start_new_session=True)
        reader = threading.Thread(target=_forward, args=(proc.stdout, log, on_progress), daemon=True)
        reader.start()
        if on_start is not None:
            on_start(proc.pid)
        cancelled = timed_out = False
        try:
            while proc.poll() is None:
                if cancel is not None and cancel.wait(0.2):
                    cancelled = True
                elif deadline is not None and time.monotonic() > deadline:
                    timed_out = True
                else:
                    if cancel is None:
                        time.sleep(0.2)
                    continue
                _stop(proc)
        except BaseException:
            _stop(proc)  # the caller is going away (KeyboardInterrupt, ...): never leave a trainer behind
            raise
        finally:
            reader.join(timeout=5)
    return WorkerExit(returncode=proc.returncode, cancelled=cancelled, timed_out=timed_out, pid=proc.pid)
