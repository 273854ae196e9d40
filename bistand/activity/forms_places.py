"""Forms of the activities, placements, attendance, absence and activity-plan pages. They only
shape input; the rules are in the services."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from bistand.core.forms import Form
from bistand.workplans.models import ConsentMethod

from .forms import _date_field
from .models import (
    AbsenceOutcome,
    AttendanceStatus,
    ProposedConsequence,
    SwedishLevel,
    WorkAbility,
)

NUMBER_ERROR = _("Ange ett tal, t.ex. 12,5.")


def _hours_field(label, *, required=True, max_value=40):
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal("0"),
        max_value=Decimal(max_value),
        max_digits=4,
        decimal_places=1,
        localize=True,
        error_messages={
            "invalid": NUMBER_ERROR,
            "required": _("Ange antal timmar."),
            "max_value": _("Högst %(limit_value)s timmar."),
            "min_value": _("Timmar kan inte vara negativa."),
            "max_decimal_places": _("Högst en decimal."),
            "max_digits": NUMBER_ERROR,
        },
    )


def _age_field(label) -> forms.IntegerField:
    """An age limit of a referral criterion: optional, 16-70 years."""
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=16,
        max_value=70,
        error_messages={
            "invalid": _("Ange ett heltal."),
            "min_value": _("Ange en ålder mellan 16 och 70 år."),
            "max_value": _("Ange en ålder mellan 16 och 70 år."),
        },
    )


class ActivityForm(Form):
    name = forms.CharField(label=_("Namn"), max_length=120)
    provider = forms.CharField(label=_("Anordnare"), max_length=120)
    places = forms.IntegerField(
        label=_("Antal platser"),
        min_value=1,
        max_value=1000,
        error_messages={
            "invalid": _("Ange ett heltal."),
            "min_value": _("Antal platser måste vara minst 1."),
            "max_value": _("Högst 1000 platser."),
        },
    )
    hours_per_week = _hours_field(_("Timmar per vecka"))
    starts_on = _date_field(_("Startar"), required=True)
    ends_on = _date_field(_("Slutar (tomt = tills vidare)"))
    coordinators = forms.TypedMultipleChoiceField(
        label=_("Aktivitetssamordnare"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    min_age = _age_field(_("Lägsta ålder (tomt = inget krav)"))
    max_age = _age_field(_("Högsta ålder (tomt = inget krav)"))
    swedish_level = forms.ChoiceField(
        label=_("Språkkrav"), choices=SwedishLevel.choices, required=False
    )
    min_work_ability = forms.TypedChoiceField(
        label=_("Krav på arbetsförmåga"),
        choices=[("", _("Inget krav")), *WorkAbility.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, coordinators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinators"].choices = [(u.pk, u.get_full_name()) for u in coordinators]


class EditActivityForm(ActivityForm):
    """The same fields but the period: the dates are not changed here (placements hang on
    them)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["starts_on"]
        del self.fields["ends_on"]


class AssignForm(Form):
    person = forms.TypedChoiceField(
        label=_("Person"), coerce=int, error_messages={"required": _("Välj person.")}
    )
    activity = forms.TypedChoiceField(
        label=_("Aktivitet"), coerce=int, error_messages={"required": _("Välj aktivitet.")}
    )
    criteria_reason = forms.CharField(
        label=_("Skäl att anvisa trots aktivitetens kriterier (bara om en varning visas)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, adults=(), activities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "—"), *((a.pk, a.full_name) for a in adults)]
        self.fields["activity"].choices = [
            ("", "—"),
            *(
                (
                    a.pk,
                    _("%(name)s (%(provider)s), %(taken)s av %(places)s platser, %(waiting)s i kö")
                    % {
                        "name": a.name,
                        "provider": a.provider,
                        "taken": a.taken,
                        "places": a.places,
                        "waiting": a.waiting,
                    },
                )
                for a in activities
            ),
        ]


class EndPlacementForm(Form):
    reason = forms.CharField(
        label=_("Skäl"),
        max_length=300,
        error_messages={"required": _("Ange varför anvisningen avslutas.")},
    )


class WaiveCriteriaForm(Form):
    reason = forms.CharField(
        label=_("Skäl att erbjuda plats trots kriterierna"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Ange skälet att erbjuda plats trots kriterierna.")},
    )


class AttendanceRowForm(Form):
    """One person's week on the coordinator's attendance form (prefixed by the placement)."""

    status = forms.ChoiceField(
        label=_("Närvaro"),
        choices=[("", "—"), *AttendanceStatus.choices],
        required=False,
    )
    hours = _hours_field(_("Timmar"), required=False, max_value=60)
    note = forms.CharField(label=_("Kommentar"), max_length=300, required=False)


class ImportForm(Form):
    file = forms.FileField(
        label=_("Fil (CSV)"), error_messages={"required": _("Välj en fil att läsa in.")}
    )


class AssessAbsenceForm(Form):
    outcome = forms.ChoiceField(
        label=_("Bedömning"),
        choices=[("", "—"), *AbsenceOutcome.choices],
        error_messages={"required": _("Välj en bedömning.")},
    )
    reasoning = forms.CharField(
        label=_("Motivering"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Skriv en motivering.")},
    )
    consequence = forms.ChoiceField(
        label=_("Föreslagen påföljd (ett förslag: beslutet fattas i månadens beslut)"),
        choices=ProposedConsequence.choices,
        initial=ProposedConsequence.NONE,
    )
    month = forms.DateField(
        label=_("Månad som förslaget gäller (ÅÅÅÅ-MM)"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        error_messages={"invalid": _("Ange månaden som ÅÅÅÅ-MM, t.ex. 2026-12.")},
    )


class ActivityPlanForm(Form):
    person = forms.TypedChoiceField(
        label=_("Person"), coerce=int, error_messages={"required": _("Välj person.")}
    )
    goals = forms.CharField(
        label=_("Mål"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Skriv planens mål.")},
    )
    placements = forms.TypedMultipleChoiceField(
        label=_("Aktiviteter"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    job_search_hours = _hours_field(_("Timmar jobbsökande per vecka"))
    adaptation = forms.CharField(
        label=_("Anpassning efter förmåga"), max_length=500, required=False
    )
    follow_up_on = _date_field(_("Uppföljning"), required=True)

    def __init__(self, *args, adults=(), placements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "—"), *((a.pk, a.full_name) for a in adults)]
        self.fields["placements"].choices = [
            (
                p.pk,
                f"{p.person.full_name}: {p.activity.name}, {p.activity.hours_per_week} h/v "
                f"({p.get_status_display().lower()})",
            )
            for p in placements
        ]


class PlanConsentForm(Form):
    consent_on = _date_field(_("Datum för godkännandet"), required=True)
    method = forms.ChoiceField(
        label=_("Hur godkände personen planen?"),
        choices=[("", "—"), *ConsentMethod.choices],
        error_messages={"required": _("Ange hur personen godkände planen.")},
    )
    note = forms.CharField(label=_("Anteckning"), max_length=300, required=False)


class NoticeImportForm(Form):
    file = forms.FileField(
        label=_("Fil (CSV)"), error_messages={"required": _("Välj en fil att läsa in.")}
    )
    source = forms.CharField(
        label=_("Källa"),
        max_length=200,
        initial="Arbetsförmedlingen",
        error_messages={"required": _("Ange varifrån underrättelserna kommer.")},
    )
