"""The matrix world, built once per module (rolled back after), with a logged-in client per
role. `client.force_login` counts as a login with the second factor (tests/conftest.py)."""

import pytest
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings

from .matrix_world import build

ANONYMOUS = "anonymous"


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker, tmp_path_factory):
    files = tmp_path_factory.mktemp("matrix")
    media = files / "media"
    media.mkdir()
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=str(media)),
        transaction.atomic(),
    ):
        world = build(files)
        world.clients = {ANONYMOUS: Client()}
        for role, user in world.staff.items():
            client = Client()
            client.force_login(user)
            world.clients[role] = client
        for client in world.clients.values():
            client.raise_request_exception = False
        yield world
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _media_root():
    """The world's documents stay where the module put them (replaces the per-test media
    root of tests/conftest.py)."""
