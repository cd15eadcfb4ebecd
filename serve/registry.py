"""Adapter registry: the versioned store on disk <-> adapters loaded in vLLM.

It gives every `domain@vN` one integer id for the life of the process (never reused for other
weights, since vLLM keys its caches on it), pre-loads and pins the version each domain serves,
keeps requests in flight on the version they started with, unloads superseded versions once
they drain, and never holds more adapters than the engine's CPU cache (max_cpu_loras).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

from loraloop.adapters import AdapterRef, AdapterSpec, AdapterStore
from loraloop.errors import AdapterBusy, Overloaded
from loraloop.serve.engine import EngineAdapter

__all__ = ["AdapterRegistry", "AdapterStatus", "Lease", "LoRAEngine"]

log = logging.getLogger(__name__)


class LoRAEngine(Protocol):
    """The part of the engine the registry drives."""

    async def add_lora(self, name: str, lora_id: int, path: str) -> bool: ...
    async def remove_lora(self, lora_id: int) -> bool: ...
    async def pin_lora(self, lora_id: int) -> bool: ...


class RegistryEvents(Protocol):
    """Where the registry reports loads and unloads (the server's metrics)."""

    def adapter_loaded(self, ref: AdapterRef, seconds: float) -> None: ...
    def adapter_unloaded(self, ref: AdapterRef) -> None: ...


@dataclass(frozen=True, kw_only=True)
class Lease:
    """An adapter version held for one request: the request runs on exactly this version."""

    ref: AdapterRef
    lora_id: int

    def engine_adapter(self) -> EngineAdapter:
        """This version as the engine takes it."""
        return EngineAdapter(name=self.ref.key, lora_id=self.lora_id, path=str(self.ref.path))


@dataclass(frozen=True, kw_only=True)
class AdapterStatus:
    """One published version and its serving state."""

    ref: AdapterRef
    lora_id: int
    loaded: bool
    active: bool
    pinned: bool
    in_flight: int


@dataclass(kw_only=True)
class _Slot:
    ref: AdapterRef
    lora_id: int
    loaded: bool = False
    pinned: bool = False
    in_flight: int = 0
    retiring: bool = False
    last_used: float = 0.0


class AdapterRegistry:
    """Tracks which adapter versions are loaded, active (what a bare domain name resolves to) and in use."""

    def __init__(self, store: AdapterStore, engine: LoRAEngine, *, max_loaded: int,
                 events: RegistryEvents | None = None):
        self.store = store
        self._engine = engine
        self._max_loaded = max_loaded
        self._events = events
        self._slots: dict[str, _Slot] = {}
        self._active: dict[str, str] = {}  # domain -> key of its active version
        self._ids = itertools.count(1)
        self._lock = asyncio.Lock()
        self._background: set[asyncio.Task] = set()

    async def start(self) -> None:
        """Activate the newest published version of every domain in the store."""
        for domain in self.store.domains():
            await self.load(AdapterSpec(domain=domain))

    def _slot(self, ref: AdapterRef) -> _Slot:
        slot = self._slots.get(ref.key)
        if slot is None:
            slot = self._slots[ref.key] = _Slot(ref=ref, lora_id=next(self._ids))
        return slot

    def lora_id(self, ref: AdapterRef) -> int:
        """The stable integer id of a version (allocated on first use)."""
        return self._slot(ref).lora_id

    def active(self, domain: str) -> AdapterRef | None:
        """The version a bare domain name serves, if any."""
        key = self._active.get(domain)
        return self._slots[key].ref if key else None

    async def resolve(self, spec: AdapterSpec) -> AdapterRef:
        """The version a request gets: the pinned one, or the domain's active one (activating a new domain)."""
        if spec.version is not None:
            known = self._slots.get(str(spec))  # versions are immutable: no disk read once seen
            return known.ref if known else self.store.get(spec.domain, spec.version)
        ref = self.active(spec.domain)
        if ref is None:
            await self.load(spec)
            ref = self.active(spec.domain)
            assert ref is not None  # load() with activation sets it or raises
        return ref

    @asynccontextmanager
    async def lease(self, spec: AdapterSpec | None) -> AsyncIterator[Lease | None]:
        """Hold the requested version (None = base model) loaded for the duration of one request."""
        if spec is None:
            yield None
            return
        ref = await self.resolve(spec)
        slot = self._slot(ref)
        if not slot.loaded:
            async with self._lock:
                await self._ensure_loaded(slot)
        slot.in_flight += 1
        slot.last_used = time.monotonic()
        try:
            yield Lease(ref=ref, lora_id=slot.lora_id)
        finally:
            slot.in_flight -= 1
            if slot.retiring and slot.in_flight == 0:
                # Not awaited here: this may run inside a cancelled request.
                task = asyncio.get_running_loop().create_task(self._retire(slot))
                self._background.add(task)
                task.add_done_callback(self._background.discard)

    async def load(self, spec: AdapterSpec, *, activate: bool = True) -> AdapterStatus:
        """Load (and pin) a published version; by default make it the domain's active version."""
        ref = self.store.resolve(spec)
        async with self._lock:
            slot = self._slot(ref)
            slot.retiring = False
            await self._ensure_loaded(slot)
            if not slot.pinned:
                await self._engine.pin_lora(slot.lora_id)
                slot.pinned = True
            if activate:
                previous = self._active.get(ref.domain)
                self._active[ref.domain] = ref.key
                if previous and previous != ref.key:
                    log.info("%s: active version %s -> %s", ref.domain, previous, ref.key)
                    old = self._slots[previous]
                    old.retiring = True
                    if old.in_flight == 0:
                        await self._unload_locked(old)
        return self._status(slot)

    async def unload(self, spec: AdapterSpec) -> AdapterStatus:
        """Unload a version nobody should route to; in-flight requests finish first."""
        if spec.version is None:
            raise AdapterBusy(f"unload needs an explicit version, e.g. {spec.domain}@v1")
        ref = self.store.get(spec.domain, spec.version)
        async with self._lock:
            slot = self._slot(ref)
            if self._active.get(ref.domain) == ref.key:
                raise AdapterBusy(f"{ref.key} is the active version of {ref.domain!r}; "
                                  "load another version of the domain first")
            slot.retiring = True
            if slot.in_flight == 0:
                await self._unload_locked(slot)
        return self._status(slot)

    def statuses(self) -> list[AdapterStatus]:
        """Every published version in the store plus anything loaded, sorted by domain and version."""
        refs = {s.ref.key: s.ref for s in self._slots.values()}
        for domain in self.store.domains():
            for version in self.store.versions(domain):
                key = f"{domain}@v{version}"
                if key not in refs:
                    try:
                        refs[key] = self.store.get(domain, version)
                    except Exception as e:  # a broken folder must not hide the healthy ones
                        log.warning("skipping %s in listing: %s", key, e)
        ordered = sorted(refs.values(), key=lambda r: (r.domain, r.version))
        return [self._status(self._slots[r.key]) if r.key in self._slots else
                AdapterStatus(ref=r, lora_id=0, loaded=False, active=False, pinned=False, in_flight=0)
                for r in ordered]

    def _status(self, slot: _Slot) -> AdapterStatus:
        return AdapterStatus(ref=slot.ref, lora_id=slot.lora_id, loaded=slot.loaded,
                             active=self._active.get(slot.ref.domain) == slot.ref.key,
                             pinned=slot.pinned, in_flight=slot.in_flight)

    async def _ensure_loaded(self, slot: _Slot) -> None:
        if slot.loaded:
            return
        # Before anything is evicted for it: a version whose weights changed on disk since publish never loads.
        await asyncio.to_thread(self.store.verify, slot.ref)
        loaded = [s for s in self._slots.values() if s.loaded]
        if len(loaded) >= self._max_loaded:
            idle = sorted((s for s in loaded if s.in_flight == 0 and self._active.get(s.ref.domain) != s.ref.key),
                          key=lambda s: s.last_used)
            if not idle:
                raise Overloaded(f"cannot load {slot.ref.key}: all {len(loaded)} adapter slots "
                                 f"(max_cpu_loras={self._max_loaded}) are active or in use")
            await self._unload_locked(idle[0])
        started = time.monotonic()
        await self._engine.add_lora(slot.ref.key, slot.lora_id, str(slot.ref.path))
        slot.loaded = True
        slot.last_used = time.monotonic()
        if self._events:
            self._events.adapter_loaded(slot.ref, time.monotonic() - started)

    async def _retire(self, slot: _Slot) -> None:
        async with self._lock:
            if slot.retiring and slot.in_flight == 0:
                await self._unload_locked(slot)

    async def _unload_locked(self, slot: _Slot) -> None:
        if not slot.loaded:
            slot.retiring = False
            return
        slot.loaded = False
        slot.pinned = False
        slot.retiring = False
        await self._engine.remove_lora(slot.lora_id)
        log.info("unloaded %s (lora id %d)", slot.ref.key, slot.lora_id)
        if self._events:
            self._events.adapter_unloaded(slot.ref)
