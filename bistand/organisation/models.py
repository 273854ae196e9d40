"""Units, sections and staff with their roles."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RECEPTION = "reception", _("Mottagning")
    SOCIAL_WORKER = "social_worker", _("Socialsekreterare")
    BENEFIT_ADMINISTRATOR = "benefit_administrator", _("Bidragshandläggare")
    SECTION_HEAD = "section_head", _("Sektionschef")
    UNIT_HEAD = "unit_head", _("Enhetschef")
    FRAUD_INVESTIGATOR = "fraud_investigator", _("FUT-handläggare")
    FINANCE = "finance", _("Ekonom/utbetalare")
    SYSTEM_ADMIN = "system_admin", _("Systemadministratör")
    # Internal control (egenkontroll): the sample review, the review queue, the control runs'
    # flags. Decides, attests and pays nothing and handles no case (docs/controls.md).
    CONTROLLER = "controller", _("Internkontrollant")
    # The activity requirement (#16): records attendance for the activities they coordinate;
    # sees those activities' participants only, never a case (docs/activity-requirement.md).
    ACTIVITY_COORDINATOR = "activity_coordinator", _("Aktivitetssamordnare")


CASE_HANDLER_ROLES = (Role.SOCIAL_WORKER, Role.BENEFIT_ADMINISTRATOR)
HEAD_ROLES = (Role.SECTION_HEAD, Role.UNIT_HEAD)


class Unit(models.Model):
    """A social-services unit (enhet) for economic assistance in a municipality."""

    name = models.CharField(_("namn"), max_length=200)
    municipality_code = models.CharField(_("kommunkod"), max_length=4)
    municipality_name = models.CharField(_("kommun"), max_length=100)
    default_caseload_limit = models.PositiveIntegerField(
        _("högsta antal ärenden per handläggare"), default=40
    )
    protected_mail_instruction = models.CharField(
        _("postgång vid skyddad adress"),
        max_length=300,
        blank=True,
        help_text=_(
            "Står i brevets adressfält i stället för adressen när någon i hushållet har skyddade "
            "personuppgifter, t.ex. att brevet skickas via Skatteverkets förmedling."
        ),
    )

    def __str__(self) -> str:
        return self.name


class Section(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="sections")
    name = models.CharField(_("namn"), max_length=100)
    code = models.SlugField(max_length=40)
    handles_intake = models.BooleanField(
        _("tar emot nyansökningar"),
        default=False,
        help_text=_("Mottagning: nya ansökningar hamnar här."),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "code"], name="section_code_unique_in_unit")
        ]
        ordering = ["unit_id", "name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A staff member. The role decides what they may do; the section what they may open."""

    role = models.CharField(_("roll"), max_length=32, choices=Role.choices)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )
    caseload_limit = models.PositiveIntegerField(_("högsta antal ärenden"), null=True, blank=True)
    title = models.CharField(_("titel"), max_length=100, blank=True)
    # Registered by the system administrator (from HR or the staff e-ID). Only used to keep
    # the staff member out of cases that concern themselves or their household (jäv, 16 §
    # förvaltningslagen; bistand.cases.rules.conflict_household_ids). Never shown in lists.
    identity_number = models.CharField(
        _("personnummer"),
        max_length=12,
        blank=True,
        default="",
        help_text=_(
            "Tolv siffror. Personalen kan då inte öppna ärenden som rör dem själva eller "
            "deras hushåll (jäv)."
        ),
    )
    rules_maintainer = models.BooleanField(
        _("förvaltar regelverket"),
        default=False,
        help_text=_("Får lägga in och granska riksnorm, prisbasbelopp och lagperioder."),
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="section_head") | models.Q(section__isnull=False),
                name="section_head_has_section",
            ),
            models.UniqueConstraint(
                fields=["identity_number"],
                condition=~models.Q(identity_number=""),
                name="staff_identity_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def effective_caseload_limit(self) -> int:
        if self.caseload_limit:
            return self.caseload_limit
        return self.unit.default_caseload_limit if self.unit_id else 40

    @property
    def role_label(self) -> str:
        return self.get_role_display()

    @property
    def may_take_emergency_access(self) -> bool:
        """Whether a refused case can be offered as emergency access (nödåtkomst)."""
        from .permissions import can

        return can(self, "emergency_access")

    def has_role(self, *roles: str) -> bool:
        return self.is_authenticated and self.role in roles
