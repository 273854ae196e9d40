"""The participants file for Arbetsförmedlingen (issue #16: the unit informs AF about who
takes part in activities). The real transfer is being designed by AF and SKR; this CSV is our
own documented format (docs/activity-requirement.md, "Export to Arbetsförmedlingen")."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils import timezone

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.cases.rules import protected_case_ids
from bistand.cases.selectors import cases_visible_to
from bistand.core.views import handle_domain_errors

from .models import HOLDS_PLACE, Placement, PlacementStatus
from .permissions import require

AF_COLUMNS = (
    "personnummer",
    "efternamn",
    "fornamn",
    "aktivitet",
    "anordnare",
    "status",
    "placerad_fran",
    "timmar_per_vecka",
    "kommun",
)
AF_STATUS = {PlacementStatus.PLACED: "deltar", PlacementStatus.OFFERED: "erbjuden"}


def participants_rows(user) -> list[Placement]:
    """Placed (and offered) participants of the user's unit, in cases the user may open."""
    return list(
        Placement.objects.filter(
            status__in=HOLDS_PLACE,
            activity__unit_id=user.unit_id,
            case__in=cases_visible_to(user),
        )
        .select_related("person", "activity__unit")
        .order_by("person__last_name", "person__first_name", "activity__name", "id")
    )


@login_required
@handle_domain_errors
def participants_for_af(request):
    require(request.user, "export_participants")
    rows = participants_rows(request.user)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(AF_COLUMNS)
    for p in rows:
        writer.writerow(
            [
                p.person.identity_number,
                p.person.last_name,
                p.person.first_name,
                p.activity.name,
                p.activity.provider,
                AF_STATUS[PlacementStatus(p.status)],
                p.placed_on.isoformat() if p.placed_on else "",
                str(p.activity.hours_per_week),
                p.activity.unit.municipality_code,
            ]
        )
    case_ids = sorted({p.case_id for p in rows})
    detail = {
        "what": "activity_participants_af",
        "case_ids": case_ids,
        "person_ids": sorted({p.person_id for p in rows}),
    }
    protected = sorted(protected_case_ids(case_ids))
    if protected:
        detail.update(protected_identity=True, protected_case_ids=protected)
    record(
        request.user,
        AuditAction.EXPORT,
        object_type="list",
        object_id="activity_participants_af",
        detail=detail,
    )
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="deltagare-af-{day}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
