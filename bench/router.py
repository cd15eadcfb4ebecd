"""Intent routing on one CPU core: latency p50/p99 per request and requests/s, against a keyword-match baseline.

Requests come from the held-out split of the demo corpus (never trained on):
  single      each held-out user turn on its own (1 user turn)
  multi       each held-out user turn after three earlier user turns of other held-out conversations of the
              same domain, with their answers between them (4 user turns: the most context the default
              router reads)
  replay      every held-out conversation as a server sees it: one request per user turn, each resending
              the conversation so far (the turn cache serves the earlier turns)

Paths, measured in the same run on the same requests:
  router      loraloop's IntentRouter (n-gram classifier + multi-turn rules); `single` and `multi` run
              with its turn cache off, so every turn is classified; `replay` runs with the default cache
  baseline    a trivial keyword matcher: hand-written English and Chinese keywords per domain, the
              domain with most hits in the latest user turn wins, none = general

Held-out macro-F1 of both (the router's real multi-turn routing, the baseline's latest-turn rule) is
printed too: the baseline is the floor for speed, not for accuracy.

Usage: python bench/router.py [--repeat 5] [--core N] [--router FILE]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import time

# One core: BLAS/OpenMP pools to one thread before NumPy loads, and the process pinned (see main()).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

KEYWORDS = {
    "medical": ["doctor", "pain", "hurt", "fever", "symptom", "medicine", "sick", "headache", "blood", "sleep",
                "vaccine", "skin", "cough", "cold", "health", "医生", "疼", "痛", "发烧", "药", "症状", "感冒",
                "咳嗽", "健康", "睡眠"],
    "finance": ["money", "invest", "savings", "bank", "loan", "mortgage", "tax", "pension", "stock", "fund",
                "debt", "credit", "budget", "interest", "insurance", "钱", "投资", "存款", "银行", "贷款", "房贷",
                "税", "养老", "股票", "基金", "信用卡", "利息", "理财"],
    "legal": ["law", "legal", "lawyer", "contract", "court", "landlord", "rights", "sue", "police", "will",
              "divorce", "employer", "fine", "copyright", "tenant", "法律", "律师", "合同", "法院", "房东",
              "权利", "起诉", "离婚", "遗嘱", "违法", "赔偿"],
}


class KeywordRouter:
    """The baseline: count keyword hits in the latest user turn; the most hits wins, none = general."""

    domains = ("finance", "general", "legal", "medical")

    def route(self, messages):
        from loraloop.router.intent import FALLBACK_DOMAIN, Route

        text = next((m["content"] for m in reversed(messages) if m.get("role") == "user"), "").lower()
        hits = {domain: sum(word in text for word in words) for domain, words in KEYWORDS.items()}
        best = max(hits, key=hits.get)
        if hits[best] == 0:
            return Route(FALLBACK_DOMAIN, 0.0, True)
        return Route(best, hits[best] / sum(hits.values()), False)


def conversations(records):
    """Held-out conversations as message lists, and the request list for each workload."""
    rng = random.Random(0)
    by_domain = {}
    for r in records:
        by_domain.setdefault(r["domain"], []).append(r)
    single, multi, replay = [], [], []
    for r in records:
        messages = r["messages"]
        for i, m in enumerate(messages):
            if m["role"] != "user":
                continue
            single.append([m])
            replay.append(messages[:i + 1])
            others = rng.sample([o for o in by_domain[r["domain"]] if o is not r], 3)
            context = [msg for o in others for msg in o["messages"][:2]]  # user turn + its answer
            multi.append([*context, m])
    return {"single": single, "multi": multi, "replay": replay}


def measure(make_router, requests, repeat):
    """Per-request latencies (seconds) over `repeat` passes, and requests/s of one more pass, untimed per request.

    Each pass gets a router from `make_router()`: a fresh one where a pass must start with an empty cache.
    """
    latencies = []
    for _ in range(repeat):
        router = make_router()
        gc.collect()
        for messages in requests:
            start = time.perf_counter()
            router.route(messages)
            latencies.append(time.perf_counter() - start)
    router = make_router()
    gc.collect()
    start = time.perf_counter()
    for messages in requests:
        router.route(messages)
    throughput = len(requests) / (time.perf_counter() - start)
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]  # noqa: E731
    return pick(0.5), pick(0.99), throughput


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over each workload")
    parser.add_argument("--core", type=int, default=None, help="CPU core to pin to (default: the first allowed)")
    parser.add_argument("--router", default=None, help="router file to load (default: train one on the demo corpus)")
    args = parser.parse_args()
    core = args.core if args.core is not None else min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})

    import dataclasses

    from threadpoolctl import threadpool_limits

    from loraloop.config import RouterConfig
    from loraloop.demo.data import load_corpus
    from loraloop.router.evaluation import evaluate
    from loraloop.router.intent import IntentRouter
    from loraloop.router.training import train_router
    from loraloop.router.training_data import demo_data

    threadpool_limits(1)
    data = demo_data()
    if args.router:
        router = IntentRouter.load(args.router)
        train_s = float("nan")
    else:
        start = time.perf_counter()
        router, _ = train_router(data, RouterConfig())
        train_s = time.perf_counter() - start
    cold = router.with_config(dataclasses.replace(router.config, cache_turns=0))
    baseline = KeywordRouter()
    workloads = conversations(load_corpus("heldout"))
    print(f"core {core}, {len(workloads['single'])} held-out user turns, {args.repeat} passes per workload; "
          f"router trained in {train_s:.1f} s on {len(data.train)} examples")
    print(f"held-out macro-F1: router {evaluate(router, data.heldout).macro_f1:.3f}, "
          f"keyword baseline {evaluate(baseline, data.heldout).macro_f1:.3f}")
    print(f"{'workload':<10}{'path':<10}{'p50 us':>10}{'p99 us':>10}{'req/s':>12}")
    for name, requests in workloads.items():
        fresh = (lambda: router.with_config(router.config)) if name == "replay" else (lambda: cold)
        paths = {"router": fresh, "baseline": lambda: baseline}
        results = {path: measure(r, requests, args.repeat) for path, r in paths.items()}
        for path, (p50, p99, rps) in results.items():
            print(f"{name:<10}{path:<10}{p50 * 1e6:>10.1f}{p99 * 1e6:>10.1f}{rps:>12,.0f}")
        (r50, r99, rr), (b50, b99, br) = results["router"], results["baseline"]
        print(f"{'':<10}{'ratio':<10}{r50 / b50:>9.1f}x{r99 / b99:>9.1f}x{rr / br:>11.3f}x   (router / baseline)")


if __name__ == "__main__":
    main()
