"""Sticky arms: the split matches the weight, a unit keeps its arm, and rollouts split independently."""

import hashlib
import json
import subprocess
import sys

import pytest

from loraloop.router.arms import BUCKETS, CANARY, STABLE, assign_arm, bucket_of, unit_for

USERS = [unit_for(f"user-{i}", "") for i in range(10_000)]


def canary_share(rollout_id, weight):
    return sum(assign_arm(u, rollout_id, weight) == CANARY for u in USERS) / len(USERS)


@pytest.mark.parametrize("weight", [1, 5, 25, 50, 90])
def test_ten_thousand_users_split_within_one_point_of_the_weight(weight):
    assert abs(canary_share("medical-v2-abc", weight) * 100 - weight) <= 1.0


def test_zero_and_full_weight_are_exact():
    assert canary_share("r", 0) == 0.0
    assert canary_share("r", 100) == 1.0


def test_a_users_arm_never_changes_while_the_weight_holds():
    first = [assign_arm(u, "finance-v3-1", 25) for u in USERS]
    assert [assign_arm(u, "finance-v3-1", 25) for u in USERS] == first


def test_raising_the_weight_only_moves_users_from_stable_to_canary():
    previous = {u: STABLE for u in USERS}
    for weight in (5, 25, 50, 75, 100):
        now = {u: assign_arm(u, "legal-v2-x", weight) for u in USERS}
        assert not [u for u in USERS if previous[u] == CANARY and now[u] == STABLE], weight
        previous = now


def test_rollouts_split_independently():
    a = {u for u in USERS if assign_arm(u, "medical-v2-aaaa", 50) == CANARY}
    b = {u for u in USERS if assign_arm(u, "medical-v3-bbbb", 50) == CANARY}
    # independent halves overlap on about a quarter of the users (sd ~0.4 points here)
    assert abs(len(a & b) / len(USERS) - 0.25) <= 0.02


def test_the_bucket_is_a_documented_hash_not_process_state():
    # sha256("<rollout id>\x1f<unit id>"), first 8 bytes big-endian, mod 10,000: any replica can recompute it
    digest = hashlib.sha256(b"medical-v2-abc\x1fuser:alice").digest()
    assert bucket_of("user:alice", "medical-v2-abc") == int.from_bytes(digest[:8], "big") % BUCKETS


def test_another_process_with_another_hash_seed_assigns_the_same_arms():
    units = USERS[:300]
    here = [assign_arm(u, "medical-v2-abc", 50) for u in units]
    code = ("import json, sys; from loraloop.router.arms import assign_arm; "
            "print(json.dumps([assign_arm(u, 'medical-v2-abc', 50) for u in json.load(sys.stdin)]))")
    out = subprocess.run([sys.executable, "-c", code], input=json.dumps(units), capture_output=True, text=True,
                         env={"PYTHONHASHSEED": "12345", "PATH": ""}, check=True)
    assert json.loads(out.stdout) == here


def test_the_unit_is_the_user_else_the_conversation():
    assert unit_for("u1", "c1") == "user:u1"
    assert unit_for("", "c1") == "conversation:c1"
    assert unit_for("", "") == ""
    assert unit_for("x", "") != unit_for("", "x")  # a user id never collides with an equal conversation id


def test_a_request_without_a_unit_is_stable_even_at_full_weight():
    assert assign_arm("", "r", 100) == STABLE


@pytest.mark.parametrize("weight", [-1, 100.5, float("nan")])
def test_a_weight_outside_0_to_100_is_refused(weight):
    with pytest.raises(ValueError, match="canary_weight_pct"):
        assign_arm("user:a", "r", weight)
