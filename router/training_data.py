"""Labeled routing examples: the demo corpus, or a user's JSONL / YAML file, split into train and held-out."""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loraloop.adapters import parse_adapter_name
from loraloop.config import RouterConfig
from loraloop.errors import InvalidArgument, RouterError

__all__ = ["DEMO_SOURCE", "Example", "TrainingData", "demo_data", "load_data"]

DEMO_SOURCE = "demo corpus"
SPLITS = ("train", "heldout")


@dataclass(frozen=True)
class Example:
    """One labeled routing case: a conversation's user turns (oldest first) and the domain of its last turn."""

    turns: tuple[str, ...]
    domain: str
    where: str = ""            # "file.jsonl:12": where it came from, for messages and reports
    routable: bool = True      # False: extra training text (an assistant answer), never a routing case

    @property
    def text(self) -> str:
        """The turn the label belongs to (the last one)."""
        return self.turns[-1]

    def messages(self) -> list[dict[str, str]]:
        """The turns as chat messages, the way the server passes them to the router."""
        return [{"role": "user", "content": turn} for turn in self.turns]


@dataclass(frozen=True)
class TrainingData:
    """Examples split into what the router trains on and the routing cases it is evaluated on."""

    train: tuple[Example, ...]
    heldout: tuple[Example, ...]
    source: str

    @property
    def domains(self) -> tuple[str, ...]:
        """Every domain of the data, sorted."""
        return tuple(sorted({e.domain for e in self.train} | {e.domain for e in self.heldout}))


@dataclass(frozen=True)
class _Record:
    """One labeled item of a file: a text, or a conversation of several messages."""

    messages: tuple[tuple[str, str], ...]  # (role, content)
    domain: str
    split: str | None
    where: str


def demo_data(config: RouterConfig = RouterConfig()) -> TrainingData:
    """The demo corpus (loraloop/demo/corpus) with its own train / held-out split."""
    from loraloop.demo.data import load_corpus

    records = [_record(row, f"{row.get('id', i)}", DEMO_SOURCE) for i, row in enumerate(load_corpus())]
    return _split(records, config, DEMO_SOURCE)


def load_data(path: str | Path, config: RouterConfig = RouterConfig()) -> TrainingData:
    """Labeled examples from a JSONL or YAML file; a RouterError names the file, line or item and field at fault.

    JSONL: one object per line, `{"text": ..., "domain": ...}` or `{"messages": [{"role", "content"}, ...],
    "domain": ...}`, with an optional `"split": "train" | "heldout"`. YAML: a list of the same objects, or a
    mapping of domain to a list of texts. Rows without a split are split per domain by `heldout_share` and `seed`.
    """
    path = Path(path)
    if not path.is_file():
        raise RouterError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix not in (".jsonl", ".yaml", ".yml"):
        raise RouterError(f"{path}: expected a .jsonl, .yaml or .yml file of labeled examples")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise RouterError(f"{path}: cannot read it as UTF-8 text ({e})") from e
    records = list(_jsonl_records(text, path) if suffix == ".jsonl" else _yaml_records(text, path))
    if not records:
        raise RouterError(f"{path}: no labeled examples")
    return _split(records, config, str(path))


def _jsonl_records(text: str, path: Path) -> Iterable[_Record]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise RouterError(f"{path}:{number}: not valid JSON ({e.msg} at column {e.colno})") from e
        yield _record(row, f"{path}:{number}", str(path))


def _yaml_records(text: str, path: Path) -> Iterable[_Record]:
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise RouterError(f"{where}: not valid YAML ({getattr(e, 'problem', None) or e})") from e
    if isinstance(data, list):
        for i, row in enumerate(data):
            yield _record(row, f"{path}: item {i}", str(path))
    elif isinstance(data, Mapping):
        for domain, texts in data.items():
            where = f"{path}: domain {domain!r}"
            if not isinstance(texts, list):
                raise RouterError(f"{where}: expected a list of example texts, got {type(texts).__name__}")
            for i, text in enumerate(texts):
                yield _record({"text": text, "domain": domain}, f"{where} item {i}", str(path))
    elif data is not None:
        raise RouterError(f"{path}: expected a list of {{text, domain}} items or a mapping of domain to texts, "
                          f"got {type(data).__name__}")


def _record(row: Any, where: str, source: str) -> _Record:
    if not isinstance(row, Mapping):
        raise RouterError(f"{where}: expected an object with 'text' (or 'messages') and 'domain'")
    domain = row.get("domain")
    if domain is None:
        raise RouterError(f"{where}: missing field 'domain'")
    if not isinstance(domain, str):
        raise RouterError(f"{where}: field 'domain' must be a string, got {type(domain).__name__}")
    try:
        spec = parse_adapter_name(domain, "domain")
    except InvalidArgument:
        spec = None
    if spec is None or spec.version is not None:
        raise RouterError(f"{where}: field 'domain' = {domain[:80]!r} is not a domain name (lowercase letters, "
                          "digits, '-' or '_', starting with a letter; not 'base')")
    split = row.get("split")
    if split is not None and split not in SPLITS:
        raise RouterError(f"{where}: field 'split' = {split!r}: expected one of {SPLITS}")
    if "messages" in row and "text" not in row:
        messages = _messages(row["messages"], where)
    else:
        text = row.get("text")
        if text is None:
            raise RouterError(f"{where}: missing field 'text' (or 'messages')")
        if not isinstance(text, str) or not text.strip():
            raise RouterError(f"{where}: field 'text' must be a non-empty string")
        messages = (("user", text),)
    return _Record(messages=messages, domain=domain, split=split, where=where)


def _messages(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list) or not value:
        raise RouterError(f"{where}: field 'messages' must be a non-empty list of {{role, content}} objects")
    messages = []
    for i, message in enumerate(value):
        role = message.get("role") if isinstance(message, Mapping) else None
        content = message.get("content") if isinstance(message, Mapping) else None
        if role not in ("system", "user", "assistant") or not isinstance(content, str):
            raise RouterError(f"{where}: messages[{i}] must be {{role: system|user|assistant, content: string}}")
        messages.append((role, content))
    if not any(role == "user" and content.strip() for role, content in messages):
        raise RouterError(f"{where}: field 'messages' has no non-empty user message")
    return tuple(messages)


def _examples(record: _Record) -> list[Example]:
    """One routing case per user turn, with the user turns before it as context; assistant turns are extra text.

    An assistant turn of a labeled conversation is text of that domain too: the demo corpus's answers name
    topics ("mortgages", "bonds") that its questions sometimes do not, so training on them widens the
    vocabulary. They are never routing cases (the router never sees answers).
    """
    examples, turns = [], []
    for i, (role, content) in enumerate(record.messages):
        if role == "user" and content.strip():
            turns.append(content)
            examples.append(Example(tuple(turns), record.domain, f"{record.where} turn {len(turns)}"))
        elif role == "assistant" and content.strip():
            examples.append(Example((content,), record.domain, f"{record.where} message {i}", routable=False))
    if len(record.messages) == 1:  # a plain {"text", "domain"} row: its location needs no turn number
        examples = [Example(examples[0].turns, record.domain, record.where)]
    return examples


def _split(records: Sequence[_Record], config: RouterConfig, source: str) -> TrainingData:
    per_domain = Counter(r.domain for r in records)
    if len(per_domain) < 2:
        only = next(iter(per_domain), "")
        raise RouterError(f"{source}: only one domain ({only!r}); a router needs at least two "
                          "(add 'general' examples: they go to the base model)")
    short = {d: n for d, n in sorted(per_domain.items()) if n < config.min_examples_per_domain}
    if short:
        listed = ", ".join(f"{d!r} has {n}" for d, n in short.items())
        raise RouterError(f"{source}: too few examples: {listed}; each domain needs at least "
                          f"{config.min_examples_per_domain} (min_examples_per_domain)")
    # Whole records go to one side, so a conversation's turns never straddle the split. Records without a
    # split field are shuffled per domain with the seed, and each domain holds out its share (at least one).
    split_of: dict[int, str] = {}
    unsplit: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        if r.split is None:
            unsplit[r.domain].append(i)
        else:
            split_of[i] = r.split
    rng = random.Random(config.seed)
    for domain in sorted(unsplit):
        indices = unsplit[domain]
        rng.shuffle(indices)
        held = max(1, round(len(indices) * config.heldout_share)) if len(indices) > 1 else 0
        split_of.update({i: "heldout" if rank < held else "train" for rank, i in enumerate(indices)})
    train = [e for i, r in enumerate(records) if split_of[i] == "train" for e in _examples(r)]
    heldout = [e for i, r in enumerate(records) if split_of[i] == "heldout" for e in _examples(r) if e.routable]
    untrained = sorted(set(per_domain) - {e.domain for e in train})
    if untrained:
        raise RouterError(f"{source}: no training examples for {untrained} (every row of it has split 'heldout')")
    return TrainingData(train=tuple(train), heldout=tuple(heldout), source=source)
