"""The intent router: a trained classifier plus the multi-turn and fallback rules that turn it into a route."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from loraloop.adapters import GENERAL
from loraloop.config import RouterConfig
from loraloop.errors import RouterError
from loraloop.fs import fsync_dir
from loraloop.router.classifier import IntentClassifier

__all__ = ["FALLBACK_DOMAIN", "FORMAT_VERSION", "IntentRouter", "Route", "ensure_router"]

log = logging.getLogger(__name__)

FALLBACK_DOMAIN = GENERAL  # the base model, no adapter
FORMAT_VERSION = 1
_FORMAT = "loraloop-router"


@dataclass(frozen=True)
class Route:
    """Where a conversation goes: a domain ("general" = the base model), the confidence, and whether it fell back."""

    domain: str
    confidence: float
    fallback: bool  # True: the best domain scored below min_confidence, so the base model answers


class IntentRouter:
    """Routes a conversation to a domain from its latest user turn, with its earlier user turns as context.

    Immutable after construction and lock-free: `route` may be called from any number of threads (and on
    the server's event loop: it is pure CPU work of well under a millisecond for chat-sized turns). To
    change the router, build or load a new one and swap the reference.
    """

    def __init__(self, classifier: IntentClassifier, config: RouterConfig = RouterConfig(),
                 metadata: Mapping[str, Any] | None = None):
        domains = tuple(str(c) for c in getattr(classifier, "classes", ()))
        if len(domains) < 2 or len(set(domains)) != len(domains):
            raise RouterError(f"the classifier's classes {domains!r} are not two or more distinct domains "
                              "(is it fitted?)")
        self._classifier = classifier
        self._domains = domains
        self._config = config
        self._metadata = dict(metadata or {})
        # Each request resends the whole conversation, so earlier turns are scored again and again: cache them.
        self._turn_probs = (functools.lru_cache(maxsize=config.cache_turns)(self._classify)
                            if config.cache_turns else self._classify)

    @property
    def domains(self) -> tuple[str, ...]:
        """The domains the classifier can answer, in its column order ("general" among them when trained so)."""
        return self._domains

    @property
    def config(self) -> RouterConfig:
        """The routing rules in force (thresholds come from the config, not from the file)."""
        return self._config

    @property
    def metadata(self) -> dict[str, Any]:
        """What training recorded: data source, example counts, held-out macro-F1, classifier, time."""
        return dict(self._metadata)

    def with_config(self, config: RouterConfig) -> IntentRouter:
        """The same trained classifier under other routing rules."""
        return IntentRouter(self._classifier, config, self._metadata)

    def scores(self, text: str) -> dict[str, float]:
        """The classifier's probabilities for one text on its own, by domain."""
        return {d: float(p) for d, p in zip(self._domains, self._turn_probs(self._clip(text)))}

    def route(self, messages: Sequence[Mapping[str, str]]) -> Route:
        """The route of a conversation given as chat messages (`{"role", "content"}`): its user turns decide.

        Assistant turns are left out on purpose: they were written by the adapter this router picked, so
        reading them would mostly confirm the earlier decision rather than add evidence.
        """
        turns = [str(m.get("content", "")) for m in messages if m.get("role") == "user"]
        turns = turns[-(self._config.context_turns + 1):]
        if not turns:
            return Route(FALLBACK_DOMAIN, 0.0, True)
        best, state = self._follow([self._turn_probs(self._clip(t)) for t in turns])
        confidence = float(state[best])
        if confidence < self._config.min_confidence:
            return Route(FALLBACK_DOMAIN, confidence, True)
        return Route(self._domains[best], confidence, False)

    def _classify(self, text: str) -> np.ndarray:
        probs = np.array(self._classifier.predict_proba([text])[0], dtype=float)
        probs.flags.writeable = False  # shared through the cache
        return probs

    def _follow(self, probs: Sequence[np.ndarray]) -> tuple[int, np.ndarray]:
        """Walk the turns oldest to newest, carrying the conversation's domain and its probabilities.

        A turn moves the conversation to another domain only when, read on its own, it favours that domain
        over the conversation's by at least `follow_up_margin`; then the conversation restarts from that
        turn. Anything less is a follow-up ("and the side effects?", "谢谢，还有呢？"): the domain stays, and
        the turn, blended in with `context_weight`, may raise the confidence but never lower it. The base
        model's class ("general") cannot take a conversation away from a domain this way: small talk and
        thanks inside a medical conversation are still that conversation; it goes back to "general" once
        its domain turns have left the `context_turns` window.
        """
        weight, margin = self._config.context_weight, self._config.follow_up_margin
        general = self._domains.index(FALLBACK_DOMAIN) if FALLBACK_DOMAIN in self._domains else -1
        current, state = int(probs[0].argmax()), probs[0]
        for turn in probs[1:]:
            rivals = turn.copy()
            rivals[current] = -1.0
            if current != general and general >= 0:
                rivals[general] = -1.0
            rival = int(rivals.argmax())
            if rivals[rival] >= 0 and turn[rival] - turn[current] >= margin:
                current, state = rival, turn
                continue
            blended = (1.0 - weight) * turn + weight * state
            if blended[current] > state[current]:
                state = blended
        return current, state

    def _clip(self, text: str) -> str:
        # Long pastes: the question is usually at the start or the end; the middle only costs time.
        limit = self._config.max_chars
        return text if len(text) <= limit else f"{text[:limit // 2]} {text[-(limit - limit // 2):]}"

    def save(self, path: str | Path) -> Path:
        """Write the router to a file atomically (joblib: load only files you trust, like any pickle)."""
        import joblib

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"format": _FORMAT, "format_version": FORMAT_VERSION, "domains": list(self._domains),
                   "metadata": {**self._metadata, "saved_at": dt.datetime.now(dt.UTC).isoformat()},
                   "classifier": self._classifier}
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                joblib.dump(payload, fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        fsync_dir(path.parent)
        return path

    @classmethod
    def load(cls, path: str | Path, config: RouterConfig = RouterConfig()) -> IntentRouter:
        """Read a router file written by `save`; RouterError naming the path if it is missing, corrupt or foreign."""
        import joblib

        path = Path(path)
        if not path.is_file():
            raise RouterError(f"{path}: no router file (train one with `loraloop router train --out {path}`)")
        try:
            payload = joblib.load(path)
        except Exception as e:  # unpickling can raise almost anything on a damaged file
            raise RouterError(f"{path}: not a readable router file ({type(e).__name__}: {e})") from e
        if not isinstance(payload, dict) or payload.get("format") != _FORMAT:
            raise RouterError(f"{path}: not a loraloop router file")
        if payload.get("format_version") != FORMAT_VERSION:
            raise RouterError(f"{path}: router format version {payload.get('format_version')!r}, this loraloop reads "
                              f"version {FORMAT_VERSION}; retrain it with `loraloop router train`")
        try:
            router = cls(payload.get("classifier"), config, payload.get("metadata"))
        except RouterError as e:
            raise RouterError(f"{path}: {e}") from e
        if list(router.domains) != payload.get("domains"):
            raise RouterError(f"{path}: the classifier's domains {router.domains} differ from the recorded "
                              f"{payload.get('domains')}")
        return router


def ensure_router(config: RouterConfig = RouterConfig(), home: Path | None = None) -> IntentRouter:
    """The router at `config.router_file(home)`; when there is no file, one trained on the demo corpus and saved there.

    A file that exists but cannot be read raises RouterError: it is never silently replaced. Training on
    the demo corpus is deterministic and takes a few seconds on one CPU core.
    """
    from loraloop.router.training import train_router
    from loraloop.router.training_data import demo_data

    path = config.router_file(home)
    if path.exists():
        return IntentRouter.load(path, config)
    log.info("no intent router at %s: training one on the demo corpus", path)
    router, report = train_router(demo_data(config), config)
    router.save(path)
    log.info("saved the intent router to %s (held-out macro-F1 %.3f)", path,
             report.macro_f1 if report else float("nan"))
    return router
