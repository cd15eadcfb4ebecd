"""Shared, session-scoped retraining runs: trained once, asserted on by several test modules.

Training stays tiny (64 scripted prompts, a few epochs of a 1M-parameter model): each job is seconds of
training plus the worker's start-up. The reward model, the DPO version (published into the session
server's adapter store and loaded there) and the PPO version are built once per session.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from loraloop.config import RetrainConfig
from tests.conftest import ADMIN_TOKEN
from tests.retrain.scripted import write_scripted_feedback

DOMAIN = "legal"  # tests/serve publishes medical versions into the shared store; keep out of their way
PROMPTS = 64


def tiny_config(*, db: Path, store: Path, model_dir: Path, work: Path, **overrides) -> RetrainConfig:
    """A RetrainConfig for the demo model sized for CI: a few epochs, gates at their defaults."""
    values = dict(db_url=str(db), adapter_store=str(store), model=str(model_dir), work_dir=str(work),
                  min_free_bytes=0, min_pairs_sft=16, min_pairs_dpo=32, min_pairs_reward=32, min_pairs_ppo=16,
                  device="cpu", eval_prompts=8, eval_max_new_tokens=64)
    return RetrainConfig(**{**values, **overrides})


@pytest.fixture(scope="session")
def scripted_db(tmp_path_factory) -> Path:
    """A feedback database with the scripted preference for DOMAIN (short + keyword beats long rambling)."""
    db = tmp_path_factory.mktemp("retrain-feedback") / "feedback.sqlite"
    assert write_scripted_feedback(db, DOMAIN, limit=PROMPTS) == PROMPTS
    return db


@pytest.fixture(scope="session")
def session_retrain_config(demo_model, adapter_store, scripted_db, tmp_path_factory) -> RetrainConfig:
    """Jobs that publish into the session server's adapter store."""
    return tiny_config(db=scripted_db, store=adapter_store, model_dir=demo_model.model_dir,
                       work=tmp_path_factory.mktemp("retrain-work"))


@pytest.fixture(scope="session")
def reward_job(session_retrain_config):
    """The domain's reward model, trained on the scripted pairs."""
    from loraloop.retrain.jobs import run_job

    return run_job(DOMAIN, "reward", session_retrain_config)


@pytest.fixture(scope="session")
async def dpo_job(server, reward_job, session_retrain_config):
    """A DPO version trained from v1 and loaded on the session server by the job itself (Admin.LoadAdapter)."""
    from dataclasses import replace

    from loraloop.client import LoraloopClient
    from loraloop.retrain.jobs import run_job

    assert reward_job.outcome == "published", reward_job.reason
    config = replace(session_retrain_config, server_target=f"127.0.0.1:{server.port}", admin_token=ADMIN_TOKEN,
                     parent_version=1, start_canary=True, canary_schedule=(10.0, 100.0),
                     canary_min_rated_per_step=5_000)
    progress: list[str] = []
    # In a thread: the server runs on this event loop and must keep serving while the job calls it.
    result = await asyncio.to_thread(run_job, DOMAIN, "dpo", config, on_progress=progress.append)
    # The job started a canary; note what the server reports, then roll it back at once so that other
    # tests sharing this server (rollout tests use this domain too) find no rollout running.
    # LoadAdapter pins the version into one of vLLM's max_loras slots: unload it too, so the tests after
    # these find the server's slots as they were.
    async with LoraloopClient(config.server_target, admin_token=ADMIN_TOKEN) as client:
        rollouts = list(await client.get_rollout(DOMAIN))
        if any(r.status == "running" for r in rollouts):
            await client.set_rollout(DOMAIN, "rollback", reason="retrain test over")
        await unload_if_loaded(client, f"{DOMAIN}@v{result.version}")
    return result, progress, rollouts


async def unload_if_loaded(client, key: str) -> None:
    """Unload a version that is loaded and not active (it holds one of the engine's LoRA slots)."""
    if any(a.ref == key and a.loaded and not a.active for a in await client.list_adapters()):
        await client.unload_adapter(key)


@pytest.fixture(scope="session")
async def ppo_job(reward_job, session_retrain_config):
    """A PPO version trained from v1 against the reward model."""
    from dataclasses import replace

    from loraloop.retrain.jobs import run_job

    # lr and steps sized for the 1M-parameter demo model; perplexity may rise a little more than the
    # default 10 % on this narrow reward, so the forgetting check is loosened to 20 % here.
    config = replace(session_retrain_config, parent_version=1, ppo_learning_rate=5e-4, ppo_steps=16,
                     max_perplexity_increase=0.2)
    return await asyncio.to_thread(run_job, DOMAIN, "ppo", config)


@pytest.fixture(scope="session")
def private_store(demo_model, tmp_path_factory) -> Path:
    """A copy of the demo store no server reads: for jobs that must not change the shared one."""
    root = tmp_path_factory.mktemp("retrain-private") / "adapters"
    shutil.copytree(demo_model.adapter_store, root)
    return root
