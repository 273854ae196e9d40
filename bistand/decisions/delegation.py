"""The delegation order (delegationsordning): who may decide what, and up to which amount.

A decision is made by one person, who must hold a delegation point for every part of it:
each line's granted part and each line's refused part (a partial grant needs both).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from bistand.organisation.models import Role, User

from .models import DelegationKind, DelegationRule, LineKind, Outcome, RefusalGround

K = DelegationKind
R = Role

# The default order seeded for a new unit (ensure_default_delegation). A sensible starting
# point, to be adopted by the social welfare board: benefit administrators grant income support
# per the norm up to a ceiling and small other living costs; refusals need a social worker;
# larger other living costs a section head; refusals because the applicant is not available
# to the labour market a unit head.
DEFAULT_DELEGATION: tuple[tuple[str, str, str, Decimal | None, str], ...] = (
    ("1.1", K.INCOME_SUPPORT_GRANT, R.BENEFIT_ADMINISTRATOR, Decimal("30000"),
     "Bifall till försörjningsstöd enligt riksnormen och skäliga kostnader"),
    ("1.1", K.INCOME_SUPPORT_GRANT, R.SOCIAL_WORKER, None,
     "Bifall till försörjningsstöd enligt riksnormen och skäliga kostnader"),
    ("1.1", K.INCOME_SUPPORT_GRANT, R.SECTION_HEAD, None,
     "Bifall till försörjningsstöd enligt riksnormen och skäliga kostnader"),
    ("1.1", K.INCOME_SUPPORT_GRANT, R.UNIT_HEAD, None,
     "Bifall till försörjningsstöd enligt riksnormen och skäliga kostnader"),
    ("1.2", K.INCOME_SUPPORT_REFUSAL, R.SOCIAL_WORKER, None,
     "Avslag eller delvis avslag på försörjningsstöd"),
    ("1.2", K.INCOME_SUPPORT_REFUSAL, R.SECTION_HEAD, None,
     "Avslag eller delvis avslag på försörjningsstöd"),
    ("1.2", K.INCOME_SUPPORT_REFUSAL, R.UNIT_HEAD, None,
     "Avslag eller delvis avslag på försörjningsstöd"),
    ("2.1", K.OTHER_LIVING_GRANT, R.BENEFIT_ADMINISTRATOR, Decimal("3000"),
     "Bistånd till livsföring i övrigt, per post"),
    ("2.1", K.OTHER_LIVING_GRANT, R.SOCIAL_WORKER, Decimal("5000"),
     "Bistånd till livsföring i övrigt, per post"),
    ("2.1", K.OTHER_LIVING_GRANT, R.SECTION_HEAD, Decimal("30000"),
     "Bistånd till livsföring i övrigt, per post"),
    ("2.1", K.OTHER_LIVING_GRANT, R.UNIT_HEAD, None,
     "Bistånd till livsföring i övrigt, per post"),
    ("2.2", K.OTHER_LIVING_REFUSAL, R.SOCIAL_WORKER, Decimal("5000"),
     "Avslag på bistånd till livsföring i övrigt, per post"),
    ("2.2", K.OTHER_LIVING_REFUSAL, R.SECTION_HEAD, None,
     "Avslag på bistånd till livsföring i övrigt, per post"),
    ("2.2", K.OTHER_LIVING_REFUSAL, R.UNIT_HEAD, None,
     "Avslag på bistånd till livsföring i övrigt, per post"),
    ("3.1", K.REFUSAL_LABOUR_MARKET, R.UNIT_HEAD, None,
     "Avslag eller nedsättning: står inte till arbetsmarknadens förfogande eller avböjer "
     "anvisad aktivitet utan godtagbart skäl"),
)  # fmt: skip


@dataclass(frozen=True)
class Need:
    """One delegation a decision needs: a kind and an amount, for a line."""

    line_key: str
    line_label: str
    part: str  # "grant" | "refusal"
    kind: str
    amount: Decimal

    def describe(self) -> str:
        return f"{DelegationKind(self.kind).label} {_sek(self.amount)} ({self.line_label})"


def needs_for_line(
    key: str,
    label: str,
    kind: str,
    outcome: str,
    amount_applied: Decimal,
    amount_granted: Decimal,
    refusal_ground: str,
) -> list[Need]:
    """The delegations one decided line needs."""
    needs = []
    grant_kind, refusal_kind = (
        (K.INCOME_SUPPORT_GRANT, K.INCOME_SUPPORT_REFUSAL)
        if kind == LineKind.INCOME_SUPPORT
        else (K.OTHER_LIVING_GRANT, K.OTHER_LIVING_REFUSAL)
    )
    if outcome in (Outcome.GRANTED, Outcome.PARTLY_GRANTED):
        needs.append(Need(key, label, "grant", grant_kind, amount_granted))
    if outcome in (Outcome.REFUSED, Outcome.PARTLY_GRANTED):
        if refusal_ground == RefusalGround.LABOUR_MARKET:
            refusal_kind = K.REFUSAL_LABOUR_MARKET
        needs.append(Need(key, label, "refusal", refusal_kind, amount_applied - amount_granted))
    return needs


def active_rules(unit_id: int):
    return DelegationRule.objects.filter(unit_id=unit_id, retired_at__isnull=True)


def rule_for(unit_id: int, role: str, need: Need) -> DelegationRule | None:
    """The narrowest active rule that lets `role` make this part of the decision."""
    candidates = (
        active_rules(unit_id)
        .filter(kind=need.kind, role=role)
        .filter(Q(max_amount__isnull=True) | Q(max_amount__gte=need.amount))
    )
    rules = sorted(candidates, key=lambda r: (r.max_amount is None, r.max_amount or 0, r.pk))
    return rules[0] if rules else None


@dataclass
class DelegationCheck:
    rules: dict[tuple[str, str], DelegationRule]  # (line_key, part) -> rule
    missing: list[Need]

    @property
    def ok(self) -> bool:
        return not self.missing

    @property
    def points(self) -> str:
        return ", ".join(sorted({rule.point for rule in self.rules.values()}))


def check(unit_id: int, role: str, needs: list[Need]) -> DelegationCheck:
    rules: dict[tuple[str, str], DelegationRule] = {}
    missing: list[Need] = []
    for need in needs:
        rule = rule_for(unit_id, role, need)
        if rule is None:
            missing.append(need)
        else:
            rules[(need.line_key, need.part)] = rule
    return DelegationCheck(rules, missing)


def roles_covering(unit_id: int, needs: list[Need]) -> list[str]:
    """Roles whose delegation covers every need (one person makes the whole decision)."""
    return [role for role in Role.values if check(unit_id, role, needs).ok]


def users_with_delegation(unit_id: int, needs: list[Need], case) -> list[User]:
    """Active staff who hold every needed delegation and may open the case."""
    from bistand.cases.rules import ordinary_access

    roles = roles_covering(unit_id, needs)
    staff = User.objects.filter(unit_id=unit_id, is_active=True, role__in=roles).select_related(
        "section"
    )
    order = {Role.SECTION_HEAD: 0, Role.UNIT_HEAD: 1}
    found = [user for user in staff if ordinary_access(user, case)]
    return sorted(found, key=lambda u: (order.get(u.role, 2), u.last_name, u.first_name))


def _sek(amount: Decimal) -> str:
    text = f"{amount:,.2f}".replace(",", "\u00a0").replace(".", ",")
    return f"{text}\u00a0kr"
