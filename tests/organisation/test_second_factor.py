"""TOTP for local logins of chefs, finance and administrators (issue #11)."""

from base64 import b32decode

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from bistand.audit.models import AccessLogEntry, AuditAction
from bistand.core.errors import PermissionRefused
from bistand.organisation import second_factor
from tests.core.test_no_inline_script import inline_code

from .otp import totp_code

PASSWORD = "demo-lösenord-1"


def password_login(client, user, address="10.1.1.1"):
    return client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD}, REMOTE_ADDR=address
    )


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def give_code(client, token, address="10.1.1.1"):
    return client.post(reverse("second_factor_verify"), {"token": token}, REMOTE_ADDR=address)


def failed_rows():
    return [
        entry.detail
        for entry in AccessLogEntry.objects.filter(action=AuditAction.LOGIN_FAILED).order_by("id")
    ]


@pytest.mark.parametrize(
    "role_attr", ["intake_head", "unit_head", "finance", "sysadmin", "controller"]
)
def test_chefs_finance_controllers_and_admins_need_a_second_factor(org, role_attr):
    assert second_factor.required_for(getattr(org, role_attr))


@pytest.mark.parametrize("role_attr", ["reception", "social_worker", "benefit_admin", "fraud"])
def test_other_roles_log_in_with_the_password_alone(client, org, role_attr):
    user = getattr(org, role_attr)
    assert not second_factor.required_for(user)
    response = password_login(client, user)
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").status_code == 200


def test_first_local_login_of_a_chef_must_enrol_before_any_page(client, org):
    response = password_login(client, org.unit_head)
    assert response.status_code == 302
    for url in ["/", reverse("access_log"), reverse("staff_list"), "/admin/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("second_factor_enrol"))
    api = client.get("/api/v1/cases/")
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "second_factor_required"


def test_enrolment_shows_qr_and_secret_and_gives_backup_codes(client, org, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's delay after a wrong code: not tested here
    password_login(client, org.unit_head)
    page = client.get(reverse("second_factor_enrol") + "?next=/loggkontroll/")
    html = page.content.decode()
    assert "<svg" in html and "Aktivera tvåstegsverifiering" in html
    assert not inline_code(html).problems
    device = TOTPDevice.objects.get(user=org.unit_head, confirmed=False)
    secret = second_factor.secret_base32(device)
    assert secret in html
    assert b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key

    wrong = client.post(reverse("second_factor_enrol"), {"token": "000000", "next": "/"})
    assert "Fel kod" in wrong.content.decode()
    assert client.get("/").status_code == 302

    done = client.post(
        reverse("second_factor_enrol"), {"token": totp_code(device.key), "next": "/loggkontroll/"}
    )
    assert "Tvåstegsverifieringen är aktiverad" in done.content.decode()
    assert StaticToken.objects.filter(device__user=org.unit_head).count() == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/cases/").status_code == 200


def test_enrolled_chef_gives_a_code_at_every_local_login(client, org, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = enrolled(org.intake_head)
    password_login(client, org.intake_head)
    assert client.get("/").url.startswith(reverse("second_factor_verify"))
    page = client.get(reverse("second_factor_verify")).content.decode()
    assert "Ange kod" in page and not inline_code(page).problems

    wrong = give_code(client, "123456" if totp_code(device.key) != "123456" else "654321")
    assert wrong.status_code == 200 and "Fel kod" in wrong.content.decode()
    assert failed_rows()[-1] == '{"second_factor":"wrong_code","username":"intakehead"}'

    right = give_code(client, totp_code(device.key))
    assert right.status_code == 302
    assert client.get("/").status_code == 200
    logins = AccessLogEntry.objects.filter(action=AuditAction.LOGIN, actor_id=org.intake_head.pk)
    assert [entry.detail for entry in logins][-1] == '{"second_factor":"totp"}'

    # A new login asks again.
    client.logout()
    password_login(client, org.intake_head)
    assert client.get("/").url.startswith(reverse("second_factor_verify"))


def test_a_backup_code_works_once(client, org):
    enrolled(org.finance)
    codes = second_factor.new_backup_codes(org.finance)
    password_login(client, org.finance)
    assert give_code(client, codes[0]).status_code == 302
    assert client.get("/").status_code == 200
    client.logout()
    password_login(client, org.finance)
    assert "Fel kod" in give_code(client, codes[0]).content.decode()


def test_wrong_codes_lock_the_account_like_wrong_passwords(client, org, settings):
    enrolled(org.sysadmin)
    password_login(client, org.sysadmin)
    for _ in range(settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT - 1):
        assert give_code(client, "99999999").status_code == 200
    locked = give_code(client, "99999999")
    assert locked.status_code == 429 and "spärrat" in locked.content.decode()
    # The half-finished session is over, and the password alone no longer gets in.
    assert client.get("/").status_code == 302 and "/login/" in client.get("/").url
    again = password_login(Client(), org.sysadmin, address="10.2.2.2")
    assert again.status_code == 429


def test_a_code_cannot_be_skipped_with_next_or_by_another_page(client, org):
    enrolled(org.unit_head)
    password_login(client, org.unit_head)
    for url in [reverse("staff_list"), "/arende/1/", "/statistik/", "/api/docs/", "/api/schema/"]:
        assert client.get(url).status_code in (302, 403)
    response = client.post(reverse("second_factor_verify"), {"token": "", "next": "/"})
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_api_basic_auth_is_refused_for_second_factor_roles(org):
    import base64

    def basic(user):
        token = base64.b64encode(f"{user.username}:{PASSWORD}".encode()).decode()
        return Client().get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Basic {token}")

    assert basic(org.unit_head).status_code in (401, 403)
    assert basic(org.social_worker).status_code == 200


def test_force_login_in_tests_counts_as_verified(client, org):
    client.force_login(org.unit_head)
    assert client.get("/").status_code == 200


def test_system_administrator_resets_backup_codes_and_the_app_logged(client, org):
    enrolled(org.unit_head)
    old = second_factor.new_backup_codes(org.unit_head)
    client.force_login(org.sysadmin)
    url = reverse("staff_second_factor", args=[org.unit_head.pk])
    assert "Autentiseringsappen är registrerad" in client.get(url).content.decode()
    page = client.post(url, {"action": "backup_codes"}).content.decode()
    assert "Nya reservkoder" in page
    new = set(
        StaticToken.objects.filter(device__user=org.unit_head).values_list("token", flat=True)
    )
    assert len(new) == 10 and not new & set(old)

    client.post(url, {"action": "reset"})
    assert not TOTPDevice.objects.filter(user=org.unit_head).exists()
    assert not StaticToken.objects.filter(device__user=org.unit_head).exists()
    rows = AccessLogEntry.objects.filter(
        actor_id=org.sysadmin.pk, action=AuditAction.UPDATE, object_id=str(org.unit_head.pk)
    )
    assert [row.detail for row in rows] == [
        '{"second_factor":"backup_codes_reset","username":"unithead"}',
        '{"second_factor":"reset","username":"unithead"}',
    ]
    # The unit head enrols anew at the next local login.
    other = Client()
    password_login(other, org.unit_head)
    assert other.get("/").url.startswith(reverse("second_factor_enrol"))


@pytest.mark.parametrize("role_attr", ["unit_head", "intake_head", "finance", "social_worker"])
def test_only_the_system_administrator_resets_a_second_factor(client, org, role_attr):
    actor = getattr(org, role_attr)
    enrolled(org.labour_head)
    client.force_login(actor)
    url = reverse("staff_second_factor", args=[org.labour_head.pk])
    assert client.post(url, {"action": "reset"}).status_code == 403
    assert client.get(url).status_code == 403
    assert TOTPDevice.objects.filter(user=org.labour_head).exists()
    with pytest.raises(PermissionRefused):
        second_factor.reset_second_factor(actor, org.labour_head)
    with pytest.raises(PermissionRefused):
        second_factor.reset_backup_codes(actor, org.labour_head)


def test_reset_page_refuses_staff_of_another_unit(client, org):
    from tests.factories import UnitFactory, UserFactory

    stranger = UserFactory(username="annan", role="unit_head", unit=UnitFactory())
    client.force_login(org.sysadmin)
    url = reverse("staff_second_factor", args=[stranger.pk])
    assert client.post(url, {"action": "reset"}).status_code == 404
