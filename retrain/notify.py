"""Tells the server about a published version: Admin.LoadAdapter (kept inactive), the served-base gate, a canary.

Order: the version is loaded and pinned but not active; with `served_gate` it is probed against its parent
on the serving engine (loraloop.retrain.served_gate), and a failure unloads it and starts no canary;
otherwise a canary starts when `start_canary` is set.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from typing import Any

from loraloop.config import RetrainConfig
from loraloop.retrain.served_gate import ProbeSet, probe_and_judge

__all__ = ["Notification", "notify_server"]


@dataclass(kw_only=True)
class Notification:
    """What the server was told; `served_failures` non-empty = the served-base gate refused the version."""

    notes: list[str] = field(default_factory=list)
    served_metrics: dict[str, float] = field(default_factory=dict)
    served_failures: list[str] = field(default_factory=list)


async def _notify(config: RetrainConfig, domain: str, version: int, parent: str, reason: str,
                  probe: ProbeSet | None) -> Notification:
    import grpc

    from loraloop.client import LoraloopClient
    from loraloop.tls import load_client_tls

    told = Notification()
    key = f"{domain}@v{version}"
    tls = load_client_tls(config.server_tls_ca, config.server_tls_cert, config.server_tls_key, prefix="server_tls_")
    async with LoraloopClient(config.server_target, admin_token=config.admin_token, tls=tls, operator="retrain-daemon",
                              timeout=120.0) as client:
        try:
            # keep_active: the new version is loaded and pinned, but only a rollout gives it traffic.
            await client.load_adapter(key, keep_active=True)
            told.notes.append(f"loaded on {config.server_target}")
        except grpc.RpcError as e:
            told.notes.append(f"server {config.server_target} not told: LoadAdapter {e.code().name}: {e.details()}")
            return told
        if config.served_gate and probe is not None:
            try:
                told.served_metrics, told.served_failures = await probe_and_judge(client, key, parent, probe, config)
            except grpc.RpcError as e:
                told.served_failures = [f"served-base gate could not probe: ProbeAdapter {e.code().name}: "
                                        f"{e.details()}"]
            if told.served_failures:
                try:
                    await client.unload_adapter(key)
                    told.notes.append(f"{key} unloaded, no canary")
                except grpc.RpcError as e:
                    told.notes.append(f"{key} not unloaded: UnloadAdapter {e.code().name}: {e.details()}")
                return told
            told.notes.append("served-base gate passed")
        if not config.start_canary:
            return told
        try:
            await client.set_rollout(domain, "start", canary_version=version, schedule=tuple(config.canary_schedule),
                                     min_rated_per_step=config.canary_min_rated_per_step, reason=reason)
            told.notes.append(f"canary of v{version} started")
        except grpc.RpcError as e:
            told.notes.append(f"canary not started: SetRollout {e.code().name}: {e.details()}")
    return told


def notify_server(config: RetrainConfig, domain: str, version: int, reason: str, *, parent: str = "",
                  probe: ProbeSet | None = None) -> Notification:
    """What the server was told (nothing when no server_target); never raises for a server problem.

    Runs its own event loop in a fresh thread, so it works from sync code, worker threads, and threads of a
    process whose main thread already runs an event loop.
    """
    if not config.server_target:
        return Notification()
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["told"] = asyncio.run(_notify(config, domain, version, parent, reason, probe))
        except Exception as e:
            box["told"] = Notification(notes=[f"server {config.server_target} not told: {type(e).__name__}: {e}"])

    thread = threading.Thread(target=run, name="retrain-notify")
    thread.start()
    thread.join()
    return box["told"]
