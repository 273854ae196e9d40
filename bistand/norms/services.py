"""Changes to the rules: enter a draft, correct it, verify it (a second person), withdraw it.

Every act takes the acting user first, checks the capability `maintain_rules`, writes the
audit log and appends a RulesChange row (so every process rebuilds its cached rules).
A verified version is final: a correction is a new revision of the same key.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy

from bistand.audit.models import AuditAction
from bistand.audit.services import record
from bistand.calculation.errors import NormTableError
from bistand.calculation.rules import IMPLEMENTED_RULE_VERSIONS
from bistand.calculation.tables import table_from_year
from bistand.core.errors import DomainError, PermissionRefused
from bistand.organisation.permissions import require

from .models import (
    LegalParameter,
    LegalPeriod,
    NormTableVersion,
    ParameterCode,
    RulesChange,
    RuleVersion,
    SourceStatus,
    VersionState,
)
from .selectors import clear_cache

MAX_NORM_AMOUNT = 100_000  # kr a month: no riksnorm cell comes near it
PARAMETER_LIMITS = {
    ParameterCode.PRICE_BASE_AMOUNT: (Decimal("1"), Decimal("1000000")),
    ParameterCode.WORK_INCENTIVE_SHARE: (Decimal("0"), Decimal("1")),
    ParameterCode.WORK_INCENTIVE_QUALIFYING: (Decimal("1"), Decimal("120")),
    ParameterCode.WORK_INCENTIVE_PERIOD: (Decimal("1"), Decimal("240")),
}


def rules_service(function):
    """One transaction; the capability is checked first; a change bumps the generation."""

    @functools.wraps(function)
    def wrapper(actor, *args, **kwargs):
        require(actor, "maintain_rules")
        with transaction.atomic():
            result = function(actor, *args, **kwargs)
            RulesChange.objects.create(what=function.__name__[:100])
            clear_cache()
            transaction.on_commit(clear_cache)
            return result

    return wrapper


def _sources(sources: Any) -> list[dict]:
    if sources in (None, ""):
        return []
    if isinstance(sources, dict):
        sources = [sources]
    if not isinstance(sources, list) or not all(isinstance(s, dict) for s in sources):
        raise DomainError(
            "bad_sources", gettext_lazy("Källorna ska vara en lista med uppgifter om källan.")
        )
    cleaned = [{str(k): str(v)[:500] for k, v in s.items() if v not in (None, "")} for s in sources]
    return [s for s in cleaned if s]


def _require_source(sources: list[dict]) -> None:
    if not sources:
        raise DomainError(
            "source_required",
            gettext_lazy(
                "Ange källan (t.ex. SFS-nummer och datum för ändringen i socialtjänstförordningen)."
            ),
        )


def _status(value: str) -> str:
    if value not in SourceStatus.values:
        raise DomainError("bad_source_status", f"Okänd källstatus {value!r}.")
    return value


def _next_revision(model, **key) -> int:
    return (model.objects.filter(**key).aggregate(m=Max("revision"))["m"] or 0) + 1


def _open_draft(model, **key):
    return model.objects.filter(state=VersionState.DRAFT, **key).first()


def check_norm_data(year: int, data: Mapping[str, Any]) -> None:
    """Refuse a table the calculation could not read, or with impossible amounts."""
    if not isinstance(data, Mapping):
        raise DomainError("bad_norm_table", gettext_lazy("Tabellen har fel format."))
    for key in ("valid_from", "valid_to", "status"):
        if key not in data:
            raise DomainError("bad_norm_table", f"Tabellen saknar {key}.")
    try:
        table = table_from_year(year, data, "check", None)
    except NormTableError as error:
        raise DomainError(error.code, error.message) from None
    amounts = [table.single_adult, table.cohabiting_couple, *table.common_by_size.values()]
    for bracket in table.children:
        amounts += [bracket.amount, bracket.amount_without_lunch]
    for amount in amounts:
        if amount is not None and amount > MAX_NORM_AMOUNT:
            raise DomainError(
                "norm_amount_too_large",
                f"Beloppet {amount} kr är orimligt stort för en månad i riksnormen.",
            )
    if table.valid_from.year != year or table.valid_to.year != year:
        raise DomainError(
            "bad_validity", f"Riksnormen {year} ska gälla under {year} (från och till)."
        )
    if table.valid_to < table.valid_from:
        raise DomainError("bad_validity", gettext_lazy("Slutdatum ligger före startdatum."))


def _overlaps_other_year(year: int, valid_from: dt.date, valid_to: dt.date) -> bool:
    return (
        NormTableVersion.objects.exclude(year=year)
        .exclude(state=VersionState.WITHDRAWN)
        .filter(valid_from__lte=valid_to, valid_to__gte=valid_from)
        .exists()
    )


@rules_service
def enter_norm_table(
    actor,
    *,
    year: int,
    data: Mapping[str, Any],
    source_status: str,
    sources: Any,
    note: str = "",
) -> NormTableVersion:
    """A new draft of a year's riksnorm (a new year, or a correction of a verified one).

    One open draft per year: entering again while a draft waits changes that draft.
    """
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise DomainError("bad_year", gettext_lazy("Året ska vara mellan 2000 och 2100."))
    data = {**data, "status": _status(source_status)}
    check_norm_data(year, data)
    sources = _sources(sources)
    _require_source(sources)
    data["source"] = sources
    valid_from = dt.date.fromisoformat(data["valid_from"])
    valid_to = dt.date.fromisoformat(data["valid_to"])
    if _overlaps_other_year(year, valid_from, valid_to):
        raise DomainError(
            "overlapping_tables", gettext_lazy("Tabellen överlappar ett annat års riksnorm.")
        )
    draft = _open_draft(NormTableVersion, year=year)
    fields = {
        "valid_from": valid_from,
        "valid_to": valid_to,
        "source_status": source_status,
        "sources": sources,
        "note": (note or "").strip()[:4000],
        "data": data,
    }
    if draft is not None:
        before = draft.data
        for name, value in fields.items():
            setattr(draft, name, value)
        draft.entered_by = actor
        draft.editor_ids = sorted({*draft.editor_ids, actor.pk})
        draft.save()
        _audit(actor, AuditAction.UPDATE, draft, {"before": before, "after": data})
        return draft
    version = NormTableVersion.objects.create(
        year=year,
        revision=_next_revision(NormTableVersion, year=year),
        entered_by=actor,
        editor_ids=[actor.pk],
        **fields,
    )
    _audit(actor, AuditAction.CREATE, version, {"after": data})
    return version


def import_norm_file(actor, data: Any) -> list[NormTableVersion]:
    """Drafts from a JSON document laid out as riksnorm.json ({"years": {...}}) or as one
    year ({"year": 2027, ...}); the prisbasbelopp of the file becomes a draft parameter."""
    require(actor, "maintain_rules")
    if not isinstance(data, Mapping):
        raise DomainError("bad_norm_file", gettext_lazy("Filen ska vara ett JSON-objekt."))
    if "years" in data and isinstance(data["years"], Mapping):
        years = dict(data["years"])
    elif "year" in data:
        years = {str(data["year"]): {k: v for k, v in data.items() if k != "year"}}
    else:
        raise DomainError(
            "bad_norm_file",
            gettext_lazy(
                'Filen ska ha samma uppläggning som riksnorm.json ({"years": {...}}) eller '
                'gälla ett år ({"year": 2027, ...}).'
            ),
        )
    if not years:
        raise DomainError("bad_norm_file", gettext_lazy("Filen innehåller inget år."))
    created = []
    with transaction.atomic():
        for year_text, year_data in years.items():
            if not str(year_text).isdigit() or not isinstance(year_data, Mapping):
                raise DomainError("bad_norm_file", f"Året {year_text!r} har fel format.")
            created.append(
                enter_norm_table(
                    actor,
                    year=int(year_text),
                    data=year_data,
                    source_status=str(year_data.get("status", "")),
                    sources=year_data.get("source", year_data.get("sources")),
                    note=str(year_data.get("note", "Importerad från JSON-fil")),
                )
            )
        per_year = (data.get("price_base_amount") or {}).get("per_year") or {}
        for year_text, amount in per_year.items():
            if amount is None or str(year_text) not in years:
                continue
            enter_parameter(
                actor,
                code=ParameterCode.PRICE_BASE_AMOUNT,
                valid_from=dt.date(int(year_text), 1, 1),
                valid_to=dt.date(int(year_text), 12, 31),
                value=amount,
                source_status=str(years[str(year_text)].get("status", "")),
                sources=[{"title": str(data["price_base_amount"].get("source", "JSON-fil"))}],
            )
    return created


def _parameter_value(code: str, value: Any) -> Decimal:
    try:
        number = Decimal(str(value).replace(" ", "").replace("\u00a0", "").replace(",", "."))
    except (InvalidOperation, ValueError):
        raise DomainError("bad_value", f"Värdet {value!r} är inte ett tal.") from None
    low, high = PARAMETER_LIMITS[code]
    if not number.is_finite() or not low <= number <= high:
        raise DomainError("bad_value", f"Värdet ska ligga mellan {low} och {high}.")
    if code != ParameterCode.WORK_INCENTIVE_SHARE and number != number.to_integral_value():
        raise DomainError("bad_value", gettext_lazy("Värdet ska vara ett heltal."))
    return number


@rules_service
def enter_parameter(
    actor,
    *,
    code: str,
    valid_from: dt.date,
    value: Any,
    source_status: str,
    sources: Any,
    valid_to: dt.date | None = None,
    note: str = "",
) -> LegalParameter:
    """A draft of a legal parameter from a date (new, or a correction of a verified one)."""
    if code not in ParameterCode.values:
        raise DomainError("bad_parameter", f"Okänd parameter {code!r}.")
    if valid_from is None:
        raise DomainError(
            "valid_from_required", gettext_lazy("Ange från vilket datum värdet gäller.")
        )
    if valid_to is not None and valid_to < valid_from:
        raise DomainError("bad_validity", gettext_lazy("Slutdatum ligger före startdatum."))
    number = _parameter_value(code, value)
    sources = _sources(sources)
    _require_source(sources)
    fields = {
        "value": number,
        "valid_to": valid_to,
        "source_status": _status(source_status),
        "sources": sources,
        "note": (note or "").strip()[:4000],
    }
    draft = _open_draft(LegalParameter, code=code, valid_from=valid_from)
    if draft is not None:
        before = str(draft.value)
        for name, field_value in fields.items():
            setattr(draft, name, field_value)
        draft.entered_by = actor
        draft.editor_ids = sorted({*draft.editor_ids, actor.pk})
        draft.save()
        _audit(actor, AuditAction.UPDATE, draft, {"before": before, "after": str(number)})
        return draft
    row = LegalParameter.objects.create(
        code=code,
        valid_from=valid_from,
        revision=_next_revision(LegalParameter, code=code, valid_from=valid_from),
        entered_by=actor,
        editor_ids=[actor.pk],
        **fields,
    )
    _audit(actor, AuditAction.CREATE, row, {"after": {"code": code, "value": str(number)}})
    return row


@rules_service
def enter_legal_period(
    actor,
    *,
    code: str,
    name: str,
    act: str,
    valid_from: dt.date,
    norm_reference: str,
    incentive_reference: str,
    decision_basis: Mapping[str, str],
    source_status: str,
    sources: Any,
    valid_to: dt.date | None = None,
    rules_version: str = "1",
    note: str = "",
) -> LegalPeriod:
    """A draft legal period (the act cited and the rule version from a date)."""
    texts = {"namn": name, "lag": act, "lagrum för riksnormen": norm_reference}
    for label, text in texts.items():
        if not (text or "").strip():
            raise DomainError("field_required", f"Ange {label}.")
    if not code or not code.replace("-", "").isalnum():
        raise DomainError(
            "bad_code", gettext_lazy("Koden får bara innehålla bokstäver, siffror och -.")
        )
    if valid_from is None or (valid_to is not None and valid_to < valid_from):
        raise DomainError("bad_validity", gettext_lazy("Ange ett startdatum före slutdatumet."))
    if rules_version not in IMPLEMENTED_RULE_VERSIONS:
        raise DomainError(
            "rules_not_implemented",
            f"Beräkningsreglerna version {rules_version!r} finns inte i den här versionen av "
            "Bistånd; en lagperiod med nya regler kräver en ny programversion.",
        )
    basis = {k: str(decision_basis.get(k, "")).strip() for k in LEGAL_BASIS_KINDS}
    if not all(basis.values()):
        raise DomainError(
            "field_required", gettext_lazy("Ange lagrum för beslutens alla radtyper.")
        )
    sources = _sources(sources)
    _require_source(sources)
    fields = {
        "name": name.strip()[:200],
        "act": act.strip()[:100],
        "valid_from": valid_from,
        "valid_to": valid_to,
        "norm_reference": norm_reference.strip()[:300],
        "incentive_reference": (incentive_reference or "").strip()[:300],
        "decision_basis": basis,
        "rules_version": rules_version,
        "source_status": _status(source_status),
        "sources": sources,
        "note": (note or "").strip()[:4000],
    }
    draft = _open_draft(LegalPeriod, code=code)
    if draft is not None:
        for field_name, value in fields.items():
            setattr(draft, field_name, value)
        draft.entered_by = actor
        draft.editor_ids = sorted({*draft.editor_ids, actor.pk})
        draft.save()
        _audit(actor, AuditAction.UPDATE, draft, {"after": _plain(fields)})
        return draft
    row = LegalPeriod.objects.create(
        code=code,
        revision=_next_revision(LegalPeriod, code=code),
        entered_by=actor,
        editor_ids=[actor.pk],
        **fields,
    )
    _audit(actor, AuditAction.CREATE, row, {"after": _plain(fields)})
    return row


LEGAL_BASIS_KINDS = ("income_support", "other_living_costs", "labour_market")


@rules_service
def verify_version(actor, version: RuleVersion) -> RuleVersion:
    """The second person's verification: the draft becomes the version in force.

    Refused for anyone who entered or changed the draft (four-eyes), and for a version that
    is not a draft. A verified version is never changed again.
    """
    version = type(version).objects.select_for_update().get(pk=version.pk)
    if not version.is_draft:
        raise DomainError("not_a_draft", gettext_lazy("Bara ett utkast kan verifieras."))
    if actor.pk in (version.editor_ids or []) or actor.pk == version.entered_by_id:
        raise PermissionRefused(
            "four_eyes",
            gettext_lazy(
                "Du har själv lagt in eller ändrat uppgifterna och kan därför inte verifiera dem. "
                "En annan person ska granska och verifiera."
            ),
        )
    if isinstance(version, NormTableVersion):
        check_norm_data(version.year, version.data)
    version.state = VersionState.VERIFIED
    version.verified_by = actor
    version.verified_at = timezone.now()
    version.save()
    _audit(actor, AuditAction.SIGN, version, {"verified": str(version)})
    return version


@rules_service
def withdraw_draft(actor, version: RuleVersion, reason: str) -> RuleVersion:
    """A draft that should not apply is withdrawn with a reason (it stays as history)."""
    version = type(version).objects.select_for_update().get(pk=version.pk)
    if not version.is_draft:
        raise DomainError("not_a_draft", gettext_lazy("Bara ett utkast kan återkallas."))
    if not (reason or "").strip():
        raise DomainError("reason_required", gettext_lazy("Ange varför utkastet återkallas."))
    version.state = VersionState.WITHDRAWN
    version.withdrawn_reason = reason.strip()[:2000]
    version.save()
    _audit(actor, AuditAction.UPDATE, version, {"withdrawn": version.withdrawn_reason})
    return version


def _plain(fields: Mapping[str, Any]) -> dict:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in fields.items()}


def _audit(actor, action: str, obj, detail: dict) -> None:
    record(actor, action, obj=obj, detail=detail)
