"""The training base: QLoRA (NF4, double quantization) by default, on CPU too, and the record of it."""

from __future__ import annotations

import pytest
import torch

from loraloop.training_base import compute_dtype, load_training_base, nf4_config, resolve_device, training_base


def test_nf4_config_is_the_qlora_recipe_and_keeps_output_heads_full_precision():
    bnb = nf4_config("cpu")
    assert (bnb.load_in_4bit, bnb.bnb_4bit_quant_type, bnb.bnb_4bit_use_double_quant,
            bnb.bnb_4bit_compute_dtype) == (True, "nf4", True, torch.float32)
    assert set(bnb.llm_int8_skip_modules) == {"lm_head", "score"}


def test_compute_dtype_is_fp32_on_cpu():
    assert compute_dtype("cpu") == torch.float32


def test_training_base_record_names_quantization_dtype_and_optimizer():
    assert training_base("cpu", qlora=True).as_dict() == {
        "device": "cpu", "quantization": "nf4-double-quant", "compute_dtype": "float32", "optimizer": "paged_adamw_8bit"}
    assert training_base("cpu", qlora=False).as_dict()["quantization"] == "none"


def test_resolve_device_names_a_bad_device():
    with pytest.raises(ValueError, match=r"^device='tpu'"):
        resolve_device("tpu")


def _tiny_llama(path):
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=256, hidden_size=128, intermediate_size=256, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=1, head_dim=64, tie_word_embeddings=True)
    LlamaForCausalLM(config).save_pretrained(path)
    return path


def test_qlora_base_on_cpu_is_nf4_with_double_quantization_and_a_lora_on_it_learns(tmp_path):
    import bitsandbytes as bnb
    from peft import LoraConfig, get_peft_model

    model = load_training_base(_tiny_llama(tmp_path / "tiny"), device="cpu", qlora=True)
    q_proj = model.model.layers[0].self_attn.q_proj
    assert isinstance(q_proj, bnb.nn.Linear4bit)
    assert q_proj.weight.quant_state.quant_type == "nf4" and q_proj.weight.quant_state.nested  # double quant
    peft = get_peft_model(model, LoraConfig(r=4, target_modules=["q_proj", "v_proj"]))
    optimizer = bnb.optim.PagedAdamW8bit([p for p in peft.parameters() if p.requires_grad], lr=1e-2)
    batch = torch.randint(0, 256, (4, 32))
    losses = []
    for _ in range(8):
        loss = peft(input_ids=batch, labels=batch).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    assert losses[-1] < losses[0]


def test_full_precision_base_when_qlora_is_off(tmp_path):
    model = load_training_base(_tiny_llama(tmp_path / "tiny"), device="cpu", qlora=False)
    assert type(model.model.layers[0].self_attn.q_proj) is torch.nn.Linear
    assert model.model.layers[0].self_attn.q_proj.weight.dtype == torch.float32


def test_trl_casts_trainable_weights_of_a_quantized_base_to_bf16_and_we_keep_the_cpu_compute_dtype(tmp_path):
    # The upstream behaviour keep_trainable_in_compute_dtype works around (TRL 1.16 RewardTrainer on QLoRA).
    from datasets import Dataset
    from peft import LoraConfig
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast
    from trl import RewardConfig, RewardTrainer

    from loraloop.training_base import CPU_TRAINING_ARGS, keep_trainable_in_compute_dtype

    _tiny_llama(tmp_path / "tiny")
    vocab = {"<pad>": 0, "<unk>": 1, "</s>": 2, **{f"w{i}": i + 3 for i in range(200)}}
    words = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    words.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=words, pad_token="<pad>", unk_token="<unk>", eos_token="</s>")
    base = load_training_base(tmp_path / "tiny", device="cpu", qlora=True, sequence_classification=True)
    base.config.pad_token_id = 0
    data = Dataset.from_list([{"chosen": "w1 w2 w3", "rejected": "w4 w5"}] * 4)
    trainer = RewardTrainer(model=base, args=RewardConfig(output_dir=str(tmp_path / "out"), report_to="none",
                                                          max_steps=1, per_device_train_batch_size=2,
                                                          **CPU_TRAINING_ARGS),
                            train_dataset=data, processing_class=tokenizer,
                            peft_config=LoraConfig(r=4, target_modules=["q_proj"], task_type="SEQ_CLS",
                                                   modules_to_save=["score"]))
    trainable = [p for p in trainer.model.parameters() if p.requires_grad]
    assert trainable and all(p.dtype == torch.bfloat16 for p in trainable)  # TRL's cast: the bug
    assert keep_trainable_in_compute_dtype(trainer.model, "cpu") == len(trainable)
    assert all(p.dtype == torch.float32 for p in trainable)
    trainer.train()  # with the score head in bf16 this raised "expected m1 and m2 to have the same dtype"


def _input_grad_after_an_inference_call(layer) -> torch.Tensor | None:
    """Run `layer` once in eval mode under no_grad (a PPO rollout), then train through it: the input's gradient."""
    layer.eval()
    with torch.no_grad():
        layer(torch.randn(3, 128))
    layer.train()
    x = torch.randn(3, 128, requires_grad=True)
    layer(x).sum().backward()
    return x.grad


def test_bitsandbytes_repacks_nf4_for_inference_and_drops_the_gradient_and_we_keep_it(tmp_path):
    # The upstream bug keep_nf4_layers_differentiable works around (bitsandbytes 0.50.2, AVX512-BF16 CPUs only).
    import bitsandbytes as bnb
    from bitsandbytes.functional import has_avx512bf16

    from loraloop.training_base import keep_nf4_layers_differentiable

    def nf4_layer() -> bnb.nn.Linear4bit:
        torch.manual_seed(0)
        layer = bnb.nn.Linear4bit(128, 128, bias=False, compute_dtype=torch.float32, quant_type="nf4")
        layer.weight = bnb.nn.Params4bit(torch.randn(128, 128), requires_grad=False, quant_type="nf4")
        return layer.to("cpu")

    if has_avx512bf16():
        untouched = nf4_layer()
        assert _input_grad_after_an_inference_call(untouched) is None  # the bug: the base's gradient is gone
        assert untouched.weight.quant_state.packing_format_for_cpu
    model = load_training_base(_tiny_llama(tmp_path / "tiny"), device="cpu", qlora=True)
    assert keep_nf4_layers_differentiable(model) == 7  # every projection of the one layer, already done at load
    kept = nf4_layer()
    keep_nf4_layers_differentiable(torch.nn.Sequential(kept))
    grad = _input_grad_after_an_inference_call(kept)
    expected = bnb.functional.dequantize_4bit(kept.weight.data, kept.weight.quant_state).sum(0)
    assert grad is not None and torch.allclose(grad, expected.expand(3, -1), atol=1e-4)
    assert not getattr(kept.weight.quant_state, "packing_format_for_cpu", False)
