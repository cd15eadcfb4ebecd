"""The retrain daemon: per domain, run a job when a trigger fires, one job per GPU slot, one daemon per domain.

Every poll it reads each domain's state (pending pairs, drift events, its last run from the runs log in
the feedback database), lets `triggers.decide` judge, and runs the due jobs under a domain lock and a GPU
slot lock. A job that raises is logged and counted as `failed`; the daemon keeps going. SIGTERM/SIGINT
cancels the running jobs (their `cancel` event) and stops once they returned. The `loraloop retrain daemon`
command (flags, configs, /metrics) is in retrain/cli.py.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, start_http_server

from loraloop.adapters import AdapterStore
from loraloop.config import RetrainDaemonConfig
from loraloop.retrain.locks import FileLock, GpuSlots, detect_gpu_slots, domain_lock
from loraloop.retrain.metrics import RetrainMetrics
from loraloop.retrain.outcomes import FAILED, OUTCOMES
from loraloop.retrain.run_log import RunLog
from loraloop.retrain.triggers import Decision, DomainState, TriggerPolicy, decide

__all__ = ["RetrainDaemon", "run_until_signalled"]

log = logging.getLogger(__name__)

Runner = Callable[..., Any]  # run_job(domain, method, config, *, on_progress=None, cancel=None) -> JobResult
PendingPairs = Callable[[Any, str], int]  # pending_pairs(config, domain) -> int


@dataclass
class _Job:
    decision: Decision
    lock: FileLock
    slot: int
    thread: threading.Thread | None = None


class RetrainDaemon:
    """Watches the triggers of every configured domain and runs the due retrain jobs."""

    def __init__(self, config: RetrainDaemonConfig, retrain: Any, *, runner: Runner | None = None,
                 pending: PendingPairs | None = None, registry: CollectorRegistry | None = None,
                 clock: Callable[[], float] = time.time):
        if runner is None or pending is None:
            from loraloop.retrain import jobs  # lazy: the jobs module pulls in the training stack

            runner, pending = runner or jobs.run_job, pending or jobs.pending_pairs
        self.config = config
        self.retrain = retrain
        self._runner = runner
        self._pending = pending
        self._clock = clock
        self.registry = registry if registry is not None else CollectorRegistry()
        self.metrics = RetrainMetrics(self.registry)
        self.cancel = threading.Event()  # handed to every job; set on shutdown
        self.lock_dir = config.state_path()
        self.lock_dir.mkdir(parents=True, exist_ok=True)
        self.slots = GpuSlots(self.lock_dir, config.gpu_slots, detect=_one_slot)
        self.store = AdapterStore(_store_root(retrain))
        self.domains = self._resolve_domains()
        self.policies = {d: TriggerPolicy.for_domain(config, d) for d in self.domains}
        self.run_log = RunLog(_feedback_db(retrain))
        self.finished = 0  # jobs that ended (any outcome), toward max_runs
        self.crashed = 0  # jobs whose runner raised
        self._count_lock = threading.Lock()
        self.metrics_port: int | None = None
        self._http: Any = None
        self._stop: threading.Event | None = None
        self._last_reason: dict[str, str] = {}
        for domain, policy in self.policies.items():
            self.metrics.declare(domain, [policy.method])

    def _resolve_domains(self) -> tuple[str, ...]:
        known = self.store.domains()
        if not self.config.domains:
            if not known:
                raise ValueError(f"domains: the adapter store at {self.store.root} has no published domain")
            domains = tuple(known)
        else:
            unknown = [d for d in self.config.domains if d not in known]
            if unknown:
                raise ValueError(f"domains: unknown domain(s) {unknown}; the adapter store at {self.store.root} "
                                 f"has {', '.join(known) or 'none'}")
            domains = self.config.domains
        strays = sorted({e.partition(".")[0] for e in self.config.domain_overrides} - set(domains))
        if strays:
            raise ValueError(f"domain_overrides: domain(s) {strays} are not watched (domains: {', '.join(domains)})")
        return domains

    # ---- one poll -------------------------------------------------------------------------------

    def _state(self, domain: str) -> DomainState:
        pending = int(self._pending(self.retrain, domain))
        self.metrics.set_pending(domain, pending)
        last = self.run_log.last_finished(domain)
        baseline = None if last is not None else self._published_at(domain)
        since = last.started_at if last is not None else baseline
        return DomainState(domain=domain, now=self._clock(), last_run=last, baseline_at=baseline,
                           pending_pairs=pending, drift_events=self.run_log.drift_events(domain, since))

    def _published_at(self, domain: str) -> float | None:
        """When the domain's current version was published (the schedule's start when it never ran)."""
        try:
            ref = self.store.latest(domain)
            stamp = self.store.metadata(ref).get("created_at")
            return dt.datetime.fromisoformat(stamp).timestamp() if stamp else ref.path.stat().st_mtime
        except Exception as e:  # a corrupt version is the job's to report (cleanly); the schedule fires
            log.warning("%s: cannot read the current version's publish time: %s", domain, e)
            return None

    def _decide(self, domain: str, *, again: bool = False) -> Decision | None:
        try:
            decision = decide(self.policies[domain], self._state(domain))
        except Exception as e:  # a locked or broken database skips this poll for the domain, not the daemon
            log.warning("%s: skipped this poll: cannot read its state: %s: %s", domain, type(e).__name__, e)
            return None
        if not again and (decision.due or self._last_reason.get(domain) != decision.reason):
            log.info("%s: %s (%s)", domain, f"due, {decision.method}" if decision.due else "not due", decision.reason)
        self._last_reason[domain] = decision.reason
        return decision

    def _budget_left(self, running: int) -> bool:
        return not self.config.max_runs or self.finished + running < self.config.max_runs

    def run_once(self) -> list[Any]:
        """Judge every domain's triggers once and run the due jobs (up to one per GPU slot at a time); wait for them."""
        results: list[Any] = []
        done: queue.Queue[_Job] = queue.Queue()
        running: list[_Job] = []
        for domain in self.domains:
            if self.cancel.is_set() or not self._budget_left(len(running)):
                break
            decision = self._decide(domain)
            if decision is None or not decision.due:
                continue
            lock = domain_lock(self.lock_dir, domain)
            if not lock.try_acquire():
                log.info("%s: locked: another daemon is training it (pid %s); skipped", domain, lock.holder_pid())
                continue
            # Judge again under the lock: another daemon may have just finished a run of this domain.
            decision = self._decide(domain, again=True)
            if decision is None or not decision.due:
                log.info("%s: no longer due under the lock (%s)", domain, decision.reason if decision else "unreadable")
                lock.release()
                continue
            slot = self.slots.try_acquire()
            while slot is None and running:  # our own job holds a slot: wait for it rather than skip
                finished = self._wait(done)
                if finished is None:  # cancelled while waiting
                    break
                running.remove(finished)
                slot = self.slots.try_acquire()
            if slot is None:
                log.info("%s: no free GPU slot (%d busy in other processes); retry next poll", domain, self.slots.count)
                lock.release()
                continue
            self.run_log.close_abandoned(domain, self._clock())
            job = _Job(decision=decision, lock=lock, slot=slot)
            job.thread = threading.Thread(target=self._run_job, args=(job, results, done),
                                          name=f"retrain-{domain}", daemon=True)
            running.append(job)
            job.thread.start()
        deadline: float | None = None
        while running:
            if deadline is None and self.cancel.is_set():
                deadline = time.monotonic() + self.config.shutdown_grace_s
            if deadline is not None and time.monotonic() > deadline:
                log.error("jobs %s ignored the cancel for %.0f s; leaving them behind",
                          [j.decision.domain for j in running], self.config.shutdown_grace_s)
                break
            finished = self._wait(done)
            if finished is not None:
                running.remove(finished)
        return results

    def _wait(self, done: queue.Queue[_Job]) -> _Job | None:
        """The next job of ours to finish; wakes every 0.2 s to pass a stop request on to the jobs."""
        while True:
            if self._stop is not None and self._stop.is_set():
                self.cancel.set()
            try:
                return done.get(timeout=0.2)
            except queue.Empty:
                if self.cancel.is_set():
                    return None

    def _run_job(self, job: _Job, results: list[Any], done: queue.Queue[_Job]) -> None:
        domain, method = job.decision.domain, job.decision.method
        started = self._clock()
        run_id = None
        self.metrics.jobs_running.inc()
        try:
            run_id = self.run_log.start(domain, method, job.decision.reason, started)
            log.info("%s: starting %s job on slot %d (%s)", domain, method, job.slot, job.decision.reason)
            result = self._runner(domain, method, self.retrain, on_progress=_progress_logger(domain),
                                  cancel=self.cancel)
        except Exception as e:  # the daemon outlives any job: count it and go on
            log.exception("%s: %s job crashed", domain, method)
            with self._count_lock:
                self.crashed += 1
            result = _crash_result(domain, method, f"job crashed: {type(e).__name__}: {e}", self._clock() - started)
        finally:
            self.metrics.jobs_running.dec()
            self.slots.release(job.slot)
            job.lock.release()
        outcome = result.outcome if result.outcome in OUTCOMES else FAILED
        finished = self._clock()
        self.metrics.observe_run(domain=domain, method=method, outcome=outcome, duration_s=result.duration_s,
                                 metrics=result.metrics, finished_at=finished)
        try:
            if run_id is not None:
                self.run_log.finish(run_id, result, outcome, finished)
        except Exception as e:
            log.error("%s: could not record the run's end in the runs log: %s", domain, e)
        log.info("%s: %s job %s%s in %.0f s (%d pairs): %s", domain, method, outcome,
                 f" v{result.version}" if result.version else "", result.duration_s, result.pairs, result.reason)
        with self._count_lock:
            self.finished += 1
        results.append(result)
        done.put(job)

    # ---- lifecycle ------------------------------------------------------------------------------

    def serve_metrics(self) -> int | None:
        """Start the /metrics HTTP server on the configured port (0 = a free one); the port, or None when off."""
        if self.config.metrics_port < 0 or self._http is not None:
            return self.metrics_port
        self._http, _thread = start_http_server(self.config.metrics_port, addr=self.config.metrics_host,
                                                registry=self.registry)
        self.metrics_port = int(self._http.server_port)
        return self.metrics_port

    def run_forever(self, stop: threading.Event) -> None:
        """Poll until `stop` is set (running jobs get the cancel) or max_runs jobs have finished."""
        self._stop = stop
        log.info("retrain daemon: watching %s every %.0f s with %d slot(s)", ", ".join(self.domains),
                 self.config.poll_interval_s, self.slots.count)
        while not stop.is_set():
            self.run_once()
            if self.config.max_runs and self.finished >= self.config.max_runs:
                log.info("retrain daemon: %d jobs finished (max_runs); stopping", self.finished)
                break
            if stop.wait(self.config.poll_interval_s):
                break
        self.cancel.set()

    def close(self) -> None:
        """Stop the /metrics server."""
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http = None


def _one_slot() -> int:
    # A job's worker is not pinned to one GPU, so jobs detected side by side would share (and overfill) the first.
    gpus = detect_gpu_slots()
    if gpus > 1:
        log.warning("retrain daemon: %d GPUs, but jobs are not pinned to one each; one job at a time "
                    "(set gpu_slots to run more)", gpus)
    return 1


def _feedback_db(retrain: Any) -> str:
    return retrain.database()


def _store_root(retrain: Any) -> Path:
    if retrain.adapter_store:
        return Path(retrain.adapter_store)
    from loraloop.retrain.jobs import resolve_paths  # the demo build's store, resolved as the jobs resolve it

    return Path(resolve_paths(retrain)[1])


def _crash_result(domain: str, method: str, reason: str, duration_s: float) -> Any:
    from loraloop.retrain.jobs import JobResult

    return JobResult(domain=domain, method=method, outcome=FAILED, version=None, reason=reason, metrics={},
                     duration_s=duration_s, pairs=0)


def _progress_logger(domain: str) -> Callable[..., None]:
    def on_progress(*args: Any, **kwargs: Any) -> None:
        log.debug("%s: progress %s %s", domain, args, kwargs or "")
    return on_progress


def run_until_signalled(daemon: RetrainDaemon) -> None:
    """Run the daemon in this (main) thread until SIGTERM/SIGINT: running jobs are cancelled, then it returns."""
    stop = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        log.info("retrain daemon: %s received; cancelling running jobs", signal.Signals(signum).name)
        stop.set()
        daemon.cancel.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        daemon.run_forever(stop)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
