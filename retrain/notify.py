"""Tells the server about a published version: Admin.LoadAdapter (kept inactive), then a canary if configured."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from loraloop.config import RetrainConfig

__all__ = ["notify_server"]


async def _notify(config: RetrainConfig, domain: str, version: int, reason: str) -> list[str]:
    import grpc

    from loraloop.client import LoraloopClient

    notes: list[str] = []
    async with LoraloopClient(config.server_target, admin_token=config.admin_token, timeout=120.0) as client:
        try:
            # keep_active: the new version is loaded and pinned, but only a rollout gives it traffic.
            await client.load_adapter(f"{domain}@v{version}", keep_active=True)
            notes.append(f"loaded on {config.server_target}")
        except grpc.RpcError as e:
            return [f"server {config.server_target} not told: LoadAdapter {e.code().name}: {e.details()}"]
        if not config.start_canary:
            return notes
        set_rollout = getattr(client, "set_rollout", None)
        if set_rollout is None:
            notes.append("canary not started: this client has no set_rollout (the rollout RPCs are not available)")
            return notes
        try:
            await set_rollout(domain, "start", canary_version=version, schedule=tuple(config.canary_schedule),
                              min_rated_per_step=config.canary_min_rated_per_step, reason=reason)
            notes.append(f"canary of v{version} started")
        except grpc.RpcError as e:
            notes.append(f"canary not started: SetRollout {e.code().name}: {e.details()}")
    return notes


def notify_server(config: RetrainConfig, domain: str, version: int, reason: str) -> list[str]:
    """Notes on what the server was told (empty when no server_target); never raises for a server problem.

    Runs its own event loop in a fresh thread, so it works from sync code, worker threads, and threads of a
    process whose main thread already runs an event loop.
    """
    if not config.server_target:
        return []
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["notes"] = asyncio.run(_notify(config, domain, version, reason))
        except Exception as e:  # noqa: BLE001 - an unreachable server must not turn a publish into a failure
            box["notes"] = [f"server {config.server_target} not told: {type(e).__name__}: {e}"]

    thread = threading.Thread(target=run, name="retrain-notify")
    thread.start()
    thread.join()
    return box["notes"]
