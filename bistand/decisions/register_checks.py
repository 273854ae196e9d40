"""Register checks before a decision, asked of the controls app without importing it (the two
apps sit side by side): if `apps.get_app_config("controls")` defines the hook methods, they
decide; without the app nothing is required (a unit configures its requirements there).

    decision_checks(application, *, automatic) -> {"ok", "message", "missing", "sources", ...}
    decision_checks_many(applications, *, automatic) -> {application id: the same}
    bind_decision_checks(actor, application, decision_id, *, automatic)   # raises DomainError
    consulted_sources(decision_id) -> ["Skatteverket (2026-10–2026-11)", ...]
    decision_form_panel(request, application) -> {"template", "context"}
"""

from __future__ import annotations

from typing import Any

from django.apps import apps


def _hook(name: str):
    try:
        config = apps.get_app_config("controls")
    except LookupError:
        return None
    hook = getattr(config, name, None)
    return hook if callable(hook) else None


def status(application, *, automatic: bool = False) -> dict[str, Any]:
    """Whether the required checks of the month are on record (and assessed)."""
    hook = _hook("decision_checks")
    if hook is None:
        return {"ok": True, "message": "Inga kontroller krävs.", "missing": [], "sources": []}
    return hook(application, automatic=automatic)


def status_many(applications, *, automatic: bool = False) -> dict[int, dict[str, Any]]:
    """`status` of each application, read set-wise: {application id: status}."""
    applications = list(applications)
    hook = _hook("decision_checks_many")
    if hook is None:
        return {
            application.pk: status(application, automatic=automatic) for application in applications
        }
    return hook(applications, automatic=automatic)


def bind(actor, decision) -> None:
    """In the decision's transaction: refuse it (DomainError) unless the required checks are on
    record, and record the checks it rests on."""
    hook = _hook("bind_decision_checks")
    if hook is not None:
        hook(actor, decision.application, decision.pk, automatic=decision.automatic)


def consulted_sources(decision) -> list[str]:
    hook = _hook("consulted_sources")
    return list(hook(decision.pk)) if hook is not None else []


def form_panel(request, application) -> dict | None:
    hook = _hook("decision_form_panel")
    return hook(request, application) if hook is not None else None
