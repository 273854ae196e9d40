"""The admin site: configuration only, for system administrators, every change logged.

Case content is never registered here (tests/organisation/test_admin_registry.py); it is read
only through the pages and APIs that apply the access rules and log the read. `is_staff` plays
no part: the site admits superusers and the system-administrator role, nobody else.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from bistand.audit.models import AuditAction
from bistand.audit.services import AuditEvent, diff, record, record_many
from bistand.core.errors import PermissionRefused
from bistand.core.views import refusal_response

from .permissions import can, require

# Never written to the access log, not even as before/after (a hash is still a secret).
UNLOGGED_FIELDS = frozenset({"password", "last_login"})


def may_administer(user) -> bool:
    """Superusers and the system-administrator role; `is_staff` is not consulted."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return bool(user.is_superuser or can(user, "manage_organisation"))


def _refusal(user) -> PermissionRefused:
    try:
        require(user, "manage_organisation")
    except PermissionRefused as error:
        return error
    return PermissionRefused("admin_not_permitted", "Ditt konto får inte använda administrationen.")


def audit_snapshot(obj) -> dict:
    """The row's concrete field values for a before/after record (never the password)."""
    return {
        field.attname: getattr(obj, field.attname)
        for field in obj._meta.concrete_fields
        if field.name not in UNLOGGED_FIELDS
    }


def password_fingerprint(user) -> str:
    """The stored hash, compared to see whether it changed; never logged."""
    model = user._meta.model
    return model._default_manager.filter(pk=user.pk).values_list("password", flat=True).get()


def record_password_change(actor, user) -> None:
    record(
        actor,
        AuditAction.UPDATE,
        obj=user,
        detail={"via": "admin", "changed": ["password"], "usable": user.has_usable_password()},
    )


class BistandAdminSite(admin.AdminSite):
    site_header = _("Bistånd – administration")
    site_title = _("Bistånd – administration")
    index_title = _("Organisation och inställningar")

    def has_permission(self, request: HttpRequest) -> bool:
        return may_administer(request.user)

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """No second login form: anonymous users go to the logged login page, logged-in
        users without the role are refused (and the refusal is logged)."""
        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = reverse("admin:index", current_app=self.name)
        if self.has_permission(request):
            return HttpResponseRedirect(next_url)
        if not request.user.is_authenticated:
            return redirect_to_login(next_url, settings.LOGIN_URL)
        error = _refusal(request.user)
        record(
            request.user,
            AuditAction.ACCESS_DENIED,
            object_type="admin",
            detail={"path": next_url, "reason": error.code},
        )
        return refusal_response(request, error)

    def password_change(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """The administrator's own password, logged like every other admin change."""
        with transaction.atomic():
            before = password_fingerprint(request.user) if request.method == "POST" else None
            response = super().password_change(request, extra_context)
            if before is not None and password_fingerprint(request.user) != before:
                record_password_change(request.user, request.user)
        return response


class AuditedModelAdmin(admin.ModelAdmin):
    """Base for every registered model: only administrators see it, every change is one
    access-log row with the before/after values of the fields that changed."""

    editable = True

    def _may_administer(self, request: HttpRequest) -> bool:
        return may_administer(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may_administer(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may_administer(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.editable and self._may_administer(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.editable and self._may_administer(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.editable and self._may_administer(request)

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        before = audit_snapshot(type(obj)._default_manager.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)
        record(
            request.user,
            AuditAction.UPDATE if change else AuditAction.CREATE,
            obj=obj,
            detail={"via": "admin", **diff(before, audit_snapshot(obj))},
        )

    def delete_model(self, request: HttpRequest, obj) -> None:
        before, label, pk = audit_snapshot(obj), obj._meta.label_lower, obj.pk
        super().delete_model(request, obj)
        record(
            request.user,
            AuditAction.UPDATE,
            object_type=label,
            object_id=pk,
            detail={"via": "admin", "deleted": True, **diff(before, {})},
        )

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        with transaction.atomic():
            events = [
                AuditEvent(
                    AuditAction.UPDATE,
                    obj._meta.label_lower,
                    obj.pk,
                    detail={"via": "admin", "deleted": True, **diff(audit_snapshot(obj), {})},
                )
                for obj in queryset
            ]
            super().delete_queryset(request, queryset)
            record_many(request.user, events)


class ReadOnlyConfigAdmin(AuditedModelAdmin):
    """Configuration shown for reference; it changes through its own service and pages."""

    editable = False
