"""Turns signals into DPO preference pairs and KTO labels, by the strength table in ARCHITECTURE.md.

Each answer gets one judgement: the polarity of its strongest signal (the latest one when signals of
that strength disagree), times that strength. Within a group of answers to the same prompt (same
context hash, same domain), a higher judgement beats a lower one when the deciding signal is at least
COPY/SHARE strength, or when DWELL on both sides clears its margins. A CORRECTION pairs the user's text
(chosen) with the answer (rejected). Every judged answer is also a KTO label.

Anti-repetition ("parrot") pairs teach what long chats break: an answer judged good at turn N >= 2 of a
conversation is chosen over a copy of the user's last question, and over a copy of the previous assistant
turn, at most MAX_PARROT_PAIRS_PER_CONVERSATION per conversation. They carry source "anti_repetition"; the
copy stands in for the chosen answer itself (`rejected_response_id` is the chosen answer's id, and
`rejected_adapter` says which copy: "copy:user" or "copy:assistant").

The build is incremental: a watermark over signal ids and response rowids (on Postgres, the ids of the
transactions that wrote them: see `storage.change_column`) names the groups that changed;
those groups are re-judged whole, so a stronger late signal replaces what a weaker one decided, and a
pair already stored is never emitted twice. The conversations those groups belong to get their parrot
pairs re-derived whole, from the labels just judged.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from loraloop import storage
from loraloop.feedback.build_transactions import DEFAULT_MAX_LOCK_S, BuildTransactions
from loraloop.feedback.pii import scrub_text
from loraloop.feedback.store import SignalKind

__all__ = ["ANTI_REPETITION", "MAX_PAIRS_PER_CHOSEN", "MAX_PARROT_PAIRS_PER_CONVERSATION", "STRENGTH", "BuildReport",
           "Judgement", "PairBuilder", "judge"]

STRENGTH = {
    SignalKind.THUMBS_UP: 6, SignalKind.THUMBS_DOWN: 6, SignalKind.CORRECTION: 5, SignalKind.REGENERATE: 4,
    SignalKind.COPY: 3, SignalKind.SHARE: 3, SignalKind.FOLLOW_UP: 2, SignalKind.DWELL: 1,
}
SOURCE = {6: "thumbs", 5: "correction", 4: "regenerate", 3: "copy_share", 2: "follow_up", 1: "dwell"}
WEIGHT = {6: 1.0, 5: 1.0, 4: 0.8, 3: 0.6, 2: 0.4, 1: 0.2}
PAIR_MIN_STRENGTH = 3  # FOLLOW_UP alone is a weak positive label, not a reason to pair
# A popular prompt gathers hundreds of answers; pairing every better one with every worse one grows as
# their product (a 2-core simulation stored 221,791 pairs for 5,700 answers). Each answer is the chosen
# side of at most this many pairs: linear in answers, and still several rejected answers per chosen one.
MAX_PAIRS_PER_CHOSEN = 4
ANTI_REPETITION = "anti_repetition"  # the source of parrot pairs
# One long conversation must not outweigh many short ones: it yields at most this many parrot pairs.
MAX_PARROT_PAIRS_PER_CONVERSATION = 2
# Once per group judged: served by the responses_group index (migration 0010), never a scan of the domain.
GROUP_CONVERSATIONS = "SELECT DISTINCT conversation_id FROM responses WHERE context_hash = ? AND domain = ?"
# The good answers of a chunk of conversations ({} = their placeholders), from labels the build has just written.
CONVERSATIONS_GOOD_ANSWERS = (
    "SELECT r.conversation_id, r.id, r.context_hash, r.domain, r.messages, r.text, r.adapter, l.weight, l.signal_ids "
    "FROM labels l JOIN responses r ON r.id = l.response_id WHERE r.conversation_id IN ({}) AND l.label = 1 "
    "ORDER BY r.rowid")
# Conversations per parrot-pass round trip: two statements for a chunk instead of two per conversation (on
# Postgres, 100,000 of a 200,000-signal build's statements). Under SQLite's 999 bound parameters.
_PARROT_CHUNK = 500
_POLARITY = {SignalKind.THUMBS_UP: 1, SignalKind.THUMBS_DOWN: -1, SignalKind.CORRECTION: -1,
             SignalKind.REGENERATE: -1, SignalKind.COPY: 1, SignalKind.SHARE: 1, SignalKind.FOLLOW_UP: 1}


@dataclass(frozen=True, kw_only=True)
class Judgement:
    """An answer's standing: +strength, -strength, or 0 (unrated), and the signals that decided it."""

    score: int
    signal_ids: tuple[int, ...] = ()

    @property
    def strength(self) -> int:
        """How strong the deciding evidence is (0 = none)."""
        return abs(self.score)


@dataclass(frozen=True, kw_only=True)
class BuildReport:
    """What one incremental build did."""

    groups: int
    pairs_added: int
    pairs_removed: int
    labels: int


def judge(signals: Iterable[dict[str, Any]], answer_chars: int, *, dwell_positive_ms_per_char: float,
          dwell_negative_ms_per_char: float) -> Judgement:
    """One answer's judgement from its signal rows (oldest first)."""
    best: dict[int, list[tuple[int, int]]] = {}
    for s in signals:
        kind = SignalKind(s["kind"])
        polarity = _POLARITY.get(kind)
        if kind is SignalKind.DWELL:
            per_char = s["dwell_ms"] / max(answer_chars, 1)  # long answers take longer to read
            polarity = 1 if per_char >= dwell_positive_ms_per_char else -1 if per_char <= dwell_negative_ms_per_char else None
        if polarity is not None:
            best.setdefault(STRENGTH[kind], []).append((s["id"], polarity))
    if not best:
        return Judgement(score=0)
    level = max(best)
    evidence = best[level]
    polarity = max(evidence)[1]  # the latest signal at the strongest level wins
    return Judgement(score=polarity * level, signal_ids=tuple(i for i, p in evidence if p == polarity))


@dataclass(frozen=True, kw_only=True)
class _Candidate:
    """An answer that could be paired as rejected against one chosen answer, and how it ranks."""

    strength: int         # the decisive signal strength of the pair (the stronger side's)
    later: bool           # the rejected answer came after the chosen one
    distance: int         # how many answers apart the two are
    rejected: dict[str, Any]
    judged: Judgement     # the rejected answer's judgement

    def rank(self) -> tuple[int, bool, int]:
        """Sort key: strongest first, then earlier answers, then the nearest."""
        return (-self.strength, self.later, self.distance)


class PairBuilder:
    """Builds pairs and labels from one feedback database (its own connection)."""

    def __init__(self, db: storage.Connection, *, dwell_positive_ms_per_char: float = 40.0,
                 dwell_negative_ms_per_char: float = 8.0, max_pairs_per_chosen: int = MAX_PAIRS_PER_CHOSEN,
                 client_keys: Collection[str] = (),
                 max_parrot_pairs_per_conversation: int = MAX_PARROT_PAIRS_PER_CONVERSATION,
                 max_lock_s: float | None = DEFAULT_MAX_LOCK_S):
        """`client_keys`: only answers served to, and signals sent with, these API keys become training data
        (empty = every client's), so feedback from an untrusted client can be kept out of training.
        `max_parrot_pairs_per_conversation`: anti-repetition pairs one conversation may yield (0 = none).
        `max_lock_s`: on SQLite, the longest the build holds the write lock before it commits and lets other
        writers in (None = the whole build in one transaction); see feedback/build_transactions.py."""
        if dwell_negative_ms_per_char >= dwell_positive_ms_per_char:
            raise ValueError(f"dwell_negative_ms_per_char={dwell_negative_ms_per_char} must be below "
                             f"dwell_positive_ms_per_char={dwell_positive_ms_per_char} (the margin)")
        if max_pairs_per_chosen < 1:
            raise ValueError(f"max_pairs_per_chosen={max_pairs_per_chosen}: expected >= 1")
        if max_parrot_pairs_per_conversation < 0:
            raise ValueError(f"max_parrot_pairs_per_conversation={max_parrot_pairs_per_conversation}: expected >= 0")
        if max_lock_s is not None and max_lock_s <= 0:
            raise ValueError(f"max_lock_s={max_lock_s}: expected > 0 seconds, or None for one transaction")
        self._max_parrots = max_parrot_pairs_per_conversation
        self._max_lock_s = max_lock_s
        self.db = getattr(db, "conn", db)  # a storage connection (or an old caller's sqlite_utils Database)
        self._trusted = sorted(set(client_keys))
        self._max_pairs_per_chosen = max_pairs_per_chosen
        self._dwell = dict(dwell_positive_ms_per_char=dwell_positive_ms_per_char,
                           dwell_negative_ms_per_char=dwell_negative_ms_per_char)

    def _watermark(self, name: str) -> int:
        row = self.db.execute("SELECT value FROM watermarks WHERE name = ?", [name]).fetchone()
        return row[0] if row else 0

    def build(self) -> BuildReport:
        """Re-judge every group touched since the last build; add new pairs, drop overruled ones."""
        added = removed = labels = 0
        # Watermarks are read under the sole-builder lock: two builders (CLI, daemon) never judge the same span
        # twice, and the span is judged in transactions short enough for the server's writes to go between.
        with BuildTransactions(self.db, max_lock_s=self._max_lock_s).run() as transactions:
            signal_mark, response_mark = self._watermark("pairs.signal_id"), self._watermark("pairs.response_rowid")
            if self._watermark("pairs.client_keys") != self._keys_digest():
                signal_mark = response_mark = 0  # another key filter built the stored pairs: re-judge every group
            # Every row at or below a horizon is committed, and none can still appear there: the next build
            # starts where this one ends and misses nothing, even when writers commit out of id order.
            top_signal = storage.change_horizon(self.db, "signals", "id")
            top_response = storage.change_horizon(self.db, "responses", "rowid")
            signal_order = storage.change_column(self.db, "id")
            response_order = storage.change_column(self.db, "rowid")
            groups = self.db.execute(
                "SELECT DISTINCT r.context_hash, r.domain FROM responses r JOIN signals s ON s.response_id = r.id "
                f"WHERE s.{signal_order} > ? AND s.{signal_order} <= ? "
                f"UNION SELECT DISTINCT context_hash, domain FROM responses WHERE {response_order} > ? "
                f"AND {response_order} <= ?",
                [signal_mark, top_signal, response_mark, top_response]).fetchall()
            conversations: set[str] = set()
            for context, domain in groups:
                transactions.boundary()
                a, r, n = self._rebuild_group(context, domain, top_signal)
                added, removed, labels = added + a, removed + r, labels + n
                conversations.update(row[0] for row in self.db.execute(GROUP_CONVERSATIONS, [context, domain]))
            transactions.analyze("labels", "pairs")
            ordered = sorted(conversations)
            for start in range(0, len(ordered), _PARROT_CHUNK):  # after every group: they read the labels just judged
                transactions.boundary()
                a, r = self._rebuild_parrots(ordered[start:start + _PARROT_CHUNK])
                added, removed = added + a, removed + r
            self.db.execute("INSERT INTO watermarks VALUES ('pairs.signal_id', ?), ('pairs.response_rowid', ?), "
                            "('pairs.client_keys', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                            [top_signal, top_response, self._keys_digest()])
        return BuildReport(groups=len(groups), pairs_added=added, pairs_removed=removed, labels=labels)

    def _keys_digest(self) -> int:
        """The key filter as a watermark value: 0 for none, else 48 bits of its names' SHA-256."""
        if not self._trusted:
            return 0
        return int.from_bytes(hashlib.sha256("\n".join(self._trusted).encode()).digest()[:6], "big")

    def _rebuild_group(self, context: str, domain: str, top_signal: int) -> tuple[int, int, int]:
        trusted, keys = "", []
        if self._trusted:
            trusted, keys = f" AND client_key IN ({','.join('?' * len(self._trusted))})", self._trusted
        answers = [dict(zip(("id", "text", "adapter", "messages"), row)) for row in self.db.execute(
            f"SELECT id, text, adapter, messages FROM responses WHERE context_hash = ? AND domain = ?{trusted} "
            "ORDER BY rowid", [context, domain, *keys])]
        if not answers:  # every answer of the group came from untrusted keys: nothing of it trains
            stale = self.db.execute("DELETE FROM pairs WHERE context_hash = ? AND domain = ?", [context, domain]).rowcount
            self.db.execute("DELETE FROM labels WHERE context_hash = ? AND domain = ?", [context, domain])
            return 0, stale, 0
        signals: dict[str, list[dict[str, Any]]] = {a["id"]: [] for a in answers}
        for row in self.db.execute(
                f"SELECT id, response_id, kind, dwell_ms, correction_text FROM signals WHERE "
                f"{storage.change_column(self.db, 'id')} <= ? AND response_id "
                f"IN ({','.join('?' * len(answers))}){trusted} ORDER BY id", [top_signal, *signals, *keys]):
            signals[row[1]].append(dict(zip(("id", "response_id", "kind", "dwell_ms", "correction_text"), row)))
        judged = {a["id"]: judge(signals[a["id"]], len(a["text"]), **self._dwell) for a in answers}
        prompt = _scrubbed_prompt(answers[0]["messages"])
        rows = list(self._pairs(answers, judged, signals, context, domain, prompt))
        keys = [r["pair_key"] for r in rows]
        # Parrot pairs are the conversation pass's to keep or drop (_rebuild_parrots), not the group's.
        stale = self.db.execute(
            "DELETE FROM pairs WHERE context_hash = ? AND domain = ? AND source != ? "
            f"AND pair_key NOT IN ({storage.json_array_values(self.db)})",
            [context, domain, ANTI_REPETITION, json.dumps(keys)]).rowcount
        added = storage.insert_rows(self.db, "pairs", rows, ignore=True)  # a pair already stored keeps its id and created_at
        label_rows = list(self._labels(answers, judged, signals, context, domain, prompt))
        kept = {key: (label, created) for key, label, created in self.db.execute(
            "SELECT label_key, label, created_at FROM labels WHERE context_hash = ? AND domain = ?", [context, domain])}
        for row in label_rows:
            if kept.get(row["label_key"], (None,))[0] == row["label"]:
                row["created_at"] = kept[row["label_key"]][1]  # unchanged: not "new" for the next export
        self.db.execute("DELETE FROM labels WHERE context_hash = ? AND domain = ?", [context, domain])
        storage.insert_rows(self.db, "labels", label_rows)
        return added, stale, len(label_rows)

    def _pairs(self, answers, judged, signals, context, domain, prompt) -> Iterable[dict[str, Any]]:
        now = time.time()
        base = {"context_hash": context, "domain": domain, "prompt": prompt, "created_at": now}
        clean = {a["id"]: scrub_text(a["text"]) for a in answers}  # once per answer, not once per pair
        for a in answers:
            for s in signals[a["id"]]:
                if s["kind"] == SignalKind.CORRECTION.value:
                    yield {**base, "pair_key": f"correction:{s['id']}", "chosen": scrub_text(s["correction_text"]),
                           "rejected": clean[a["id"]], "source": "correction", "weight": WEIGHT[5],
                           "chosen_response_id": None, "rejected_response_id": a["id"], "chosen_adapter": "user",
                           "rejected_adapter": a["adapter"], "signal_ids": json.dumps([s["id"]])}
        for i, chosen in enumerate(answers):
            good = judged[chosen["id"]]
            candidates = []
            for j, rejected in enumerate(answers):
                bad = judged[rejected["id"]]
                if good.score <= bad.score or chosen["text"] == rejected["text"]:
                    continue
                decisive = max(good.strength, bad.strength)
                if decisive < PAIR_MIN_STRENGTH and not (good.score == 1 and bad.score == -1):
                    continue  # weak evidence pairs only as dwell vs dwell across the margin
                candidates.append(_Candidate(strength=decisive, later=j > i, distance=abs(i - j), rejected=rejected,
                                             judged=bad))
            # Strongest evidence first, then the nearest earlier answers (the same model version, the same
            # days), then the nearest later ones: an answer arriving later only fills a chosen answer's
            # free places, it never displaces a pair already stored (stronger evidence does).
            candidates.sort(key=_Candidate.rank)
            for candidate in candidates[:self._max_pairs_per_chosen]:
                rejected, bad = candidate.rejected, candidate.judged
                yield {**base, "pair_key": f"{chosen['id']}>{rejected['id']}", "chosen": clean[chosen["id"]],
                       "rejected": clean[rejected["id"]], "source": SOURCE[candidate.strength],
                       "weight": WEIGHT[candidate.strength], "chosen_response_id": chosen["id"],
                       "rejected_response_id": rejected["id"], "chosen_adapter": chosen["adapter"],
                       "rejected_adapter": rejected["adapter"],
                       "signal_ids": json.dumps(sorted(good.signal_ids + bad.signal_ids))}

    def _rebuild_parrots(self, conversations: list[str]) -> tuple[int, int]:
        """Re-derive these conversations' parrot pairs from their answers' labels; (added, removed)."""
        marks = ", ".join("?" * len(conversations))
        good: dict[str, list[dict[str, Any]]] = {c: [] for c in conversations}
        if self._max_parrots:
            columns = ("id", "context_hash", "domain", "messages", "text", "adapter", "weight", "signal_ids")
            for conversation, *row in self.db.execute(CONVERSATIONS_GOOD_ANSWERS.format(marks), conversations):
                good[conversation].append(dict(zip(columns, row)))
        rows = [row for c in conversations for row in self._parrots(good[c])]
        keys = json.dumps([r["pair_key"] for r in rows])  # a parrot pair's key names its answer: one conversation's
        mine = f"source = ? AND chosen_response_id IN (SELECT id FROM responses WHERE conversation_id IN ({marks}))"
        stale = self.db.execute(f"DELETE FROM pairs WHERE {mine} AND pair_key NOT IN ({storage.json_array_values(self.db)})",
                                [ANTI_REPETITION, *conversations, keys]).rowcount
        return storage.insert_rows(self.db, "pairs", rows, ignore=True), stale  # a stored pair keeps its id and created_at

    def _parrots(self, good: list[dict[str, Any]]) -> Iterable[dict[str, Any]]:
        """One conversation's parrot pairs, from its good answers in order: good answers at turn >= 2 over
        copies of what came before them.

        Each good answer offers two copies, the one leading by the parity of its turn (even: the user's
        question, odd: the previous answer), so a capped conversation still teaches both kinds. All leading
        copies rank before all second ones, earlier turns first: a later answer takes only what is left,
        or a second copy's place.
        """
        offers = []
        for order, answer in enumerate(good):
            turns = json.loads(answer["messages"])
            users = [m["content"] for m in turns if m["role"] == "user"]
            earlier = [m["content"] for m in turns if m["role"] == "assistant"]
            if len(users) < 2 or turns[-1]["role"] != "user":
                continue  # turn 1: nothing earlier to repeat
            copies = [("user", users[-1])] + ([("assistant", earlier[-1])] if earlier else [])
            if len(users) % 2:
                copies.reverse()
            for rank, (kind, copy) in enumerate(copies):
                if copy.strip() and copy.strip() != answer["text"].strip():
                    offers.append(((rank, len(users), order), kind, copy, answer))
        now = time.time()
        for _, kind, copy, a in sorted(offers, key=lambda offer: offer[0])[:self._max_parrots]:
            yield {"pair_key": f"parrot:{a['id']}:{kind}", "context_hash": a["context_hash"], "domain": a["domain"],
                   "prompt": _scrubbed_prompt(a["messages"]), "chosen": scrub_text(a["text"]),
                   "rejected": scrub_text(copy), "source": ANTI_REPETITION, "weight": a["weight"],
                   "chosen_response_id": a["id"], "rejected_response_id": a["id"], "chosen_adapter": a["adapter"],
                   "rejected_adapter": f"copy:{kind}", "signal_ids": a["signal_ids"], "created_at": now}

    def _labels(self, answers, judged, signals, context, domain, prompt) -> Iterable[dict[str, Any]]:
        now = time.time()
        base = {"context_hash": context, "domain": domain, "prompt": prompt, "created_at": now}
        for a in answers:
            j = judged[a["id"]]
            if j.score:
                yield {**base, "label_key": a["id"], "completion": scrub_text(a["text"]), "label": int(j.score > 0),
                       "source": SOURCE[j.strength], "weight": WEIGHT[j.strength], "response_id": a["id"],
                       "adapter": a["adapter"], "signal_ids": json.dumps(list(j.signal_ids))}
            for s in signals[a["id"]]:
                if s["kind"] == SignalKind.CORRECTION.value:
                    yield {**base, "label_key": f"correction:{s['id']}", "completion": scrub_text(s["correction_text"]),
                           "label": 1, "source": "correction", "weight": WEIGHT[5], "response_id": None,
                           "adapter": "user", "signal_ids": json.dumps([s["id"]])}


def _scrubbed_prompt(messages: str) -> str:
    """A stored answer's context (JSON messages) as a pair's prompt: every message PII-scrubbed."""
    return json.dumps([{**m, "content": scrub_text(m["content"])} for m in json.loads(messages)], ensure_ascii=False)
