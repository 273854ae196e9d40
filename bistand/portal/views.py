"""The applicant's e-service pages (docs/portal.md). Thin: reads go through `selectors`."""

from __future__ import annotations

from functools import wraps

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.core.errors import DomainError
from bistand.households.models import Person

from . import oidc, selectors, services, session, throttle
from .backends import ApplicantLoginBackend, LoginRefused, TestEidBackend
from .forms import MessageForm

TEST_EID = TestEidBackend()
OIDC_EID = oidc.OidcEidBackend()


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


def _next_url(request, target: str | None = None) -> str:
    if target is None:
        target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/e-tjanst/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("portal:home")


def login(request):
    """Choose how to log in: e-ID over OpenID Connect when configured; the test e-ID only in
    the demo (debug)."""
    if request.user.is_authenticated:
        return _staff_refusal(request)
    return render(
        request,
        "portal/login.html",
        {
            "test_eid": TEST_EID.enabled(),
            "oidc_eid": OIDC_EID.enabled(),
            "next": request.GET.get("next", ""),
        },
    )


def complete_login(
    request,
    backend: ApplicantLoginBackend,
    next_url: str | None = None,
    *,
    require_case: bool = False,
):
    """The step every login backend ends with: the verified number, the person, a fresh
    applicant session, back to where the applicant was going. Raises LoginRefused: a number
    the unit does not know, or (with `require_case`, the e-ID login) a person who is not
    applicant or co-applicant of a case today, gets the same message (nothing tells which).
    The test e-ID lets a known person without a case in (Mina sidor then says so)."""
    number = backend.verified_identity_number(request)
    person = Person.objects.filter(identity_number=number).first()
    if person is None:
        raise LoginRefused(
            _("Vi hittar inget ärende för det personnumret."), reason=oidc.UNKNOWN_PERSON
        )
    if require_case and not selectors.has_case(person):
        raise LoginRefused(
            _("Vi hittar inget ärende för det personnumret."),
            reason=oidc.NO_CASE,
            person_id=person.pk,
        )
    if next_url is None:
        next_url = getattr(request, "portal_oidc_next", None)
    target = _next_url(request, next_url)
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
        key = throttle.key_for_number(value) or throttle.key_for_address(request)
        if throttle.is_locked(request, key):
            return _locked_out(request)
        try:
            response = complete_login(request, TEST_EID)
        except LoginRefused as refusal:
            error = refusal.message
            if throttle.failed(request, key):
                return _locked_out(request)
        else:
            throttle.succeeded(request, key)
            return response
    return render(
        request,
        "portal/test_eid.html",
        {"error": error, "value": value, "next": request.GET.get("next", "")},
        status=400 if error else 200,
    )


def _login_failed(request, reason: str, person_id: int | None = None) -> None:
    """The access-log row for a refused e-ID log-in: the reason, never the claimed number."""
    record(
        None,
        AuditAction.LOGIN_FAILED,
        object_type="session",
        person_id=person_id,
        detail={"method": "portal-oidc", "reason": reason},
    )


def _oidc_refused(request, message: str):
    return render(request, "portal/oidc_refused.html", {"message": message}, status=403)


@require_GET
def oidc_login(request):
    """Logga in med e-legitimation: to the identity provider (404 unless configured)."""
    if not OIDC_EID.enabled():
        raise Http404
    if request.user.is_authenticated:
        _login_failed(request, oidc.STAFF_SESSION)
        return _staff_refusal(request)
    try:
        target = oidc.authorization_url(request, _next_url(request))
    except LoginRefused as refusal:
        _login_failed(request, refusal.reason)
        return _oidc_refused(request, refusal.message)
    return HttpResponseRedirect(target)


@require_GET
def oidc_callback(request):
    """The identity provider's answer: an applicant session for a person with a case, else a
    Swedish page that says nothing about the number, and an access-log row."""
    if not OIDC_EID.enabled():
        raise Http404
    if request.user.is_authenticated:
        # A staff session is never turned into an applicant session.
        _login_failed(request, oidc.STAFF_SESSION)
        return _staff_refusal(request)
    key = throttle.key_for_address(request)
    if throttle.is_locked(request, key):
        _login_failed(request, "locked")
        return _locked_out(request)
    try:
        response = complete_login(request, OIDC_EID, require_case=True)
    except LoginRefused as refusal:
        _login_failed(request, refusal.reason, refusal.person_id)
        if throttle.failed(request, key):
            return _locked_out(request)
        return _oidc_refused(request, refusal.message)
    throttle.succeeded(request, key)
    return response


def _locked_out(request):
    """Too many failed log-ins from this person or address (portal.throttle): wait."""
    return render(request, "portal/locked_out.html", status=429)


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
    return _page(
        request,
        "portal/home.html",
        {"rows": rows, "declined_sent": request.GET.get("avbojd") == "1"},
    )


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
