"""Issue #11: every URL × every role, generated from the URL configuration.

For each named URL (tests/urlconf.py) and each column of tests/security/matrix_rules.py
(anonymous and every role, the system administrator without superuser rights), a GET with
the role's logged-in client in the world of matrix_world.py must answer as the rule says, with
section A's objects and with section B's (another section's ids). A refused answer names no
client; an answer that shows a client's name or identity number wrote an access-log row for
that user and that client; staff of section A never see section B's client. Another section's
id answers like a missing id. A POST by a role refused the page (or, for a form's target,
another section's object) is refused and stores nothing.
"""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from bistand.audit.models import AccessLogEntry, AuditAction
from bistand.organisation.models import Role
from tests.urlconf import url_names

from .conftest import ANONYMOUS
from .matrix_rules import (
    CASE_PAGE,
    CASE_PAGE_OTHER,
    COLUMNS,
    POST_ONLY_API,
    POST_ONLY_PAGE,
    RULES,
    Rule,
)
from .matrix_urls import NoObject, url_for
from .matrix_world import KnownClient, SectionObjects

pytestmark = pytest.mark.django_db

URLS = url_names()
SECTION_A_ROLES = (
    Role.RECEPTION,
    Role.SOCIAL_WORKER,
    Role.BENEFIT_ADMINISTRATOR,
    Role.SECTION_HEAD,
)
# Answers that must name no client.
REFUSED = {"403", "404", "405", "L"}
WRITE_ACTIONS = (
    AuditAction.CREATE,
    AuditAction.UPDATE,
    AuditAction.SIGN,
    AuditAction.ASSIGN,
    AuditAction.EMERGENCY_ACCESS,
)
DOMAIN_MODELS = (
    "cases.Case",
    "cases.Application",
    "cases.JournalEntry",
    "cases.Document",
    "cases.EmergencyAccess",
    "cases.CaseAuthorisation",
    "households.ProtectedIdentity",
    "decisions.Calculation",
    "decisions.Decision",
    "decisions.Appeal",
    "payments.PaymentOrder",
    "payments.PaymentRun",
    "payments.Payee",
    "workplans.WorkPlanVersion",
    "workplans.FollowUp",
    "workplans.Intervention",
    "controls.RegisterCheck",
    "controls.SampleSettings",
    "controls.SampleDraw",
    "controls.Finding",
    "controls.CorrectiveAction",
    "controls.QueueSignoff",
    "controls.IncorrectPayment",
    "controls.RecoveryClaim",
    "controls.RecoveryEntry",
    "controls.BacklogSettings",
    "controls.ControlRun",
    "controls.ControlFlag",
    "controls.FraudInvestigation",
    "controls.InvestigationNote",
    "controls.FraudReport",
    "norms.LegalPeriod",
)


def test_every_url_has_a_rule_and_every_rule_a_url():
    missing = sorted(set(URLS) - set(RULES))
    stale = sorted(set(RULES) - set(URLS))
    assert not missing, f"URLs without a rule in tests/security/matrix_rules.py: {missing}"
    assert not stale, f"rules for URLs that no longer exist: {stale}"


def test_every_rule_has_an_answer_for_every_column():
    for name, rule in RULES.items():
        for section in ("a", "b"):
            assert set(rule.expected(section)) == set(COLUMNS), name


def _body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _leaked(body: str, client: KnownClient) -> list[str]:
    return [text for text in client.leaks if text in body]


def _names_subject(row: AccessLogEntry, objects: SectionObjects) -> bool:
    case, person = objects.case, objects.person
    if row.case_id == case.pk or row.person_id == person.pk:
        return True
    detail = json.loads(row.detail or "{}")
    return (
        case.pk in detail.get("case_ids", [])
        or person.pk in detail.get("person_ids", [])
        or person.pk in detail.get("hits", [])
    )


def _last_log_id() -> int:
    return AccessLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _matches(token: str, response) -> bool:
    if token == "L":
        return response.status_code == 302 and "/login/" in response.get("Location", "")
    return response.status_code == int(token)


def _check_get(matrix, url: str, column: str, expected: str) -> list[str]:
    """What is wrong with `column`'s GET of `url` (nothing: an empty list)."""
    user = matrix.staff.get(column)
    before = _last_log_id()
    response = matrix.clients[column].get(url)
    body = _body(response)
    if not _matches(expected, response):
        return [f"{column} GET {url}: {response.status_code}, the rule says {expected}"]
    shown = {
        key: _leaked(body, objects.client) for key, objects in (("a", matrix.a), ("b", matrix.b))
    }
    if expected in REFUSED:
        if shown["a"] or shown["b"]:
            return [f"{column} GET {url} is refused but names {shown}"]
        return []
    problems = []
    if column in SECTION_A_ROLES and shown["b"]:
        problems.append(f"{column} of section A sees section B's client at {url}: {shown['b']}")
    rows = list(AccessLogEntry.objects.filter(id__gt=before, actor_id=getattr(user, "pk", None)))
    for key, objects in (("a", matrix.a), ("b", matrix.b)):
        if shown[key] and not any(_names_subject(row, objects) for row in rows):
            problems.append(
                f"{column} GET {url} shows {shown[key]} without an access-log row naming them"
            )
    return problems


@pytest.mark.parametrize("name", sorted(URLS))
def test_every_role_gets_the_answer_the_rule_says(matrix, name):
    """One test per URL name; each failure names the role, the section and the URL."""
    pattern = URLS[name]
    rule = RULES.get(name)
    assert rule is not None, f"{name} has no rule in tests/security/matrix_rules.py"
    problems = []
    for section in ("a", "b"):
        try:
            url = url_for(matrix, pattern, section)
        except NoObject:
            continue
        for column, expected in rule.expected(section).items():
            problems += [f"[{section}] {p}" for p in _check_get(matrix, url, column, expected)]
    assert not problems, "\n".join(problems)


POST_ONLY_RULES = (POST_ONLY_PAGE, POST_ONLY_API)
# Acts every case role may take on any case of the unit: an empty form is refused with a
# message on the page it came from (302), so only "nothing changed" is asked.
OPEN_TO_EVERY_ROLE = {"emergency_access"}
# The session ends; nothing to store.
NOT_ACTS = {
    "logout",
    "login",
    "set_language",
    "second_factor_verify",
    "second_factor_enrol",
    "oidc_authentication_init",
    "oidc_authentication_callback",
    "portal:logout",
    "portal:test_eid_login",
    "portal:oidc_login",
    "portal:oidc_callback",
}


def _posts(name: str, rule) -> list[tuple[str, list[str]]]:
    """(section, columns) whose POST must be refused: for a POST-only URL, everyone but the
    unit head (or the rule's unit-wide columns) on section B's objects (anonymous on section
    A's when B has none); for a page,
    every column refused its GET, on either section's objects."""
    if name in NOT_ACTS:
        return []
    if rule.own in POST_ONLY_RULES:
        if URLS[name].arguments:
            return [
                ("b", [c for c in COLUMNS if c not in (rule.unit_wide or (Role.UNIT_HEAD,))]),
                ("a", [ANONYMOUS]),
            ]
        return [("a", [ANONYMOUS])]
    posts = []
    for section in ("a", "b") if URLS[name].arguments else ("a",):
        refused = [
            column
            for column, token in rule.expected(section).items()
            if token in ("403", "404", "L")
        ]
        if refused:
            posts.append((section, refused))
    return posts


def _domain_counts() -> tuple[int, ...]:
    """Rows of every domain table and the access log's writes, in one query."""
    tables = [apps.get_model(label)._meta.db_table for label in DOMAIN_MODELS]
    log = AccessLogEntry._meta.db_table
    actions = ", ".join(f"'{action}'" for action in WRITE_ACTIONS)
    parts = [f"(SELECT COUNT(*) FROM {table})" for table in tables]
    parts.append(f"(SELECT COUNT(*) FROM {log} WHERE action IN ({actions}))")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        return tuple(cursor.fetchone())


def _changed(before, after) -> dict:
    labels = (*DOMAIN_MODELS, "access-log writes")
    return {label: (b, a) for label, b, a in zip(labels, before, after, strict=True) if b != a}


@pytest.mark.parametrize("name", sorted(URLS))
def test_a_refused_post_changes_nothing(matrix, name):
    """A role refused a page (or another section's object) is refused its POST too, and
    nothing is stored."""
    rule = RULES.get(name)
    assert rule is not None, f"{name} has no rule in tests/security/matrix_rules.py"
    failures = []
    for section, columns in _posts(name, rule):
        try:
            url = url_for(matrix, URLS[name], section)
        except NoObject:
            continue
        for column in columns:
            before = _domain_counts()
            response = matrix.clients[column].post(url, {})
            after = _domain_counts()
            if column == ANONYMOUS:
                refused = _matches("L", response) or response.status_code in (401, 403)
            elif name in OPEN_TO_EVERY_ROLE:
                refused = response.status_code in (302, 400, 403, 404)
            else:
                refused = response.status_code in (400, 403, 404, 405)
            changed = _changed(before, after)
            if not refused or changed:
                failures.append(
                    f"[{section}] {column} POST {url}: {response.status_code}, changed {changed}"
                )
    assert not failures, "\n".join(failures)


MISSING_ID = 987654


def _missing_url(matrix, name: str) -> str | None:
    pattern = URLS[name]
    ints = [arg for arg, kind in pattern.arguments.items() if kind == "int"]
    if not ints:
        return None
    kwargs = {arg: _value_of(matrix, name, arg) for arg in pattern.arguments}
    for arg in ints:
        kwargs[arg] = MISSING_ID
    return reverse(name, kwargs=kwargs)


def _value_of(matrix, name: str, argument: str):
    from .matrix_urls import _value

    return _value(matrix, matrix.b, URLS[name], argument)


def _offers_emergency_access(response, case) -> bool:
    form = f'action="{reverse("emergency_access", kwargs={"case_id": case.pk})}"'
    return form in _body(response)


@pytest.mark.parametrize("name", sorted(n for n in URLS if URLS[n].arguments))
def test_a_forbidden_id_looks_like_a_missing_one(matrix, name):
    """Another section's id answers as an id that does not exist, for every refused role."""
    rule = RULES[name]
    try:
        url = url_for(matrix, URLS[name], "b")
        missing = _missing_url(matrix, name)
    except NoObject:
        return
    if missing is None:
        return
    differ = []
    for column, token in rule.expected("b").items():
        if token not in ("403", "404"):
            continue
        client = matrix.clients[column]
        refusal, absent = client.get(url), client.get(missing).status_code
        if refusal.status_code == 403 and _offers_emergency_access(refusal, matrix.b.case):
            continue  # the one refusal that must name the case: the emergency-access offer
        if refusal.status_code != absent:
            forbidden = refusal.status_code
            differ.append(f"{column}: {url} -> {forbidden}, {missing} -> {absent}")
    assert not differ, "\n".join(differ)


def test_rule_columns_follow_the_roles():
    assert COLUMNS[0] == ANONYMOUS and set(COLUMNS[1:]) == set(Role.values)
    assert Rule(CASE_PAGE, CASE_PAGE_OTHER).expected("b")[Role.UNIT_HEAD] == "200"
    assert Rule(CASE_PAGE).expected("b")[Role.RECEPTION] == "200"  # no other: the own line
