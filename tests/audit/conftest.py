import itertools

import pytest

from bistand.audit import services

CHAINS = 3
REAL_PREFERRED_CHAIN = services._preferred_chain


@pytest.fixture
def three_chains(settings, monkeypatch):
    """Three chains, and each append goes to the next one in turn (in one test thread the
    preferred chain would otherwise always be the same), so every test covers every chain."""
    settings.BISTAND_AUDIT_CHAINS = CHAINS
    turn = itertools.count()
    monkeypatch.setattr(
        services, "_preferred_chain", lambda connection, chains: next(turn) % chains
    )
    return CHAINS


@pytest.fixture
def one_chain(settings):
    settings.BISTAND_AUDIT_CHAINS = 1
