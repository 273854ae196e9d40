"""Staff pages for the unit's activities: the activity list and one activity's participants
and waiting list, placing from the case, the coordinator's weekly attendance (by hand or from
the provider's CSV file), the handler's assessment of an absence and the activity plan."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from bistand.cases.selectors import log_list_read, open_case
from bistand.core.errors import DomainError, NotFound
from bistand.core.forms import error_summary
from bistand.core.views import handle_domain_errors
from bistand.organisation.models import Role, User

from . import (
    selectors,
    selectors_places,
    services_attendance,
    services_followup,
    services_notices,
    services_places,
)
from .forms_places import (
    ActivityForm,
    ActivityPlanForm,
    AssessAbsenceForm,
    AssignForm,
    AttendanceRowForm,
    EditActivityForm,
    EndPlacementForm,
    ImportForm,
    NoticeImportForm,
    PlanConsentForm,
    WaiveCriteriaForm,
)
from .models import (
    OPEN_PLACEMENT,
    ActivityChange,
    ActivityPlan,
    AttendanceRecord,
    Placement,
    PlacementStatus,
)
from .permissions import can, coordinates, require


def _back_to_case(case) -> str:
    return reverse("case_detail", args=[case.pk]) + "#aktivitetskrav"


def _form_page(request, form, template, context, act, done, back, fields=None):
    """On a valid POST call `act(form.cleaned_data)`; a service's 400 refusal goes on its
    field (by error code in `fields`) or the whole form, values kept, nothing stored."""
    if request.method == "POST" and form.is_valid():
        try:
            act(form.cleaned_data)
        except DomainError as error:
            if error.status != 400:
                raise
            form.add_error((fields or {}).get(error.code), error.message)
        else:
            messages.success(request, done)
            return redirect(back)
    return render(
        request,
        template,
        {"form": form, "summary": error_summary(form), **context},
        status=400 if request.method == "POST" else 200,
    )


# --- The activities ----------------------------------------------------------------------


@login_required
@handle_domain_errors
def activities(request):
    require(request.user, "view_activities")
    return render(
        request,
        "activity/activities.html",
        {
            "activities": selectors_places.activities_for(request.user),
            "can_manage": can(request.user, "manage_activities"),
            "can_import_notices": can(request.user, "record_coverage_notice"),
            "is_coordinator": request.user.role == Role.ACTIVITY_COORDINATOR,
        },
    )


@login_required
@handle_domain_errors
def create_activity(request):
    require(request.user, "manage_activities")
    coordinators = User.objects.filter(
        role=Role.ACTIVITY_COORDINATOR, unit_id=request.user.unit_id, is_active=True
    ).order_by("last_name", "first_name")
    form = ActivityForm(
        request.POST or None,
        coordinators=coordinators,
        initial={"starts_on": timezone.localdate()},
    )
    return _form_page(
        request,
        form,
        "activity/activity_form.html",
        {},
        lambda data: services_places.create_activity(
            request.user,
            name=data["name"],
            provider=data["provider"],
            places=data["places"],
            hours_per_week=data["hours_per_week"],
            starts_on=data["starts_on"],
            ends_on=data.get("ends_on"),
            coordinator_ids=data.get("coordinators") or [],
            **_criteria(data),
        ),
        "Aktiviteten är upplagd.",
        reverse("activity:activities"),
        fields=ACTIVITY_FIELDS,
    )


ACTIVITY_FIELDS = {
    "name_taken": "name",
    "bad_period": "ends_on",
    "bad_hours": "hours_per_week",
    "bad_places": "places",
    "places_below_taken": "places",
    "bad_min_age": "min_age",
    "bad_max_age": "max_age",
    "bad_swedish_level": "swedish_level",
    "bad_work_ability": "min_work_ability",
    "bad_coordinator": "coordinators",
}


def _criteria(data) -> dict:
    return {
        "min_age": data.get("min_age"),
        "max_age": data.get("max_age"),
        "swedish_level": data.get("swedish_level") or "",
        "min_work_ability": data.get("min_work_ability"),
    }


@login_required
@handle_domain_errors
def edit_activity(request, activity_id: int):
    """Change an activity (the heads): more places are offered to the waiting list at once."""
    require(request.user, "manage_activities")
    activity = selectors_places.activity_for(request.user, activity_id)
    coordinators = User.objects.filter(
        role=Role.ACTIVITY_COORDINATOR, unit_id=request.user.unit_id, is_active=True
    ).order_by("last_name", "first_name")
    form = EditActivityForm(
        request.POST or None,
        coordinators=coordinators,
        initial={
            "name": activity.name,
            "provider": activity.provider,
            "places": activity.places,
            "hours_per_week": activity.hours_per_week,
            "min_age": activity.min_age,
            "max_age": activity.max_age,
            "swedish_level": activity.swedish_level,
            "min_work_ability": activity.min_work_ability,
            "coordinators": list(activity.coordinators.values_list("pk", flat=True)),
        },
    )

    def act(data):
        _activity, offered = services_places.edit_activity(
            request.user,
            activity,
            name=data["name"],
            provider=data["provider"],
            places=data["places"],
            hours_per_week=data["hours_per_week"],
            coordinator_ids=data.get("coordinators") or [],
            **_criteria(data),
        )
        if offered:
            messages.info(
                request,
                f"{len(offered)} på väntelistan har erbjudits plats, i köordning.",
            )

    return _form_page(
        request,
        form,
        "activity/activity_form.html",
        {"activity": activity},
        act,
        "Aktiviteten är ändrad.",
        reverse("activity:activity_detail", args=[activity.pk]),
        fields=ACTIVITY_FIELDS,
    )


@login_required
@handle_domain_errors
def activity_detail(request, activity_id: int):
    """One activity: its placed, offered and waiting participants the reader may see."""
    require(request.user, "view_activities")
    activity = selectors_places.activity_for(request.user, activity_id)
    people = selectors_places.participants(request.user, activity)
    sees_cases = request.user.role != Role.ACTIVITY_COORDINATOR
    log_list_read(
        request.user,
        "activity_participants",
        case_ids=[p.case_id for p in people.shown] if sees_cases else [],
        person_ids=[p.person_id for p in people.shown],
        activity_id=activity.pk,
    )
    return render(
        request,
        "activity/activity_detail.html",
        {
            "activity": activity,
            "people": people,
            "sees_cases": sees_cases,
            "coordinates": coordinates(request.user, activity),
            "can_manage": can(request.user, "manage_activities"),
            "changes": (
                ActivityChange.objects.filter(activity=activity).select_related("changed_by")
                if can(request.user, "manage_activities")
                else []
            ),
        },
    )


# --- From the case: placing, accepting an offer, ending ---------------------------------


def _adults(case):
    return [a.person for a in selectors.case_adults(case, timezone.localdate())]


@login_required
@handle_domain_errors
def assign(request, case_id: int):
    case = open_case(request.user, case_id, what="activity_placement")
    require(request.user, "assign_activity")
    available = selectors_places.activities_for(request.user).filter(unit_id=case.unit_id)
    form = AssignForm(
        request.POST or None,
        adults=_adults(case),
        activities=available,
        initial={"person": request.GET.get("person")},
    )

    warnings: list[str] = []

    def act(data):
        activity = available.filter(pk=data["activity"]).first()
        if activity is None:
            raise DomainError("activity_not_found", "Aktiviteten finns inte.")
        try:
            placement = services_places.assign_to_activity(
                request.user,
                case,
                person_id=data["person"],
                activity=activity,
                today=timezone.localdate(),
                criteria_reason=data.get("criteria_reason") or "",
            )
        except DomainError as error:
            warnings.extend(error.context.get("warnings", ()))
            raise
        if placement.status == "waiting":
            messages.info(request, "Alla platser är tagna: personen står på väntelistan.")

    return _form_page(
        request,
        form,
        "activity/assign_form.html",
        {"case": case, "criteria_warnings": warnings},
        act,
        "Anvisningen är registrerad.",
        _back_to_case(case),
        fields={
            "already_assigned": "person",
            "not_a_member": "person",
            "activity_ended": "activity",
            "criteria_not_met": "criteria_reason",
        },
    )


def _case_placement(case, placement_id: int) -> Placement:
    placement = (
        Placement.objects.filter(pk=placement_id, case=case)
        .select_related("activity", "person")
        .first()
    )
    if placement is None:
        raise NotFound("placement_not_found", "Anvisningen finns inte.")
    return placement


@login_required
@require_POST
@handle_domain_errors
def accept_offer(request, case_id: int, placement_id: int):
    case = open_case(request.user, case_id, what="activity_placement")
    require(request.user, "assign_activity")
    placement = _case_placement(case, placement_id)
    services_places.accept_offer(request.user, case, placement, today=timezone.localdate())
    messages.success(request, "Platsen är antagen.")
    return redirect(_back_to_case(case))


@login_required
@handle_domain_errors
def end_placement(request, case_id: int, placement_id: int):
    case = open_case(request.user, case_id, what="activity_placement")
    require(request.user, "assign_activity")
    placement = _case_placement(case, placement_id)
    if placement.status not in OPEN_PLACEMENT:
        raise DomainError("already_ended", "Anvisningen är redan avslutad.")
    form = EndPlacementForm(request.POST or None)
    return _form_page(
        request,
        form,
        "activity/end_placement.html",
        {"case": case, "placement": placement},
        lambda data: services_places.end_placement(
            request.user, case, placement, reason=data["reason"], today=timezone.localdate()
        ),
        "Anvisningen är avslutad.",
        _back_to_case(case),
        fields={"reason_required": "reason"},
    )


@login_required
@handle_domain_errors
def waive_criteria(request, case_id: int, placement_id: int):
    """A queued person passed over for the activity's criteria: the handler's written reason
    to offer them a place all the same (the next free place in queue order)."""
    case = open_case(request.user, case_id, what="activity_placement")
    require(request.user, "assign_activity")
    placement = _case_placement(case, placement_id)
    waiting = placement.status == PlacementStatus.WAITING
    unmet = services_places.unmet_criteria(placement, timezone.localdate()) if waiting else []
    form = WaiveCriteriaForm(request.POST or None)
    return _form_page(
        request,
        form,
        "activity/waive_criteria.html",
        {"case": case, "placement": placement, "unmet": unmet, "waiting": waiting},
        lambda data: services_places.waive_criteria(
            request.user, case, placement, reason=data["reason"], today=timezone.localdate()
        ),
        "Skälet är registrerat: personen erbjuds nästa lediga plats i turordning.",
        _back_to_case(case),
        fields={"reason_required": "reason", "criteria_met": "reason"},
    )


# --- The coordinator's attendance --------------------------------------------------------


def _coordinated(request, activity_id: int):
    require(request.user, "record_attendance")
    activity = selectors_places.activity_for(request.user, activity_id)
    if not coordinates(request.user, activity):
        raise NotFound("activity_not_found", "Aktiviteten finns inte.")
    return activity


def _week(request) -> dt.date:
    raw = request.GET.get("vecka") or request.POST.get("vecka")
    today = timezone.localdate()
    if not raw:
        return services_attendance.week_monday(today)
    try:
        return services_attendance.parse_week(raw)
    except (ValueError, OverflowError) as error:
        raise DomainError(
            "bad_week", "Veckan ska anges som 2026-W49 eller som veckans måndag."
        ) from error


@login_required
@handle_domain_errors
def attendance(request, activity_id: int):
    """The week's attendance for everyone placed that week; rows left at "—" are skipped."""
    activity = _coordinated(request, activity_id)
    week = _week(request)
    rows = selectors_places.placed_in_week(activity, week)
    forms = [
        AttendanceRowForm(
            request.POST or None,
            prefix=f"p{p.pk}",
            initial=(
                {
                    "status": p.attendance.status,
                    "hours": p.attendance.hours,
                    "note": p.attendance.note,
                }
                if p.attendance
                else {}
            ),
        )
        for p in rows
    ]
    status = 200
    if request.method == "POST":
        status = 400
        if all(f.is_valid() for f in forms):
            try:
                with transaction.atomic():
                    stored = 0
                    for placement, form in zip(rows, forms, strict=True):
                        data = form.cleaned_data
                        if not data.get("status"):
                            continue
                        try:
                            services_attendance.record_attendance(
                                request.user,
                                placement,
                                week=week,
                                status=data["status"],
                                hours=data.get("hours"),
                                note=data.get("note") or "",
                                today=timezone.localdate(),
                            )
                        except DomainError as error:
                            if error.status != 400:
                                raise
                            form.add_error("status", error.message)
                            raise
                        stored += 1
            except DomainError as error:
                if error.status != 400:
                    raise
            else:
                messages.success(request, f"Närvaron är sparad ({stored} personer).")
                return redirect(
                    reverse("activity:attendance", args=[activity.pk]) + f"?vecka={week:%G-W%V}"
                )
    iso = week.isocalendar()
    log_list_read(
        request.user,
        "activity_attendance",
        person_ids=[p.person_id for p in rows],
        activity_id=activity.pk,
    )
    return render(
        request,
        "activity/attendance.html",
        {
            "activity": activity,
            "week": week,
            "week_label": f"{iso.year}-W{iso.week:02d}",
            "previous": f"{week - dt.timedelta(days=7):%G-W%V}",
            "following": f"{week + dt.timedelta(days=7):%G-W%V}",
            "rows": list(zip(rows, forms, strict=True)),
            "summary": [
                {**entry, "label": f"{placement.person.full_name}: {entry['label']}"}
                for placement, form in zip(rows, forms, strict=True)
                for entry in error_summary(form)
            ],
        },
        status=status,
    )


@login_required
@handle_domain_errors
def import_attendance(request, activity_id: int):
    """The provider's file, checked row by row and stored all or nothing."""
    activity = _coordinated(request, activity_id)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[tuple[int, str]] = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                result = services_attendance.import_attendance(
                    request.user,
                    activity,
                    form.cleaned_data["file"].read(services_attendance.MAX_CSV_BYTES + 1),
                    today=timezone.localdate(),
                )
            except DomainError as error:
                if error.status != 400:
                    raise
                form.add_error("file", error.message)
            else:
                errors = result.errors
                if not errors:
                    messages.success(
                        request, f"Filen är inläst: {len(result.stored)} rader sparade."
                    )
                    return redirect(reverse("activity:activity_detail", args=[activity.pk]))
    return render(
        request,
        "activity/import_attendance.html",
        {
            "activity": activity,
            "form": form,
            "summary": error_summary(form),
            "row_errors": errors,
            "columns": ";".join(services_attendance.CSV_COLUMNS),
        },
        status=status,
    )


# --- The handler: assessing an absence, the activity plan -----------------------------


@login_required
@handle_domain_errors
def assess_absence(request, case_id: int, attendance_id: int):
    case = open_case(request.user, case_id, what="activity_absence")
    require(request.user, "assess_absence")
    record = (
        AttendanceRecord.objects.filter(pk=attendance_id, placement__case=case)
        .select_related("placement__person", "placement__activity")
        .first()
    )
    if record is None:
        raise NotFound("attendance_not_found", "Närvaron finns inte.")
    form = AssessAbsenceForm(request.POST or None)
    return _form_page(
        request,
        form,
        "activity/assess_absence.html",
        {"case": case, "record": record},
        lambda data: services_followup.assess_absence(
            request.user,
            case,
            record,
            outcome=data["outcome"],
            reasoning=data["reasoning"],
            consequence=data["consequence"],
            month=data.get("month"),
        ),
        "Bedömningen är sparad.",
        _back_to_case(case),
        fields={
            "month_required": "month",
            "acceptable_has_no_consequence": "consequence",
            "reasoning_required": "reasoning",
        },
    )


@login_required
@handle_domain_errors
def activity_plan(request, case_id: int):
    case = open_case(request.user, case_id, what="activity_plan")
    require(request.user, "assess_absence")
    adults = _adults(case)
    placements = (
        Placement.objects.filter(case=case, status__in=OPEN_PLACEMENT)
        .select_related("activity", "person")
        .order_by("queued_at")
    )
    form = ActivityPlanForm(
        request.POST or None,
        adults=adults,
        placements=placements,
        initial={"person": request.GET.get("person"), "job_search_hours": 0},
    )
    return _form_page(
        request,
        form,
        "activity/activity_plan_form.html",
        {"case": case},
        lambda data: services_followup.record_activity_plan(
            request.user,
            case,
            person_id=data["person"],
            goals=data["goals"],
            follow_up_on=data["follow_up_on"],
            job_search_hours=data["job_search_hours"],
            adaptation=data.get("adaptation") or "",
            placement_ids=data.get("placements") or [],
            today=timezone.localdate(),
        ),
        "Aktivitetsplanen är sparad.",
        _back_to_case(case),
        fields={
            "bad_placement": "placements",
            "follow_up_past": "follow_up_on",
            "goals_required": "goals",
        },
    )


@login_required
@handle_domain_errors
def confirm_activity_plan(request, case_id: int, plan_id: int):
    """Record the person's consent to their activity plan (on paper, or after their e-ID
    signature on Mina sidor), as the work plan's consent."""
    case = open_case(request.user, case_id, what="activity_plan")
    require(request.user, "assess_absence")
    plan = (
        ActivityPlan.objects.filter(pk=plan_id, case=case)
        .select_related("person")
        .prefetch_related("placements__activity", "signatures")
        .first()
    )
    if plan is None:
        raise NotFound("plan_not_found", "Aktivitetsplanen finns inte.")
    form = PlanConsentForm(request.POST or None, initial={"consent_on": timezone.localdate()})
    return _form_page(
        request,
        form,
        "activity/plan_consent_form.html",
        {"case": case, "plan": plan},
        lambda data: services_followup.confirm_activity_plan(
            request.user,
            case,
            plan,
            consent_on=data["consent_on"],
            method=data["method"],
            note=data.get("note") or "",
        ),
        "Godkännandet av aktivitetsplanen är registrerat.",
        _back_to_case(case),
        fields={
            "consent_future": "consent_on",
            "consent_before_plan": "consent_on",
            "not_signed": "method",
            "consent_method": "method",
        },
    )


@login_required
@handle_domain_errors
def import_notices(request):
    """Arbetsförmedlingen's "kan omfattas" file: checked row by row, stored all or nothing,
    onto the open cases the reader may open."""
    require(request.user, "record_coverage_notice")
    form = NoticeImportForm(request.POST or None, request.FILES or None)
    errors: list[tuple[int, str]] = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = services_notices.import_notices(
                    request.user,
                    upload.read(services_attendance.MAX_CSV_BYTES + 1),
                    today=timezone.localdate(),
                    source=form.cleaned_data["source"],
                    file_name=upload.name or "",
                )
            except DomainError as error:
                if error.status != 400:
                    raise
                form.add_error(
                    "source" if error.code == "source_required" else "file", error.message
                )
            else:
                errors = result.errors
                if not errors:
                    messages.success(
                        request, f"Filen är inläst: {len(result.stored)} underrättelser sparade."
                    )
                    return redirect(reverse("activity:becoming_covered"))
    return render(
        request,
        "activity/import_notices.html",
        {
            "form": form,
            "summary": error_summary(form),
            "row_errors": errors,
            "columns": ";".join(services_notices.NOTICE_COLUMNS),
        },
        status=status,
    )
