"""The second factor for local logins of chefs, finance and administrators (issue #11).

Devices are django-otp's: one TOTP device (an authenticator app) and one static device holding
backup codes for a lost phone. A session passes the second factor when it is marked here, by a
TOTP or backup code after the password, or by a single sign-on login (the municipality's identity
provider does the MFA). SecondFactorMiddleware sends every other session of these roles to the
code page (or, with no device yet, to enrolment) before any other page.
"""

from __future__ import annotations

import secrets
from base64 import b32encode
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.core.errors import PermissionRefused

SESSION_KEY = "bistand_second_factor"
TOTP = "totp"
BACKUP_CODE = "backup_code"
SSO = "sso"
PASSED = {TOTP, BACKUP_CODE, SSO}

DEVICE_NAME = "Autentiseringsapp"
BACKUP_DEVICE_NAME = "Reservkoder"


def required_for(user) -> bool:
    """Local logins of these roles (and of superusers) need a second factor."""
    return bool(
        user.is_authenticated
        and (user.role in settings.SECOND_FACTOR_ROLES or getattr(user, "is_superuser", False))
    )


def session_passed(session) -> bool:
    return session.get(SESSION_KEY) in PASSED


def mark_passed(request, method: str) -> None:
    """The session has passed the second factor; a new session key, as at any login."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = method


def forget(session) -> None:
    session.pop(SESSION_KEY, None)


def confirmed_totp(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def is_enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_totp(user) -> TOTPDevice:
    """The device being enrolled: the same secret until it is confirmed with a code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_base32(device: TOTPDevice) -> str:
    """The shared secret as authenticator apps take it when typed in."""
    return b32encode(device.bin_key).decode().rstrip("=")


def provisioning_uri(device: TOTPDevice) -> str:
    """otpauth:// URI for the QR code (django-otp's, with our issuer and the user name)."""
    return device.config_url


def qr_svg(text: str) -> str:
    """The QR code as inline SVG markup (a path with fill attributes: no style, no script)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]


def _verify_on(device, token: str) -> bool:
    return bool(device is not None and device.verify_token(token))


def verify(user, token: str) -> str | None:
    """Which kind of code `token` was (TOTP, or a backup code, used up), or None."""
    token = "".join(token.split())
    if not token or len(token) > 16:
        return None
    if token.isdigit() and _verify_on(confirmed_totp(user), token):
        return TOTP
    for device in StaticDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(token.lower()):
            return BACKUP_CODE
    return None


def new_backup_codes(user) -> list[str]:
    """A fresh set of backup codes; earlier ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.SECOND_FACTOR_BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user).count()


@transaction.atomic
def confirm_enrolment(user, token: str) -> list[str] | None:
    """Confirms the pending device with a code from the app; gives the first backup codes."""
    device = pending_totp(user)
    token = "".join(token.split())
    if not (token.isdigit() and device.verify_token(token)):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = new_backup_codes(user)
    record(
        user,
        AuditAction.UPDATE,
        object_type="organisation.user",
        object_id=user.pk,
        detail={"second_factor": "enrolled"},
    )
    return codes


def _require_administrator(actor) -> None:
    if actor.role != "system_admin":
        raise PermissionRefused(
            "second_factor_reset", "Bara systemadministratören kan återställa andra faktorn."
        )


@transaction.atomic
def reset_backup_codes(actor, user) -> list[str]:
    """A system administrator gives a staff member new backup codes (e.g. a lost phone)."""
    _require_administrator(actor)
    codes = new_backup_codes(user)
    record(
        actor,
        AuditAction.UPDATE,
        object_type="organisation.user",
        object_id=user.pk,
        detail={"second_factor": "backup_codes_reset", "username": user.username},
    )
    return codes


@transaction.atomic
def reset_second_factor(actor, user) -> None:
    """A system administrator removes a staff member's app and codes: they enrol anew at their
    next local login."""
    _require_administrator(actor)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record(
        actor,
        AuditAction.UPDATE,
        object_type="organisation.user",
        object_id=user.pk,
        detail={"second_factor": "reset", "username": user.username},
    )


def demo_device(user, rng_bytes: bytes | None = None) -> tuple[TOTPDevice, str]:
    """A confirmed TOTP device and one backup code for a demo login (the demo loader prints
    them so that a tester can add the secret to an authenticator app)."""
    key = (rng_bytes or secrets.token_bytes(20)).hex()
    device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, key=key, confirmed=True)
    code = new_backup_codes(user)[0]
    return device, code
