"""Greedy answers from offline vLLM (`vllm.LLM`), for comparison with the server.

Usage: python offline_vllm.py MODEL_DIR REQUESTS_JSON  -> prints a JSON list of texts.
REQUESTS_JSON: [{"prompt_token_ids": [...], "max_tokens": N, "adapter": null | [name, id, path]}, ...]
"""

import json
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from vllm import LLM, SamplingParams
    from vllm.inputs import TokensPrompt
    from vllm.lora.request import LoRARequest

    model_dir, requests_path = sys.argv[1], sys.argv[2]
    with open(requests_path) as f:
        requests = json.load(f)
    llm = LLM(model=model_dir, enable_lora=True, max_loras=4, max_lora_rank=16, max_cpu_loras=8, dtype="float32",
              enforce_eager=True, gpu_memory_utilization=0.5, seed=0)
    texts = []
    for r in requests:  # one at a time: no batching effects in the reference
        lora = LoRARequest(*r["adapter"]) if r["adapter"] else None
        out = llm.generate([TokensPrompt(prompt_token_ids=r["prompt_token_ids"])],
                           SamplingParams(max_tokens=r["max_tokens"], temperature=0.0), lora_request=lora)
        texts.append(out[0].outputs[0].text)
    print("RESULT " + json.dumps(texts))
