"""Scores (prompt, completion) pairs with a LoRA reward model saved by TRL's RewardTrainer.

The reward model is the base loaded as `AutoModelForSequenceClassification(num_labels=1)` plus the PEFT
adapter RewardTrainer saved; that adapter must carry the scalar head (`modules_to_save=["score"]`), since
the head `from_pretrained` adds to a causal-LM checkpoint is random. Texts are built the way
RewardTrainer built its training rows: the chat template over prompt + the assistant answer, with no
generation prompt; the score is read at the last non-pad token (right padding).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import torch

from loraloop.errors import StoreError
from loraloop.retrain.ppo import check_adapter_dir
from loraloop.training_base import load_training_base, resolve_device

__all__ = ["RewardScorer"]

Messages = list[dict[str, str]]


class RewardScorer:
    """A callable `reward_fn(prompts, completions) -> tensor` backed by a TRL reward model; use `load`."""

    def __init__(self, model, tokenizer, *, batch_size: int = 16, max_length: int = 1024):
        if batch_size < 1 or max_length < 2:
            raise ValueError(f"batch_size={batch_size!r}, max_length={max_length!r}: expected >= 1 and >= 2")
        self.model = model
        self.tokenizer = tokenizer
        self.batch_size = batch_size
        self.max_length = max_length
        self.pad_token_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        # The classifier finds the last real token through config.pad_token_id; it must agree with the padding.
        model.config.pad_token_id = self.pad_token_id
        model.eval()

    @classmethod
    def load(cls, base_model_dir: str, reward_adapter_dir: str, *, tokenizer=None, device: str = "auto",
             qlora: bool = False, batch_size: int = 16, max_length: int = 1024) -> RewardScorer:
        """Base (full precision, or NF4 with `qlora` as it was trained) + the reward LoRA with its `score` head, frozen."""
        from peft import PeftModel
        from transformers import AutoTokenizer

        folder = check_adapter_dir(reward_adapter_dir, "reward_adapter_dir")
        saved = json.loads((folder / "adapter_config.json").read_text(encoding="utf-8"))
        if "score" not in (saved.get("modules_to_save") or []):
            raise StoreError(f"reward_adapter_dir {str(folder)!r}: the adapter does not save the 'score' head "
                             "(train the reward model with LoraConfig(modules_to_save=['score']))")
        base = load_training_base(base_model_dir, device=resolve_device(device), qlora=qlora,
                                  sequence_classification=True)
        model = PeftModel.from_pretrained(base, str(folder), is_trainable=False)
        if tokenizer is None:
            tokenizer = AutoTokenizer.from_pretrained(base_model_dir)
        return cls(model, tokenizer, batch_size=batch_size, max_length=max_length)

    def encode(self, prompt: Messages, completion: str) -> list[int]:
        """Token ids of one prompt + answer, as RewardTrainer tokenized its rows (the answer's end kept)."""
        messages = [*prompt, {"role": "assistant", "content": completion}]
        ids = self.tokenizer.apply_chat_template(messages, tokenize=True, return_dict=True)["input_ids"]
        return list(ids)[-self.max_length:]

    @torch.no_grad()
    def __call__(self, prompts: Sequence[Messages], completions: Sequence[str]) -> torch.Tensor:
        """One float32 score per (prompt, completion), on the CPU."""
        if len(prompts) != len(completions):
            raise ValueError(f"prompts and completions: {len(prompts)} vs {len(completions)}; expected equal lengths")
        device = next(self.model.parameters()).device
        scores = []
        for start in range(0, len(prompts), self.batch_size):
            rows = [self.encode(p, c) for p, c in zip(prompts[start:start + self.batch_size],
                                                      completions[start:start + self.batch_size])]
            width = max(len(r) for r in rows)
            input_ids = torch.tensor([r + [self.pad_token_id] * (width - len(r)) for r in rows], device=device)
            attention = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows], device=device)
            logits = self.model(input_ids=input_ids, attention_mask=attention).logits
            scores.append(logits[:, 0].float().cpu())
        return torch.cat(scores) if scores else torch.zeros(0)
