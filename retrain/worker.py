"""The training subprocess: `python -m loraloop.retrain.worker --spec JOB/job.json` (or under `accelerate launch`).

It trains, evaluates the candidate against its parent, draws the curves and writes `result.json`, all inside
the job's work dir; it never touches the adapter store, so killing it at any moment leaves the store as it
was. A failure writes one line to `error.txt` (the traceback goes to the log) and exits 1. Under
`accelerate launch` every process trains; the main process alone evaluates and writes the files.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main"]


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _run(spec) -> None:
    from accelerate import PartialState
    from transformers import set_seed

    from loraloop.retrain.curves import CURVES_FILE, plot_curves
    from loraloop.retrain.evaluate import measure
    from loraloop.retrain.methods import TRAINERS, emit

    config = spec.retrain_config()
    set_seed(config.seed)
    stats = TRAINERS[spec.method](spec)
    # Peak resident memory of this worker so far (training included), in bytes (Linux reports KiB).
    stats["peak_rss_bytes"] = float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
    if not PartialState().is_main_process:
        return
    emit(f"{spec.method}: evaluating against {spec.parent}")
    probe: dict = {}
    metrics = measure(spec, probe)
    plot_curves(spec.log_file, spec.out_dir / CURVES_FILE, title=f"{spec.domain} {spec.method} (parent {spec.parent})")
    _write_atomic(spec.result_file, json.dumps({"metrics": metrics, "train": stats, "probe": probe}, indent=1,
                                               sort_keys=True, ensure_ascii=False) + "\n")
    emit(f"{spec.method}: done")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one job spec; 0 when result.json was written, 1 with error.txt otherwise."""
    from loraloop.retrain.spec import JobSpec

    parser = argparse.ArgumentParser(prog="python -m loraloop.retrain.worker", description=__doc__)
    parser.add_argument("--spec", required=True, help="the job.json a job wrote into its work dir")
    args = parser.parse_args(argv)
    spec = JobSpec.load(Path(args.spec))
    try:
        _run(spec)
    except BaseException as e:
        traceback.print_exc()
        first = (str(e).strip().splitlines() or [""])[0][:500]
        _write_atomic(spec.error_file, f"{type(e).__name__}: {first}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
