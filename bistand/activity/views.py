"""Staff pages for the activity requirement: thin translations of HTTP into service calls and
selector reads."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from bistand.cases.selectors import log_list_read, open_case
from bistand.core.dates import add_months, month_start
from bistand.core.errors import DomainError, NotFound
from bistand.core.views import handle_domain_errors
from bistand.core.worklist import render_work_list, work_list

from . import rules, selectors, services
from .forms import CertificateForm, EndExemptionForm, ExemptionForm, LanguageLevelForm
from .list_filters import SORTS, BecomingCoveredFilter
from .models import Exemption, LanguageLevel, MedicalCertificate
from .permissions import require


@login_required
@handle_domain_errors
def becoming_covered(request):
    """The section's people who become covered next month and have no activity or referral."""
    require(request.user, "view_section_coverage")
    month = add_months(month_start(timezone.localdate()), 1)
    page = work_list(
        request,
        selectors.becoming_covered(request.user, month),
        BecomingCoveredFilter,
        sorts=SORTS,
        default_sort="name",
        form_kwargs={"user": request.user},
    )
    log_list_read(
        request.user,
        "activity_becoming_covered",
        case_ids=[row.case_id for row in page.rows],
        person_ids=[row.person_id for row in page.rows],
    )
    return render_work_list(
        request,
        "activity/becoming_covered.html",
        "activity/_becoming_covered_rows.html",
        {
            "page": page,
            "rows": page.rows,
            "month": month,
            "rules_from": rules.RULES_APPLY_FROM,
            "section": request.user.section,
        },
    )


def _adults(case):
    return [a.person for a in selectors.case_adults(case, timezone.localdate())]


def _form_page(request, case, form, template: str, context: dict, act, done: str):
    """The case's activity forms: on a valid POST `act(form.cleaned_data)` (a service call);
    its refusal (a 400 domain error) is shown on the form with the values kept; success
    returns to the case page's activity panel with `done`."""
    if request.method == "POST" and form.is_valid():
        try:
            act(form.cleaned_data)
        except DomainError as error:
            if error.status != 400:
                raise
            form.add_error(None, error.message)
        else:
            messages.success(request, done)
            return redirect(reverse("case_detail", args=[case.pk]) + "#aktivitetskrav")
    return render(
        request,
        template,
        {"case": case, "form": form, **context},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@handle_domain_errors
def record_exemption(request, case_id: int):
    case = open_case(request.user, case_id, what="activity_exemption")
    require(request.user, "record_exemption")
    adults = _adults(case)
    form = ExemptionForm(
        request.POST or None,
        adults=adults,
        initial={"valid_from": timezone.localdate(), "person": request.GET.get("person")},
    )
    return _form_page(
        request,
        case,
        form,
        "activity/exemption_form.html",
        {},
        lambda data: services.record_exemption(
            request.user,
            case,
            person_id=data["person"],
            reason=data["reason"],
            other_reason=data.get("other_reason") or "",
            evidence=data["evidence"],
            valid_from=data["valid_from"],
            valid_to=data.get("valid_to"),
            today=timezone.localdate(),
        ),
        "Undantaget är registrerat.",
    )


@login_required
@handle_domain_errors
def end_exemption(request, case_id: int, exemption_id: int):
    case = open_case(request.user, case_id, what="activity_exemption")
    require(request.user, "record_exemption")
    exemption = (
        Exemption.objects.filter(pk=exemption_id, case=case).select_related("person").first()
    )
    if exemption is None:
        raise NotFound("exemption_not_found", "Undantaget finns inte.")
    form = EndExemptionForm(request.POST or None, initial={"ends_on": timezone.localdate()})
    return _form_page(
        request,
        case,
        form,
        "activity/end_exemption.html",
        {"exemption": exemption},
        lambda data: services.end_exemption(
            request.user, case, exemption, ends_on=data["ends_on"], note=data["note"]
        ),
        "Undantaget är avslutat.",
    )


@login_required
@handle_domain_errors
def record_certificate(request, case_id: int):
    case = open_case(request.user, case_id, what="medical_certificate")
    require(request.user, "record_exemption")
    adults = _adults(case)
    earlier = MedicalCertificate.objects.filter(
        person_id__in=[a.pk for a in adults], replaced_by__isnull=True
    ).select_related("person")
    form = CertificateForm(
        request.POST or None,
        adults=adults,
        earlier=earlier,
        initial={"person": request.GET.get("person")},
    )
    return _form_page(
        request,
        case,
        form,
        "activity/certificate_form.html",
        {},
        lambda data: services.record_certificate(
            request.user,
            case,
            person_id=data["person"],
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
            extent=data["extent"],
            issuer=data["issuer"],
            replaces=earlier.filter(pk=data["replaces"]).first() if data.get("replaces") else None,
            today=timezone.localdate(),
        ),
        "Läkarintyget är registrerat.",
    )


@login_required
@handle_domain_errors
def record_language_level(request, case_id: int):
    """A person's language level (SFI course) as of a date; the earlier entries are listed."""
    case = open_case(request.user, case_id, what="activity_language_level")
    require(request.user, "record_exemption")
    adults = _adults(case)
    today = timezone.localdate()
    form = LanguageLevelForm(
        request.POST or None,
        adults=adults,
        today=today,
        initial={"level_on": today, "person": request.GET.get("person")},
    )
    history = LanguageLevel.objects.filter(person_id__in=[a.pk for a in adults]).select_related(
        "person"
    )
    return _form_page(
        request,
        case,
        form,
        "activity/language_level_form.html",
        {"history": history},
        lambda data: services.record_language_level(
            request.user,
            case,
            person_id=data["person"],
            level=data["level"],
            level_on=data["level_on"],
            source=data["source"],
            today=today,
        ),
        "Språknivån är registrerad.",
    )
