"""Argon2id at the OWASP cheat sheet's parameters; hashes made with Django's defaults still
verify and are rehashed at the next log-in (issue #15)."""

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, identify_hasher
from django.urls import reverse

from bistand.organisation.hashers import OwaspArgon2PasswordHasher
from bistand.organisation.models import User

PASSWORD = "ett-långt-lösenord-2026"
SERVER_HASHERS = [
    "bistand.organisation.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


@pytest.fixture
def server_hashers(settings):
    """The test settings use a fast hasher; these tests need the server's."""
    settings.PASSWORD_HASHERS = SERVER_HASHERS


def test_the_server_hashes_with_argon2id_at_19_mib_two_passes_one_lane():
    from bistand import settings as server_settings

    assert server_settings.PASSWORD_HASHERS[0] == SERVER_HASHERS[0]
    params = OwaspArgon2PasswordHasher().decode(
        OwaspArgon2PasswordHasher().encode(PASSWORD, OwaspArgon2PasswordHasher().salt())
    )
    assert (params["memory_cost"], params["time_cost"], params["parallelism"]) == (19456, 2, 1)
    assert params["variety"] == "argon2id"


def test_a_hash_made_with_djangos_defaults_verifies_and_is_rehashed_at_log_in(
    client, org, server_hashers
):
    old = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    assert "m=102400,t=2,p=8" in old
    User.objects.filter(pk=org.social_worker.pk).update(password=old)
    response = client.post(
        reverse("login"), {"username": org.social_worker.username, "password": PASSWORD}
    )
    assert response.status_code == 302 and "/login/" not in response.url
    new = User.objects.get(pk=org.social_worker.pk).password
    assert new != old and "m=19456,t=2,p=1" in new
    assert isinstance(identify_hasher(new), OwaspArgon2PasswordHasher)


def test_a_wrong_password_against_an_old_hash_is_refused_and_nothing_is_rehashed(
    client, org, server_hashers
):
    old = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    User.objects.filter(pk=org.social_worker.pk).update(password=old)
    client.post(reverse("login"), {"username": org.social_worker.username, "password": "fel"})
    assert User.objects.get(pk=org.social_worker.pk).password == old
