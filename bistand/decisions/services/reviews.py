"""Human review of automatic decisions: the daily random sample and the review itself."""

from __future__ import annotations

import datetime as dt
import secrets

from django.utils import timezone
from django.utils.translation import gettext_lazy

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.cases.services import atomic_service
from bistand.core.errors import DomainError
from bistand.organisation.models import Unit

from ..models import AutomaticDecisionReview, Decision, ReviewResult
from ..permissions import require
from .common import _require_case
from .unit_settings import current_decision_settings


@atomic_service
def draw_review_sample(actor, unit: Unit, day: dt.date) -> list[AutomaticDecisionReview]:
    """Put a random sample of the day's automatic decisions in the human review queue."""
    settings = current_decision_settings(unit.pk)
    size = settings.review_sample_size
    already = AutomaticDecisionReview.objects.filter(unit=unit, sampled_on=day).count()
    candidates = list(
        Decision.objects.filter(
            case__unit=unit, automatic=True, decided_on=day, review__isnull=True
        ).values_list("pk", flat=True)
    )
    wanted = max(0, size - already)
    chosen = secrets.SystemRandom().sample(candidates, min(wanted, len(candidates)))
    reviews = [
        AutomaticDecisionReview.objects.create(decision_id=pk, unit=unit, sampled_on=day)
        for pk in sorted(chosen)
    ]
    if reviews:
        record(
            actor,
            AuditAction.CREATE,
            object_type="decisions.automaticdecisionreview",
            object_id=f"unit:{unit.pk}:{day.isoformat()}",
            detail={"sampled": [r.decision_id for r in reviews], "of": len(candidates)},
        )
    return reviews


@atomic_service
def review_automatic_decision(
    actor, review: AutomaticDecisionReview, *, result: str, note: str = ""
) -> AutomaticDecisionReview:
    require(actor, "review_automatic")
    review = (
        AutomaticDecisionReview.objects.select_for_update()
        .select_related("decision__case")
        .get(pk=review.pk)
    )
    _require_case(actor, review.decision.case)
    if review.reviewed_at is not None:
        raise DomainError("already_reviewed", gettext_lazy("Beslutet är redan granskat."))
    if result not in ReviewResult.values:
        raise DomainError("bad_result", gettext_lazy("Välj resultatet av granskningen."))
    if result == ReviewResult.NEEDS_CORRECTION and not note.strip():
        raise DomainError("note_required", gettext_lazy("Beskriv vad som behöver rättas."))
    review.result, review.note = result, note.strip()
    review.reviewed_by, review.reviewed_at = actor, timezone.now()
    review.save()
    record(
        actor,
        AuditAction.UPDATE,
        obj=review,
        case_id=review.decision.case_id,
        detail={"result": result, "decision": review.decision_id},
    )
    return review
