"""Persons and households, with household composition over time."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bistand.core.codes import HOUSEHOLD_TYPES, derive_household_type
from bistand.core.identity import age_on


class Person(models.Model):
    identity_number = models.CharField(_("person-/samordningsnummer"), max_length=12, unique=True)
    is_coordination_number = models.BooleanField(default=False)
    first_name = models.CharField(_("förnamn"), max_length=100)
    last_name = models.CharField(_("efternamn"), max_length=100)
    birth_date = models.DateField(_("födelsedatum"))
    sex = models.CharField(
        _("juridiskt kön"), max_length=1, choices=[("M", _("Man")), ("F", _("Kvinna"))]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["last_name", "first_name"])]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def formatted_identity_number(self) -> str:
        return f"{self.identity_number[:8]}-{self.identity_number[8:]}"

    def age_on(self, day: dt.date) -> int:
        return age_on(self.birth_date, day)

    @property
    def protected_identity(self) -> "ProtectedIdentity | None":
        """The protected identity in force, if any."""
        return self.protected_identities.filter(removed_at__isnull=True).first()


class MemberRole(models.TextChoices):
    APPLICANT = "applicant", _("Sökande")
    CO_APPLICANT = "co_applicant", _("Medsökande (make/maka/sambo)")
    CHILD = "child", _("Barn")
    OTHER_ADULT = "other_adult", _("Annan vuxen i hushållet")


ADULT_ROLES = (MemberRole.APPLICANT, MemberRole.CO_APPLICANT)

# Shown instead of the address of a household where a person with protected identity lives.
PROTECTED_ADDRESS = "Skyddad adress"


class ProtectionKind(models.TextChoices):
    """Skatteverket's two markings of protected personal data (skyddade personuppgifter)."""

    CONFIDENTIALITY_MARKING = "confidentiality_marking", _("Sekretessmarkering")
    PROTECTED_REGISTRATION = "protected_registration", _("Skyddad folkbokföring")


class ProtectedIdentity(models.Model):
    """A person's protected identity, from marking to removal. A change is a new row: the old
    one is ended (`removed_at`), never edited back. At most one row per person is in force."""

    person = models.ForeignKey(
        "Person", on_delete=models.PROTECT, related_name="protected_identities"
    )
    kind = models.CharField(_("typ av skydd"), max_length=32, choices=ProtectionKind.choices)
    registered_on = models.DateField(_("gäller från"))
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    marked_at = models.DateTimeField()
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    removal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["marked_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(removed_at__isnull=True),
                name="one_protected_identity_in_force_per_person",
            ),
            models.CheckConstraint(
                condition=Q(removed_at__isnull=True) | Q(removed_by__isnull=False),
                name="protected_identity_removal_has_actor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.person_id})"


def protected_persons():
    """Ids of persons whose protected identity is in force (a subquery)."""
    return ProtectedIdentity.objects.filter(removed_at__isnull=True).values("person_id")


def protected_household_ids(day: dt.date | None = None):
    """Ids of households where a person with protected identity is a member on `day` or later
    (a subquery). Their address is never shown and their cases are open to named staff only."""
    day = day or timezone.localdate()
    return (
        HouseholdMembership.objects.filter(person_id__in=protected_persons())
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .values("household_id")
    )


class Household(models.Model):
    """Those whose economy is assessed together. Composition is kept as dated memberships."""

    address = models.CharField(_("adress"), max_length=200, blank=True)
    postal_code = models.CharField(_("postnummer"), max_length=10, blank=True)
    city = models.CharField(_("ort"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        applicant = self.applicant_on(dt.date.today())
        return f"Hushåll {self.pk}" + (f" ({applicant.full_name})" if applicant else "")

    @property
    def is_address_protected(self) -> bool:
        """A member has protected identity: the address must not be shown or printed."""
        if self.pk is None:
            return False
        return Household.objects.filter(pk=self.pk, pk__in=protected_household_ids()).exists()

    @property
    def address_display(self) -> str:
        """The address as staff may see it: 'Skyddad adress' for a protected household."""
        if self.is_address_protected:
            return PROTECTED_ADDRESS
        return self.plain_address

    @property
    def plain_address(self) -> str:
        """The address as written, for callers that have checked protection themselves."""
        return ", ".join(
            part for part in (self.address, f"{self.postal_code} {self.city}".strip()) if part
        )

    def members_on(self, day: dt.date):
        return (
            self.memberships.filter(valid_from__lte=day)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
            .select_related("person")
            .order_by("role", "person__birth_date")
        )

    def members_list_on(self, day: dt.date) -> list["HouseholdMembership"]:
        """`members_on` as a list, read once per household object and day (for read-only
        pages whose parts each ask for today's members)."""
        known = self.__dict__.setdefault("_members_list_on", {})
        if day not in known:
            known[day] = list(self.members_on(day))
        return known[day]

    def applicant_on(self, day: dt.date):
        known = self.__dict__.get("_applicants_on")  # read set-wise (selectors.attach_applicants)
        if known is not None and day in known:
            return known[day]
        membership = self.members_on(day).filter(role=MemberRole.APPLICANT).first()
        return membership.person if membership else None

    def household_type_on(self, day: dt.date, members: list | None = None) -> str:
        """(`members`: the memberships on `day`, when the caller has read them already.)"""
        if members is None:
            members = list(self.members_on(day))
        adults = [
            (m.person.sex, m.person.age_on(day) >= 18) for m in members if m.role in ADULT_ROLES
        ]
        children = sum(1 for m in members if m.role == MemberRole.CHILD)
        others = sum(1 for m in members if m.role == MemberRole.OTHER_ADULT)
        return derive_household_type(adults, children, others)

    def household_type_label_on(self, day: dt.date, members: list | None = None) -> str:
        return HOUSEHOLD_TYPES[self.household_type_on(day, members)][1]

    def has_children_on(self, day: dt.date) -> bool:
        return self.members_on(day).filter(role=MemberRole.CHILD).exists()


class HouseholdMembership(models.Model):
    """A person belongs to a household from `valid_from` until `valid_to` (exclusive)."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("roll i hushållet"), max_length=16, choices=MemberRole.choices)
    valid_from = models.DateField(_("från"))
    valid_to = models.DateField(_("till"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="membership_period_positive",
            ),
            # A person is in at most one household at a time (open membership).
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(valid_to__isnull=True),
                name="one_current_household_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} i {self.household_id} ({self.get_role_display()})"
