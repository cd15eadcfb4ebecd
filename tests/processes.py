"""Subprocesses in async tests."""

from __future__ import annotations

import asyncio


async def run_process(*argv: str, timeout: float, stdin: str = "",
                      env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run a subprocess without blocking the event loop the session's server answers on."""
    proc = await asyncio.create_subprocess_exec(*argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE, env=env)
    out, err = await asyncio.wait_for(proc.communicate(stdin.encode()), timeout=timeout)
    return proc.returncode, out.decode(), err.decode()
