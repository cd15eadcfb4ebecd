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
