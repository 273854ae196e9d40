"""Staff administration for the system administrator: units, sections and staff.

Passwords are set through Django's set-password form; `is_staff`, `is_superuser`, groups and
permissions are not offered (the role decides what a person may do). Staff are never deleted,
only made inactive, since their names stand on records of authority and in the access log.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from bistand.core.identity import IdentityNumberError, parse_identity_number

from .admin_site import AuditedModelAdmin, password_fingerprint, record_password_change
from .models import Role, Section, Unit, User

STAFF_FIELDS = (
    "first_name",
    "last_name",
    "identity_number",
    "email",
    "title",
    "role",
    "unit",
    "section",
    "caseload_limit",
    "rules_maintainer",
)


class StaffPlacementMixin(forms.ModelForm):
    """A section belongs to the staff member's unit; a section head needs a section; an
    identity number is a valid personnummer or samordningsnummer, stored as 12 digits."""

    identity_number = forms.CharField(
        label=_("personnummer"),
        max_length=13,  # with the hyphen: ÅÅÅÅMMDD-NNNN
        required=False,
        help_text=User._meta.get_field("identity_number").help_text,
    )

    def clean_identity_number(self):
        raw = (self.cleaned_data.get("identity_number") or "").strip()
        if not raw:
            return ""
        try:
            return parse_identity_number(raw).canonical
        except IdentityNumberError as error:
            raise forms.ValidationError(error.message, code=error.code) from None

    def clean(self):
        cleaned = super().clean()
        role, unit, section = (cleaned.get(k) for k in ("role", "unit", "section"))
        if section is not None:
            if unit is None:
                cleaned["unit"] = unit = section.unit
            elif section.unit_id != unit.pk:
                self.add_error("section", _("Sektionen hör till en annan enhet."))
        if role == Role.SECTION_HEAD and section is None:
            self.add_error("section", _("En sektionschef måste ha en sektion."))
        if role and role != Role.SYSTEM_ADMIN and unit is None:
            self.add_error("unit", _("Personalen måste höra till en enhet."))
        return cleaned


class StaffCreationForm(StaffPlacementMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", *STAFF_FIELDS)


class StaffChangeForm(StaffPlacementMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = ("username", "password", *STAFF_FIELDS, "is_active")


@admin.register(User)
class StaffAdmin(AuditedModelAdmin, UserAdmin):
    form = StaffChangeForm
    add_form = StaffCreationForm
    fieldsets = (
        (None, {"fields": ("username", "password", "is_active")}),
        (
            _("Person"),
            {"fields": ("first_name", "last_name", "identity_number", "email", "title")},
        ),
        (
            _("Roll och placering"),
            {"fields": ("role", "unit", "section", "caseload_limit", "rules_maintainer")},
        ),
        (_("Datum"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
        (
            _("Person"),
            {"fields": ("first_name", "last_name", "identity_number", "email", "title")},
        ),
        (
            _("Roll och placering"),
            {"fields": ("role", "unit", "section", "caseload_limit", "rules_maintainer")},
        ),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = ("username", "first_name", "last_name", "role", "unit", "section", "is_active")
    list_filter = ("role", "unit", "section", "is_active", "rules_maintainer")
    search_fields = ("username", "first_name", "last_name", "email")
    ordering = ("last_name", "first_name")
    filter_horizontal = ()
    list_select_related = ("unit", "section")

    def has_change_permission(self, request, obj=None) -> bool:
        """A superuser account is changed by a superuser only (no way up through a password)."""
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        # Kept consistent for tools that read it; the admin site itself does not consult it.
        obj.is_staff = obj.is_superuser or obj.role == Role.SYSTEM_ADMIN
        super().save_model(request, obj, form, change)

    def user_change_password(self, request, id, form_url=""):
        """Django's set-password form; the change is logged (never the hash) with it."""
        with transaction.atomic():
            user = self.get_object(request, unquote(id)) if request.method == "POST" else None
            before = password_fingerprint(user) if user is not None else None
            response = super().user_change_password(request, id, form_url)
            if before is not None and password_fingerprint(user) != before:
                user.refresh_from_db()
                record_password_change(request.user, user)
        return response


@admin.register(Unit)
class UnitAdmin(AuditedModelAdmin):
    list_display = ("name", "municipality_code", "municipality_name", "default_caseload_limit")
    search_fields = ("name", "municipality_name")


@admin.register(Section)
class SectionAdmin(AuditedModelAdmin):
    list_display = ("name", "code", "unit", "handles_intake")
    list_filter = ("unit", "handles_intake")
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}


# Access is by role (organisation.permissions), not by Django groups and permissions.
admin.site.unregister(Group)
# django-otp's device admins show the TOTP secrets and backup codes: never in the admin. A system
# administrator resets a second factor from the staff list (organisation.views_staff), logged.
for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)
