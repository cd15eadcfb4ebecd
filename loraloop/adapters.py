"""The versioned adapter store on disk: `<root>/<domain>/v<N>/`, immutable once published."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loraloop.errors import AdapterNotFound, InvalidArgument, PermissionDenied, StoreError
from loraloop.fs import file_lock, fsync_dir, fsync_tree

__all__ = ["BASE", "DOMAIN_PATTERN", "GENERAL", "RESERVED_DOMAINS", "AdapterRef", "AdapterSpec", "AdapterStore",
           "is_domain_name", "parse_adapter_name", "sha256_file"]

BASE = "base"
GENERAL = "general"  # the router's fallback domain: the base model answers it
# Names the base model answers under: never an adapter domain to train, canary or simulate.
RESERVED_DOMAINS = (BASE, GENERAL)
# A domain name: the store's folder names and the prefix of every adapter name ("medical@v3").
DOMAIN_PATTERN = r"[a-z][a-z0-9_-]{0,63}"
METADATA_FILE = "loraloop.json"
WEIGHTS_FILE = "adapter_model.safetensors"
CONFIG_FILE = "adapter_config.json"
_REF_RE = re.compile(rf"^(?P<domain>{DOMAIN_PATTERN})(?:@v(?P<version>[1-9][0-9]{{0,8}}))?$")
_VERSION_DIR_RE = re.compile(r"^v([1-9][0-9]{0,8})$")


@dataclass(frozen=True, kw_only=True)
class AdapterSpec:
    """What a request asked for: a domain, and a version or None for the domain's active one."""

    domain: str
    version: int | None = None

    def __str__(self) -> str:
        return self.domain if self.version is None else f"{self.domain}@v{self.version}"


@dataclass(frozen=True, kw_only=True)
class AdapterRef:
    """One published adapter version: its identity and where its files are."""

    domain: str
    version: int
    path: Path
    base_model: str = ""
    rank: int = 0
    method: str = ""

    @property
    def key(self) -> str:
        """`domain@vN`: the adapter's name everywhere, vLLM's lora_name included."""
        return f"{self.domain}@v{self.version}"


def is_domain_name(name: object) -> bool:
    """Whether `name` is an adapter domain: DOMAIN_PATTERN, and not one of RESERVED_DOMAINS."""
    return isinstance(name, str) and bool(re.fullmatch(DOMAIN_PATTERN, name)) and name not in RESERVED_DOMAINS


def parse_adapter_name(text: str, field: str = "adapter") -> AdapterSpec | None:
    """Parse `""`/`"base"` (None: no adapter), `"medical"` or `"medical@v3"`; InvalidArgument otherwise."""
    if text in ("", BASE):
        return None
    match = _REF_RE.match(text)
    if not match:
        raise InvalidArgument(
            field, f"{text[:80]!r} is not an adapter name: expected 'base', '<domain>' or '<domain>@v<N>' "
            "with a lowercase domain of letters, digits, '-' or '_'")
    version = match.group("version")
    return AdapterSpec(domain=match.group("domain"), version=int(version) if version else None)


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class AdapterStore:
    """Reads and atomically publishes adapter versions under one root folder."""

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root).expanduser().resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def domains(self) -> list[str]:
        """Domains with at least one published version, sorted."""
        return sorted(p.name for p in self.root.iterdir()
                      if p.is_dir() and re.fullmatch(DOMAIN_PATTERN, p.name) and self.versions(p.name))

    def versions(self, domain: str) -> list[int]:
        """Published versions of a domain, ascending."""
        folder = self.root / domain
        if not re.fullmatch(DOMAIN_PATTERN, domain) or not folder.is_dir():
            return []
        found = (_VERSION_DIR_RE.match(p.name) for p in folder.iterdir())
        return sorted(int(m.group(1)) for m in found if m)

    def get(self, domain: str, version: int) -> AdapterRef:
        """The published version; AdapterNotFound, PermissionDenied (outside the store) or StoreError."""
        if not re.fullmatch(DOMAIN_PATTERN, domain):
            raise InvalidArgument("adapter", f"{domain[:80]!r} is not a domain name")
        folder = self.root / domain / f"v{version}"
        if not folder.exists():
            known = self.versions(domain)
            hint = f"published versions: {', '.join(f'v{v}' for v in known)}" if known else "no published versions"
            raise AdapterNotFound(f"adapter {domain}@v{version} not found in the store ({hint})")
        real = folder.resolve()
        if not real.is_relative_to(self.root):
            raise PermissionDenied(f"adapter {domain}@v{version} resolves to {real}, outside the adapter store {self.root}")
        return self._read(domain, version, real)

    def latest(self, domain: str) -> AdapterRef:
        """The newest published version of a domain."""
        versions = self.versions(domain)
        if not versions:
            known = ", ".join(self.domains()) or "none"
            raise AdapterNotFound(f"no published adapter for domain {domain!r} (domains: {known})")
        return self.get(domain, versions[-1])

    def resolve(self, spec: AdapterSpec) -> AdapterRef:
        """The version a spec names, the newest when it names none."""
        return self.latest(spec.domain) if spec.version is None else self.get(spec.domain, spec.version)

    def _read(self, domain: str, version: int, folder: Path) -> AdapterRef:
        try:
            config = json.loads((folder / CONFIG_FILE).read_text())
            meta = json.loads((folder / METADATA_FILE).read_text()) if (folder / METADATA_FILE).exists() else {}
        except (OSError, ValueError) as e:
            raise StoreError(f"adapter {domain}@v{version} at {folder} is unreadable: {e}") from e
        if not (folder / WEIGHTS_FILE).exists():
            raise StoreError(f"adapter {domain}@v{version} at {folder} has no {WEIGHTS_FILE}")
        return AdapterRef(domain=domain, version=version, path=folder,
                          base_model=str(meta.get("base_model") or config.get("base_model_name_or_path") or ""),
                          rank=int(config.get("r", 0)), method=str(meta.get("method", "")))

    def verify(self, ref: AdapterRef) -> None:
        """StoreError naming the file when a version's weights no longer match the sha256 recorded at publish.

        A version published without a recorded checksum (older stores) is accepted as it is.
        """
        recorded = (self.metadata(ref).get("sha256") or {}).get(WEIGHTS_FILE)
        if not recorded:
            return
        weights = ref.path / WEIGHTS_FILE
        try:
            actual = sha256_file(weights)
        except OSError as e:
            raise StoreError(f"adapter {ref.key}: cannot read {weights}: {e}") from e
        if actual != recorded:
            raise StoreError(f"adapter {ref.key}: {weights} has sha256 {actual[:12]}…, {METADATA_FILE} recorded "
                             f"{recorded[:12]}… at publish; refusing to load a corrupted version")

    def metadata(self, ref: AdapterRef) -> dict[str, Any]:
        """The version's loraloop.json (empty when absent)."""
        path = ref.path / METADATA_FILE
        return json.loads(path.read_text()) if path.exists() else {}

    def publish(self, domain: str, source: str | os.PathLike[str], metadata: dict[str, Any] | None = None,
                extra_files: Sequence[str] = ()) -> AdapterRef:
        """Copy a PEFT adapter folder in as the domain's next version: temp dir, fsync, rename.

        `extra_files` names further files of `source` to copy beside the weights when present (e.g. a
        training-curves PNG); a name with a path separator or a reserved name is refused.
        """
        for name in extra_files:
            if Path(name).name != name or name in (CONFIG_FILE, WEIGHTS_FILE, METADATA_FILE):
                raise InvalidArgument("extra_files", f"{name!r} is not a plain file name beside the adapter")
        if not re.fullmatch(DOMAIN_PATTERN, domain) or domain == BASE:
            raise InvalidArgument("domain", f"{domain!r} is not a valid domain name")
        source = Path(source)
        for required in (CONFIG_FILE, WEIGHTS_FILE):
            if not (source / required).is_file():
                raise InvalidArgument("source", f"{source} has no {required}: not a PEFT adapter folder")
        (self.root / domain).mkdir(exist_ok=True)
        # One publisher per domain at a time, across processes: the version number is read then taken.
        with file_lock(self.root / f".{domain}.lock"):
            versions = self.versions(domain)
            version = (versions[-1] + 1) if versions else 1
            tmp = Path(tempfile.mkdtemp(prefix=f".{domain}-v{version}-", dir=self.root))
            try:
                for item in (CONFIG_FILE, WEIGHTS_FILE, *(n for n in extra_files if (source / n).is_file())):
                    shutil.copyfile(source / item, tmp / item)
                config = json.loads((tmp / CONFIG_FILE).read_text())
                meta = {
                    "base_model": config.get("base_model_name_or_path", ""),
                    "method": "",
                    "parent": f"{domain}@v{versions[-1]}" if versions else None,
                    "eval": {},
                    "lineage": [],
                    **(metadata or {}),
                    # Identity and checksums are the store's to state, never the caller's.
                    "name": domain,
                    "version": version,
                    "rank": config.get("r"),
                    "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "sha256": {WEIGHTS_FILE: sha256_file(tmp / WEIGHTS_FILE)},
                }
                (tmp / METADATA_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
                fsync_tree(tmp)
                os.rename(tmp, self.root / domain / f"v{version}")
                fsync_dir(self.root / domain)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
        return self.get(domain, version)

