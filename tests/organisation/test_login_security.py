"""Password rules and failed-login lock-out (issue #11, item 8)."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from bistand.demo.staff import DEMO_PASSWORD
from bistand.organisation.models import User

from ..factories import UserFactory

FACTORY_PASSWORD = "demo-lösenord-1"


def refusal(password, user=None) -> str:
    with translation.override("sv"), pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    return " ".join(refused.value.messages)


def test_password_like_the_user_name_is_refused_in_swedish():
    user = User(username="anna.lindqvist1", first_name="Anna", last_name="Lindqvist")
    assert "Ditt lösenord är alltför likt" in refusal("anna.lindqvist1", user)


def test_password_like_the_persons_own_name_is_refused():
    user = User(username="al01", first_name="Annabella", last_name="Lindqvistsson")
    assert "alltför likt efternamn" in refusal("Lindqvistsson", user)


def test_password_like_the_email_address_is_refused():
    user = User(username="al01", email="annabella.lindqvist@kommun.se")
    assert "alltför likt e-postadress" in refusal("annabella.lindqvist", user)


def test_short_common_and_numeric_passwords_are_refused_in_swedish():
    assert "minst 12 tecken" in refusal("Kort-lösen1")
    assert "för vanligt" in refusal("password1234")
    assert "numeriskt" in refusal("384710395827")


@pytest.mark.django_db
def test_demo_and_factory_passwords_pass_the_rules():
    validate_password(DEMO_PASSWORD, User(username="socialsekreterare02", first_name="Anna"))
    validate_password(FACTORY_PASSWORD, UserFactory.build(username="reception"))


def fail_login(client, username, address, password="fel-lösenord-123"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_one_account_locks_after_failures_from_many_addresses(client, org, settings):
    for number in range(10):
        fail_login(client, "reception", f"10.0.0.{number + 1}")
    # The right password from yet another address is refused with the Swedish lock-out page.
    response = client.post(
        reverse("login"),
        {"username": "reception", "password": FACTORY_PASSWORD},
        REMOTE_ADDR="10.0.1.1",
    )
    assert response.status_code == 429
    assert "spärrat" in response.content.decode()


def test_account_lock_does_not_lock_other_accounts_on_the_same_address(client, org, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT):
        fail_login(client, "reception", "10.0.0.1")
    response = client.post(
        reverse("login"),
        {"username": "socialworker", "password": FACTORY_PASSWORD},
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code == 302


def test_one_password_against_many_accounts_from_one_address_is_throttled(client, org, settings):
    accounts = [f"konto{number}" for number in range(settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS)]
    for username in accounts:
        fail_login(client, username, "10.9.9.9", password="Sommar2026!!")
    response = client.post(
        reverse("login"),
        {"username": "reception", "password": FACTORY_PASSWORD},
        REMOTE_ADDR="10.9.9.9",
    )
    assert response.status_code == 429
    # Another address is not affected.
    response = client.post(
        reverse("login"),
        {"username": "reception", "password": FACTORY_PASSWORD},
        REMOTE_ADDR="10.9.9.10",
    )
    assert response.status_code == 302


def test_own_login_does_not_reset_the_address_count(client, org, settings):
    limit = settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS
    for number in range(limit - 1):
        fail_login(client, f"konto{number}", "10.8.8.8")
    client.post(
        reverse("login"),
        {"username": "reception", "password": FACTORY_PASSWORD},
        REMOTE_ADDR="10.8.8.8",
    )
    client.logout()
    fail_login(client, "konto-sist", "10.8.8.8")
    response = fail_login(client, "socialworker", "10.8.8.8", password=FACTORY_PASSWORD)
    assert response.status_code == 429
