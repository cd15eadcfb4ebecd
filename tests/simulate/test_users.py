"""The user model: preference scores, noisy reactions at realistic rates, and seeded determinism."""

from __future__ import annotations

import random

import pytest

from loraloop.config import SimulateConfig
from loraloop.simulate.sessions import make_users, request_seed
from loraloop.simulate.users import effective_length, parse_preference, react

SHORT = "Keep an emergency fund."
LONG = ("Financially speaking, an emergency fund is money set aside for surprises, and most people aim for three "
        "to six months of expenses in an easy access account that pays some interest, which you top up monthly.")


def test_concise_prefers_short_answers():
    concise = parse_preference("concise")
    assert concise.score(SHORT) > 0.8 > 0.2 > concise.score(LONG)
    assert concise.score("") == 1.0


def test_cjk_characters_count_double_for_length():
    assert effective_length("abc") == 3 and effective_length("理财abc") == 7


def test_safety_prefers_a_caveat_and_dislike_a_phrase():
    safety = parse_preference("safety")
    assert safety.score(LONG + " This is not investment advice.") > 0.5 > safety.score(LONG)
    dislike = parse_preference("dislike:Financially speaking")
    assert dislike.name == "dislike:Financially speaking"
    assert dislike.score("financially SPEAKING, no.") < 0.5 < dislike.score(SHORT)


@pytest.mark.parametrize("text", ["", "terse", "dislike", "dislike:", "dislike:  ", "concise:x", "Concise"])
def test_bad_preferences_are_refused(text):
    with pytest.raises(ValueError, match="preference"):
        parse_preference(text)
    with pytest.raises(ValueError, match="preference"):
        SimulateConfig(preference=text)


def test_reactions_follow_the_hidden_score_with_most_answers_unrated():
    config = SimulateConfig(rate_prob=0.3, noise=0.1)
    concise, rng = parse_preference("concise"), random.Random(1)
    short = [react(concise, SHORT, rng, config) for _ in range(2000)]
    long = [react(concise, LONG, rng, config) for _ in range(2000)]
    rated = sum(r.thumbs != 0 for r in short + long) / 4000
    assert 0.25 < rated < 0.35  # about rate_prob: most answers stay unrated
    up = lambda rs: sum(r.thumbs > 0 for r in rs) / sum(r.thumbs != 0 for r in rs)  # noqa: E731
    assert up(short) > 0.9 and up(long) < 0.1
    assert not any(r.regenerate for r in short) and sum(r.regenerate for r in long) > 500  # unhappy users regenerate
    assert sum(r.copy for r in short) > 300 and not any(r.copy for r in long)               # very happy ones copy
    assert sum(r.follow_up for r in long) < 10 < sum(r.follow_up for r in short)  # satisfied ones go on
    # Dwell per character: happy readers clear the pair builder's positive margin (40 ms/char), unhappy ones
    # fall under its negative one (8 ms/char).
    assert all(r.dwell_ms / len(SHORT) >= 40 for r in short if r.dwell_ms and r.satisfaction > 0.8)
    assert all(r.dwell_ms / len(LONG) <= 8 for r in long if r.dwell_ms and r.satisfaction < 0.05)


def test_reactions_respect_the_regenerate_and_follow_up_limits():
    config = SimulateConfig(regenerate_prob=1.0, follow_up_prob=1.0, noise=0.0)
    concise = parse_preference("concise")
    assert not react(concise, LONG, random.Random(0), config, can_regenerate=False).regenerate
    assert react(concise, LONG, random.Random(0), config).regenerate
    assert not react(concise, SHORT, random.Random(0), config, can_follow_up=False).follow_up
    assert react(concise, SHORT, random.Random(0), config).follow_up


def test_the_population_and_request_seeds_replay_with_the_seed():
    a, b = make_users(SimulateConfig(users=5, seed=3)), make_users(SimulateConfig(users=5, seed=3))
    assert [u.id for u in a] == [u.id for u in b] and len({u.id for u in a}) == 5
    assert [u.rng.random() for u in a] == [u.rng.random() for u in b]
    other = make_users(SimulateConfig(users=5, seed=4))
    assert {u.id for u in other}.isdisjoint(u.id for u in a)
    assert request_seed(0, "u1", 3, "q") == request_seed(0, "u1", 3, "q") != request_seed(0, "u1", 3, "regen1")
    assert 0 <= request_seed("x") < 2 ** 31
