"""TRL/PEFT configs built from RetrainConfig: TRL's names, CPU settings, QLoRA batch sizing to the card."""

from loraloop.config import RetrainConfig
from loraloop.retrain.trl_configs import (
    BatchPlan,
    dpo_config,
    plan_batch,
    ppo_config,
    reward_config,
    reward_lora_config,
    sft_config,
)

GIB = 1 << 30
LLAMA_8B = dict(hidden_size=4096, intermediate_size=14336, num_layers=32, vocab_size=128256)
PLAN = BatchPlan(batch_size=4, gradient_checkpointing=False, estimated_bytes=0)


def test_cpu_configs_keep_trl_names_and_turn_off_bf16_and_checkpointing(tmp_path):
    config = RetrainConfig(beta=0.3, loss_type=("sigmoid", "sft"), dpo_learning_rate=2e-4, sft_learning_rate=3e-4,
                           max_steps=7, max_length=128, seed=5)
    dpo = dpo_config(config, device="cpu", output_dir=tmp_path, plan=PLAN)
    assert (dpo.beta, dpo.loss_type, dpo.learning_rate, dpo.max_steps) == (0.3, ["sigmoid", "sft"], 2e-4, 7)
    sft = sft_config(config, device="cpu", output_dir=tmp_path, plan=PLAN, eos_token="<|end|>")
    assert sft.completion_only_loss and sft.eos_token == "<|end|>" and sft.learning_rate == 3e-4
    reward = reward_config(config, device="cpu", output_dir=tmp_path, plan=PLAN, eos_token="<|end|>")
    for args in (dpo, sft, reward):
        assert not args.bf16 and not args.fp16 and not args.gradient_checkpointing and args.use_cpu
        assert args.max_length == 128 and args.seed == 5 and args.per_device_train_batch_size == 4
        assert args.save_strategy == "no" and args.report_to == []


def test_reward_model_lora_saves_its_scalar_head():
    head = reward_lora_config(RetrainConfig(reward_lora_r=4, reward_lora_alpha=8), ["q_proj", "v_proj"])
    assert (head.r, head.lora_alpha, head.task_type) == (4, 8, "SEQ_CLS")
    assert head.modules_to_save == ["score"] and set(head.target_modules) == {"q_proj", "v_proj"}


def test_ppo_config_maps_our_fields_and_trains_qlora_unless_turned_off():
    config = RetrainConfig(ppo_learning_rate=3e-4, ppo_steps=5, ppo_batch_size=8, ppo_mini_batch_size=4)
    cpu, cuda = ppo_config(config, device="cpu"), ppo_config(config, device="cuda")
    assert (cpu.learning_rate, cpu.steps, cpu.batch_size, cpu.mini_batch_size) == (3e-4, 5, 8, 4)
    assert cpu.qlora and cuda.qlora and not ppo_config(RetrainConfig(qlora=False), device="cpu").qlora


def test_batch_is_sized_to_the_card_and_checkpointing_only_when_it_must():
    # An 8B Llama in NF4 (3.85 GiB) on an 80 GB H100: DPO pairs of 384 tokens, fused log-prob head.
    h100 = plan_batch(free_bytes=74 * GIB, seq_len=384, sequences_per_row=2, fused_logits=True, **LLAMA_8B)
    assert not h100.gradient_checkpointing and h100.batch_size >= 8  # TRL's default is 8 rows per device
    assert h100.estimated_bytes <= 74 * GIB * 0.85
    # docs/DEPENDENCIES.md measured 73 GiB for 16 pairs without checkpointing: 16 must not be over-promised.
    assert h100.batch_size <= 16
    small = plan_batch(free_bytes=18 * GIB, seq_len=384, sequences_per_row=2, fused_logits=True, **LLAMA_8B)
    assert small.gradient_checkpointing and small.batch_size >= 4  # checkpointed, but still a real batch
    sft = plan_batch(free_bytes=74 * GIB, seq_len=384, sequences_per_row=1, fused_logits=False, **LLAMA_8B)
    assert sft.batch_size >= h100.batch_size  # one sequence per row, even with materialised logits
    capped = plan_batch(free_bytes=74 * GIB, seq_len=64, sequences_per_row=2, fused_logits=True, max_batch=10,
                        hidden_size=128, intermediate_size=512, num_layers=2, vocab_size=3072)
    assert capped.batch_size == 8 and not capped.gradient_checkpointing  # never beyond the rows there are
