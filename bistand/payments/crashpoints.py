"""Named steps of building a payment run where a test can stop the process.

`BISTAND_PAYRUN_PAUSE_AT=<step>` (or `writing:<n>` for after the n-th payment written) makes
the process print `PAUSED <step>` on stderr and sleep, so a test can kill it there with
SIGKILL and prove that a retry neither pays an order twice nor loses one. Unset (always in
production) every call is a dictionary lookup and nothing else.
"""

from __future__ import annotations

import os
import sys
import time

ENV = "BISTAND_PAYRUN_PAUSE_AT"
STEPS = ("run_created", "claimed", "before_write", "writing", "after_write", "before_seal")


def _target() -> tuple[str, int | None] | None:
    value = os.environ.get(ENV, "").strip()
    if not value:
        return None
    step, _, count = value.partition(":")
    return step, int(count) if count.isdigit() else None


def reached(step: str, count: int | None = None) -> None:
    """Pause here if the environment asks for this step (and this count, for `writing`)."""
    target = _target()
    if target is None or target[0] != step:
        return
    if target[1] is not None and count != target[1]:
        return
    sys.stderr.write(f"PAUSED {step}\n")
    sys.stderr.flush()
    while True:  # until killed
        time.sleep(60)


def writing_pause_at() -> int | None:
    """The payment count at which to pause while writing, if any (checked once per file)."""
    target = _target()
    return target[1] if target is not None and target[0] == "writing" else None
