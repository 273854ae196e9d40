import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from bistand.core.dates import add_months, month_start
from tests.conftest import make_household
from tests.files import pdf_bytes

APPLICANT = "198309192394"
CO_APPLICANT = "199811022384"
OTHER_APPLICANT = "199109202383"


def portal_login(client, number: str):
    return client.post(reverse("portal:test_eid_login"), {"identity_number": number})


@pytest.fixture
def household(org):
    return make_household(org.reception, co_applicant=CO_APPLICANT, children=True)


@pytest.fixture
def other_household(org):
    return make_household(org.reception, adult=OTHER_APPLICANT)


@pytest.fixture(autouse=True)
def _test_eid_on(settings):
    """The test e-ID exists only with debug on (the demo); Django's tests run without debug."""
    settings.DEBUG = True
    settings.BISTAND_PORTAL_TEST_EID = True


def decided_new_case(world, org, number: str, *, before_decision=None, **line_overrides):
    """A new case for `number` decided by the social worker (as World.decided_case, with the
    lines as proposed unless overridden); `before_decision(household)` runs before the
    decision is made."""
    from bistand.cases import services as case_services
    from tests.payments.conftest import decide_as_proposed, sign_investigation

    household = make_household(org.reception, adult=number)
    if before_decision is not None:
        before_decision(household)
    application = case_services.register_application(
        org.reception,
        household,
        kind="new",
        month=world.month,
        stated_costs=[
            {"type": "rent", "amount": "6500.00"},
            {"type": "glasses", "amount": "1800.00"},
        ],
    )
    case = application.case
    case_services.take_case(org.social_worker, case)
    sign_investigation(org.social_worker, case)
    return case, decide_as_proposed(org.social_worker, application, **line_overrides)


# --- Applying online (test_apply, test_co_signing) ---------------------------------------------


def month_text(offset: int = 0) -> str:
    """This month + `offset`, as the application form writes it (YYYY-MM)."""
    return add_months(month_start(timezone.localdate()), offset).strftime("%Y-%m")


def pdf_upload(name="kontoutdrag.pdf"):
    return SimpleUploadedFile(name, pdf_bytes(), "application/pdf")


def repeat_post(**extra):
    """A complete repeat application for next month, as the form posts it."""
    data = {
        "month": month_text(1),
        "income_type_0": "wages",
        "income_amount_0": "4 200,50",
        "cost_type_0": "rent",
        "cost_amount_0": "6500",
        "changes": "Jag har börjat arbeta deltid.",
        "attachment_kind": "bank_statement",
        "assured": "on",
        "action": "submit",
    }
    data.update(extra)
    return data
