"""Test-side measurements of published adapters, written independently of loraloop.retrain.evaluate.

One prompt at a time, plain text through the chat template, no batching or padding: slow but simple enough
to trust when it disagrees with the job's own metrics.
"""

from __future__ import annotations

from pathlib import Path

import torch

__all__ = ["answer_logprob", "greedy", "load_adapters", "load_reward_model", "reward", "sample"]


def load_adapters(model_dir: Path, adapters: dict[str, Path]):
    """Tokenizer and one PeftModel holding each named adapter folder (fp32, eval mode)."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    base = AutoModelForCausalLM.from_pretrained(model_dir, dtype="float32")
    (first, path), *rest = adapters.items()
    model = PeftModel.from_pretrained(base, str(path), adapter_name=first)
    for name, path in rest:
        model.load_adapter(str(path), adapter_name=name)
    model.eval()
    return tokenizer, model


@torch.no_grad()
def answer_logprob(model, tokenizer, prompt: list[dict[str, str]], answer: str) -> tuple[float, int]:
    """(sum of log p(answer token), answer tokens) under the active adapter; the answer closes with EOS."""
    prefix = tokenizer.apply_chat_template(prompt, add_generation_prompt=True, tokenize=False)
    prefix_ids = tokenizer(prefix, add_special_tokens=False)["input_ids"]
    answer_ids = tokenizer(answer + tokenizer.eos_token, add_special_tokens=False)["input_ids"]
    ids = torch.tensor([prefix_ids + answer_ids])
    logprobs = torch.log_softmax(model(input_ids=ids).logits[0, :-1].float(), -1)
    targets = ids[0, 1:]
    picked = logprobs[torch.arange(len(targets)), targets][len(prefix_ids) - 1:]
    return float(picked.sum()), len(answer_ids)


@torch.no_grad()
def greedy(model, tokenizer, prompts: list[list[dict[str, str]]], *, max_new_tokens: int = 96) -> list[str]:
    """Greedy answers under the active adapter, one prompt at a time."""
    out = []
    for prompt in prompts:
        text = tokenizer.apply_chat_template(prompt, add_generation_prompt=True, tokenize=False)
        ids = tokenizer(text, add_special_tokens=False, return_tensors="pt")["input_ids"]
        generated = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), do_sample=False,
                                   max_new_tokens=max_new_tokens, eos_token_id=tokenizer.eos_token_id,
                                   pad_token_id=tokenizer.pad_token_id)
        out.append(tokenizer.decode(generated[0, ids.shape[1]:], skip_special_tokens=True).strip())
    return out


def load_reward_model(model_dir: Path, reward_dir: Path):
    """Tokenizer and the reward model: the base as a 1-label classifier plus the saved LoRA and score head."""
    from peft import PeftModel
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    base = AutoModelForSequenceClassification.from_pretrained(model_dir, num_labels=1, dtype="float32")
    base.config.pad_token_id = tokenizer.pad_token_id
    model = PeftModel.from_pretrained(base, str(reward_dir))
    model.eval()
    return tokenizer, model


@torch.no_grad()
def reward(model, tokenizer, prompt: list[dict[str, str]], answer: str) -> float:
    """The reward model's score of one answer (the whole conversation through the chat template, no padding)."""
    text = tokenizer.apply_chat_template([*prompt, {"role": "assistant", "content": answer}], tokenize=False)
    ids = tokenizer(text, add_special_tokens=False, return_tensors="pt")["input_ids"]
    return float(model(input_ids=ids).logits[0, 0])


@torch.no_grad()
def sample(model, tokenizer, prompt: list[dict[str, str]], *, n: int, temperature: float, seed: int,
           max_new_tokens: int = 64) -> list[str]:
    """n sampled answers to one prompt under the active adapter (seeded)."""
    torch.manual_seed(seed)
    text = tokenizer.apply_chat_template(prompt, add_generation_prompt=True, tokenize=False)
    ids = tokenizer(text, add_special_tokens=False, return_tensors="pt")["input_ids"].repeat(n, 1)
    generated = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), do_sample=True, top_k=0,
                               top_p=1.0, temperature=temperature, max_new_tokens=max_new_tokens,
                               eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    return [tokenizer.decode(row[ids.shape[1]:], skip_special_tokens=True).strip() for row in generated]
