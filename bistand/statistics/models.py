"""Summary tables for the follow-up figures, maintained by the database (docs/statistics.md).

Every figure on the dashboard, in the yearly report, the API and `bistand stats` is an
aggregation over these tables (or, for events such as decisions and closings, over the case
tables). They are derived data: rebuilt month by month with INSERT ... SELECT by
`bistand.statistics.refresh` (command `bistand stats-refresh`, and after every bank status
report), never edited by hand. Ids point at the source rows without foreign-key constraints,
so that a refresh is plain set-based SQL and the case tables never wait for them.

- `HouseholdMonth`: one row per case (household) × calendar month the paid assistance was for.
- `RecipientMonth`: one row per person × month in a household with paid assistance.
- `HouseholdYear`, `RecipientYear`: the same per calendar year (months counted, attributes of
  the last month), for the yearly figures and long-term assistance.
- `UnitMonth`, `UnitYear`: a unit's totals per month and its long-term figures per year
  (what the dashboard shows without filters).
- `AccountMonth`: paid amounts per budget account × month paid out (the ledger's view).
- `MonthRefresh`: when each month was last rebuilt; `StaleMonth`: months whose payments changed
  since (marked by database triggers on the payment orders, migration 0002).
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Now


def _ref(model: str, **kwargs) -> models.ForeignKey:
    """A pointer at a source row: joinable from the ORM, no constraint, no index of its own."""
    return models.ForeignKey(
        model,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
        **kwargs,
    )


def _money(**kwargs) -> models.DecimalField:
    return models.DecimalField(max_digits=14, decimal_places=2, **kwargs)


class HouseholdMonth(models.Model):
    """A household (its case) with assistance paid for the month.

    Attributes are those of the month: section, handler and case type from the case
    assignment in force at the end of the month; composition from the memberships during the
    month (each person counted in one household only, see RecipientMonth).
    """

    unit = _ref("organisation.Unit")
    month = models.DateField()
    case = _ref("cases.Case")
    household = _ref("households.Household")
    section = _ref("organisation.Section")
    handler = _ref(settings.AUTH_USER_MODEL, null=True)
    case_type = models.CharField(max_length=1, blank=True)
    household_type = models.PositiveSmallIntegerField(default=9)  # Socialstyrelsen's code
    applicant_age_band = models.CharField(max_length=8, blank=True)
    adults = models.PositiveSmallIntegerField(default=0)  # applicant/co-applicant aged 18+
    other_adults = models.PositiveSmallIntegerField(default=0)  # role "other adult"
    children = models.PositiveSmallIntegerField(default=0)  # role "child" (household type)
    minors = models.PositiveSmallIntegerField(default=0)  # aged 0-17
    young_adults = models.PositiveSmallIntegerField(default=0)  # aged 18-24
    persons = models.PositiveSmallIntegerField(default=0)
    amount = _money()
    payments = models.PositiveIntegerField()
    # The latest decision behind the month's paid orders (its support obstacles are the month's).
    decision = _ref("decisions.Decision", null=True)
    spell_months = models.PositiveSmallIntegerField(default=1)

    class Meta:
        # Month first, and no other index starting with month: the refresh reads one month and
        # looks up the month before per case, the figures read a unit's months. A month just
        # built is new to the planner's statistics; with a single candidate index its lookups
        # stay index lookups on both columns whatever the estimates say.
        constraints = [
            models.UniqueConstraint(fields=["month", "case"], name="stats_household_month_once")
        ]


class RecipientMonth(models.Model):
    """A person in a household with assistance paid for the month (one row per person)."""

    unit = _ref("organisation.Unit")
    month = models.DateField()
    person = _ref("households.Person")
    case = _ref("cases.Case")
    household = _ref("households.Household")
    section = _ref("organisation.Section")
    handler = _ref(settings.AUTH_USER_MODEL, null=True)
    case_type = models.CharField(max_length=1, blank=True)
    household_type = models.PositiveSmallIntegerField(default=9)
    role = models.CharField(max_length=16)
    sex = models.CharField(max_length=1)
    age = models.PositiveSmallIntegerField()  # completed years on the last day of the month
    age_band = models.CharField(max_length=8)
    is_adult = models.BooleanField()  # applicant or co-applicant aged 18+ (vuxen mottagare)
    support_obstacle = models.CharField(max_length=48, blank=True)
    in_programme = models.BooleanField(default=False)
    spell_months = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "person"], name="stats_recipient_month_once")
        ]


class HouseholdYear(models.Model):
    """A household's calendar year: months with assistance, amount, attributes of its last
    month in the year."""

    unit = _ref("organisation.Unit")
    year = models.PositiveSmallIntegerField()
    case = _ref("cases.Case")
    household = _ref("households.Household")
    months = models.PositiveSmallIntegerField()
    amount = _money()
    last_month = models.DateField()
    section = _ref("organisation.Section")
    handler = _ref(settings.AUTH_USER_MODEL, null=True)
    case_type = models.CharField(max_length=1, blank=True)
    household_type = models.PositiveSmallIntegerField(default=9)
    applicant_age_band = models.CharField(max_length=8, blank=True)
    spell_months = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "case"], name="stats_household_year_once")
        ]
        indexes = [models.Index(fields=["unit", "year"], name="stats_hy_unit_year")]


class RecipientYear(models.Model):
    """A person's calendar year: months in a household with assistance (whatever household),
    whether an adult recipient in any of them, attributes of the last month."""

    unit = _ref("organisation.Unit")
    year = models.PositiveSmallIntegerField()
    person = _ref("households.Person")
    months = models.PositiveSmallIntegerField()
    adult_months = models.PositiveSmallIntegerField()
    is_adult = models.BooleanField()
    last_month = models.DateField()
    section = _ref("organisation.Section")
    handler = _ref(settings.AUTH_USER_MODEL, null=True)
    case_type = models.CharField(max_length=1, blank=True)
    household_type = models.PositiveSmallIntegerField(default=9)
    age_band = models.CharField(max_length=8)
    sex = models.CharField(max_length=1)
    support_obstacle = models.CharField(max_length=48, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "person"], name="stats_recipient_year_once")
        ]
        indexes = [models.Index(fields=["unit", "year"], name="stats_ry_unit_year")]


class UnitMonth(models.Model):
    """A unit's month in total (no filters): the dashboard's trend reads twelve rows."""

    unit = _ref("organisation.Unit")
    month = models.DateField()
    households = models.PositiveIntegerField()
    amount = _money()
    persons = models.PositiveIntegerField()
    adults = models.PositiveIntegerField()
    minors = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "unit"], name="stats_unit_month_once")
        ]


class UnitYear(models.Model):
    """A unit's long-term figures per calendar year in total (no filters): the five-year
    history on the dashboard reads five rows."""

    unit = _ref("organisation.Unit")
    year = models.PositiveSmallIntegerField()
    adults = models.PositiveIntegerField()
    long_term = models.PositiveIntegerField()
    very_long_term = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "unit"], name="stats_unit_year_once")
        ]


class AccountMonth(models.Model):
    """Paid amounts per budget account and the month they were paid out (booked)."""

    unit = _ref("organisation.Unit")
    month = models.DateField()
    budget_account = _ref("payments.BudgetAccount")
    amount = _money()
    payments = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "month", "budget_account"], name="stats_account_month_once"
            )
        ]


class MonthRefresh(models.Model):
    """When a month's summary rows were last rebuilt, and what they held."""

    month = models.DateField(unique=True)
    refreshed_at = models.DateTimeField()
    households = models.PositiveIntegerField(default=0)
    recipients = models.PositiveIntegerField(default=0)
    amount = _money(default=0)
    milliseconds = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["month"]


class StaleMonth(models.Model):
    """A month whose paid orders changed after its last refresh (set by database triggers on
    payments_paymentorder; cleared by the refresh)."""

    month = models.DateField(unique=True)
    marked_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["month"]


class BirthCountrySource(models.TextChoices):
    POPULATION_REGISTER = "population_register", "Folkbokföringen (Skatteverket)"


class BirthCountryRegistration(models.Model):
    """Born in Sweden or abroad, as registered in the population register (issue 17).

    Socialstyrelsen's register of ekonomiskt bistånd has a variable for it (applicant and
    co-applicant born abroad, docs/national-reporting.md); the case tables had none. The value
    comes only from a register extract (`bistand birth-country-import`), never from a name or
    an identity number; a person without a row is *not known*, never guessed. One row per
    person: a later extract replaces the value, and `registered_on` says which extract it is.
    """

    person = models.OneToOneField(
        "households.Person", on_delete=models.PROTECT, related_name="birth_country"
    )
    born_in_sweden = models.BooleanField()
    source = models.CharField(max_length=40, choices=BirthCountrySource.choices)
    registered_on = models.DateField(help_text="The date of the register extract.")
    recorded_at = models.DateTimeField(auto_now=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    def __str__(self) -> str:
        return "född i Sverige" if self.born_in_sweden else "född utomlands"
