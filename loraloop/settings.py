"""What every config module shares: `setting` (a field, its help and its constraints), the one check of them,
`ConfigError`, the device names and the home folder.

Constraints are declared on the field (vLLM's `Field(default=1, ge=1)`), kept in its metadata, and checked
by `check_fields` from each config's `__post_init__`; only checks across fields are written out there.
This module imports nothing but the standard library, so every config module can import it.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["DEVICES", "ConfigError", "Constraint", "check_fields", "constraint_of", "default_home", "setting"]

DEVICES = ("auto", "cpu", "cuda")


class ConfigError(ValueError):
    """A config field holds a bad value: `field`, `value` and `expected` say which, what and why."""

    def __init__(self, field: str, value: Any, expected: str):
        super().__init__(f"{field}={value!r}: {expected}")
        self.field = field
        self.value = value
        self.expected = expected


@dataclass(frozen=True, kw_only=True)
class Constraint:
    """What one field's value must be: one of `choices`, or a number within the bounds (and an integer)."""

    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None
    choices: tuple[Any, ...] | None = None
    integer: bool = False
    finite: bool = False
    optional: bool = False  # None passes (a field whose default is None: "unset")
    what: str = ""          # the noun of the message: "share" -> "expected a share in [0, 1]"
    note: str = ""          # why, appended in parentheses

    def accepts(self, value: Any) -> bool:
        """Whether `value` meets the constraint."""
        if value is None:
            return self.optional
        if self.choices is not None:
            return value in self.choices
        if self.integer and not isinstance(value, int):
            return False
        if not isinstance(value, int | float):
            return False
        if self.finite and not math.isfinite(value):
            return False
        # Written as `not (value >= bound)` so that NaN fails every bound.
        return not any((self.ge is not None and not value >= self.ge, self.gt is not None and not value > self.gt,
                        self.le is not None and not value <= self.le, self.lt is not None and not value < self.lt))

    @property
    def expected(self) -> str:
        """The message's reason, e.g. "expected an integer >= 1" or "expected a share in (0, 1)"."""
        if self.choices is not None:
            text = f"expected one of {self.choices}" + (" or unset" if self.optional else "")
        elif (self.ge is not None or self.gt is not None) and (self.le is not None or self.lt is not None):
            low = f"[{self.ge}" if self.ge is not None else f"({self.gt}"
            high = f"{self.le}]" if self.le is not None else f"{self.lt})"
            noun = "an integer" if self.integer else f"a {self.what or 'number'}"
            text = f"expected {noun} in {low}, {high}"
        else:
            bounds = [f"{op} {bound}" for op, bound in ((">=", self.ge), (">", self.gt), ("<=", self.le), ("<", self.lt))
                      if bound is not None]
            if self.integer:
                noun = "an integer"
            elif self.finite:
                noun = f"a finite {self.what or 'number'}"
            else:  # "expected >= 1" reads best without a noun
                noun = f"a {self.what}" if self.what else "" if bounds else "a number"
            text = " ".join(["expected", *([noun] if noun else []), *bounds])
        return f"{text} ({self.note})" if self.note else text


def setting(default: Any, help: str, *, ge: float | None = None, gt: float | None = None, le: float | None = None,
            lt: float | None = None, choices: Sequence[Any] | None = None, integer: bool = False, finite: bool = False,
            what: str = "", note: str = "") -> Any:
    """A config dataclass field with its one help string and its declared constraints (checked by check_fields)."""
    metadata: dict[str, Any] = {"help": help}
    if (ge, gt, le, lt, choices) != (None,) * 5 or integer or finite:
        metadata["constraint"] = Constraint(ge=ge, gt=gt, le=le, lt=lt, integer=integer, finite=finite,
                                            choices=None if choices is None else tuple(choices),
                                            optional=default is None, what=what, note=note)
    return dataclasses.field(default=default, metadata=metadata)


def constraint_of(field: dataclasses.Field) -> Constraint | None:
    """The constraint declared on a config field, None when it has none."""
    return field.metadata.get("constraint")


def check_fields(config: Any) -> None:
    """Check every field of a config dataclass against its declared constraint; ConfigError on the first miss."""
    for f in dataclasses.fields(config):
        constraint = constraint_of(f)
        value = getattr(config, f.name)
        if constraint is not None and not constraint.accepts(value):
            raise ConfigError(f.name, value, constraint.expected)


def default_home() -> Path:
    """Where loraloop keeps the demo model, its adapter store and state (LORALOOP_HOME wins)."""
    return Path(os.environ.get("LORALOOP_HOME") or Path.home() / ".cache" / "loraloop")


DATABASE_HELP = ("The shared database: a SQLite path or sqlite:///path, or a postgresql:// URL (several replicas); "
                 "empty = the SQLite file <home>/feedback.sqlite.")
_DATABASE_SCHEMES = ("sqlite", "postgresql", "postgres")


def check_database_url(field: str, value: str) -> None:
    """Refuse a database URL whose scheme no backend opens (the seam itself is loraloop.storage)."""
    if "://" in value and value.split("://", 1)[0] not in _DATABASE_SCHEMES:
        raise ConfigError(field, value.split("@")[-1], "a SQLite path, sqlite:///path or postgresql://…")


def resolve_database(db_url: str) -> str:
    """A config's database: `db_url` as given, else the SQLite file <home>/feedback.sqlite."""
    return db_url or str(default_home() / "feedback.sqlite")
