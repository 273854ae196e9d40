"""The admin through HTTP: who gets in, what staff administration does, what gets logged."""

import json

import pytest

from bistand.audit.models import AccessLogEntry, AuditAction
from bistand.organisation.admin_site import may_administer
from bistand.organisation.models import Role, Section, Unit, User
from tests.factories import SectionFactory, UnitFactory, UserFactory

PASSWORD = "demo-lösenord-1"
REFUSED_ROLES = [
    "reception",
    "social_worker",
    "benefit_admin",
    "intake_head",
    "unit_head",
    "fraud",
    "finance",
]


def logged_in(client, user):
    client.force_login(user)
    return client


def new_log_rows(before: int):
    return list(AccessLogEntry.objects.order_by("id")[before:])


def staff_form(user, **changes) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "title": user.title,
        "role": user.role,
        "unit": user.unit_id or "",
        "section": user.section_id or "",
        "caseload_limit": user.caseload_limit or "",
        "is_active": "on" if user.is_active else "",
        "rules_maintainer": "on" if user.rules_maintainer else "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


# --- Who gets in -----------------------------------------------------------------------------


@pytest.mark.parametrize("role_attr", REFUSED_ROLES)
@pytest.mark.parametrize(
    "url", ["/admin/", "/admin/organisation/user/", "/admin/decisions/delegationrule/"]
)
def test_staff_without_the_administrator_role_are_refused(client, org, role_attr, url):
    user = getattr(org, role_attr)
    response = logged_in(client, user).get(url, follow=True)
    assert response.status_code == 403
    assert response.redirect_chain and response.redirect_chain[0][1] == 302
    assert b"administrera organisationen" in response.content


def test_is_staff_does_not_open_the_admin_to_another_role(client, org):
    org.unit_head.is_staff = True
    org.unit_head.save()
    response = logged_in(client, org.unit_head).get("/admin/organisation/user/")
    assert response.status_code == 302
    assert logged_in(client, org.unit_head).get(response["Location"]).status_code == 403


def test_a_refused_visit_to_the_admin_is_logged(client, org):
    client = logged_in(client, org.social_worker)
    before = AccessLogEntry.objects.count()
    client.get("/admin/", follow=True)
    rows = new_log_rows(before)
    assert [(r.action, r.object_type, r.actor_id) for r in rows] == [
        (AuditAction.ACCESS_DENIED, "admin", org.social_worker.pk)
    ]


def test_an_anonymous_visitor_is_sent_to_the_logged_login_page(client, db):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/login/?next=/admin/")
    assert response.status_code == 200


def test_the_system_administrator_gets_in_without_is_staff(client, org):
    assert not org.sysadmin.is_staff and not org.sysadmin.is_superuser
    response = logged_in(client, org.sysadmin).get("/admin/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "/admin/organisation/user/" in content
    assert "/admin/decisions/decision/" not in content
    assert "/admin/workplans/workplan/" not in content


def test_a_superuser_gets_in(client, db):
    root = UserFactory(username="root", role="", is_superuser=True)
    assert logged_in(client, root).get("/admin/").status_code == 200


def test_an_inactive_administrator_is_not_let_in(client, org):
    org.sysadmin.is_active = False
    org.sysadmin.save()
    assert not may_administer(org.sysadmin)
    response = logged_in(client, org.sysadmin).get("/admin/", follow=True)
    assert b"/admin/organisation/user/" not in response.content


def test_the_admin_login_page_is_not_a_second_login_form(client, org):
    response = client.get("/admin/login/?next=/admin/organisation/user/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/admin/organisation/user/")
    response = logged_in(client, org.sysadmin).get("/admin/login/?next=https://evil.example/")
    assert response["Location"] == "/admin/"


@pytest.mark.parametrize(
    "url",
    [
        "/admin/decisions/decision/",
        "/admin/decisions/calculation/",
        "/admin/decisions/appeal/",
        "/admin/decisions/decisionletter/",
        "/admin/decisions/automaticdecisionreview/",
        "/admin/workplans/workplan/",
        "/admin/workplans/followup/",
        "/admin/workplans/intervention/",
        "/admin/norms/normtableversion/",
        "/admin/norms/legalparameter/",
        "/admin/norms/legalperiod/",
        "/admin/audit/accesslogentry/",
        "/admin/auth/group/",
        "/admin/axes/accessattempt/",
    ],
)
def test_case_content_and_rules_are_not_in_the_admin_even_for_the_administrator(client, org, url):
    assert logged_in(client, org.sysadmin).get(url).status_code == 404


def test_configuration_is_shown_read_only(client, org):
    client = logged_in(client, org.sysadmin)
    assert client.get("/admin/decisions/delegationrule/").status_code == 200
    assert client.get("/admin/workplans/programme/").status_code == 200
    assert client.get("/admin/decisions/delegationrule/add/").status_code == 403


# --- Staff administration ----------------------------------------------------------------------


def test_the_administrator_adds_a_staff_member_and_it_is_logged_without_the_password(client, org):
    before = AccessLogEntry.objects.count()
    response = logged_in(client, org.sysadmin).post(
        "/admin/organisation/user/add/",
        {
            "username": "nyanstalld",
            "usable_password": "true",
            "password1": "ett-långt-lösenord-77",
            "password2": "ett-långt-lösenord-77",
            "first_name": "Nina",
            "last_name": "Nyberg",
            "role": Role.SOCIAL_WORKER,
            "unit": org.unit.pk,
            "section": org.labour.pk,
            "caseload_limit": "35",
            "title": "Socialsekreterare",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="nyanstalld")
    assert (user.role, user.section, user.caseload_limit) == (Role.SOCIAL_WORKER, org.labour, 35)
    assert user.check_password("ett-långt-lösenord-77")
    assert not user.is_staff
    rows = [r for r in new_log_rows(before) if r.object_type == "organisation.user"]
    assert [(r.action, r.object_id, r.actor_id) for r in rows] == [
        (AuditAction.CREATE, str(user.pk), org.sysadmin.pk)
    ]
    detail = json.loads(rows[0].detail)
    assert detail["after"]["role"] == Role.SOCIAL_WORKER
    assert detail["after"]["section_id"] == org.labour.pk
    assert "password" not in rows[0].detail
    assert user.password not in rows[0].detail
    assert user.password.split("$")[-1] not in rows[0].detail


def test_changing_role_section_and_rules_maintainer_is_logged_with_before_and_after(client, org):
    worker = org.social_worker
    before = AccessLogEntry.objects.count()
    response = logged_in(client, org.sysadmin).post(
        f"/admin/organisation/user/{worker.pk}/change/",
        staff_form(
            worker,
            role=Role.SECTION_HEAD,
            section=org.labour.pk,
            rules_maintainer="on",
            caseload_limit="20",
            title="Sektionschef",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    worker.refresh_from_db()
    assert (worker.role, worker.section, worker.rules_maintainer) == (
        Role.SECTION_HEAD,
        org.labour,
        True,
    )
    (row,) = [r for r in new_log_rows(before) if r.object_type == "organisation.user"]
    assert (row.action, row.object_id, row.actor_id) == (
        AuditAction.UPDATE,
        str(worker.pk),
        org.sysadmin.pk,
    )
    detail = json.loads(row.detail)
    assert detail["before"] == {
        "role": Role.SOCIAL_WORKER,
        "section_id": org.intake.pk,
        "rules_maintainer": False,
        "caseload_limit": None,
        "title": "",
    }
    assert detail["after"] == {
        "role": Role.SECTION_HEAD,
        "section_id": org.labour.pk,
        "rules_maintainer": True,
        "caseload_limit": 20,
        "title": "Sektionschef",
    }


def test_deactivating_a_staff_member_is_logged_and_they_cannot_log_in(client, org):
    before = AccessLogEntry.objects.count()
    logged_in(client, org.sysadmin).post(
        f"/admin/organisation/user/{org.finance.pk}/change/",
        staff_form(org.finance, is_active=""),
    )
    org.finance.refresh_from_db()
    assert not org.finance.is_active
    (row,) = [r for r in new_log_rows(before) if r.object_type == "organisation.user"]
    assert json.loads(row.detail)["after"] == {"is_active": False}
    client.logout()
    response = client.post("/login/", {"username": "finance", "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_giving_the_administrator_role_makes_is_staff_consistent(client, org):
    logged_in(client, org.sysadmin).post(
        f"/admin/organisation/user/{org.finance.pk}/change/",
        staff_form(org.finance, role=Role.SYSTEM_ADMIN),
    )
    org.finance.refresh_from_db()
    assert org.finance.role == Role.SYSTEM_ADMIN and org.finance.is_staff


def test_the_admin_form_offers_no_superuser_staff_flag_or_permissions(client, org):
    content = (
        logged_in(client, org.sysadmin)
        .get(f"/admin/organisation/user/{org.finance.pk}/change/")
        .content.decode()
    )
    for field in ("is_superuser", "is_staff", "user_permissions", "groups"):
        assert f'name="{field}"' not in content
    for field in ("role", "unit", "section", "caseload_limit", "title", "is_active"):
        assert f'name="{field}"' in content
    assert 'name="rules_maintainer"' in content
    logged_in(client, org.sysadmin).post(
        f"/admin/organisation/user/{org.finance.pk}/change/",
        staff_form(org.finance, is_superuser="on", is_staff="on"),
    )
    org.finance.refresh_from_db()
    assert not org.finance.is_superuser and not org.finance.is_staff


def test_a_section_head_needs_a_section_and_a_section_its_own_unit(client, org):
    other_section = SectionFactory(unit=UnitFactory(name="Grannkommunen"))
    client = logged_in(client, org.sysadmin)
    response = client.post(
        f"/admin/organisation/user/{org.finance.pk}/change/",
        staff_form(org.finance, role=Role.SECTION_HEAD),
    )
    assert response.status_code == 200
    assert "En sektionschef måste ha en sektion." in response.content.decode()
    response = client.post(
        f"/admin/organisation/user/{org.finance.pk}/change/",
        staff_form(org.finance, role=Role.SOCIAL_WORKER, section=other_section.pk),
    )
    assert response.status_code == 200
    assert "Sektionen hör till en annan enhet." in response.content.decode()
    org.finance.refresh_from_db()
    assert org.finance.role == Role.FINANCE


def test_setting_a_password_uses_the_set_password_form_and_logs_no_hash(client, org):
    before = AccessLogEntry.objects.count()
    response = logged_in(client, org.sysadmin).post(
        f"/admin/organisation/user/{org.finance.pk}/password/",
        {
            "usable_password": "true",
            "password1": "helt-nytt-lösenord-42",
            "password2": "helt-nytt-lösenord-42",
            "set-password": "1",
        },
    )
    assert response.status_code == 302
    org.finance.refresh_from_db()
    assert org.finance.check_password("helt-nytt-lösenord-42")
    (row,) = [r for r in new_log_rows(before) if r.object_type == "organisation.user"]
    assert (row.action, row.object_id) == (AuditAction.UPDATE, str(org.finance.pk))
    assert json.loads(row.detail)["changed"] == ["password"]
    assert org.finance.password.split("$")[-1] not in row.detail


def test_a_refused_password_change_is_not_logged_as_a_change(client, org):
    before = AccessLogEntry.objects.count()
    response = logged_in(client, org.sysadmin).post(
        f"/admin/organisation/user/{org.finance.pk}/password/",
        {"usable_password": "true", "password1": "kort", "password2": "kort"},
    )
    assert response.status_code == 200
    assert not [r for r in new_log_rows(before) if r.object_type == "organisation.user"]


def test_the_administrators_own_password_change_is_logged(client, org):
    before = AccessLogEntry.objects.count()
    response = logged_in(client, org.sysadmin).post(
        "/admin/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "mitt-nya-lösenord-9",
            "new_password2": "mitt-nya-lösenord-9",
        },
    )
    assert response.status_code == 302
    (row,) = [r for r in new_log_rows(before) if r.object_type == "organisation.user"]
    assert row.object_id == str(org.sysadmin.pk)
    org.sysadmin.refresh_from_db()
    assert org.sysadmin.password.split("$")[-1] not in row.detail


def test_an_administrator_cannot_take_over_a_superuser_account(client, org):
    root = UserFactory(username="root", role=Role.SYSTEM_ADMIN, is_superuser=True)
    client = logged_in(client, org.sysadmin)
    response = client.post(
        f"/admin/organisation/user/{root.pk}/password/",
        {
            "usable_password": "true",
            "password1": "overtagen-123456",
            "password2": "overtagen-123456",
        },
    )
    assert response.status_code == 403
    root.refresh_from_db()
    assert not root.check_password("overtagen-123456")


def test_staff_are_never_deleted_through_the_admin(client, org):
    response = logged_in(client, org.sysadmin).post(
        f"/admin/organisation/user/{org.finance.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    assert User.objects.filter(pk=org.finance.pk).exists()


def test_other_roles_cannot_change_staff_by_posting_to_the_admin(client, org):
    response = logged_in(client, org.unit_head).post(
        f"/admin/organisation/user/{org.social_worker.pk}/change/",
        staff_form(org.social_worker, role=Role.UNIT_HEAD),
    )
    assert response.status_code in (302, 403)
    org.social_worker.refresh_from_db()
    assert org.social_worker.role == Role.SOCIAL_WORKER
    response = logged_in(client, org.unit_head).post(
        f"/admin/organisation/user/{org.social_worker.pk}/password/",
        {"usable_password": "true", "password1": "x-lösenord-9999", "password2": "x-lösenord-9999"},
    )
    assert response.status_code in (302, 403)
    org.social_worker.refresh_from_db()
    assert org.social_worker.check_password(PASSWORD)


def test_units_and_sections_are_added_changed_and_deleted_with_a_log_row_each(client, org):
    client = logged_in(client, org.sysadmin)
    before = AccessLogEntry.objects.count()
    client.post(
        "/admin/organisation/unit/add/",
        {
            "name": "Försörjningsstöd Norr",
            "municipality_code": "1281",
            "municipality_name": "Lund",
            "default_caseload_limit": "40",
        },
    )
    unit = Unit.objects.get(name="Försörjningsstöd Norr")
    client.post(
        "/admin/organisation/section/add/",
        {"unit": unit.pk, "name": "Ungdom", "code": "ungdom"},
    )
    section = Section.objects.get(unit=unit, code="ungdom")
    client.post(
        f"/admin/organisation/section/{section.pk}/change/",
        {"unit": unit.pk, "name": "Unga vuxna", "code": "ungdom", "handles_intake": "on"},
    )
    client.post(f"/admin/organisation/section/{section.pk}/delete/", {"post": "yes"})
    assert not Section.objects.filter(pk=section.pk).exists()
    rows = [r for r in new_log_rows(before) if r.object_type.startswith("organisation.")]
    assert [(r.action, r.object_type) for r in rows] == [
        (AuditAction.CREATE, "organisation.unit"),
        (AuditAction.CREATE, "organisation.section"),
        (AuditAction.UPDATE, "organisation.section"),
        (AuditAction.UPDATE, "organisation.section"),
    ]
    assert json.loads(rows[2].detail)["after"] == {"name": "Unga vuxna", "handles_intake": True}
    deleted = json.loads(rows[3].detail)
    assert deleted["deleted"] is True and deleted["before"]["name"] == "Unga vuxna"
    assert all(r.actor_id == org.sysadmin.pk for r in rows)


def test_a_unit_in_use_cannot_be_deleted(client, org):
    response = logged_in(client, org.sysadmin).post(
        f"/admin/organisation/unit/{org.unit.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code in (200, 403)
    assert Unit.objects.filter(pk=org.unit.pk).exists()
