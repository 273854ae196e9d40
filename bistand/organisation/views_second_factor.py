"""The login's second step: a TOTP or backup code, or enrolling the authenticator app first.

A wrong code counts as a failed login for the lock-out (django-axes, organisation.lockout) and
is written to the access log like a wrong password; when the account locks, the half-finished
session is ended.
"""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.core.forms import Form

from . import second_factor

LOCKED_TEMPLATE = "registration/locked_out.html"


class CodeForm(Form):
    token = forms.CharField(
        label=gettext_lazy("Kod"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _credentials(user) -> dict:
    return {"username": user.get_username()}


def _locked_out(request, user):
    """Ends the session and answers with the lock-out page if the account or address is locked."""
    if AxesProxyHandler.is_locked(request, _credentials(user)):
        logout(request)
        return render(request, LOCKED_TEMPLATE, status=429)
    return None


def _wrong_code(request, user):
    """Counts a wrong code as a failed login (lock-out and access log)."""
    user_login_failed.send(
        sender=__name__,
        credentials={**_credentials(user), "second_factor": True},
        request=request,
    )
    return _locked_out(request, user)


def _passed(request, user, method: str):
    second_factor.mark_passed(request, method)
    AxesProxyHandler.get_implementation().reset_user_attempts(request, _credentials(user))
    record(user, AuditAction.LOGIN, object_type="session", detail={"second_factor": method})


@login_required
def verify(request):
    """The code from the authenticator app (or a backup code) after the password."""
    user = request.user
    if not second_factor.required_for(user) or second_factor.session_passed(request.session):
        return redirect(_next_url(request))
    if not second_factor.is_enrolled(user):
        return redirect("second_factor_enrol")
    locked = _locked_out(request, user)
    if locked:
        return locked
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        method = second_factor.verify(user, form.cleaned_data["token"])
        if method is not None:
            _passed(request, user, method)
            return redirect(_next_url(request))
        locked = _wrong_code(request, user)
        if locked:
            return locked
        form.add_error("token", _("Fel kod. Försök igen."))
    return render(
        request,
        "registration/second_factor_verify.html",
        {"form": form, "next": _next_url(request)},
    )


@login_required
def enrol(request):
    """First local login of a chef, finance or administrator: add the authenticator app."""
    user = request.user
    if not second_factor.required_for(user) or second_factor.session_passed(request.session):
        return redirect(_next_url(request))
    if second_factor.is_enrolled(user):
        return redirect("second_factor_verify")
    locked = _locked_out(request, user)
    if locked:
        return locked
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = second_factor.confirm_enrolment(user, form.cleaned_data["token"])
        if codes is not None:
            _passed(request, user, second_factor.TOTP)
            return render(
                request,
                "registration/backup_codes.html",
                {"codes": codes, "next": _next_url(request), "enrolled": True},
            )
        locked = _wrong_code(request, user)
        if locked:
            return locked
        form.add_error("token", _("Fel kod. Kontrollera att appen visar koden för Bistånd."))
    device = second_factor.pending_totp(user)
    return render(
        request,
        "registration/second_factor_enrol.html",
        {
            "form": form,
            "next": _next_url(request),
            "qr_svg": second_factor.qr_svg(second_factor.provisioning_uri(device)),
            "secret": second_factor.secret_base32(device),
        },
    )
