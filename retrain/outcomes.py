"""The outcomes of a retrain job, defined once: JobResult.outcome, the runs log and the runs counter share them.

Its own small module so that the pure trigger logic and the metrics can import them without the job's imports.
"""

from __future__ import annotations

__all__ = ["FAILED", "GATE_FAILED", "KILLED", "OUTCOMES", "PUBLISHED", "RUNNING", "TOO_FEW_PAIRS"]

PUBLISHED = "published"          # a new version is in the store (and the server was told, when configured)
GATE_FAILED = "gate_failed"      # trained, refused by the evaluation gate or the served-base gate
FAILED = "failed"                # could not train: bad inputs, disk, the subprocess, a timeout
TOO_FEW_PAIRS = "too_few_pairs"  # not enough new rows for the method's minimum
KILLED = "killed"                # cancelled, or left running by a daemon that died
OUTCOMES = (PUBLISHED, GATE_FAILED, FAILED, TOO_FEW_PAIRS, KILLED)
# Not an outcome: the runs log's mark on a job still in flight.
RUNNING = "running"
