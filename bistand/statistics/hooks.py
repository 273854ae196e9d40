"""Keeping the summary tables current without the payments app knowing about statistics.

Database triggers (migration 0002) mark every month whose paid orders change; when a bank
status report has been read in (the reconciliation), the `stats-refresh` job is queued for the
marked months once the transaction has committed (run at once without a broker). Other changes (manual payments, composition, obstacles) are picked
up by the nightly `bistand stats-refresh` (docs/statistics.md).
"""

from __future__ import annotations

import logging

from django.db import transaction

logger = logging.getLogger("bistand.statistics")


def after_reconciliation(sender, instance, created, raw=False, **kwargs) -> None:
    if created and not raw:
        transaction.on_commit(_refresh_stale_months)


def _refresh_stale_months() -> None:
    from bistand.jobs.broker import enqueue

    try:
        enqueue("stats-refresh", {"stale": True}, trigger="reconciliation")
    except Exception:  # the payments are committed; the nightly refresh will catch up
        logger.exception("statistics refresh after reconciliation could not be queued")
