"""Guard data: refusals that must keep refusing and look-alikes that must keep being answered (see README.md)."""

from loraloop.guard.cases import (
    CATEGORIES,
    DATA_DIR,
    FIELDS,
    HELDOUT_FAMILIES,
    LANGS,
    REFUSAL_OPENERS,
    REFUSES,
    GuardCase,
    GuardDataError,
    GuardSet,
    is_demo_refusal,
    load_guard_set,
    read_guard_file,
    shipped_files,
    split_of,
)
from loraloop.guard.mix import DEFAULT_GUARD_SHARE, GUARD_ID_PREFIX, guard_count, pair_row, pick_cases, sft_row

__all__ = ["CATEGORIES", "DATA_DIR", "DEFAULT_GUARD_SHARE", "FIELDS", "GUARD_ID_PREFIX", "HELDOUT_FAMILIES", "LANGS", "REFUSAL_OPENERS",
           "REFUSES", "GuardCase", "GuardDataError", "GuardSet", "guard_count", "is_demo_refusal", "load_guard_set",
           "pair_row", "pick_cases", "read_guard_file", "sft_row", "shipped_files", "split_of"]
