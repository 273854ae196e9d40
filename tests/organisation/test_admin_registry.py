"""The admin holds configuration only: a guard over everything registered in admin.site.

A model newly registered in any app's admin.py fails here until someone decides: if it is
configuration (organisation, settings, code lists), add it to CONFIGURATION_MODELS; if it
carries case content, do not register it; case content is read through the pages and APIs
that apply the access rules and log the read.
"""

from django.apps import apps
from django.contrib import admin

from bistand.organisation.admin_site import AuditedModelAdmin, BistandAdminSite

# Configuration a system administrator may see in the admin (registered or not).
CONFIGURATION_MODELS = {
    "organisation.user",
    "organisation.unit",
    "organisation.section",
    "decisions.delegationrule",
    "decisions.localguideline",
    "decisions.decisionsettings",
    "workplans.casetypesetting",
    "workplans.programme",
    "payments.paymentsettings",
    "payments.budgetaccount",
    "payments.budgetamount",
    # Background job runs: counts and error types only, read-only (JobRunAdmin).
    "jobs.jobrun",
}

# Never in the admin, whatever the allow-list says: the rules have a four-eyes flow of their
# own at /regelverk/, and the access log is append-only.
MUST_NOT_BE_REGISTERED = {
    "norms.normtableversion",
    "norms.legalparameter",
    "norms.legalperiod",
    "norms.ruleschange",
    "audit.accesslogentry",
    "audit.chainhead",
    "auth.group",
    "auth.permission",
    # The ledger and outbox name plans and staff by id and carry message text.
    "jobs.jobmark",
    "jobs.notification",
}

# Case content: these apps wholesale (but for the configuration listed above) ...
CASE_CONTENT_APPS = {"cases", "households", "decisions", "workplans", "controls", "statistics"}
# ... and these models, and every model with a foreign key to one of them.
CASE_CONTENT_MODELS = {
    "cases.case",
    "cases.application",
    "households.person",
    "households.household",
    "payments.paymentorder",
    "payments.payee",
    "payments.payeeaccount",
    "payments.accountnumber",
    "decisions.decision",
    "decisions.calculation",
}


def label(model) -> str:
    return model._meta.label_lower


def points_at_case_content(model) -> list[str]:
    return [
        f"{field.name} -> {label(field.related_model)}"
        for field in model._meta.get_fields()
        if field.is_relation
        and field.concrete
        and field.related_model is not None
        and label(field.related_model) in CASE_CONTENT_MODELS
    ]


def carries_case_content(model) -> bool:
    name = label(model)
    if name in CASE_CONTENT_MODELS or points_at_case_content(model):
        return True
    return model._meta.app_label in CASE_CONTENT_APPS and name not in CONFIGURATION_MODELS


def registry_problems(registry) -> list[str]:
    """What is wrong with a registry ({model: ModelAdmin}); empty when it holds only
    configuration under audited, administrator-only admin classes."""
    problems = []
    for model, model_admin in registry.items():
        name = label(model)
        if name in MUST_NOT_BE_REGISTERED:
            problems.append(f"{name} must not be in the admin (see MUST_NOT_BE_REGISTERED).")
        elif carries_case_content(model):
            problems.append(
                f"{name} carries case content and is registered in the admin: remove it; case "
                "content is read through pages that apply the access rules and log the read."
            )
        elif name not in CONFIGURATION_MODELS:
            problems.append(
                f"{name} is registered in the admin but not on the allow-list: decide. If it is "
                "configuration, add it to CONFIGURATION_MODELS in this test; if it carries "
                "case content, unregister it."
            )
        if not isinstance(model_admin, AuditedModelAdmin):
            problems.append(
                f"{name} is registered with {type(model_admin).__name__}: use "
                "bistand.organisation.admin_site.AuditedModelAdmin (or ReadOnlyConfigAdmin) "
                "so only administrators see it and every change is logged."
            )
    return problems


def test_the_admin_holds_only_allowed_configuration_under_audited_admin_classes():
    problems = registry_problems(admin.site._registry)
    assert not problems, "\n".join(problems)


def test_the_admin_site_is_bistands_own():
    assert isinstance(admin.site, BistandAdminSite)


def test_staff_administration_is_registered():
    registered = {label(model) for model in admin.site._registry}
    assert {"organisation.user", "organisation.unit", "organisation.section"} <= registered


def test_no_allowed_configuration_model_points_at_case_content():
    for name in CONFIGURATION_MODELS:
        model = apps.get_model(name)
        assert not points_at_case_content(model), (
            f"{name} is on the configuration allow-list but points at case content: "
            f"{points_at_case_content(model)}"
        )
        assert name not in MUST_NOT_BE_REGISTERED


def test_the_guard_refuses_what_was_registered_before():
    """The guard itself can fail: yesterday's registrations are each refused."""
    examples = [
        "decisions.decision",
        "decisions.calculation",
        "decisions.appeal",
        "decisions.decisionletter",
        "decisions.automaticdecisionreview",
        "workplans.workplan",
        "workplans.followup",
        "workplans.handoverrecord",
        "cases.journalentry",
        "households.person",
        "payments.paymentorder",
        "payments.reconciliationline",
        "norms.normtableversion",
        "norms.legalparameter",
        "norms.legalperiod",
        "axes.accessattempt",
    ]
    for name in examples:
        model = apps.get_model(name)
        assert registry_problems({model: AuditedModelAdmin(model, admin.site)}), name


def test_the_guard_refuses_configuration_under_an_unaudited_admin_class():
    model = apps.get_model("organisation.unit")
    problems = registry_problems({model: admin.ModelAdmin(model, admin.site)})
    assert any("AuditedModelAdmin" in problem for problem in problems)


def test_every_model_with_a_key_to_a_case_or_person_counts_as_case_content():
    for model in apps.get_models():
        if points_at_case_content(model):
            assert carries_case_content(model), label(model)
    assert carries_case_content(apps.get_model("payments.reconciliationline"))
