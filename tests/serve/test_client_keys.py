"""ClientKeys: off until a key exists, hashed lookups, revocation through the shared table, per-key rate limits."""

import asyncio

import pytest

from loraloop import api_keys
from loraloop.errors import RateLimited, Unauthenticated
from loraloop.feedback.schema import open_database
from loraloop.serve.client_keys import ClientKeys


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "shared.sqlite"
    conn = open_database(path)
    yield path, conn
    conn.close()


def test_keys_are_off_until_the_first_key_exists(db):
    path, conn = db
    keys = ClientKeys(path)
    keys.refresh()
    assert not keys.required
    assert keys.authenticate(None) == ""  # the demo: no key, no refusal
    api_keys.create_key(conn, "web", rate_per_s=None, created_by="test")
    keys.refresh()
    assert keys.required
    with pytest.raises(Unauthenticated, match="needs an API key"):
        keys.authenticate(None)


@pytest.mark.parametrize("header, needle", [
    (None, "needs an API key"), ("", "needs an API key"), ("Basic abc", "needs an API key"), ("Bearer ", "needs"),
    ("Bearer llk_not-a-key", "unknown or revoked"),
])
def test_bad_credentials_are_unauthenticated(db, header, needle):
    path, conn = db
    api_keys.create_key(conn, "web", rate_per_s=None, created_by="test")
    keys = ClientKeys(path)
    keys.refresh()
    with pytest.raises(Unauthenticated, match=needle):
        keys.authenticate(header)


def test_a_key_authenticates_as_its_name_and_stops_once_revoked(db):
    path, conn = db
    _key, secret = api_keys.create_key(conn, "web", rate_per_s=None, created_by="test")
    keys = ClientKeys(path)
    keys.refresh()
    assert keys.authenticate(f"Bearer {secret}") == "web"
    assert keys.authenticate(f"bearer {secret}") == "web"  # the scheme is case-insensitive (RFC 7235)
    api_keys.revoke_key(conn, "web")
    assert keys.authenticate(f"Bearer {secret}") == "web"  # until the next refresh ...
    keys.refresh()
    with pytest.raises(Unauthenticated, match="revoked"):
        keys.authenticate(f"Bearer {secret}")
    assert keys.required  # ... and revoking the last key does not open the server


async def test_the_refresh_loop_follows_the_table_within_its_interval(db):
    path, conn = db
    _key, secret = api_keys.create_key(conn, "web", rate_per_s=None, created_by="test")
    keys = ClientKeys(path, refresh_s=0.05)
    keys.refresh()
    task = asyncio.create_task(keys.run())
    try:
        api_keys.revoke_key(conn, "web")
        for _ in range(100):
            await asyncio.sleep(0.02)
            try:
                keys.authenticate(f"Bearer {secret}")
            except Unauthenticated:
                break
        else:
            raise AssertionError("the revoked key kept working")
    finally:
        task.cancel()


def test_rate_limit_refuses_with_the_retry_time_and_recovers(db):
    path, conn = db
    _key, secret = api_keys.create_key(conn, "batch", rate_per_s=2.0, created_by="test")
    _key, free = api_keys.create_key(conn, "free", rate_per_s=None, created_by="test")
    clock = Clock()
    keys = ClientKeys(path, clock=clock)
    keys.refresh()
    bearer = f"Bearer {secret}"
    assert [keys.authenticate(bearer) for _ in range(2)] == ["batch", "batch"]  # a burst of `rate`
    with pytest.raises(RateLimited, match=r"limit of 2 requests/s; retry in 0\.50 s") as caught:
        keys.authenticate(bearer)
    assert caught.value.retry_after_s == pytest.approx(0.5)
    assert [keys.authenticate(f"Bearer {free}") for _ in range(50)] == ["free"] * 50  # limits are per key
    clock.now += 0.5
    assert keys.authenticate(bearer) == "batch"


def test_key_store_keeps_hashes_only_and_never_reuses_names(db):
    from loraloop.errors import FailedPrecondition, InvalidArgument

    _path, conn = db
    key, secret = api_keys.create_key(conn, "web", rate_per_s=5, created_by="test")
    assert secret.startswith(api_keys.SECRET_PREFIX) and len(secret) > 40
    dump = "\n".join(conn.iterdump())
    assert secret not in dump and key.secret_sha256 in dump
    with pytest.raises(FailedPrecondition, match="never reused"):
        api_keys.create_key(conn, "web", rate_per_s=None, created_by="test")
    api_keys.revoke_key(conn, "web")
    with pytest.raises(FailedPrecondition, match="never reused"):
        api_keys.create_key(conn, "web", rate_per_s=None, created_by="test")
    with pytest.raises(FailedPrecondition, match="already revoked"):
        api_keys.revoke_key(conn, "web")
    with pytest.raises(InvalidArgument, match="no key named"):
        api_keys.revoke_key(conn, "nobody")
    for bad in ("", "Web", "a b", "-x", "x" * 65):
        with pytest.raises(InvalidArgument, match="name"):
            api_keys.create_key(conn, bad, rate_per_s=None, created_by="test")
    for rate in (0, -1, float("inf"), float("nan")):
        with pytest.raises(InvalidArgument, match="rate"):
            api_keys.create_key(conn, "other", rate_per_s=rate, created_by="test")


async def test_every_replica_follows_one_revocation(db):
    # Two servers on one shared database: each has its own snapshot, both drop the key at their next refresh.
    path, conn = db
    _key, secret = api_keys.create_key(conn, "web", rate_per_s=None, created_by="test")
    replicas = [ClientKeys(path, refresh_s=0.05) for _ in range(2)]
    for replica in replicas:
        replica.refresh()
        assert replica.authenticate(f"Bearer {secret}") == "web"
    tasks = [asyncio.create_task(r.run()) for r in replicas]
    try:
        api_keys.revoke_key(conn, "web")
        await asyncio.sleep(0.5)  # ten refresh intervals
        for replica in replicas:
            with pytest.raises(Unauthenticated):
                replica.authenticate(f"Bearer {secret}")
    finally:
        for task in tasks:
            task.cancel()
