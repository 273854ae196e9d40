"""Norm tables, parameters and legal periods in the database: seeded from the package,
entered as drafts, verified by a second person, never edited once verified."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from bistand.audit.models import AccessLogEntry
from bistand.calculation import Month, NormTables
from bistand.calculation.errors import NormTableError
from bistand.core.errors import DomainError, PermissionRefused
from bistand.core.models import FinalRecordError
from bistand.norms import services
from bistand.norms.models import (
    LegalParameter,
    LegalPeriod,
    NormTableVersion,
    ParameterCode,
    VersionState,
)
from bistand.norms.selectors import rulebook

from .conftest import SOURCES, sample_year

pytestmark = pytest.mark.django_db


def _enter(actor, year=2027, **changes):
    data = sample_year(year)
    data.update(changes)
    return services.enter_norm_table(
        actor, year=year, data=data, source_status="verified_primary", sources=SOURCES
    )


def test_the_package_tables_are_seeded_and_hash_as_the_file_does():
    from_file = NormTables.load()
    in_db = rulebook()
    assert in_db.years == from_file.years
    for table in from_file:
        assert in_db.for_year(table.year).sha256 == table.sha256
        assert in_db.for_year(table.year).price_base_amount == table.price_base_amount
    assert NormTableVersion.objects.filter(seeded=True, state=VersionState.VERIFIED).count() == len(
        from_file
    )


def test_seeding_again_changes_nothing_already_there():
    from bistand.norms.seed import seed_rules

    assert seed_rules() == 0


def test_only_the_rules_capability_may_enter_a_table(org):
    for user in (org.social_worker, org.unit_head, org.finance):
        with pytest.raises(PermissionRefused):
            _enter(user)
    assert not NormTableVersion.objects.filter(year=2027).exists()


def test_the_person_who_entered_a_table_cannot_verify_it(org, maintainers):
    admin, owner = maintainers
    draft = _enter(admin)
    with pytest.raises(PermissionRefused) as refused:
        services.verify_version(admin, draft)
    assert refused.value.code == "four_eyes"
    draft.refresh_from_db()
    assert draft.state == VersionState.DRAFT

    verified = services.verify_version(owner, draft)
    assert verified.state == VersionState.VERIFIED and verified.verified_by == owner


def test_someone_who_changed_the_draft_cannot_verify_it_either(org, maintainers):
    admin, owner = maintainers
    draft = _enter(admin)
    changed = _enter(owner, note="rättat ett belopp")  # the same open draft, changed by owner
    assert changed.pk == draft.pk
    with pytest.raises(PermissionRefused):
        services.verify_version(owner, changed)
    with pytest.raises(PermissionRefused):
        services.verify_version(admin, changed)


def test_the_database_refuses_a_table_verified_by_its_entrant(org):
    draft = _enter(org.sysadmin)
    with pytest.raises(IntegrityError), transaction.atomic():
        NormTableVersion.objects.filter(pk=draft.pk).update(
            verified_by=org.sysadmin, state=VersionState.VERIFIED
        )


def test_a_verified_table_is_never_edited_and_a_correction_is_a_new_version(org, maintainers):
    admin, owner = maintainers
    first = services.verify_version(owner, _enter(admin))
    first.note = "ändrat i efterhand"
    with pytest.raises(FinalRecordError):
        first.save()
    old_sha = rulebook().for_year(2027).sha256

    data = sample_year(2027)
    data["adults"]["single"]["amount"] += 10
    correction = services.enter_norm_table(
        admin, year=2027, data=data, source_status="verified_primary", sources=SOURCES
    )
    assert correction.revision == 2 and correction.pk != first.pk
    # Until the correction is verified the first version is in force.
    assert rulebook().for_year(2027).sha256 == old_sha
    services.verify_version(owner, correction)
    tables = rulebook()
    assert tables.for_year(2027).single_adult == data["adults"]["single"]["amount"]
    assert tables.for_year(2027).version == "2"
    # The first version can still be chosen by its hash to recompute an old calculation.
    assert tables.for_month(Month(2027, 3), old_sha).version == "1"


def test_every_change_is_in_the_audit_log(org, maintainers):
    admin, owner = maintainers
    before = AccessLogEntry.objects.count()
    draft = _enter(admin)
    services.verify_version(owner, draft)
    rows = AccessLogEntry.objects.order_by("id")[before:]
    assert [(r.actor_username, r.action, r.object_type) for r in rows] == [
        (admin.username, "create", "norms.normtableversion"),
        (owner.username, "sign", "norms.normtableversion"),
    ]


def test_a_draft_is_used_with_a_warning_and_a_withdrawn_one_not_at_all(org, maintainers):
    admin, owner = maintainers
    draft = _enter(admin)
    table = rulebook().for_month(Month(2027, 1))
    assert table.draft and "norm_table_draft" in [w.code for w in table.warnings]
    services.withdraw_draft(owner, draft, "fel år")
    with pytest.raises(NormTableError):
        rulebook().for_month(Month(2027, 1))


def test_bad_tables_are_refused_with_a_swedish_message(org):
    with pytest.raises(DomainError) as huge:
        _enter(org.sysadmin, adults={"single": {"amount": 3_940_000}, "cohabiting_couple": {}})
    assert "orimligt" in huge.value.message
    with pytest.raises(DomainError) as no_source:
        services.enter_norm_table(
            org.sysadmin, year=2027, data=sample_year(2027), source_status="verified_primary",
            sources=[],
        )  # fmt: skip
    assert no_source.value.code == "source_required"
    with pytest.raises(DomainError) as overlap:
        _enter(org.sysadmin, valid_from="2026-12-01")
    assert overlap.value.code in ("bad_validity", "overlapping_tables")
    assert not NormTableVersion.objects.filter(year=2027).exists()


def test_import_makes_drafts_of_every_year_and_the_price_base_amount(org):
    document = {
        "version": "test",
        "years": {"2027": sample_year(2027)},
        "price_base_amount": {"per_year": {"2027": 60000}, "source": "Testkälla"},
    }
    created = services.import_norm_file(org.sysadmin, document)
    assert [(v.year, v.state) for v in created] == [(2027, VersionState.DRAFT)]
    parameter = LegalParameter.objects.get(
        code=ParameterCode.PRICE_BASE_AMOUNT, valid_from="2027-01-01"
    )
    assert parameter.state == VersionState.DRAFT and parameter.value == Decimal("60000")


def test_a_broken_import_changes_nothing(org):
    document = {"years": {"2027": sample_year(2027), "2028": {"valid_from": "2028-01-01"}}}
    with pytest.raises(DomainError):
        services.import_norm_file(org.sysadmin, document)
    assert not NormTableVersion.objects.filter(year__gte=2027).exists()


def test_price_base_amount_applies_to_the_year_once_verified(org, maintainers):
    admin, owner = maintainers
    services.verify_version(owner, _enter(admin))
    assert rulebook().for_year(2027).price_base_amount is None
    row = services.enter_parameter(
        admin, code="price_base_amount", valid_from=dt.date(2027, 1, 1),
        value="60 000", source_status="verified_primary", sources=SOURCES,
    )  # fmt: skip
    assert rulebook().for_year(2027).price_base_amount is None
    services.verify_version(owner, row)
    assert rulebook().for_year(2027).price_base_amount == 60000


def test_parameter_values_are_checked(org):
    for code, value in (
        ("work_incentive_share", "1.5"),
        ("work_incentive_share", "NaN"),
        ("work_incentive_period_months", "2.5"),
        ("price_base_amount", "abc"),
    ):
        with pytest.raises(DomainError):
            services.enter_parameter(
                org.sysadmin, code=code, valid_from=dt.date(2027, 1, 1), value=value,
                source_status="verified_primary", sources=SOURCES,
            )  # fmt: skip


def test_a_new_jobbstimulans_share_applies_from_its_date(org, maintainers):
    from bistand.calculation import calculate_from_dict

    admin, owner = maintainers
    row = services.enter_parameter(
        admin, code="work_incentive_share", valid_from=dt.date(2026, 7, 1), value="0.5",
        source_status="proposal", sources=SOURCES,
    )  # fmt: skip
    services.verify_version(owner, row)
    data = {
        "month": "2026-06",
        "members": [{"birth_date": "1983-09-19", "role": "applicant"}],
        "incomes": [{"type": "wages", "amount": "4000.00"}],
        "months_on_assistance": 8,
    }
    june = calculate_from_dict(data, rulebook())
    july = calculate_from_dict({**data, "month": "2026-07"}, rulebook())
    assert june.incomes_counted == Decimal("3000.00")
    assert july.incomes_counted == Decimal("2000.00")
    assert "50 %" in [x for x in july.lines if x.kind == "income_disregard"][0].explanation


def test_a_new_legal_period_changes_the_references_from_its_date_only(org, maintainers):
    from bistand.calculation import calculate_from_dict

    admin, owner = maintainers
    period = services.enter_legal_period(
        admin, code="sol-2027", name="Socialtjänstlagen (2025:400) i lydelse från 2027",
        act="SoL (2025:400)", valid_from=dt.date(2027, 1, 1),
        norm_reference="12 kap. 7 § SoL (2025:400) i lydelse enligt SFS 2026:9999",
        incentive_reference="Jobbstimulans (testlydelse)",
        decision_basis={"income_support": "12 kap. 1 § (test)", "other_living_costs": "12 kap. 1 §",
                        "labour_market": "12 kap. 1 §"},
        source_status="proposal", sources=SOURCES,
    )  # fmt: skip
    services.verify_version(owner, period)
    services.verify_version(owner, _enter(admin))
    data = {"month": "2026-12", "members": [{"birth_date": "1983-09-19", "role": "applicant"}]}
    december = calculate_from_dict(data, rulebook())
    january = calculate_from_dict({**data, "month": "2027-01"}, rulebook())
    assert "SFS 2026:9999" not in december.lines[0].rule_reference
    assert "SFS 2026:9999" in january.lines[0].rule_reference

    from bistand.decisions.legal import legal_basis

    assert legal_basis("income_support", dt.date(2027, 1, 5)) == "12 kap. 1 § (test)"
    assert "2025:400" in legal_basis("income_support", dt.date(2026, 12, 5))


def test_a_legal_period_needing_rules_this_release_lacks_is_refused(org):
    with pytest.raises(DomainError) as refused:
        services.enter_legal_period(
            org.sysadmin, code="bidragstak", name="Bidragstak", act="SoL (2025:400)",
            valid_from=dt.date(2027, 1, 1), norm_reference="x", incentive_reference="y",
            decision_basis={"income_support": "a", "other_living_costs": "b", "labour_market": "c"},
            source_status="proposal", sources=SOURCES, rules_version="2027-cap",
        )  # fmt: skip
    assert refused.value.code == "rules_not_implemented"
    assert not LegalPeriod.objects.filter(code="bidragstak").exists()


def test_the_rules_are_cached_until_something_changes(
    org, maintainers, django_assert_num_queries, monkeypatch
):
    from bistand.norms import selectors

    first = rulebook()
    with django_assert_num_queries(0):
        assert rulebook() is first  # within CHECK_SECONDS: no query at all
    monkeypatch.setattr(selectors, "CHECK_SECONDS", 0)
    with django_assert_num_queries(1):
        assert rulebook() is first  # one generation query, nothing changed
    admin, owner = maintainers
    services.verify_version(owner, _enter(admin))
    assert rulebook() is not first
    assert rulebook().for_year(2027).verified


def test_another_process_change_is_seen_after_the_check_interval(org, maintainers, monkeypatch):
    from bistand.norms import selectors
    from bistand.norms.models import RulesChange

    first = rulebook()
    RulesChange.objects.create(what="a change made by another process")
    assert rulebook() is first  # still within the interval
    monkeypatch.setattr(selectors, "CHECK_SECONDS", 0)
    assert rulebook() is not first


def test_the_json_document_reader_refuses_deep_nesting_nan_and_nul():
    from bistand.norms.jsonfile import load_json

    for raw in ("[" * 100_000 + "]" * 100_000, '{"a": NaN}', '{"a": "x\\u0000"}', b"\xff\xfe"):
        with pytest.raises(DomainError) as refused:
            load_json(raw)
        assert refused.value.code == "invalid_json"
    assert json.dumps(load_json('{"years": {}}')) == '{"years": {}}'
