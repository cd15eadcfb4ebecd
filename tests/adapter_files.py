"""Adapter folders and stores small enough for unit tests (the engine never reads these weights)."""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors.torch import save_file

from loraloop.adapters import AdapterStore


def make_adapter_dir(path, rank=4, fill=0.0):
    """A PEFT-shaped adapter folder the store accepts: a config and one safetensors tensor."""
    path.mkdir(parents=True, exist_ok=True)
    (path / "adapter_config.json").write_text(json.dumps({"r": rank, "base_model_name_or_path": "tiny"}))
    save_file({"w": torch.full((2, 2), fill)}, str(path / "adapter_model.safetensors"))
    return path


def make_store(root: Path, domains=("finance", "legal", "medical")) -> Path:
    """A minimal adapter store: v1 of each domain (files the store accepts; a fake runner never reads them)."""
    source = root / "source"
    source.mkdir(parents=True)
    (source / "adapter_config.json").write_text(json.dumps({"r": 8, "base_model_name_or_path": "tiny"}))
    (source / "adapter_model.safetensors").write_bytes(b"not really weights")
    store = AdapterStore(root / "adapters")
    for domain in domains:
        store.publish(domain, source, {"method": "sft"})
    return store.root


def publish_copy_of_latest(store_root: Path, domain: str, scratch: Path) -> int:
    """Publish the domain's newest version's weights again as a new version (a canary that answers alike)."""
    store = AdapterStore(store_root)
    latest = store.get(domain, store.versions(domain)[-1])
    src = scratch / f"{domain}-copy-of-v{latest.version}"
    src.mkdir(parents=True)
    for name in ("adapter_config.json", "adapter_model.safetensors"):
        (src / name).write_bytes((latest.path / name).read_bytes())
    return store.publish(domain, src, {"method": "test", "parent": latest.key}).version
