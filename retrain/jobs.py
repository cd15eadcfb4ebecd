"""One retraining job: snapshot -> training subprocess -> evaluation gate -> atomic publish -> tell the server.

The worker subprocess writes only into the job's work dir (`<work_dir>/<domain>-<method>-<time>/`); the
store changes only in `AdapterStore.publish` (temp dir, fsync, rename) after the gate passed, so a crash or
kill at any moment leaves no partial version. Every job failure comes back as a JobResult; only a bad
request (unknown domain or method) raises.

Reward models are published beside the serving adapters, in their own store `<adapter_store>/_reward/`
(`_reward/<domain>/v<N>/`): `_reward` is not a valid domain name, so the server never lists, loads or
serves it, and each reward model still gets an atomic publish, a version and a loraloop.json.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import math
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loraloop import storage
from loraloop.adapters import METADATA_FILE, WEIGHTS_FILE, AdapterRef, AdapterStore, sha256_file
from loraloop.config import RETRAIN_METHODS, RetrainConfig
from loraloop.errors import InvalidArgument, LoraloopError, StoreError
from loraloop.feedback.export import write_jsonl
from loraloop.guard import GuardDataError, load_guard_set
from loraloop.guard.refusal import RefusalDetectorError, refusal_detector
from loraloop.retrain.dataset import Snapshot, load_watermark, new_row_count, snapshot, with_guard
from loraloop.retrain.outcomes import FAILED, GATE_FAILED, KILLED, OUTCOMES, PUBLISHED, TOO_FEW_PAIRS
from loraloop.retrain.spec import JobSpec

__all__ = ["METHODS", "OUTCOMES", "REWARD_STORE", "JobResult", "pending_pairs", "resolve_paths", "reward_store",
           "run_job"]

log = logging.getLogger(__name__)
METHODS = RETRAIN_METHODS  # ("sft", "dpo", "reward", "ppo")
REWARD_STORE = "_reward"
# Recorded in loraloop.json: the fields that shape training and the gate (never paths or the admin token).
_PRIVATE_FIELDS = ("db_url", "adapter_store", "model", "demo_home", "work_dir", "server_target", "admin_token",
                   "server_tls_ca", "server_tls_cert", "server_tls_key", "guard_files")


@dataclass(frozen=True, kw_only=True)
class JobResult:
    """What one job did; `reason` is one human-readable line."""

    domain: str
    method: str
    outcome: str            # one of retrain/outcomes.py OUTCOMES
    version: int | None     # the published version, else None
    reason: str
    metrics: dict[str, float]
    duration_s: float
    pairs: int              # rows of the method's kind in the snapshot (sft: SFT rows; others: pairs)


def resolve_paths(config: RetrainConfig) -> tuple[str, str]:
    """(base model dir, adapter store root): the configured paths, or the demo build (built on first use)."""
    from loraloop.config import DemoConfig
    from loraloop.model_paths import resolve_model  # the server's own resolution, so both agree

    # Training loads the full-precision base (in NF4 for QLoRA), never the demo's int8 serving copy.
    return resolve_model(config.model, config.adapter_store, DemoConfig(home=config.demo_home), demo_base="fp32")


def reward_store(store_root: str | os.PathLike[str]) -> AdapterStore:
    """The store of reward models, `<adapter_store>/_reward/<domain>/v<N>/` (never served)."""
    return AdapterStore(Path(store_root) / REWARD_STORE)


def _latest_reward(store_root: str | os.PathLike[str], domain: str) -> AdapterRef | None:
    """The domain's newest reward model, without creating the reward store when there is none."""
    if not (Path(store_root) / REWARD_STORE).is_dir():
        return None
    rewards = reward_store(store_root)
    return rewards.latest(domain) if domain in rewards.domains() else None


def _safe(on_progress: Callable[[str], None] | None) -> Callable[[str], None]:
    def say(text: str) -> None:
        if on_progress is not None:
            try:
                on_progress(text)
            except Exception:
                log.exception("on_progress failed")
    return say


def _check_request(store: AdapterStore, domain: str, method: str) -> None:
    if domain not in store.domains():
        known = ", ".join(store.domains()) or "none"
        raise InvalidArgument("domain", f"{domain!r} has no published adapter in {store.root} (domains: {known})")


def _parent(store: AdapterStore, domain: str, version: int) -> AdapterRef:
    """The version to train from, its weights checked against the checksum recorded when it was published."""
    ref = store.get(domain, version) if version else store.latest(domain)
    weights = ref.path / WEIGHTS_FILE
    expected = (store.metadata(ref).get("sha256") or {}).get(WEIGHTS_FILE)
    if expected and sha256_file(weights) != expected:
        raise StoreError(f"{ref.key}: {WEIGHTS_FILE} does not match the sha256 in its {METADATA_FILE} (corrupt)")
    try:
        from safetensors import safe_open

        with safe_open(str(weights), "pt") as fh:
            fh.keys()
    except Exception as e:
        raise StoreError(f"{ref.key}: {WEIGHTS_FILE} is unreadable ({type(e).__name__}: {e})") from e
    return ref


def pending_pairs(config: RetrainConfig, domain: str) -> int:
    """Preference pairs of `domain` newer than the watermark of the version a job would train from."""
    _model_dir, store_root = resolve_paths(config)
    store = AdapterStore(store_root)
    if domain not in store.domains():
        raise InvalidArgument("domain", f"{domain!r} has no published adapter in {store.root}")
    ref = store.get(domain, config.parent_version) if config.parent_version else store.latest(domain)
    return new_row_count(config.database(), domain, load_watermark(store.metadata(ref)))


def _have(method: str, snap: Snapshot, config: RetrainConfig) -> tuple[int, int, str]:
    """(new rows, rows needed, what they are) for the method's minimum."""
    return {"sft": (snap.new_sft, config.min_pairs_sft, "SFT rows (chosen answers and corrections)"),
            "dpo": (snap.new_pairs, config.min_pairs_dpo, "preference pairs"),
            "reward": (snap.new_pairs, config.min_pairs_reward, "preference pairs"),
            "ppo": (snap.new_prompts, config.min_pairs_ppo, "prompts")}[method]


def _reference_rows(config: RetrainConfig, model_dir: str, domain: str, snap: Snapshot) -> list[dict[str, Any]]:
    """The perplexity reference set: the configured file, the demo corpus's held-out split, or held-out SFT rows."""
    if config.reference_set:
        return [json.loads(line) for line in Path(config.reference_set).read_text(encoding="utf-8").splitlines()
                if line.strip()]
    if (Path(model_dir).parent / "BUILD.json").is_file():  # a demo build: its corpus has a fixed held-out split
        from loraloop.demo.data import load_corpus

        rows = [{"prompt": r["messages"][:-1], "completion": r["messages"][-1:]}
                for r in load_corpus("heldout") if r["domain"] == domain]
        if rows:
            return rows
    return [{"prompt": r["prompt"], "completion": [{"role": "assistant", "content": r["completion"]}]}
            for r in snap.eval_sft]


def _job_dir(config: RetrainConfig, domain: str, method: str) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    folder = config.work_path() / f"{domain}-{method}-{stamp}-{os.getpid()}"
    folder.mkdir(parents=True)
    return folder


def _metadata(method: str, parent: AdapterRef, parent_meta: dict[str, Any], config: RetrainConfig, snap: Snapshot,
              result: dict[str, Any], job: Path) -> dict[str, Any]:
    from loraloop.training_base import resolve_device, training_base

    settings = {k: v for k, v in dataclasses.asdict(config).items() if k not in _PRIVATE_FIELDS}
    return {"training_base": training_base(resolve_device(config.device), config.qlora).as_dict(),
            "base_model": parent_meta.get("base_model") or parent.base_model, "method": method, "parent": parent.key,
            "config": settings, "dataset": {"domain": snap.domain, **snap.summary()}, "lineage": list(snap.lineage),
            "eval": {k: v for k, v in result["metrics"].items() if not (isinstance(v, float) and math.isnan(v))},
            "train": result.get("train", {}), "job": job.name}


def _worker_failure(job: Path, returncode: int) -> str:
    error = job / "error.txt"
    if error.is_file() and error.read_text().strip():
        return f"training failed: {error.read_text().strip().splitlines()[0]} (log: {job / 'worker.log'})"
    return f"training failed: the worker exited with code {returncode} and no result (log: {job / 'worker.log'})"


def _cleanup(job: Path, config: RetrainConfig) -> None:
    """Drop the bulky outputs (checkpoints, the trained copy); keep snapshot, logs and result for debugging."""
    if config.keep_work:
        return
    for name in ("checkpoints", "adapter", "ppo"):
        shutil.rmtree(job / name, ignore_errors=True)


def run_job(domain: str, method: str, config: RetrainConfig, *, on_progress: Callable[[str], None] | None = None,
            cancel: threading.Event | None = None) -> JobResult:
    """Run one job to the end (blocking); every job failure is a JobResult, bad requests raise InvalidArgument."""
    started = time.monotonic()
    if method not in METHODS:  # before anything else: resolving the paths may build the demo model
        raise InvalidArgument("method", f"{method!r} is not a retraining method; expected one of {', '.join(METHODS)}")
    say = _safe(on_progress)
    model_dir, store_root = resolve_paths(config)
    store = AdapterStore(store_root)
    _check_request(store, domain, method)

    def done(outcome: str, reason: str, *, version: int | None = None, metrics: dict[str, float] | None = None,
             pairs: int = 0) -> JobResult:
        log.info("retrain %s %s: %s: %s", domain, method, outcome, reason)
        return JobResult(domain=domain, method=method, outcome=outcome, version=version, reason=reason,
                         metrics=dict(metrics or {}), duration_s=time.monotonic() - started, pairs=pairs)

    work_root = config.work_path()
    try:
        work_root.mkdir(parents=True, exist_ok=True)
        free = shutil.disk_usage(work_root).free
    except OSError as e:
        return done(FAILED, f"work dir {work_root} is unusable: {e}")
    if free < config.min_free_bytes:
        return done(FAILED, f"out of disk: {free} bytes free in {work_root}, min_free_bytes={config.min_free_bytes}")
    try:
        parent = _parent(store, domain, config.parent_version)
        parent_meta = store.metadata(parent)
    except (LoraloopError, OSError, ValueError) as e:
        return done(FAILED, f"parent adapter of {domain!r} is missing or corrupt: {e}")
    try:  # an operator's bad guard file stops the job before it reads or trains anything
        guard = load_guard_set(config.guard_files)
    except GuardDataError as e:
        return done(FAILED, f"guard data: {e}")
    try:  # the gate's refusal hook, checked before hours of training rather than after
        refusal_detector(config.refusal_patterns, config.refusal_detector)
    except RefusalDetectorError as e:
        return done(FAILED, f"guard gate: {e}")
    reward_ref = _latest_reward(store_root, domain)
    if method == "ppo" and reward_ref is None:
        return done(FAILED, f"ppo needs a reward model for {domain!r} and there is none: run "
                              f"`loraloop retrain run --domain {domain} --method reward` first")
    # A reward model continues from the previous reward model's data; a policy from its parent version's.
    mark_source = reward_store(store_root).metadata(reward_ref) if method == "reward" and reward_ref else parent_meta
    say(f"snapshot of {domain!r} pairs from {storage.redact(config.database())}")
    try:
        snap = snapshot(config.database(), domain, load_watermark(mark_source), replay_share=config.replay_share,
                        eval_share=config.eval_share, seed=config.seed)
    except (*storage.DatabaseError, OSError, ValueError) as e:
        return done(FAILED, f"feedback database {storage.redact(config.database())} is unreadable: {e}")
    have, need, unit = _have(method, snap, config)
    if have < need:
        since = (f"{REWARD_STORE}/{domain}/v{reward_ref.version}" if reward_ref else "the start") \
            if method == "reward" else parent.key
        return done(TOO_FEW_PAIRS, f"too few new {unit} for {domain} {method}: need {need}, have {have} "
                                     f"(since {since})", pairs=have)
    rows = len(snap.train_sft) + len(snap.eval_sft) if method == "sft" else snap.pairs  # feedback rows, as counted
    snap = with_guard(snap, method, guard.cases, share=config.guard_share, seed=config.seed, guard_digest=guard.digest)

    if cancel is not None and cancel.is_set():
        return done(KILLED, "cancelled before training started; nothing published")
    job = _job_dir(config, domain, method)
    try:
        snap.write(job / "data")
        write_jsonl(_reference_rows(config, model_dir, domain, snap), job / "reference.jsonl")
        spec = JobSpec(method=method, domain=domain, model_dir=str(model_dir), parent_dir=str(parent.path),
                       parent=parent.key, reward_dir=str(reward_ref.path) if reward_ref else "",
                       reference_file=str(job / "reference.jsonl"), work=str(job),
                       config=dataclasses.asdict(config))
        spec.save(job / "job.json")
        target = reward_store(store_root) if method == "reward" else store
        return _train_and_publish(spec, config, target, parent, parent_meta, snap, rows, job, say, cancel, done)
    except OSError as e:
        return done(FAILED, f"job work dir {job}: {e}", pairs=rows)
    finally:
        _cleanup(job, config)


def _train_and_publish(spec: JobSpec, config: RetrainConfig, target: AdapterStore, parent: AdapterRef,
                       parent_meta: dict[str, Any], snap: Snapshot, rows: int, job: Path,
                       say: Callable[[str], None], cancel: threading.Event | None, done) -> JobResult:
    from loraloop.retrain.evaluate import gate
    from loraloop.retrain.launch import run_worker
    from loraloop.retrain.notify import notify_server
    from loraloop.retrain.served_gate import ProbeSet

    method, domain = spec.method, spec.domain
    say(f"{method}: {rows} rows ({snap.new_pairs} new pairs, {snap.replayed} replayed) + {snap.guard['rows']} guard "
        f"rows, parent {parent.key}, work dir {job}")
    exit_ = run_worker(config, job / "job.json", job / "worker.log", on_progress=say, cancel=cancel,
                       on_start=lambda pid: say(f"worker started (pid {pid})"))
    if exit_.cancelled or (cancel is not None and cancel.is_set()):
        return done(KILLED, "cancelled: the training subprocess was stopped; nothing published", pairs=rows)
    if exit_.timed_out:
        return done(FAILED, f"timed out after max_job_seconds={config.max_job_seconds}; nothing published",
                    pairs=rows)
    if exit_.returncode < 0:
        number = -exit_.returncode
        name = signal.Signals(number).name if number in signal.valid_signals() else f"signal {number}"
        return done(KILLED, f"the training subprocess was killed ({name}); nothing published", pairs=rows)
    if exit_.returncode != 0 or not spec.result_file.is_file():
        return done(FAILED, _worker_failure(job, exit_.returncode), pairs=rows)
    result = json.loads(spec.result_file.read_text())
    metrics = {k: float(v) for k, v in result["metrics"].items()}
    failures = gate(method, metrics, config)
    if failures:
        return done(GATE_FAILED, "gate failed: " + "; ".join(failures), metrics=metrics, pairs=rows)
    meta = _metadata(method, parent, parent_meta, config, snap, result, job)
    if method == "reward":
        meta["parent"] = None  # a new LoRA on the base; its data continues from the previous reward model
        meta["policy_parent"] = parent.key
    try:
        ref = target.publish(domain, spec.out_dir, meta, extra_files=("curves.png",))
    except (OSError, LoraloopError) as e:
        return done(FAILED, f"publish failed, nothing published: {e}", metrics=metrics, pairs=rows)
    if method == "reward":
        return done(PUBLISHED, f"published reward model {REWARD_STORE}/{domain}/v{ref.version} (on {rows} pairs, "
                                 f"held-out accuracy {metrics.get('reward_accuracy', math.nan):.3f})",
                    version=ref.version, metrics=metrics, pairs=rows)
    reason = f"published {ref.key} ({method} from {parent.key} on {rows} rows)"
    told = notify_server(config, domain, ref.version, reason, parent=parent.key, probe=ProbeSet.from_result(result))
    metrics.update(told.served_metrics)
    if told.served_failures:
        # Published (versions are immutable), but refused on the serving engine: it never takes traffic.
        return done(GATE_FAILED, f"{ref.key} published, then refused by the served-base gate: "
                                   + "; ".join(told.served_failures) + "".join(f"; {n}" for n in told.notes),
                    version=ref.version, metrics=metrics, pairs=rows)
    reason += "".join(f"; {n}" for n in told.notes)
    return done(PUBLISHED, reason, version=ref.version, metrics=metrics, pairs=rows)
