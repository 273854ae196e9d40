"""How an applicant proves who they are: a small backend interface (docs/portal.md).

A backend turns what the applicant's identity provider says into a verified identity number
(12 digits). The portal then finds the `households.Person` with that number and starts an
applicant session (`portal.session`). Two backends:

- `TestEidBackend` (built): the demo's and tests' test e-ID. It accepts only Skatteverket's
  published test personal and coordination numbers, and only while debug is on
  (`BISTAND_PORTAL_TEST_EID`, refused by the system check portal.E001 without debug).
- `portal.oidc.OidcEidBackend` for production: it verifies the ID token from the
  municipality's identity provider (OpenID Connect) and returns the personal identity number
  claim.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils.translation import gettext as _

from bistand.core.identity import IdentityNumberError, parse_identity_number

# Skatteverket's test numbers as the project keeps them (bistand/demo/data/README.md). Read as
# data files, not imported: the demo app sits above the portal.
TEST_NUMBER_FILES = (
    Path(__file__).resolve().parent.parent / "demo" / "data" / "test_personal_numbers.txt",
    Path(__file__).resolve().parent.parent / "demo" / "data" / "test_coordination_numbers.txt",
)


class LoginRefused(Exception):
    """The identity could not be verified; `message` is Swedish for the applicant."""

    def __init__(self, message: str, *, reason: str = "", person_id: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        # For the access log, never shown: why, and the person if one was found.
        self.reason = reason
        self.person_id = person_id


class ApplicantLoginBackend(Protocol):
    name: str  # recorded in the access log's detail ("test-eid", "oidc")

    def enabled(self) -> bool: ...

    def verified_identity_number(self, request) -> str:
        """The 12-digit number the provider vouches for, or raise LoginRefused."""


@cache
def skatteverket_test_numbers() -> frozenset[str]:
    numbers: set[str] = set()
    for path in TEST_NUMBER_FILES:
        numbers.update(line.strip() for line in path.read_text().splitlines() if line.strip())
    return frozenset(numbers)


def is_test_number(canonical: str) -> bool:
    return canonical in skatteverket_test_numbers()


def test_eid_enabled() -> bool:
    """The test e-ID is possible only with debug on, whatever the setting says."""
    return bool(settings.DEBUG and getattr(settings, "BISTAND_PORTAL_TEST_EID", False))


class TestEidBackend:
    """Test-e-legitimation: the applicant types a test personal number. Demo and tests only."""

    name = "test-eid"

    def enabled(self) -> bool:
        return test_eid_enabled()

    def verified_identity_number(self, request) -> str:
        if not self.enabled():
            raise LoginRefused(_("Test-e-legitimationen är avstängd."))
        raw = request.POST.get("identity_number", "")
        try:
            number = parse_identity_number(raw)
        except IdentityNumberError as error:
            raise LoginRefused(error.message)
        if not is_test_number(number.canonical):
            raise LoginRefused(
                _("Test-e-legitimationen tar bara emot Skatteverkets testpersonnummer.")
            )
        return number.canonical
