"""Benchmark of the statistics: a large city over ten years, and the API timed through Django.

Run (PostgreSQL; the database is dropped and created again unless --reuse):

    .venv/bin/python bench/stats_bench.py                     # 25,000 households a month, 10 years
    .venv/bin/python bench/stats_bench.py --reuse --repeat 50 # time again on the same data
    options: --households N --years Y --seed S --repeat R --database-url URL

What it does:
1. creates the database `bistand_stats_bench` (DATABASE_URL overrides) and migrates it;
2. generates the case data straight into the tables with PostgreSQL COPY (psycopg's
   cursor.copy), triggers and foreign-key checks off for the load (session_replication_role =
   replica): persons and households, cases with re-entries, and per household and month an
   application, a saved calculation, a final decision with its line and every adult's support
   obstacle, and a paid payment order; work plans and programme referrals on top;
3. builds the statistics summary tables with `refresh_all()` (INSERT ... SELECT per month);
4. calls the statistics API through Django's test client as a unit head (and a section head),
   `--repeat` times after two warm-up calls, and prints p50/p95 per endpoint.

Goal (issue 7): the month dashboard and the yearly long-term figure under 1 s at p95.
Figures are recorded in docs/PERFORMANCE.md, "## Statistics".
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
import types
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("BISTAND_DEBUG", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bistand.settings")
    import django

    django.setup()


def _recreate_database(database_url: str) -> None:
    import psycopg

    base, name = database_url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


# ------------------------------------------------------------------------------- helpers


def _mix(*numbers: int) -> float:
    """A cheap deterministic pseudo-random number in [0, 1) from integers."""
    value = 0x9E3779B9
    for n in numbers:
        value = (value ^ (n & 0xFFFFFFFF)) * 0x01000193 & 0xFFFFFFFF
        value ^= value >> 15
        value = value * 0x2C1B3C6D & 0xFFFFFFFF
        value ^= value >> 12
    return value / 2**32


class Copier:
    """COPY rows into a model's table: the given columns, every other column at its default."""

    def __init__(self, cursor, model, columns: list[str]):
        from django.db.models import JSONField
        from django.utils import timezone

        now = timezone.now()
        self.cursor = cursor
        self.table = model._meta.db_table
        given = set(columns)
        extra, defaults = [], []
        for field in model._meta.concrete_fields:
            column = field.column
            if column in given or field.primary_key and column in given:
                continue
            if field.primary_key:
                raise ValueError(f"{self.table}: give the primary key")
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = now
            elif field.has_default():
                value = field.get_default()
            elif field.null:
                value = None
            elif field.get_internal_type() in ("CharField", "TextField", "SlugField"):
                value = ""
            else:
                raise ValueError(f"{self.table}.{column}: no value and no default")
            if isinstance(field, JSONField) and value is not None:
                import json

                value = json.dumps(value)
            extra.append(column)
            defaults.append(value)
        self.columns = [*columns, *extra]
        self.defaults = tuple(defaults)

    def run(self, rows) -> int:
        count = 0
        sql = f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN"
        with self.cursor.copy(sql) as copy:
            defaults = self.defaults
            for row in rows:
                copy.write_row((*row, *defaults))
                count += 1
        return count


# ----------------------------------------------------------------------------- the world

TYPES = [  # (share, adults, sexes, children range)
    (0.34, 1, "M", (0, 0)),
    (0.20, 1, "F", (0, 0)),
    (0.21, 1, "F", (1, 4)),
    (0.03, 1, "M", (1, 3)),
    (0.07, 2, "MF", (0, 0)),
    (0.13, 2, "MF", (1, 4)),
    (0.02, 1, "M", (0, 0)),  # + another adult: "other" household
]
SPELLS = [(0.55, 4.0), (0.30, 12.0), (0.15, 40.0)]  # (share, mean months): short, medium, long
OBSTACLES = [
    ("unemployed_no_benefit", 0.30),
    ("unemployed_insufficient_benefit", 0.08),
    ("establishment_missing", 0.04),
    ("sick_certified_no_benefit", 0.12),
    ("activity_compensation_insufficient", 0.06),
    ("social_reasons", 0.18),
    ("working_part_time_insufficient", 0.06),
    ("parental_benefit_insufficient", 0.06),
    ("no_obstacle", 0.05),
    ("pension_insufficient", 0.05),
]
REASONS = ["work", "studies", "unemployment_benefit", "sickness_benefit", "moved",
           "not_current", "other_benefit", "changed_household"]  # fmt: skip
SEASON = [1.12, 1.08, 1.02, 1.0, 0.97, 0.93, 0.9, 0.92, 1.0, 1.02, 1.0, 1.04]


def _pick(weights, r: float):
    total = 0.0
    for item in weights:
        total += item[0]
        if r < total:
            return item
    return weights[-1]


def _obstacle(r: float) -> str:
    total = 0.0
    for code, share in OBSTACLES:
        total += share
        if r < total:
            return code
    return OBSTACLES[-1][0]


def simulate(households_per_month: int, months: int, seed: int):
    """Spells of assistance per household: [(household, start index, length)], month 0 = the
    first month of the window; 30 % of spells are returns of an earlier household."""
    import random

    rng = random.Random(seed)
    mean = sum(share * m for share, m in SPELLS)
    burn_in = 72
    spells: list[tuple[int, int, int]] = []
    dormant: list[tuple[int, int]] = []  # (household, month the last spell ended)
    next_household = 0
    for index in range(-burn_in, months):
        arrivals = households_per_month / mean * SEASON[index % 12]
        count = int(arrivals) + (1 if rng.random() < arrivals - int(arrivals) else 0)
        for _ in range(count):
            length = 1 + int(rng.expovariate(1 / (_pick(SPELLS, rng.random())[1] - 0.5)))
            household = None
            if dormant and rng.random() < 0.3:
                position = rng.randrange(len(dormant))
                candidate, ended = dormant[position]
                if ended <= index - 2:
                    household = candidate
                    dormant[position] = dormant[-1]
                    dormant.pop()
            if household is None:
                household = next_household
                next_household += 1
            spells.append((household, index, length))
            if index + length < months:
                dormant.append((household, index + length))
    return [s for s in spells if s[1] + s[2] > 0 and s[1] < months], next_household


def generate(args) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from bistand.cases import models as cases
    from bistand.core.dates import add_months, month_start
    from bistand.decisions import models as decisions
    from bistand.households import models as households
    from bistand.organisation.models import Role, Section, Unit, User
    from bistand.payments import models as payments
    from bistand.workplans import models as workplans

    started = time.monotonic()
    total_months = args.years * 12
    last = add_months(month_start(timezone.localdate()), -1)
    first = add_months(last, -(total_months - 1))
    month_dates = [add_months(first, i) for i in range(total_months)]
    spells, household_count = simulate(args.households, total_months, args.seed)
    by_household: dict[int, list[tuple[int, int]]] = {}
    for household, start, length in spells:
        by_household.setdefault(household, []).append((start, length))
    ids = sorted(by_household)
    print(f"  simulated {len(spells):,} spells of {len(ids):,} households", flush=True)

    unit = Unit.objects.create(
        name="Ekonomiskt bistånd Storstad", municipality_code="0180", municipality_name="Stockholm"
    )
    sections = [
        Section.objects.create(unit=unit, name=name, code=code, handles_intake=code == "mottagning")
        for name, code in [
            ("Mottagning", "mottagning"),
            ("Arbetsmarknad", "arbetsmarknad"),
            ("Rehabilitering", "rehabilitering"),
            ("Unga vuxna", "unga-vuxna"),
        ]
    ]
    password = make_password("bench-lösenord-1")
    staff = []
    for s, section in enumerate(sections):
        for n in range(25):
            role = Role.BENEFIT_ADMINISTRATOR if n % 4 == 0 else Role.SOCIAL_WORKER
            staff.append(
                User(
                    username=f"h{s}-{n}",
                    first_name=f"Handläggare{n}",
                    last_name=section.name,
                    role=role,
                    unit=unit,
                    section=section,
                    password=password,
                )  # fmt: skip
            )
    User.objects.bulk_create(staff)
    handlers = list(User.objects.filter(unit=unit).order_by("pk"))
    head = User.objects.create(
        username="enhetschef", role=Role.UNIT_HEAD, unit=unit, password=password,
        first_name="Enhets", last_name="Chef",
    )  # fmt: skip
    User.objects.create(
        username="sektionschef", role=Role.SECTION_HEAD, unit=unit, section=sections[1],
        password=password, first_name="Sektions", last_name="Chef",
    )  # fmt: skip
    accounts = [
        payments.BudgetAccount.objects.create(
            unit=unit, code=code, name=name, kind="assistance", created_by=head
        )
        for code, name in [("4710", "Försörjningsstöd"), ("4711", "Livsföring i övrigt")]
    ]
    for year in range(first.year, last.year + 2):
        payments.BudgetAmount.objects.create(
            account=accounts[0], year=year, amount=Decimal(args.households * 12 * 9500),
            created_by=head,
        )  # fmt: skip
        payments.BudgetAmount.objects.create(
            account=accounts[1], year=year, amount=Decimal(args.households * 12 * 700),
            created_by=head,
        )  # fmt: skip
    programmes = [
        workplans.Programme.objects.create(unit=unit, name=name)
        for name in ("Jobbtorg", "Lärcentrum", "Jobbaktiv")
    ]

    raw = connection.cursor().cursor
    raw.execute("SET session_replication_role = replica")
    now = timezone.now()
    counts: dict[str, int] = {}

    # Households and persons: composition fixed per household.
    persons_of: dict[int, list[tuple[int, str, str, dt.date]]] = {}
    person_id = 0
    for h in ids:
        kind = _pick(TYPES, _mix(h, 1))
        members = []
        for a in range(kind[1]):
            person_id += 1
            age = 18 + int(_mix(h, 2, a) * 50)
            born = dt.date(
                first.year - age, 1 + int(_mix(h, 3, a) * 12), 1 + int(_mix(h, 4, a) * 28)
            )
            members.append((person_id, "applicant" if a == 0 else "co_applicant", kind[2][a], born))
        if kind is TYPES[-1]:
            person_id += 1
            members.append((person_id, "other_adult", "F", dt.date(first.year - 50, 5, 5)))
        low, high = kind[3]
        for c in range(low + int(_mix(h, 5) * (high - low + 1)) if high else 0):
            person_id += 1
            born = dt.date(first.year - int(_mix(h, 6, c) * 12), 1 + int(_mix(h, 7, c) * 12), 10)
            members.append((person_id, "child", "M" if _mix(h, 8, c) < 0.5 else "F", born))
        persons_of[h] = members

    def person_rows():
        # Unique, not valid personnummer (the bench does not make the national report).
        for h in ids:
            for pid, _, sex, born in persons_of[h]:
                yield (pid, f"9{pid:011d}", "Person", f"B{pid}", born, sex)

    t = time.monotonic()
    counts["persons"] = Copier(
        raw,
        households.Person,
        ["id", "identity_number", "first_name", "last_name", "birth_date", "sex"],
    ).run(person_rows())
    counts["households"] = Copier(raw, households.Household, ["id", "address"]).run(
        (h + 1, "Storgatan 1") for h in ids
    )
    membership_id = [0]

    def membership_rows():
        for h in ids:
            for pid, role, _, _ in persons_of[h]:
                membership_id[0] += 1
                yield (membership_id[0], h + 1, pid, role, dt.date(2000, 1, 1))

    counts["memberships"] = Copier(
        raw,
        households.HouseholdMembership,
        ["id", "household_id", "person_id", "role", "valid_from"],
    ).run(membership_rows())
    print(f"  persons and households in {time.monotonic() - t:.0f} s", flush=True)

    # Cases: one per household, reopened for each later spell.
    def day_in(month_index: int, salt: int, lo: int = 1, hi: int = 28) -> dt.date:
        month = add_months(first, month_index)
        return month.replace(day=lo + int(_mix(month_index, salt) * (hi - lo)))

    case_rows, assignment_rows, reopening_rows, open_cases = [], [], [], []
    reopening_id = 0
    for h in ids:
        runs = sorted(by_household[h])
        case_id = h + 1
        handler = handlers[int(_mix(h, 9) * len(handlers))]
        case_type = "ABC"[int(_mix(h, 10) * 3)]
        opened_on = (
            day_in(runs[0][0] - 1, h, 5, 25) if runs[0][0] >= 1 else first - dt.timedelta(days=20)
        )
        end_start, end_length = runs[-1]
        is_open = end_start + end_length >= total_months
        closed_on = None if is_open else day_in(end_start + end_length, h + 3)
        for (prev_start, prev_length), (start, _) in zip(runs, runs[1:], strict=False):
            reopening_id += 1
            reopening_rows.append(
                (
                    reopening_id,
                    case_id,
                    day_in(start - 1, h + 4, 5, 25),
                    day_in(prev_start + prev_length, h + 5, 1, 10),
                    REASONS[int(_mix(h, prev_start) * len(REASONS))],
                    head.pk,
                )  # fmt: skip
            )
        case_rows.append(
            (
                case_id,
                h + 1,
                unit.pk,
                handler.section_id,
                handler.pk,
                case_type,
                "active" if is_open else "closed",
                opened_on,
                closed_on,
                "" if is_open else REASONS[int(_mix(h, 11) * len(REASONS))],
            )  # fmt: skip
        )
        assignment_rows.append(
            (
                case_id,
                case_id,
                handler.pk,
                handler.section_id,
                case_type,
                dt.datetime.combine(opened_on, dt.time(8), tzinfo=dt.UTC),
                None if is_open else dt.datetime.combine(closed_on, dt.time(16), tzinfo=dt.UTC),
            )  # fmt: skip
        )
        if is_open:
            open_cases.append((case_id, handler))
    t = time.monotonic()
    counts["cases"] = Copier(
        raw, cases.Case,
        ["id", "household_id", "unit_id", "section_id", "handler_id", "case_type", "status",
         "opened_on", "closed_on", "closing_reason"],
    ).run(case_rows)  # fmt: skip
    Copier(
        raw, cases.CaseAssignment,
        ["id", "case_id", "handler_id", "section_id", "case_type", "started_at", "ended_at"],
    ).run(assignment_rows)  # fmt: skip
    counts["reopenings"] = Copier(
        raw, cases.CaseReopening,
        ["id", "case_id", "reopened_on", "previous_closed_on", "previous_closing_reason",
         "reopened_by_id"],
    ).run(reopening_rows)  # fmt: skip
    Copier(raw, cases.Investigation, ["id", "case_id"]).run((h + 1, h + 1) for h in ids)
    Copier(
        raw, cases.InvestigationVersion,
        ["id", "investigation_id", "number", "content", "created_by_id", "signed_by_id", "signed_at"],
    ).run((h + 1, h + 1, 1, "{}", head.pk, head.pk, now) for h in ids)  # fmt: skip
    print(f"  {len(case_rows):,} cases in {time.monotonic() - t:.0f} s", flush=True)

    # Per household and month: application, calculation, decision, line, obstacles, payment.
    def household_months():
        number = 0
        for h in ids:
            for start, length in sorted(by_household[h]):
                for index in range(max(start, 0), min(start + length, total_months)):
                    number += 1
                    yield number, h, index

    def amount_of(h: int, index: int) -> Decimal:
        base = 6000 + 9000 * _mix(h, 12) + 600 * len(persons_of[h])
        growth = 1 + 0.02 * index / 12
        return Decimal(str(round(base * growth * (0.9 + 0.2 * _mix(h, index, 13)), 2)))

    def dates_of(h: int, index: int):
        month = month_dates[index]
        received = month - dt.timedelta(days=8 + int(_mix(h, index, 14) * 14))
        complete = received + dt.timedelta(days=int(_mix(h, index, 15) * 6))
        decided = complete + dt.timedelta(days=int(_mix(h, index, 16) * _mix(h, 17) * 20))
        paid = max(decided, month - dt.timedelta(days=6)) + dt.timedelta(days=1)
        return month, received, complete, decided, paid

    t = time.monotonic()
    counts["applications"] = Copier(
        raw, cases.Application,
        ["id", "case_id", "kind", "month", "received_on", "complete_on", "channel", "status",
         "registered_by_id"],
    ).run(
        (n, h + 1, "new" if index == 0 else "repeat", *dates_of(h, index)[:3], "e_service",
         "decided", head.pk)
        for n, h, index in household_months()
    )  # fmt: skip
    print(f"  {counts['applications']:,} applications in {time.monotonic() - t:.0f} s", flush=True)
    t = time.monotonic()
    Copier(
        raw, decisions.Calculation,
        ["id", "application_id", "case_id", "month", "created_by_id", "saved_by_id", "saved_at"],
    ).run(
        (n, n, h + 1, month_dates[index], head.pk, head.pk, now)
        for n, h, index in household_months()
    )  # fmt: skip

    def decision_rows():
        for n, h, index in household_months():
            decided = dates_of(h, index)[3]
            yield (n, h + 1, n, n, month_dates[index], "final", "granted", amount_of(h, index),
                   h + 1, head.pk, dt.datetime.combine(decided, dt.time(11), tzinfo=dt.UTC),
                   decided)  # fmt: skip

    counts["decisions"] = Copier(
        raw, decisions.Decision,
        ["id", "case_id", "application_id", "calculation_id", "month", "status", "outcome",
         "total_granted", "investigation_version_id", "decided_by_id", "decided_at", "decided_on"],
    ).run(decision_rows())  # fmt: skip

    def line_rows():
        for n, h, index in household_months():
            amount = amount_of(h, index)
            yield (n, n, "income_support", "income_support", "granted", amount, amount,
                   "4 kap. 1 § socialtjänstlagen")  # fmt: skip

    Copier(
        raw, decisions.DecisionLine,
        ["id", "decision_id", "key", "kind", "outcome", "amount_applied", "amount_granted",
         "legal_basis"],
    ).run(line_rows())  # fmt: skip
    print(f"  calculations, decisions, lines in {time.monotonic() - t:.0f} s", flush=True)
    obstacle_id = [0]

    def obstacle_rows():
        for n, h, index in household_months():
            for pid, role, _, _ in persons_of[h]:
                if role in ("applicant", "co_applicant"):
                    obstacle_id[0] += 1
                    yield (obstacle_id[0], n, pid, role, _obstacle(_mix(pid, index // 6, 18)))

    t = time.monotonic()
    counts["support_obstacles"] = Copier(
        raw,
        decisions.DecisionSupportObstacle,
        ["id", "decision_id", "person_id", "household_role", "code"],
    ).run(obstacle_rows())
    print(
        f"  {counts['support_obstacles']:,} support obstacles in {time.monotonic() - t:.0f} s",
        flush=True,
    )
    t = time.monotonic()

    def order_rows():
        for n, h, index in household_months():
            paid = dates_of(h, index)[4]
            account = accounts[1 if _mix(h, index, 19) < 0.1 else 0].pk
            yield (n, unit.pk, h + 1, n, n, month_dates[index], account, amount_of(h, index),
                   "cash", "Mottagare", paid, "paid", paid, head.pk, now, "Benchmark")  # fmt: skip

    counts["payment_orders"] = Copier(
        raw, payments.PaymentOrder,
        ["id", "unit_id", "case_id", "decision_id", "decision_line_id", "month",
         "budget_account_id", "amount", "method", "payee_name", "pay_on", "status", "paid_on",
         "created_by_id", "created_at", "cash_reason"],
    ).run(order_rows())  # fmt: skip
    print(
        f"  {counts['payment_orders']:,} payment orders in {time.monotonic() - t:.0f} s", flush=True
    )

    # Plans for the open cases, follow-ups, programme referrals (20 % of spells).
    today = timezone.localdate()
    plan_rows, version_rows, follow_rows = [], [], []
    for case_id, handler in open_cases:
        due = today + dt.timedelta(days=int(_mix(case_id, 20) * 120) - 30)
        plan_rows.append((case_id, case_id, head.pk, due))
        confirmed = _mix(case_id, 21) < 0.88
        version_rows.append(
            (
                case_id,
                case_id,
                1,
                "{}",
                today - dt.timedelta(days=90),
                today + dt.timedelta(days=90),
                head.pk,
                today - dt.timedelta(days=80) if confirmed else None,
                "in_person" if confirmed else "",
                head.pk if confirmed else None,
                now if confirmed else None,
            )  # fmt: skip
        )
        for k in range(6):
            due_on = add_months(last, -k).replace(day=15)
            late = int(_mix(case_id, k, 22) * 20) - 12
            follow_rows.append(
                (
                    len(follow_rows) + 1,
                    case_id,
                    due_on,
                    due_on + dt.timedelta(days=max(late, -5)),
                    "visit",
                    _mix(case_id, k, 23) > 0.05,
                    "Uppföljning",
                    handler.pk,
                )  # fmt: skip
            )
    Copier(raw, workplans.WorkPlan, ["id", "case_id", "created_by_id", "due_on"]).run(plan_rows)
    Copier(
        raw, workplans.WorkPlanVersion,
        ["id", "plan_id", "number", "content", "valid_from", "valid_to", "created_by_id",
         "consent_on", "consent_method", "confirmed_by_id", "confirmed_at"],
    ).run(version_rows)  # fmt: skip
    counts["follow_ups"] = Copier(
        raw, workplans.FollowUp,
        ["id", "plan_id", "due_on", "held_on", "method", "took_place", "outcome", "recorded_by_id"],
    ).run(follow_rows)  # fmt: skip
    intervention_rows = []
    results = ["self_support", "other_benefit", "studies", "interrupted", "no_change"]
    for household, start, length in spells:
        if _mix(household, start, 24) < 0.2 and start >= 0 and length >= 3:
            referred = add_months(first, start + 1).replace(day=10)
            started_on = referred + dt.timedelta(days=14)
            ended = (
                add_months(referred, min(length - 1, 6))
                if start + min(length, 7) < total_months
                else None
            )
            applicant = persons_of[household][0][0]
            intervention_rows.append(
                (
                    len(intervention_rows) + 1,
                    household + 1,
                    applicant,
                    "programme",
                    programmes[int(_mix(household, 25) * 3)].pk,
                    "ended" if ended else "started",
                    referred,
                    head.pk,
                    started_on,
                    ended,
                    "full" if ended else "",
                    results[int(_mix(household, start, 26) * 5)] if ended else "",
                )  # fmt: skip
            )
    counts["interventions"] = Copier(
        raw, workplans.Intervention,
        ["id", "case_id", "person_id", "target", "programme_id", "status", "referred_on",
         "referred_by_id", "started_on", "ended_on", "attendance", "result"],
    ).run(intervention_rows)  # fmt: skip
    raw.execute("SET session_replication_role = DEFAULT")
    for model in (
        households.Person, households.Household, households.HouseholdMembership, cases.Case,
        cases.CaseAssignment, cases.CaseReopening, cases.Investigation,
        cases.InvestigationVersion, cases.Application, decisions.Calculation,
        decisions.Decision, decisions.DecisionLine, decisions.DecisionSupportObstacle,
        payments.PaymentOrder, workplans.WorkPlan, workplans.WorkPlanVersion,
        workplans.FollowUp, workplans.Intervention,
    ):  # fmt: skip
        table = model._meta.db_table
        raw.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
        )
    raw.execute("ANALYZE")
    counts["generate_seconds"] = round(time.monotonic() - started)
    return counts


# ------------------------------------------------------------------------------- timing


def _urlconf():
    from django.urls import include, path

    from bistand.urls import urlpatterns

    module = types.ModuleType("stats_bench_urls")
    module.urlpatterns = [
        path("api/v1/statistics/", include("bistand.statistics.api")),
        *urlpatterns,
    ]
    return module


def time_endpoints(repeat: int) -> list[tuple[str, list[float], int]]:
    from django.db.models import Max
    from django.test import Client
    from django.test.utils import override_settings

    from bistand.core.dates import add_months
    from bistand.organisation.models import User
    from bistand.statistics.models import HouseholdMonth

    last = HouseholdMonth.objects.aggregate(last=Max("month"))["last"]
    year = last.year - 1
    head = User.objects.get(username="enhetschef")
    section_head = User.objects.get(username="sektionschef")
    quarter_start = add_months(last, -2)
    endpoints = [
        ("API month (unit)", head, f"/api/v1/statistics/month/?month={last:%Y-%m}"),
        ("API month, filter case type C + age 18-24", head,
         f"/api/v1/statistics/month/?month={last:%Y-%m}&case_type=C&age_band=18-24"),
        ("API month (section head)", section_head, f"/api/v1/statistics/month/?month={last:%Y-%m}"),
        ("API quarter (3 months)", head,
         f"/api/v1/statistics/month/?from={quarter_start:%Y-%m}&to={last:%Y-%m}"),
        ("API long-term (year)", head, f"/api/v1/statistics/long-term/?year={year}"),
        ("API long-term (section head)", section_head, f"/api/v1/statistics/long-term/?year={year}"),
        ("API year analysis (with previous year)", head, f"/api/v1/statistics/year/?year={year}"),
        ("Dashboard page (HTML, charts)", head, f"/statistik/?month={last:%Y-%m}"),
    ]  # fmt: skip
    results = []
    with override_settings(ROOT_URLCONF=_urlconf()):
        for label, user, url in endpoints:
            client = Client()
            client.force_login(user)
            for _ in range(2):
                response = client.get(url)
                assert response.status_code == 200, (
                    url,
                    response.status_code,
                    response.content[:500],
                )
            times = []
            for _ in range(repeat):
                began = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - began)
                assert response.status_code == 200
            results.append((label, times, len(response.content)))
    return results


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--households", type=int, default=25_000, help="households a month")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--reuse", action="store_true", help="time the existing database again")
    parser.add_argument(
        "--rebuild", action="store_true", help="with --reuse: rebuild the summary tables first"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "STATS_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bistand_stats_bench"
        ),
    )
    args = parser.parse_args()
    if not args.reuse:
        _recreate_database(args.database_url)
    _setup(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    print(f"Statistics benchmark on {connection.vendor} {connection.pg_version if connection.vendor == 'postgresql' else ''}, "
          f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs")  # fmt: skip
    if not args.reuse:
        t = time.monotonic()
        call_command("migrate", verbosity=0)
        print(f"migrated in {time.monotonic() - t:.0f} s", flush=True)
        print(
            f"generating {args.households:,} households a month over {args.years} years ...",
            flush=True,
        )
        counts = generate(args)
        print("generated:", ", ".join(f"{k} {v:,}" for k, v in counts.items()), flush=True)
    if not args.reuse or args.rebuild:
        from bistand.statistics.refresh import refresh_all

        t = time.monotonic()
        result = refresh_all()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        seconds = time.monotonic() - t
        print(
            f"statistics built: {len(result.months)} months, {result.households:,} household-months, "
            f"{result.recipients:,} person-months in {seconds:.0f} s "
            f"({seconds / max(len(result.months), 1):.2f} s a month with the yearly tables)",
            flush=True,
        )
    from django.db.models import Max

    from bistand.statistics.models import HouseholdMonth
    from bistand.statistics.refresh import refresh_months

    last = HouseholdMonth.objects.aggregate(last=Max("month"))["last"]
    t = time.monotonic()
    refresh_months([last])
    print(
        f"refresh of the latest month ({last:%Y-%m}) incl. its year: {time.monotonic() - t:.2f} s"
    )
    print(f"\n{'endpoint':<44} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'kB':>6}")
    for label, times, size in time_endpoints(args.repeat):
        print(
            f"{label:<44} {_percentile(times, 50) * 1000:8.0f} {_percentile(times, 95) * 1000:8.0f} "
            f"{max(times) * 1000:8.0f} {size / 1024:6.0f}"
        )
    print(
        f"\n(n = {args.repeat} calls each after 2 warm-up calls; goal: p95 < 1000 ms for the month and long-term)"
    )


if __name__ == "__main__":
    main()
