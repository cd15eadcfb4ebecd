"""Prometheus metrics of the serving path, declared on a registry the server owns."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from loraloop.adapters import AdapterRef

__all__ = ["LATENCY_BUCKETS", "ServeMetrics", "adapter_labels"]

# LLM latencies: tens of milliseconds (first token) to minutes (long answers on CPU).
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
LOAD_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def adapter_labels(ref: AdapterRef | None) -> tuple[str, str]:
    """(adapter, version) label values; the base model is ("base", "")."""
    return ("base", "") if ref is None else (ref.domain, f"v{ref.version}")


class ServeMetrics:
    """Request, token, latency and adapter-cache metrics. Labels are bounded: published versions only."""

    def __init__(self, registry: CollectorRegistry):
        self.registry = registry
        labels = ("adapter", "version")
        arm_labels = (*labels, "arm")  # arm: stable, canary, or pinned (the client named the version)
        self.requests = Counter("loraloop_serve_requests_total",
                                "Chat requests answered or failed, by adapter version and A/B arm.",
                                (*arm_labels, "status"), registry=registry)
        self.frontend_requests = Counter("loraloop_serve_frontend_requests_total",
                                         "Chat requests that reached the chat path, by the API that received them "
                                         "(grpc, http) and final status.", ("frontend", "status"), registry=registry)
        self.rejected = Counter("loraloop_serve_rejected_requests_total",
                                "Chat requests refused before reaching an adapter, by gRPC status.",
                                ("status",), registry=registry)
        self.ttft = Histogram("loraloop_serve_time_to_first_token_seconds",
                              "Time from request to first text, of streamed answers (a unary one arrives whole).",
                              arm_labels, buckets=LATENCY_BUCKETS, registry=registry)
        self.latency = Histogram("loraloop_serve_request_duration_seconds", "End-to-end time of a chat request.",
                                 arm_labels, buckets=LATENCY_BUCKETS, registry=registry)
        self.prompt_tokens = Counter("loraloop_serve_prompt_tokens_total", "Prompt tokens processed.",
                                     labels, registry=registry)
        self.completion_tokens = Counter("loraloop_serve_completion_tokens_total", "Completion tokens generated.",
                                         labels, registry=registry)
        self.in_flight = Gauge("loraloop_serve_requests_in_flight", "Chat requests being answered now.",
                               registry=registry)
        self.adapter_events = Counter("loraloop_serve_adapter_events_total", "Adapter loads and unloads in the engine.",
                                      (*labels, "event"), registry=registry)
        self.adapter_load = Histogram("loraloop_serve_adapter_load_seconds", "Time to load an adapter into the engine.",
                                      buckets=LOAD_BUCKETS, registry=registry)
        self.feedback_write_failures = Counter("loraloop_serve_feedback_write_failures_total",
                                               "Answers that could not be recorded in the feedback store.",
                                               registry=registry)
        self.adapters_loaded = Gauge("loraloop_serve_adapters_loaded", "Adapter versions loaded in the engine now.",
                                     registry=registry)
        self.base_info = Gauge("loraloop_serve_base_info", "1, labelled with how the served base model is quantized.",
                               ("quantization",), registry=registry)
        self.base_weights = Gauge("loraloop_serve_base_weights_bytes", "Bytes of the served base's weight files on disk.",
                                  registry=registry)

    def adapter_loaded(self, ref: AdapterRef, seconds: float) -> None:
        """Registry event: a version entered the engine."""
        self.adapter_events.labels(*adapter_labels(ref), "load").inc()
        self.adapter_load.observe(seconds)
        self.adapters_loaded.inc()

    def adapter_unloaded(self, ref: AdapterRef) -> None:
        """Registry event: a version left the engine."""
        self.adapter_events.labels(*adapter_labels(ref), "unload").inc()
        self.adapters_loaded.dec()
