"""Who a payment command acts as: --user, else $BISTAND_USER, else the only active finance user."""

from __future__ import annotations

import os

from django.core.management.base import CommandError

from bistand.organisation.models import Role, User


def acting_user(username: str | None) -> User:
    username = username or os.environ.get("BISTAND_USER")
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"Användaren {username} finns inte eller är inte aktiv.")
        return user
    finance = list(User.objects.filter(role=Role.FINANCE, is_active=True)[:2])
    if len(finance) != 1:
        raise CommandError(
            "Ange vem som utför kommandot med --user (eller BISTAND_USER): "
            "det finns inte exakt en aktiv ekonom."
        )
    return finance[0]
