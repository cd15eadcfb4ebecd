"""What a job hands its training subprocess: one JSON file in the job's work dir, read by the worker."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loraloop.config import RetrainConfig

__all__ = ["PROGRESS_PREFIX", "JobSpec"]

# A worker stdout line with this prefix is a progress message the job forwards to on_progress.
PROGRESS_PREFIX = "@@progress "


@dataclass(frozen=True, kw_only=True)
class JobSpec:
    """Everything the worker needs; paths are absolute, and every file it writes is inside `work`."""

    method: str
    domain: str
    model_dir: str
    parent_dir: str             # the parent adapter version's folder (policy and DPO/PPO reference)
    parent: str                 # "domain@vN" of the parent
    reward_dir: str             # the domain's newest reward model, "" when there is none
    reference_file: str         # JSONL prompt/completion rows for the perplexity check
    work: str
    config: dict[str, Any]

    @property
    def data_dir(self) -> Path:
        """The dataset snapshot's JSONL files."""
        return Path(self.work) / "data"

    @property
    def out_dir(self) -> Path:
        """Where the trained adapter (and its curves PNG) is written."""
        return Path(self.work) / "adapter"

    @property
    def log_file(self) -> Path:
        """The per-step loss/metric log (JSONL)."""
        return Path(self.work) / "train_log.jsonl"

    @property
    def result_file(self) -> Path:
        """Written last, only by a worker that finished: eval metrics and training stats."""
        return Path(self.work) / "result.json"

    @property
    def error_file(self) -> Path:
        """Written by a worker that failed: one line saying why."""
        return Path(self.work) / "error.txt"

    def retrain_config(self) -> RetrainConfig:
        """The job's RetrainConfig, rebuilt from JSON."""
        return RetrainConfig(**self.config)

    def save(self, path: Path) -> None:
        """Write the spec as JSON."""
        path.write_text(json.dumps(dataclasses.asdict(self), indent=1, sort_keys=True) + "\n")

    @classmethod
    def load(cls, path: Path) -> JobSpec:
        """Read a spec written by save()."""
        return cls(**json.loads(Path(path).read_text()))
