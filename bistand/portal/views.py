"""The applicant's e-service pages (docs/portal.md). Thin: reads go through `selectors`."""

from __future__ import annotations

from functools import wraps

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bistand.core.errors import DomainError
from bistand.households.models import Person

from . import selectors, services, session
from .backends import ApplicantLoginBackend, LoginRefused, TestEidBackend
from .forms import MessageForm

TEST_EID = TestEidBackend()


def applicant_required(view):
    """The page needs an applicant session: staff are refused (403), anyone else is sent to
    the portal's login."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return _staff_refusal(request)
        person = session.current_person(request)
        if person is None:
            target = reverse("portal:login")
            if request.method == "GET":
                target += "?next=" + request.get_full_path()
            return HttpResponseRedirect(target)
        request.applicant = person
        return view(request, *args, **kwargs)

    return wrapper


def _staff_refusal(request):
    return render(request, "portal/staff_refused.html", status=403)


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/e-tjanst/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("portal:home")


def login(request):
    """Choose how to log in: the test e-ID in the demo; OpenID Connect is not built yet."""
    if request.user.is_authenticated:
        return _staff_refusal(request)
    return render(
        request,
        "portal/login.html",
        {"test_eid": TEST_EID.enabled(), "next": request.GET.get("next", "")},
    )


def complete_login(request, backend: ApplicantLoginBackend):
    """The step every login backend ends with: the verified number, the person, a fresh
    applicant session, back to where the applicant was going. Raises LoginRefused.

    The OpenID Connect callback (not built yet, docs/portal.md) will call this with its
    backend, as the test e-ID does."""
    number = backend.verified_identity_number(request)
    person = Person.objects.filter(identity_number=number).first()
    if person is None:
        raise LoginRefused(_("Vi hittar inget ärende för det personnumret."))
    target = _next_url(request)
    session.log_in(request, person, backend.name)
    return HttpResponseRedirect(target)


def test_eid_login(request):
    """Test-e-legitimation: only Skatteverket's test numbers, only with debug on (else 404)."""
    if not TEST_EID.enabled():
        raise Http404
    if request.user.is_authenticated:
        return _staff_refusal(request)
    error = ""
    value = ""
    if request.method == "POST":
        value = request.POST.get("identity_number", "")[:20]
        try:
            return complete_login(request, TEST_EID)
        except LoginRefused as refusal:
            error = refusal.message
    return render(
        request,
        "portal/test_eid.html",
        {"error": error, "value": value, "next": request.GET.get("next", "")},
        status=400 if error else 200,
    )


@require_POST
def logout(request):
    session.log_out(request)
    return HttpResponseRedirect(reverse("portal:login"))


def _page(request, template, context=None, status=200):
    context = {"applicant": request.applicant, **(context or {})}
    return render(request, template, context, status=status)


@applicant_required
@require_GET
def home(request):
    """Mina sidor: the household's cases and each application's status."""
    cases = selectors.cases_of(request.applicant)
    rows = [
        {
            "case": case,
            "applications": [
                (application, selectors.application_status_text(application))
                for application in case.applications.all()
            ],
        }
        for case in cases
    ]
    return _page(request, "portal/home.html", {"rows": rows})


@applicant_required
@require_GET
def case(request, case_id: int):
    """One case: applications, decisions with their letters, payments, the next follow-up."""
    case = selectors.open_case(request.applicant, case_id)
    applications = [
        (application, selectors.application_status_text(application))
        for application in case.applications.order_by("-month", "-received_on", "-id")
    ]
    payments = [
        (order, selectors.payment_status_text(order)) for order in selectors.payments_of(case)
    ]
    return _page(
        request,
        "portal/case.html",
        {
            "case": case,
            "applications": applications,
            "decisions": selectors.decisions_of(case),
            "payments": payments,
        },
    )


@applicant_required
@require_GET
def letter(request, case_id: int, decision_id: int):
    """The decision letter (PDF), the same stored letter staff hand out."""
    try:
        decision, letter = selectors.letter_of(request.applicant, case_id, decision_id)
    except DomainError as error:
        return _page(request, "portal/unavailable.html", {"message": error.message}, status=403)
    response = HttpResponse(bytes(letter.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="beslut-{decision.reference}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@applicant_required
def messages(request, case_id: int):
    """Messages with the handler: read the thread, write a new message (never edited)."""
    case = selectors.open_case(request.applicant, case_id, what="messages")
    form = MessageForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.send_message(request.applicant, case, text=form.cleaned_data["text"])
            except DomainError as error:
                form.add_error("text", error.message)
            else:
                return redirect(reverse("portal:messages", args=[case.pk]) + "?skickat=1")
        status = 400
    return _page(
        request,
        "portal/messages.html",
        {
            "case": case,
            "messages_": selectors.messages_of(case),
            "form": form,
            "sent": request.GET.get("skickat") == "1",
        },
        status=status,
    )
