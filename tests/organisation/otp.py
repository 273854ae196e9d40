"""What an authenticator app would show, for tests."""

import time

from django_otp.oath import TOTP


def totp_code(key_hex: str, last_t: int = -1) -> str:
    """The code for this secret now, or one step past `last_t` (django-otp refuses a step
    twice and accepts one step ahead)."""
    totp = TOTP(bytes.fromhex(key_hex))
    totp.time = time.time()
    if totp.t() <= last_t:
        totp.time += 30 * (last_t + 1 - totp.t())
    return f"{totp.token():06d}"
