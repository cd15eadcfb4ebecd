"""The thin async facade over vLLM's AsyncLLM: generation with a per-request LoRA, and LoRA cache calls."""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from loraloop import training_base
from loraloop.config import ServeConfig
from loraloop.errors import EngineUnavailable, InvalidArgument
from loraloop.quantize import cpu_flags, describe_quantization, four_bit_cpu_refusal
from loraloop.serve.engine_lifetime import mark_server_process

__all__ = ["Engine", "EngineAdapter", "GenerationChunk", "Sampling", "check_servable", "engine_kwargs", "resolve_device"]

log = logging.getLogger(__name__)


class EngineAdapter(NamedTuple):
    """One adapter version as the engine takes it: vLLM's LoRARequest fields, built only inside serve/."""

    name: str     # "domain@vN": vLLM keys its caches on it, so a name never gets new weights
    lora_id: int  # the registry's lifelong integer id for this version
    path: str


@dataclass(frozen=True, kw_only=True)
class Sampling:
    """Validated sampling settings of one request."""

    max_tokens: int
    temperature: float = 1.0
    top_p: float = 1.0
    seed: int | None = None
    stop: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class GenerationChunk:
    """New text since the previous chunk; the last chunk has `finished` and the token counts."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    finished: bool
    finish_reason: str | None


def resolve_device(config: ServeConfig) -> str:
    """`cpu` or `cuda` for a config whose device may be `auto` (one rule for serving and training)."""
    return training_base.resolve_device(config.device)


def check_servable(config: ServeConfig, model_dir: str, device: str) -> None:
    """ValueError with one line when this machine cannot serve the base (a 4-bit base on a CPU without AVX-512)."""
    if device == "cpu":
        refusal = four_bit_cpu_refusal(model_dir, config.quantization, cpu_flags())
        if refusal:
            raise ValueError(refusal)


def engine_kwargs(config: ServeConfig, model_dir: str, device: str) -> dict[str, Any]:
    """vLLM AsyncEngineArgs keyword arguments for a config, in one place (unit-tested for each quantization)."""
    check_servable(config, model_dir, device)
    dtype = config.dtype
    if dtype == "auto":
        dtype = "bfloat16" if device == "cuda" else "float32"
    kwargs: dict[str, Any] = {
        "model": model_dir,
        "tokenizer": model_dir,
        "dtype": dtype,
        "enable_lora": True,
        "max_loras": config.max_loras,
        "max_lora_rank": config.max_lora_rank,
        "max_cpu_loras": config.max_cpu_loras,
        "enforce_eager": config.enforce_eager,
        "gpu_memory_utilization": config.gpu_memory_utilization or (0.9 if device == "cuda" else 0.5),
        "max_model_len": config.max_model_len or None,
        "disable_log_stats": True,
        "seed": 0,
    }
    if config.quantization:
        kwargs["quantization"] = config.quantization
        if config.quantization == "bitsandbytes":
            # vLLM reads bitsandbytes checkpoints (or quantizes in-flight) only through this loader.
            kwargs["load_format"] = "bitsandbytes"
    return kwargs


class Engine:
    """Owns one AsyncLLM; the only place in loraloop that touches vLLM's request and LoRA types."""

    def __init__(self, llm: Any, max_model_len: int, *, quantization: str = "none",
                 generation_defaults: dict[str, Any] | None = None):
        self._llm = llm
        self.max_model_len = max_model_len
        self.quantization = quantization
        # The model's generation_config.json as vLLM reads it (ModelConfig.get_diff_sampling_param): the
        # base of every request's SamplingParams, so a field the API does not expose (top_k,
        # repetition_penalty) still follows the model, as in vLLM's own server.
        self._generation_defaults = {k: v for k, v in (generation_defaults or {}).items() if k != "max_new_tokens"}
        self.sampling_defaults = {k: float(v) for k, v in self._generation_defaults.items()
                                  if k in ("temperature", "top_p")}

    @classmethod
    def start(cls, config: ServeConfig, model_dir: str) -> Engine:
        """Start vLLM on a local model directory (spawns the engine core process)."""
        device = resolve_device(config)
        if device == "cpu":
            # The CPU backend sizes its KV cache from this variable only.
            os.environ["VLLM_CPU_KVCACHE_SPACE"] = str(config.cpu_kv_cache_gib)
        from vllm.engine.arg_utils import AsyncEngineArgs
        from vllm.v1.engine.async_llm import AsyncLLM

        kwargs = engine_kwargs(config, model_dir, device)
        quantization = describe_quantization(model_dir, config.quantization)
        log.info("starting vLLM on %s, base quantization %s: %s", device, quantization, kwargs)
        mark_server_process()  # the engine core it spawns dies with this process (serve/engine_lifetime.py)
        llm = AsyncLLM.from_engine_args(AsyncEngineArgs(**kwargs))
        model_config = llm.vllm_config.model_config
        return cls(llm, model_config.max_model_len, quantization=quantization,
                   generation_defaults=model_config.get_diff_sampling_param())

    async def generate(self, request_id: str, prompt_token_ids: list[int], sampling: Sampling,
                       adapter: EngineAdapter | None, *, stream: bool = True) -> AsyncIterator[GenerationChunk]:
        """Stream one request on `adapter`, or on the base model when it is None.

        `stream=False` asks vLLM for the final output only (RequestOutputKind.FINAL_ONLY, as vLLM's own server
        does for a non-streaming request): one chunk with the whole text instead of one per engine step.

        Cancelling the consumer aborts the request in the engine (AsyncLLM.generate does it on
        CancelledError/GeneratorExit), so a client that hangs up frees its KV cache at once.
        """
        from vllm import SamplingParams
        from vllm.exceptions import VLLMClientError
        from vllm.inputs import TokensPrompt
        from vllm.lora.request import LoRARequest
        from vllm.sampling_params import RequestOutputKind
        from vllm.v1.engine.exceptions import EngineDeadError

        params = SamplingParams(**{**self._generation_defaults, **dict(
            max_tokens=sampling.max_tokens, temperature=sampling.temperature, top_p=sampling.top_p,
            seed=sampling.seed, stop=list(sampling.stop) or None,
            output_kind=RequestOutputKind.DELTA if stream else RequestOutputKind.FINAL_ONLY,
            # Built for this request alone, so vLLM need not deep-copy it (its input processor otherwise does,
            # at ~16 % of the API process's CPU in a profile); vLLM's OpenAI server sets it for the same reason.
            skip_clone=True)})
        lora = LoRARequest(adapter.name, adapter.lora_id, adapter.path) if adapter else None
        completion_tokens = 0
        try:
            async for out in self._llm.generate(TokensPrompt(prompt_token_ids=prompt_token_ids), params,
                                                request_id, lora_request=lora):
                completion = out.outputs[0]
                completion_tokens += len(completion.token_ids)
                yield GenerationChunk(text=completion.text, prompt_tokens=len(prompt_token_ids),
                                      completion_tokens=completion_tokens, finished=out.finished,
                                      finish_reason=completion.finish_reason if out.finished else None)
        except EngineDeadError as e:
            raise EngineUnavailable("the inference engine has stopped; the server must be restarted") from e
        except (VLLMClientError, ValueError) as e:
            raise InvalidArgument("request", f"rejected by the engine: {e}") from e

    async def add_lora(self, name: str, lora_id: int, path: str) -> bool:
        """Load an adapter into the engine's LoRA cache."""
        from vllm.lora.request import LoRARequest

        return await self._llm.add_lora(LoRARequest(name, lora_id, path))

    async def remove_lora(self, lora_id: int) -> bool:
        """Drop an adapter from the engine's LoRA cache."""
        return await self._llm.remove_lora(lora_id)

    async def pin_lora(self, lora_id: int) -> bool:
        """Keep a loaded adapter from LRU eviction."""
        return await self._llm.pin_lora(lora_id)

    async def check_health(self) -> None:
        """Raise when the engine core is dead."""
        await self._llm.check_health()

    def shutdown(self) -> None:
        """Stop the engine core process."""
        if self._llm is not None:
            self._llm.shutdown()
            # Collect it now: AsyncLLM.__del__ shuts down again, which fails at interpreter exit.
            self._llm = None
            gc.collect()
