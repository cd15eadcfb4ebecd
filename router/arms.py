"""Sticky A/B arms: a unit (user, else conversation) hashes to a bucket; the canary takes the low buckets.

The bucket is sha256(rollout id, unit id) mod 10,000: no process state and no Python `hash()`
(salted per process), so every replica, before and after a restart, puts a unit in the same arm.
Canary = bucket < weight × 100, so raising the weight only moves units from stable to canary,
never back, and lowering it only moves them back. Hashing the rollout id in makes each rollout an
independent split: the users who got the last canary are not the ones who get this one.
"""

from __future__ import annotations

import hashlib

__all__ = ["BUCKETS", "CANARY", "STABLE", "assign_arm", "bucket_of", "unit_for"]

STABLE = "stable"
CANARY = "canary"
BUCKETS = 10_000  # weight resolution: 0.01 percentage points
_SEPARATOR = "\x1f"  # ASCII unit separator: ("ab", "c") and ("a", "bc") must not hash alike


def unit_for(user_id: str, conversation_id: str) -> str:
    """The unit a request is randomised by: its user, else its conversation; "" when it has neither.

    The prefixes keep a user id from colliding with an equal conversation id. An empty unit gets
    the stable arm (`assign_arm` and the controller's `arm_for` both do so): such a request cannot
    be kept on one arm across calls, so it stays on the version everybody trusts.
    """
    if user_id:
        return f"user:{user_id}"
    if conversation_id:
        return f"conversation:{conversation_id}"
    return ""


def bucket_of(unit_id: str, rollout_id: str) -> int:
    """The unit's bucket in [0, BUCKETS) for this rollout: the same on every replica and across restarts."""
    digest = hashlib.sha256(f"{rollout_id}{_SEPARATOR}{unit_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS  # 2^64 mod 10^4 bias: ~5e-16, negligible


def assign_arm(unit_id: str, rollout_id: str, canary_weight_pct: float) -> str:
    """"canary" or "stable" for a unit at this weight (percent of units on the canary, 0–100)."""
    if not 0.0 <= canary_weight_pct <= 100.0:
        raise ValueError(f"canary_weight_pct={canary_weight_pct!r}: expected a percentage in [0, 100]")
    if not unit_id:
        return STABLE
    threshold = round(canary_weight_pct * BUCKETS / 100.0)
    return CANARY if bucket_of(unit_id, rollout_id) < threshold else STABLE
