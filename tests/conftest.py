import datetime as dt
import tempfile
from pathlib import Path

import pytest
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import timezone

from bistand.audit.triggers import append_only_suspended
from bistand.households.services import MemberInput, register_household
from bistand.organisation.models import Role

from .factories import SectionFactory, UnitFactory, UserFactory


class Org:
    """A small unit: intake section, labour-market section, staff of every role."""

    def __init__(self):
        self.unit = UnitFactory()
        self.intake = SectionFactory(
            unit=self.unit, name="Mottagning", code="mottagning", handles_intake=True
        )
        self.labour = SectionFactory(unit=self.unit, name="Arbetsmarknad", code="arbetsmarknad")
        u = self.unit
        self.reception = UserFactory(
            username="reception", role=Role.RECEPTION, unit=u, section=self.intake
        )
        self.social_worker = UserFactory(
            username="socialworker", role=Role.SOCIAL_WORKER, unit=u, section=self.intake
        )
        self.other_social_worker = UserFactory(
            username="socialworker2", role=Role.SOCIAL_WORKER, unit=u, section=self.labour
        )
        self.benefit_admin = UserFactory(
            username="benefitadmin", role=Role.BENEFIT_ADMINISTRATOR, unit=u, section=self.labour
        )
        self.intake_head = UserFactory(
            username="intakehead", role=Role.SECTION_HEAD, unit=u, section=self.intake
        )
        self.labour_head = UserFactory(
            username="labourhead", role=Role.SECTION_HEAD, unit=u, section=self.labour
        )
        self.unit_head = UserFactory(username="unithead", role=Role.UNIT_HEAD, unit=u)
        self.fraud = UserFactory(username="fut", role=Role.FRAUD_INVESTIGATOR, unit=u)
        self.finance = UserFactory(username="finance", role=Role.FINANCE, unit=u)
        self.sysadmin = UserFactory(username="sysadmin", role=Role.SYSTEM_ADMIN, unit=u)
        self.controller = UserFactory(username="controller", role=Role.CONTROLLER, unit=u)


@pytest.fixture
def org(db):
    return Org()


def make_household(actor, *, children: bool = False, adult="198309192394", co_applicant=None):
    members = [MemberInput(adult, "Tolvan", "Tolvansson", "applicant")]
    if co_applicant:
        members.append(MemberInput(co_applicant, "Elva", "Elvasson", "co_applicant"))
    if children:
        members.append(MemberInput("201501102386", "Lilla", "Tolvansson", "child"))
    return register_household(
        actor, members, address="Storgatan 1", postal_code="22100", city="Lund"
    )


@pytest.fixture
def household_factory():
    return make_household


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def this_month(today):
    return dt.date(today.year, today.month, 1)


def pytest_configure(config):
    from django.conf import settings

    # Argon2 is deliberately slow; tests that check hashing override this back.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Never hold the test database against a developer's real anchors (module fixtures too).
    settings.BISTAND_AUDIT_ANCHOR_FILE = Path(tempfile.mkdtemp()) / "audit-anchors.jsonl"


@pytest.fixture(scope="session", autouse=True)
def _flush_past_the_append_only_log():
    """Transactional tests end with a flush (TRUNCATE on PostgreSQL, DELETE on SQLite), which
    the access log's triggers refuse; suspend them for the flush only, in its transaction."""
    original = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        with append_only_suspended(self.connection):
            original(self, sql_list)

    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    BaseDatabaseOperations.execute_sql_flush = original


@pytest.fixture(scope="session", autouse=True)
def _force_login_includes_the_second_factor():
    """`client.force_login` stands for a completed login, the TOTP step included for the roles
    that need one (bistand.organisation.second_factor); tests of the step itself log in through
    the form or clear the mark (tests/organisation/test_second_factor.py)."""
    from django.test import Client

    from bistand.organisation import second_factor

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        session[second_factor.SESSION_KEY] = second_factor.TOTP
        session.save()

    Client.force_login = force_login
    yield
    Client.force_login = original


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))
    settings.BISTAND_AUDIT_ANCHOR_FILE = tmp_path_factory.mktemp("var") / "audit-anchors.jsonl"


@pytest.fixture(autouse=True)
def _fresh_rules_cache():
    """Each test sees the rules of its own database state (the cache is per process)."""
    from bistand.norms.selectors import clear_cache

    clear_cache()
    yield
    clear_cache()


@pytest.fixture(autouse=True)
def _swedish_outside_requests():
    """Each test starts in the default language (Swedish): a request in the English UI leaves
    English active in its thread, and a service's refusal is read in the active language."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def unused_port():
    """A TCP port on 127.0.0.1 that nothing listens on (bound, read, released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
