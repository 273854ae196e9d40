"""Reads of sample reviews and the review queue, scoped to who may see them: the unit head
sees the unit's draws, actions and queue; a reviewer only the items assigned to them; an
action owner only their actions."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Prefetch, QuerySet

from bistand.core.errors import NotFound

from . import review_queue
from .permissions import can
from .sample_checklist import points_of
from .sample_models import (
    ActionStatus,
    CorrectiveAction,
    Finding,
    QueueSignoff,
    SampleDraw,
    SampleItem,
)

DRAW_NOT_FOUND = "Stickprovet finns inte eller så saknar du behörighet."
ITEM_NOT_FOUND = "Granskningen finns inte eller så saknar du behörighet."


def draws_of_unit(user) -> QuerySet[SampleDraw]:
    if not can(user, "draw_sample") or not user.unit_id:
        return SampleDraw.objects.none()
    return SampleDraw.objects.filter(unit_id=user.unit_id).select_related(
        "drawn_by", "replaces", "checklist"
    )


def draw_for(user, draw_id: int) -> SampleDraw:
    draw = (
        draws_of_unit(user)
        .prefetch_related(
            Prefetch(
                "items",
                SampleItem.objects.select_related("reviewer", "reviewed_by").prefetch_related(
                    Prefetch("findings", Finding.objects.prefetch_related("actions__owner"))
                ),
            )
        )
        .filter(pk=draw_id)
        .first()
    )
    if draw is None:
        raise NotFound("draw_not_found", DRAW_NOT_FOUND)
    return draw


def item_for(user, item_id: int) -> SampleItem:
    """A sample item: for the unit head of its unit, or for its assigned reviewer."""
    item = SampleItem.objects.select_related("draw__checklist", "reviewer", "reviewed_by").filter(
        pk=item_id
    )
    item = item.first()
    if item is None:
        raise NotFound("review_not_found", ITEM_NOT_FOUND)
    if item.reviewer_id == user.pk and can(user, "review_sample"):
        return item
    if can(user, "draw_sample") and item.draw.unit_id == user.unit_id:
        return item
    raise NotFound("review_not_found", ITEM_NOT_FOUND)


def reviews_assigned_to(user) -> QuerySet[SampleItem]:
    if not can(user, "review_sample"):
        return SampleItem.objects.none()
    return (
        SampleItem.objects.filter(reviewer=user, draw__replaced_by__isnull=True)
        .select_related("draw__checklist")
        .order_by("reviewed_at", "-draw__month", "position")
    )


def actions_owned_by(user) -> QuerySet[CorrectiveAction]:
    return CorrectiveAction.objects.filter(owner=user).select_related(
        "finding__item__draw", "created_by"
    )


def actions_of_unit(user) -> QuerySet[CorrectiveAction]:
    if not can(user, "draw_sample") or not user.unit_id:
        return CorrectiveAction.objects.none()
    return CorrectiveAction.objects.filter(
        finding__item__draw__unit_id=user.unit_id
    ).select_related("finding__item__draw", "owner")


def action_for(user, action_id: int) -> CorrectiveAction:
    action = actions_owned_by(user).filter(pk=action_id).first()
    if action is None:
        raise NotFound("action_not_found", "Åtgärden finns inte eller så saknar du behörighet.")
    return action


def queue(user, since: dt.date) -> list[dict]:
    """The unit's changes of every registered kind since `since`, each with its sign-off."""
    if not can(user, "review_queue") or not user.unit_id:
        return []
    signed = {
        (s.kind, s.object_id): s
        for s in QueueSignoff.objects.filter(unit_id=user.unit_id).select_related("signed_by")
    }
    rows = []
    for source in review_queue.sources():
        for item in source.items(user.unit_id, since):
            rows.append(
                {
                    "source": source,
                    "item": item,
                    "signoff": signed.get((item.kind, item.object_id)),
                    "own": user.pk in item.made_by_ids,
                }
            )
    return rows


def yearly_report(user, year: int) -> dict:
    """The unit's internal-control year: draws in force per month, checklist results,
    findings and their actions, the review queue's sign-offs per kind."""
    draws = list(
        draws_of_unit(user)
        .filter(month__year=year, replaced_by__isnull=True)
        .select_related("checklist")
        .prefetch_related(
            Prefetch(
                "items",
                SampleItem.objects.select_related("reviewed_by").prefetch_related(
                    Prefetch("findings", Finding.objects.prefetch_related("actions__owner"))
                ),
            )
        )
        .order_by("month")
    )
    redraws = draws_of_unit(user).filter(month__year=year, replaces__isnull=False).count()
    # Points by key over the year's checklists, in the order first met (a point keeps its key
    # while its wording is unchanged; a reworded point is a point of its own).
    point_labels: dict[str, str] = {}
    points: dict[str, Counter] = {}
    findings, months = [], []
    for draw in draws:
        for point in points_of(draw):
            point_labels.setdefault(point["key"], point["label"])
            points.setdefault(point["key"], Counter())
        items = list(draw.items.all())
        reviewed = [i for i in items if i.reviewed]
        for item in reviewed:
            for point, answer in item.answers.items():
                if point in points:
                    points[point][answer] += 1
            for finding in item.findings.all():
                findings.append({"draw": draw, "item": item, "finding": finding,
                                 "actions": list(finding.actions.all())})  # fmt: skip
        months.append({"draw": draw, "drawn": len(items), "reviewed": len(reviewed),
                       "candidates": len(draw.candidate_ids)})  # fmt: skip
    actions = [a for f in findings for a in f["actions"]]
    signoffs = Counter(
        QueueSignoff.objects.filter(unit_id=user.unit_id, signed_at__year=year).values_list(
            "kind", flat=True
        )
    )
    labels = {s.kind: s.label for s in review_queue.sources()}
    return {
        "year": year,
        "unit": user.unit,
        "months": months,
        "redraws": redraws,
        "points": [
            {
                "key": key,
                "label": point_labels[key],
                "yes": counts["yes"],
                "no": counts["no"],
                "na": counts["na"],
            }
            for key, counts in points.items()
        ],  # fmt: skip
        "findings": findings,
        "actions_total": len(actions),
        "actions_open": sum(1 for a in actions if a.status == ActionStatus.OPEN),
        "signoffs": [(labels.get(kind, kind), count) for kind, count in sorted(signoffs.items())],
    }
