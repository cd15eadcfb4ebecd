"""PPO on the demo model: argument building, bad input, and end-to-end runs whose held-out reward must rise.

The end-to-end tests train the medical v1 adapter with PPO, then sample answers to the corpus's HELD-OUT
medical prompts from the parent and from the trained adapter with the same sampling seed, and compare
mean rewards. They train (about 30 s each on 2 cores): run them under the heavy-job lock,
`flock /tmp/loraloop-heavy.lock pytest tests/retrain/test_ppo.py -q`.
"""

from __future__ import annotations

import itertools
import json
import math

import pytest
import torch

from loraloop.config import PPOJobConfig
from loraloop.demo.data import load_corpus
from loraloop.errors import StoreError
from loraloop.retrain.ppo import (
    ValueHead,
    check_adapter_dir,
    generate_completions,
    resolve_device,
    train_ppo,
)
from loraloop.retrain.reward_scorer import RewardScorer

DOMAIN = "medical"
KEYWORD = "doctor"
LOG_KEYS = {"step", "reward_mean", "kl", "kl_coef", "policy_loss", "value_loss", "entropy", "clipfrac", "approx_kl"}
EVAL_SEED = 123
EVAL_SAMPLES_PER_PROMPT = 4
EVAL_MAX_NEW_TOKENS = 32


def prompts(split: str) -> list[list[dict]]:
    """The medical corpus conversations of one split, without their final answer."""
    return [r["messages"][:-1] for r in load_corpus(split) if r["domain"] == DOMAIN]


def keyword_reward(prompts, completions) -> torch.Tensor:
    """+1 when the answer names the keyword, minus 0.02 per word (so padding the answer does not pay)."""
    return torch.tensor([float(KEYWORD in c.lower()) - 0.02 * len(c.split()) for c in completions])


def demo_paths(demo_model):
    return str(demo_model.model_dir), str(demo_model.adapter_store / DOMAIN / "v1")


def tokenizer_of(demo_model):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(demo_model.model_dir)


def held_out_answers(demo_model, adapter_dir: str, held_out: list[list[dict]]) -> list[str]:
    """Sampled answers of one adapter to the held-out prompts, with the same sampling seed for every adapter."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(demo_model.model_dir, dtype=torch.float32)
    model = PeftModel.from_pretrained(base, adapter_dir).eval()
    return generate_completions(model, tokenizer_of(demo_model), held_out, max_new_tokens=EVAL_MAX_NEW_TOKENS,
                                temperature=0.7, seed=EVAL_SEED)


def assert_saved_adapter_is_new_and_loadable(result, parent_dir: str) -> None:
    """Same files and tensor names as the parent (what vLLM loads), different weights, value head kept apart."""
    from safetensors.torch import load_file

    assert {"adapter_config.json", "adapter_model.safetensors"} <= {p.name for p in result.adapter_dir.iterdir()}
    assert not (result.adapter_dir / "value_head.safetensors").exists()
    assert result.value_head_path.is_file()
    parent = load_file(f"{parent_dir}/adapter_model.safetensors")
    trained = load_file(result.adapter_dir / "adapter_model.safetensors")
    assert trained.keys() == parent.keys()
    changed = [k for k in parent if not torch.equal(parent[k], trained[k])]
    assert len(changed) >= len(parent) // 2, f"only {len(changed)} of {len(parent)} tensors changed"
    saved = json.loads((result.adapter_dir / "adapter_config.json").read_text())
    original = json.loads((check_adapter_dir(parent_dir, "parent") / "adapter_config.json").read_text())
    assert (saved["r"], sorted(saved["target_modules"])) == (original["r"], sorted(original["target_modules"]))


def assert_kl_controlled(result, config: PPOJobConfig) -> None:
    """KL starts at 0 (reference == parent), stays bounded, and the coefficient follows the observed KL."""
    history = result.history
    # Policy and reference are the same parent weights before the first update: the k1 estimate is exactly 0.
    # (Were the reference the bare base, this would be far from 0.)
    assert history[0]["kl"] == pytest.approx(0.0, abs=1e-4)
    assert max(r["kl"] for r in history) < 4 * config.target_kl
    for before, after in itertools.pairwise(history):
        # Ziegler's update with the step's KL over batch_size answers: it rises above target, falls below.
        error = min(max(before["kl"] / config.target_kl - 1, -0.2), 0.2)
        expected = before["kl_coef"] * (1 + error * config.batch_size / config.kl_horizon)
        assert after["kl_coef"] == pytest.approx(expected, rel=1e-6)
    assert result.metrics["kl_coef"] != config.init_kl_coef


# ---------------------------------------------------------------- fast unit tests (no model)


def test_resolve_device_refuses_cuda_without_a_gpu_and_unknown_names():
    assert resolve_device("cpu") == torch.device("cpu")
    with pytest.raises(ValueError, match=r"^device='tpu'"):
        resolve_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA device"):
            resolve_device("cuda")


@pytest.mark.parametrize("field, value", [
    ("mini_batch_size", 5), ("batch_size", 0), ("cliprange", 0.0), ("cliprange_value", -1.0), ("gamma", 1.5),
    ("lam", -0.1), ("temperature", 0.0), ("target_kl", float("inf")), ("init_kl_coef", -0.1), ("kl_horizon", 0),
    ("kl_estimator", "k2"), ("device", "tpu"), ("steps", 0), ("learning_rate", 0.0),
])
def test_ppo_job_config_names_the_bad_field(field, value):
    with pytest.raises(ValueError, match=f"^{field}="):
        PPOJobConfig(**{field: value})


def test_ppo_job_config_trains_qlora_by_default_on_cpu_too():
    assert PPOJobConfig(device="cpu").qlora is True and PPOJobConfig(device="cpu", qlora=False).qlora is False


def test_value_head_starts_at_zero_and_maps_hidden_to_scalar():
    head = ValueHead(4)
    assert head(torch.randn(2, 3, 4)).tolist() == [[0.0] * 3] * 2


def test_check_adapter_dir_names_what_is_missing(tmp_path):
    (tmp_path / "adapter_config.json").write_text("{}")
    with pytest.raises(StoreError, match=r"missing adapter_model.safetensors"):
        check_adapter_dir(tmp_path, "parent_adapter_dir")


# ---------------------------------------------------------------- bad input on the demo model


def test_missing_parent_adapter_fails_before_training(demo_model, tmp_path):
    base, _ = demo_paths(demo_model)
    with pytest.raises(StoreError, match="parent_adapter_dir"):
        train_ppo(base_model_dir=base, parent_adapter_dir=str(tmp_path / "nope"), prompts=prompts("train"),
                  reward_fn=keyword_reward, config=PPOJobConfig(device="cpu", steps=1), output_dir=str(tmp_path / "o"))


@pytest.mark.parametrize("bad, match", [([], "at least one"), ([[]], r"prompts\[0\]"),
                                        ([[{"content": "x"}]], r"prompts\[0\]")])
def test_bad_prompts_are_refused(demo_model, tmp_path, bad, match):
    base, parent = demo_paths(demo_model)
    with pytest.raises(ValueError, match=match):
        train_ppo(base_model_dir=base, parent_adapter_dir=parent, prompts=bad, reward_fn=keyword_reward,
                  config=PPOJobConfig(device="cpu", steps=1), output_dir=str(tmp_path))


@pytest.mark.parametrize("reward_fn, match", [
    (lambda p, c: torch.zeros(len(c) + 1), "5 scores for 4 answers"),
    (lambda p, c: torch.full((len(c),), math.nan), "non-finite"),
])
def test_bad_rewards_are_refused(demo_model, tmp_path, reward_fn, match):
    base, parent = demo_paths(demo_model)
    config = PPOJobConfig(device="cpu", steps=1, batch_size=4, mini_batch_size=2, max_new_tokens=4)
    with pytest.raises(ValueError, match=match):
        train_ppo(base_model_dir=base, parent_adapter_dir=parent, prompts=prompts("train"), reward_fn=reward_fn,
                  config=config, output_dir=str(tmp_path), progress=False)


def test_reward_scorer_refuses_an_adapter_without_a_score_head(demo_model):
    base, parent = demo_paths(demo_model)  # a causal-LM adapter: no modules_to_save=["score"]
    with pytest.raises(StoreError, match="'score' head"):
        RewardScorer.load(base, parent, device="cpu")


def test_on_step_sees_every_step_and_can_stop_the_run(demo_model, tmp_path):
    base, parent = demo_paths(demo_model)
    config = PPOJobConfig(device="cpu", steps=3, batch_size=4, mini_batch_size=2, max_new_tokens=6, ppo_epochs=1)
    seen = []

    def stop_after_two(record):
        seen.append(record)
        if record["step"] == 2:
            raise RuntimeError("cancelled")

    with pytest.raises(RuntimeError, match="cancelled"):
        train_ppo(base_model_dir=base, parent_adapter_dir=parent, prompts=prompts("train"), reward_fn=keyword_reward,
                  config=config, output_dir=str(tmp_path), on_step=stop_after_two, progress=False)
    assert [r["step"] for r in seen] == [1, 2]
    assert set(seen[0]) >= LOG_KEYS
    assert len((tmp_path / "ppo_log.jsonl").read_text().splitlines()) == 2
    assert not (tmp_path / "adapter").exists()  # nothing to publish from a stopped run


# ---------------------------------------------------------------- end to end


def test_ppo_raises_held_out_keyword_reward_over_the_parent(demo_model, tmp_path):
    base, parent = demo_paths(demo_model)
    config = PPOJobConfig(device="cpu", learning_rate=1e-3, batch_size=16, mini_batch_size=8, ppo_epochs=4, steps=25,
                          max_new_tokens=32, temperature=0.7, init_kl_coef=0.1, target_kl=3.0, kl_horizon=16, seed=0)
    result = train_ppo(base_model_dir=base, parent_adapter_dir=parent, prompts=prompts("train"),
                       reward_fn=keyword_reward, config=config, output_dir=str(tmp_path), progress=False)

    assert result.steps == config.steps
    logged = [json.loads(line) for line in result.log_path.read_text().splitlines()]
    assert len(logged) == config.steps and set(logged[-1]) >= LOG_KEYS
    assert_saved_adapter_is_new_and_loadable(result, parent)
    assert_kl_controlled(result, config)

    held_out = prompts("heldout") * EVAL_SAMPLES_PER_PROMPT
    parent_answers = held_out_answers(demo_model, parent, held_out)
    trained_answers = held_out_answers(demo_model, str(result.adapter_dir), held_out)
    parent_reward = keyword_reward(None, parent_answers).mean().item()
    trained_reward = keyword_reward(None, trained_answers).mean().item()
    print(f"keyword reward on held-out prompts: parent {parent_reward:.3f}, trained {trained_reward:.3f}; "
          f"kl per step: {[round(r['kl'], 2) for r in result.history]}, final kl_coef {result.metrics['kl_coef']:.4f}")
    # Measured once: parent about -0.04, trained about +0.17 over 168 held-out samples (sd about 0.35 each).
    assert trained_reward > parent_reward + 0.08, (parent_reward, trained_reward)


DOCTOR_CLOSING = "If symptoms persist, please see a doctor."


def english_records(split: str) -> list[dict]:
    return [r for r in load_corpus(split) if r["domain"] == DOMAIN and r["lang"] == "en"]


def scripted_pair(record: dict) -> dict:
    """chosen = the answer's first sentence + a see-a-doctor closing; rejected = two sentences, no closing."""
    sentences = [s for s in record["messages"][-1]["content"].split(". ") if KEYWORD not in s.lower()]
    first = sentences[0].rstrip(".") + "."
    return {"prompt": record["messages"][:-1],
            "chosen": [{"role": "assistant", "content": f"{first} {DOCTOR_CLOSING}"}],
            "rejected": [{"role": "assistant", "content": ". ".join(sentences[:2]).rstrip(".") + "."}]}


@pytest.fixture(scope="module")
def reward_model_dir(demo_model, tmp_path_factory) -> str:
    """A LoRA reward model trained with TRL's RewardTrainer on scripted pairs (English medical train split)."""
    from datasets import Dataset
    from peft import LoraConfig
    from trl import RewardConfig, RewardTrainer

    from loraloop.training_base import LORA_TARGETS

    work = tmp_path_factory.mktemp("reward")
    args = RewardConfig(output_dir=str(work / "run"), num_train_epochs=2, per_device_train_batch_size=16,
                        learning_rate=1e-3, max_length=256, seed=0, save_strategy="no", report_to="none",
                        disable_tqdm=True, use_cpu=True, bf16=False, fp16=False, gradient_checkpointing=False,
                        dataloader_num_workers=0)
    lora = LoraConfig(r=8, lora_alpha=16, lora_dropout=0.0, target_modules=LORA_TARGETS, task_type="SEQ_CLS",
                      modules_to_save=["score"])
    trainer = RewardTrainer(model=str(demo_model.model_dir), args=args, processing_class=tokenizer_of(demo_model),
                            train_dataset=Dataset.from_list([scripted_pair(r) for r in english_records("train")]),
                            peft_config=lora)
    trainer.train()
    trainer.model.save_pretrained(work / "model")
    return str(work / "model")


def test_reward_scorer_ranks_held_out_pairs_like_the_trained_reward_model(demo_model, reward_model_dir):
    scorer = RewardScorer.load(str(demo_model.model_dir), reward_model_dir, device="cpu", batch_size=8)
    pairs = [scripted_pair(r) for r in english_records("heldout")]
    prompts_ = [p["prompt"] for p in pairs]
    chosen = scorer(prompts_, [p["chosen"][0]["content"] for p in pairs])
    rejected = scorer(prompts_, [p["rejected"][0]["content"] for p in pairs])
    assert chosen.shape == rejected.shape == (len(pairs),) and chosen.dtype == torch.float32
    # If RewardScorer formatted texts differently from RewardTrainer, the ranking would fall towards chance.
    assert (chosen > rejected).float().mean().item() >= 0.9
    with pytest.raises(ValueError, match="2 vs 1"):
        scorer(prompts_[:2], ["only one"])


def test_ppo_with_a_trl_reward_model_raises_its_held_out_score(demo_model, reward_model_dir, tmp_path):
    base, parent = demo_paths(demo_model)
    scorer = RewardScorer.load(base, reward_model_dir, device="cpu")
    # The reward model's scores spread about 4x wider than keyword_reward's (sd ~1.9), so the KL penalty starts
    # twice as strong: at 0.1 the guard-trained demo (build 3) overshot to KL 14.9 before the controller caught up.
    config = PPOJobConfig(device="cpu", learning_rate=1e-3, batch_size=16, mini_batch_size=8, ppo_epochs=4, steps=25,
                          max_new_tokens=32, temperature=0.7, init_kl_coef=0.2, target_kl=3.0, kl_horizon=16, seed=0)
    train_prompts = [r["messages"][:-1] for r in english_records("train")]
    result = train_ppo(base_model_dir=base, parent_adapter_dir=parent, prompts=train_prompts, reward_fn=scorer,
                       config=config, output_dir=str(tmp_path), progress=False)
    assert_saved_adapter_is_new_and_loadable(result, parent)
    assert_kl_controlled(result, config)

    held_out = [r["messages"][:-1] for r in english_records("heldout")] * 2 * EVAL_SAMPLES_PER_PROMPT
    rewards = {name: scorer(held_out, held_out_answers(demo_model, adapter_dir, held_out)).mean().item()
               for name, adapter_dir in (("parent", parent), ("trained", str(result.adapter_dir)))}
    print(f"reward model score on held-out prompts: {rewards}; kl per step: {[round(r['kl'], 2) for r in result.history]}")
    # Measured once: parent about 0.51, trained about 2.64 (168 samples; the parent's scores have sd about 1.9).
    assert rewards["trained"] > rewards["parent"] + 1.0, rewards
