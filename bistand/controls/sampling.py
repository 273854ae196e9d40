"""The sample draw as a pure function, and the decisions it draws among.

The draw (algorithm "sha256-rank/1"): for each candidate decision id compute
sha256("bistand-sample/1:<seed>:<decision id>") as a hex string; order the candidates by
(that hash, id) and take the first `size`. It depends only on the seed and the candidate ids
(not on their order or on Python's random module), so anyone can recompute it, with any
sha256 tool, from the seed and candidate list stored in the draw.

Decisions sit beside controls (import-linter), so the candidates are asked of the decisions
app through the app registry (`DecisionsConfig.sample_candidates`), as decisions asks
controls for register checks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps

ALGORITHM = "sha256-rank/1"
MAX_SEED = 10**12  # a seed of at most twelve digits: easy to read aloud and type


def new_seed() -> int:
    """A seed from the operating system's secure random source."""
    return secrets.randbelow(MAX_SEED)


def rank_key(seed: int, decision_id: int) -> str:
    return hashlib.sha256(f"bistand-sample/1:{seed}:{decision_id}".encode()).hexdigest()


def draw(seed: int, candidate_ids: Iterable[int], size: int) -> list[int]:
    """The `size` candidates with the lowest rank keys, in rank order."""
    ranked = sorted({int(i) for i in candidate_ids}, key=lambda i: (rank_key(seed, i), i))
    return ranked[: max(0, size)]


@dataclass(frozen=True)
class Candidate:
    """A final decision of the month as the draw needs it (no personal data)."""

    decision_id: int
    case_id: int
    decided_by_id: int | None


def _hook(name: str):
    try:
        config = apps.get_app_config("decisions")
    except LookupError:
        return None
    hook = getattr(config, name, None)
    return hook if callable(hook) else None


def candidates(unit_id: int, month: dt.date) -> list[Candidate]:
    """The unit's final decisions made (decided_on) in `month`, by id."""
    hook = _hook("sample_candidates")
    if hook is None:
        return []
    return sorted(
        (
            Candidate(row["id"], row["case_id"], row["decided_by_id"])
            for row in hook(unit_id, month)
        ),
        key=lambda c: c.decision_id,
    )


def decision_summaries(decision_ids: list[int]) -> dict[int, dict]:
    """What the reviewer sees of each drawn decision: {id: summary dict} (see decisions)."""
    hook = _hook("sample_decision_summaries")
    return hook(decision_ids) if hook is not None and decision_ids else {}
