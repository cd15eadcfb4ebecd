"""Several controllers on one database (one per replica) never both apply a change made from the same state."""

from __future__ import annotations

from loraloop import storage
from loraloop.errors import FailedPrecondition
from loraloop.router import rollout_store
from tests.router.rollout_feedback import controller
from tests.together import together


def test_replicas_promoting_at_once_apply_one_promotion(db_url):
    replicas = [controller(db_url) for _ in range(4)]
    try:
        replicas[0].start("medical", 2, stable_version=1)
        for r in replicas:
            r.status("medical")  # every replica has read the running rollout
        results = together([lambda r=r: r.promote("medical") for r in replicas])
        applied = [r for r in results if not isinstance(r, Exception)]
        refused = [r for r in results if isinstance(r, Exception)]
        assert len(applied) == 1 and all(isinstance(e, FailedPrecondition) for e in refused), results
        conn = storage.connect(db_url, autocommit=True, named_rows=True)
        try:
            decisions = [e.decision for e in rollout_store.read_events(conn, "medical", 10)]
        finally:
            conn.close()
        assert decisions == ["promote", "start"]  # newest first: one promotion, recorded once
    finally:
        for r in replicas:
            r.close()


def test_replicas_starting_the_same_canary_at_once_start_one_rollout(db_url):
    replicas = [controller(db_url) for _ in range(4)]
    try:
        results = together([lambda r=r: r.start("medical", 2, stable_version=1) for r in replicas])
        started = [r for r in results if not isinstance(r, Exception)]
        assert len(started) == 1, results
        assert all(isinstance(e, FailedPrecondition) for e in results if isinstance(e, Exception)), results
    finally:
        for r in replicas:
            r.close()
