"""Intent routing on the demo corpus: held-out accuracy, fallback to the base model, multi-turn rules."""

from __future__ import annotations

import dataclasses
import threading

import pytest

from loraloop.router.evaluation import evaluate
from loraloop.router.intent import FALLBACK_DOMAIN, Route
from tests.router.intent_helpers import demo_router, turns

DOMAINS = ("medical", "finance", "legal")
VAGUE = ("and what about the side effects?", "can you say more?", "谢谢，还有呢？")
SWITCHES = {"finance": "now a question about my mortgage", "legal": "now a question about my landlord and the lease"}


def with_rules(**changes):
    router, _, _ = demo_router()
    return router.with_config(dataclasses.replace(router.config, **changes))


def openings():
    """Held-out first turns that the router alone puts in a domain (the start of a domain conversation)."""
    router, _, data = demo_router()
    return [e for e in data.heldout if len(e.turns) == 1 and e.domain in DOMAINS
            and router.route(e.messages()).domain == e.domain]


def test_heldout_macro_f1_on_the_demo_corpus_is_at_least_0_9():
    router, report, data = demo_router()
    assert set(router.domains) == {"medical", "finance", "legal", "general"}
    assert report.cases == len(data.heldout) > 150
    assert report.macro_f1 >= 0.9, report
    assert all(s.recall >= 0.8 for s in report.per_domain), report.per_domain
    # the report counts what the router does: rebuild the diagonal from single routes
    correct = sum(router.route(e.messages()).domain == e.domain for e in data.heldout)
    assert sum(report.confusion[i][i] for i in range(len(report.labels))) == correct


def test_below_min_confidence_the_base_model_answers():
    router, _, data = demo_router()
    strict = with_rules(min_confidence=0.99)
    fell_back = 0
    for example in data.heldout:
        normal, route = router.route(example.messages()), strict.route(example.messages())
        assert route.confidence == pytest.approx(normal.confidence)
        if route.confidence < 0.99:
            fell_back += 1
            assert route == Route(FALLBACK_DOMAIN, route.confidence, True)
        else:
            assert route == normal
    assert fell_back > len(data.heldout) // 2


def test_text_with_no_known_ngram_gets_the_prior_and_the_base_model():
    router, _, _ = demo_router()
    runes, emoji = router.scores("ᚠᚢᚦ ᚨᚱᚲ"), router.scores("🦜🦜 🪐")
    assert runes == pytest.approx(emoji)  # nothing known: both are the model's prior
    assert max(runes.values()) < 0.5
    route = router.route(turns("ᚠᚢᚦ ᚨᚱᚲ"))
    assert route.domain == FALLBACK_DOMAIN
    assert with_rules(min_confidence=0.5).route(turns("ᚠᚢᚦ ᚨᚱᚲ")).fallback


def test_a_conversation_without_a_user_turn_goes_to_the_base_model():
    router, _, _ = demo_router()
    assert router.route([{"role": "system", "content": "Be brief."}]) == Route(FALLBACK_DOMAIN, 0.0, True)
    assert router.route([]) == Route(FALLBACK_DOMAIN, 0.0, True)


@pytest.mark.parametrize("follow_up", VAGUE)
def test_a_vague_follow_up_stays_in_the_conversations_domain(follow_up):
    router, _, _ = demo_router()
    cases = openings()
    assert len(cases) > 60
    stayed = [router.route(turns(e.text, follow_up)).domain == e.domain for e in cases]
    assert sum(stayed) / len(stayed) >= 0.95
    # ... which is the context's doing: on its own the follow-up goes elsewhere for some of those domains
    alone = router.route(turns(follow_up)).domain
    assert any(e.domain != alone for e in cases)


def test_without_context_a_vague_follow_up_is_routed_on_its_own():
    router, _, _ = demo_router()
    no_context = with_rules(context_turns=0)
    opening = "My tooth has hurt for three days. What should I do?"
    assert router.route(turns(opening)).domain == "medical"
    assert router.route(turns(opening, "谢谢，还有呢？")).domain == "medical"
    assert no_context.route(turns(opening, "谢谢，还有呢？")) == router.route(turns("谢谢，还有呢？"))
    assert no_context.route(turns(opening, "谢谢，还有呢？")).domain != "medical"


@pytest.mark.parametrize("domain", sorted(SWITCHES))
def test_a_clear_switch_changes_the_domain(domain):
    router, _, _ = demo_router()
    cases = [e for e in openings() if e.domain != domain]
    switched = [router.route(turns(e.text, SWITCHES[domain])).domain == domain for e in cases]
    assert sum(switched) / len(switched) >= 0.95


def test_corpus_follow_ups_route_better_with_context_than_alone():
    router, _, data = demo_router()
    no_context = with_rules(context_turns=0)
    follow_ups = [e for e in data.heldout if len(e.turns) == 2]
    assert len(follow_ups) >= 20
    with_context = sum(router.route(e.messages()).domain == e.domain for e in follow_ups)
    alone = sum(no_context.route(e.messages()).domain == e.domain for e in follow_ups)
    assert with_context >= 0.85 * len(follow_ups)
    assert with_context > alone


def test_small_talk_keeps_the_domain_until_it_leaves_the_context_window():
    router, _, _ = demo_router()  # context_turns=3
    opening = "Can my landlord keep my deposit without a reason?"
    chat = ["recommend a movie for tonight", "how do I make pancakes", "tell me a joke about cats",
            "what is a good hobby for the weekend"]
    assert router.route(turns(opening)).domain == "legal"
    assert all(router.route(turns(t)).domain == FALLBACK_DOMAIN for t in chat)
    assert router.route(turns(opening, *chat[:3])).domain == "legal"
    assert router.route(turns(opening, *chat)).domain == FALLBACK_DOMAIN


def test_assistant_turns_do_not_count():
    router, _, _ = demo_router()
    plain = [{"role": "user", "content": "My tooth hurts."}, {"role": "user", "content": "can you say more?"}]
    noisy = [{"role": "user", "content": "My tooth hurts."},
             {"role": "assistant", "content": "Financially speaking, index funds and bonds and pensions."},
             {"role": "user", "content": "can you say more?"}]
    assert router.route(noisy) == router.route(plain)


def test_a_long_turn_is_read_at_its_start_and_end():
    router, _, _ = demo_router()
    question = "My tooth has hurt for three days. What should I do?"
    pasted = "ᚠᚢᚦ " * 50_000  # nothing the classifier knows: on its own it routes to the base model
    assert router.route(turns(pasted)).domain == FALLBACK_DOMAIN
    assert router.route(turns(pasted + question)).domain == "medical"
    assert router.route(turns(question + " " + pasted)).domain == "medical"
    lost_in_the_middle = "ᚠᚢᚦ " * 1000 + question + " " + pasted
    assert router.route(turns(lost_in_the_middle)).domain == FALLBACK_DOMAIN


def test_routing_from_many_threads_gives_the_sequential_answers():
    router, _, data = demo_router()
    cold = router.with_config(router.config)  # a fresh cache, so the threads really classify
    conversations = [e.messages() for e in data.heldout]
    expected = [router.route(m) for m in conversations]
    results: dict[int, list[Route]] = {}

    def work(worker: int) -> None:
        results[worker] = [cold.route(m) for m in (conversations if worker % 2 else conversations[::-1])]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for worker, routes in results.items():
        assert routes == (expected if worker % 2 else expected[::-1])


def test_the_turn_cache_does_not_change_routes():
    router, _, data = demo_router()
    uncached = with_rules(cache_turns=0)
    assert evaluate(uncached, data.heldout) == evaluate(router, data.heldout)
