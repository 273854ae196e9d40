"""Loggkontroll in words: the access log's rows as the unit head reads them, with names
instead of user ids, Swedish names of objects and codes, and the JSON detail as short
"key: value" text. Nothing here changes what is logged; it only presents a page of rows."""

from __future__ import annotations

import json
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model

from bistand.organisation.models import Section

from .models import Case

CHANNELS = {"ui": "Webb", "api": "API", "command": "Kommando"}
KEYS = {
    "before": "före",
    "after": "efter",
    "reason": "skäl",
    "what": "vad",
    "status": "status",
    "filters": "filter",
    "query": "sökning",
    "emergency_access": "nödåtkomst",
    "protected_identity": "skyddade personuppgifter",
    "month": "månad",
    "handler": "handläggare",
    "assistant": "biträde",
    "section": "sektion",
    "case_type": "ärendetyp",
    "kind": "typ",
    "amount": "belopp",
    "count": "antal",
    "received_on": "ankomstdatum",
    "complete_on": "komplett",
    "closed_on": "avslutad",
    "closing_reason": "avslutsanledning",
    "method": "sätt",
    "outcome": "beslut",
    "role": "roll",
    "user": "personal",
    "referred_to": "skickat till",
    "payment_date": "betalningsdag",
    "order_count": "antal utbetalningar",
    "control_sum": "kontrollsumma",
    "claimed": "nya",
    "revision": "version",
    "list": "lista",
    "ids": "poster",
    "application_ids": "ansökningar",
    "totals": "summor",
    "username": "användarnamn",
    "name": "namn",
    "account": "konto",
    "account_version": "kontoversion",
    "application": "ansökan",
    "automatic": "automatiskt",
    "calculation": "beräkning",
    "delegation": "delegation",
    "letter_sha256": "brevets SHA-256",
    "lines": "rader",
    "applied": "sökt",
    "granted": "beviljat",
    "household": "hushåll",
    "members": "medlemmar",
    "from_handler": "från handläggare",
    "to_handler": "till handläggare",
    "message_id": "meddelande-id",
    "type": "typ",
    "payee": "mottagare",
    "letter": "brev",
    "message": "meddelande",
    "built": "byggd",
    "sent": "skickad",
    "decision": "beslut",
    "case": "ärende",
    "person": "person",
    "order": "utbetalning",
    "run": "betalningsfil",
}
WORDS = {
    "journal": "journal", "write": "skriv", "sign": "signera", "application": "ansökan",
    "applications": "ansökningar", "register": "registrera", "complete": "komplett",
    "end": "avsluta", "investigation": "utredning", "decide": "besluta", "draft": "utkast",
    "decision": "beslut", "decisions": "beslut", "replace": "ändra", "take": "ta ärendet",
    "reassign": "fördela om", "close": "avsluta", "set": "sätt", "type": "typ",
    "workplan": "arbetsplan", "edit": "ändra", "confirm": "bekräfta", "payment": "utbetalning",
    "order": "utbetalning", "new": "ny", "letter": "brev", "sent": "skickat",
    "calculation": "beräkning", "document": "handling", "upload": "inlägg",
    "check": "kontroll", "checks": "kontroller", "case": "ärende", "protect": "skydda",
    "unprotect": "ta bort skydd", "authorise": "ge behörighet", "revoke": "återkalla",
    "export": "export", "requisition": "rekvisition", "referral": "anvisning",
    "refer": "skicka för beslut", "prepared": "förberett", "return": "återsänd",
    "appeal": "överklagande", "follow": "uppföljning", "up": "", "ups": "", "meeting":
    "trepartsmöte", "intervention": "insats", "interventions": "insatser",
    "deviation": "avvikelse", "assessment": "bedömning", "assess": "bedöm",
    "manual": "manuell", "status": "status", "version": "version", "my": "mina",
    "cases": "ärenden", "inbox": "inkorg", "search": "sökning", "download": "hämtning",
    "payment_run_orders": "betalningsfilens utbetalningar", "payees": "mottagare",
}  # fmt: skip
USER_KEYS = {
    "handler", "assistant", "user", "referred_to", "actor", "decided_by", "from_handler",
    "to_handler", "from_assistant", "to_assistant",
}  # fmt: skip
WHAT_PHRASES = {
    "payment_run": "betalningsfil",
    "payment_run_built": "betalningsfil byggd",
    "payment_run_sent": "betalningsfil skickad",
    "payee": "mottagare",
}


def _choice_labels() -> dict[str, str]:
    """{code: Swedish label} from every choice field of the project's models."""
    labels: dict[str, str] = {}
    for model in apps.get_models():
        if not model.__module__.startswith("bistand."):
            continue
        for field in model._meta.get_fields():
            for value, label in getattr(field, "choices", None) or ():
                if isinstance(value, str) and len(value) > 1:
                    labels.setdefault(value, str(label))
    return labels


def _what(value: str) -> str:
    if value in WHAT_PHRASES:
        return WHAT_PHRASES[value]
    words = [WORDS.get(word, word) for word in value.replace(":", "_").split("_")]
    return " ".join(word for word in words if word)


class Presenter:
    """Reads the names a page of log rows needs in a few queries, then formats each row."""

    def __init__(self, entries):
        entries = list(entries)
        self.entries = entries
        user_ids: set[int] = {e.actor_id for e in entries if e.actor_id}
        details = {e.pk: _parse(e.detail) for e in entries}
        for detail in details.values():
            _collect_users(detail, user_ids)
        self.details = details
        self.users = {
            u.pk: u.get_full_name() or u.username
            for u in get_user_model().objects.filter(pk__in=user_ids)
        }
        case_ids = {e.case_id for e in entries if e.case_id} | {
            int(e.object_id)
            for e in entries
            if e.object_type == "cases.case" and str(e.object_id).isdigit()
        }
        self.cases = {
            case.pk: case.reference
            for case in Case.objects.filter(pk__in=case_ids).only("pk", "opened_on")
        }
        self.sections = dict(Section.objects.values_list("pk", "name"))
        self.labels = _choice_labels()

    def rows(self) -> list[dict]:
        return [self._row(entry) for entry in self.entries]

    def _row(self, entry) -> dict:
        actor = self.users.get(entry.actor_id) or entry.actor_username
        object_name = OBJECT_NAMES.get(entry.object_type)
        if object_name is None:
            object_name = _verbose_name(entry.object_type)
        if entry.object_type == "cases.case" and entry.object_id.isdigit():
            object_text = f"{object_name} {self.cases.get(int(entry.object_id), '')}".strip()
        elif entry.object_id:
            object_text = f"{object_name} nr {entry.object_id}"
        else:
            object_text = object_name
        return {
            "entry": entry,
            "actor": actor,
            "username": entry.actor_username,
            "object": object_text,
            "case": self.cases.get(entry.case_id, "") if entry.case_id else "",
            "channel": CHANNELS.get(entry.channel, entry.channel),
            "detail": self._text(self.details.get(entry.pk)),
        }

    def _text(self, value: Any, key: str = "") -> str:
        if value is None or value == "" or value == {}:
            return ""
        if isinstance(value, dict):
            parts = []
            for k, v in value.items():
                text = self._text(v, k)
                if text != "":
                    parts.append(f"{KEYS.get(k, k.replace('_', ' '))}: {text}")
            inner = "; ".join(parts)
            return f"({inner})" if key else inner
        if isinstance(value, list):
            shown = [self._text(v, key) for v in value[:10]]
            more = f" … (+{len(value) - 10})" if len(value) > 10 else ""
            return ", ".join(shown) + more
        if isinstance(value, bool):
            return "ja" if value else "nej"
        if key in USER_KEYS and isinstance(value, int):
            return self.users.get(value, f"nr {value}")
        if key == "section" and isinstance(value, int):
            return self.sections.get(value, f"nr {value}")
        if key == "what" and isinstance(value, str):
            return _what(value)
        if isinstance(value, str) and value in self.labels:
            return self.labels[value]
        return str(value)


def _parse(detail: str) -> Any:
    if not detail:
        return None
    try:
        return json.loads(detail)
    except ValueError:
        return detail


def _collect_users(value: Any, into: set[int], key: str = "") -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _collect_users(v, into, k)
    elif isinstance(value, list):
        for v in value:
            _collect_users(v, into, key)
    elif key in USER_KEYS and isinstance(value, int) and not isinstance(value, bool):
        into.add(value)


# Models whose verbose_name is still Django's English default (a model option would need a
# migration in each app): their Swedish name in the log. A model not named here shows its
# verbose_name.
OBJECT_NAMES = {
    # what is logged that is not a model (the log's own pages, list reads)
    "access_log": "Loggkontroll",
    "access_review": "Månadsgranskning",
    "case_list": "Ärendelista",
    "audit.accesslogentry": "Loggpost",
    "audit.chainhead": "Kedjans huvud",
    "organisation.unit": "Enhet",
    "organisation.section": "Sektion",
    "organisation.user": "Medarbetare",
    "jobs.jobmark": "Körningsmarkering",
    "jobs.notification": "Avisering",
    "households.person": "Person",
    "households.protectedidentity": "Skyddade personuppgifter",
    "households.household": "Hushåll",
    "households.householdmembership": "Hushållsmedlemskap",
    "norms.normtableversion": "Normtabellversion",
    "norms.legalparameter": "Regelparameter",
    "norms.legalperiod": "Regelperiod",
    "norms.ruleschange": "Regeländring",
    "cases.case": "Ärende",
    "cases.caseassignment": "Ansvarig handläggare",
    "cases.casereopening": "Återaktualisering",
    "cases.application": "Ansökan",
    "cases.investigation": "Grundutredning",
    "cases.investigationversion": "Utredningsversion",
    "cases.journalentry": "Journalanteckning",
    "cases.document": "Handling",
    "cases.emergencyaccess": "Nödåtkomst",
    "cases.caseauthorisation": "Behörighet till ärende",
    "cases.accessreviewentry": "Logggranskning",
    "decisions.localguideline": "Lokal riktlinje",
    "decisions.decisionsettings": "Beslutsinställningar",
    "decisions.delegationrule": "Delegationsregel",
    "decisions.calculation": "Beräkning",
    "decisions.decision": "Beslut",
    "decisions.decisionline": "Beslutsrad",
    "decisions.decisionsupportobstacle": "Försörjningshinder i beslut",
    "decisions.decisionletter": "Beslutsbrev",
    "decisions.letterdispatch": "Utskick av brev",
    "decisions.appeal": "Överklagande",
    "decisions.automaticdecisionreview": "Granskning av automatiskt beslut",
    "payments.paymentsettings": "Utbetalningsinställningar",
    "payments.budgetaccount": "Budgetkonto",
    "payments.budgetamount": "Budgetbelopp",
    "payments.payee": "Mottagare",
    "payments.payeeaccount": "Mottagarens konto",
    "payments.accountnumber": "Kontonummer",
    "payments.paymentorder": "Utbetalning",
    "payments.requisitionseries": "Rekvisitionsserie",
    "payments.attestation": "Attest",
    "payments.payeeexception": "Mottagarundantag",
    "payments.paymentrun": "Betalningsfil",
    "payments.statusreportimport": "Inläst statusrapport",
    "payments.reconciliationline": "Avstämningsrad",
    "workplans.casetypesetting": "Ärendetypsinställning",
    "workplans.programme": "Insatsprogram",
    "workplans.workplan": "Arbetsplan",
    "workplans.workplanversion": "Arbetsplansversion",
    "workplans.followup": "Uppföljning",
    "workplans.intervention": "Insats",
    "workplans.tripartitemeeting": "Trepartsmöte",
    "workplans.workcapacityassessment": "Bedömning av arbetsförmåga",
    "workplans.deviation": "Avvikelse",
    "workplans.handoverrecord": "Överlämning",
    "workplans.plansignature": "Underskrift av arbetsplan (e-tjänst)",
    "portal.contactpreference": "Kontaktval (e-tjänst)",
    "portal.applicantnotification": "Avisering till sökande",
    "controls.registercheck": "Registerkontroll",
    "controls.checkrequirementset": "Kontrollkrav (uppsättning)",
    "controls.checkrequirement": "Kontrollkrav",
    "controls.decisioncheckuse": "Kontroll i beslut",
    "controls.controlrun": "Kontrollkörning",
    "controls.controlflag": "Kontrollflagga",
    "controls.fraudinvestigation": "FUT-utredning",
    "controls.investigationnote": "Anteckning i FUT-utredning",
    "controls.fraudreport": "Anmälan eller underrättelse (FUT)",
    "controls.incorrectpayment": "Felaktig utbetalning",
    "controls.recoveryclaim": "Återkrav",
    "controls.recoveryentry": "Återkravspost",
    "controls.writeoffletter": "Avskrivningsbrev",
    "controls.backlogsettings": "Inställningar för dokumentationsskuld",
    "controls.samplesettings": "Stickprovsinställningar",
    "controls.checklistversion": "Checklisteversion",
    "controls.sampledraw": "Stickprovsdragning",
    "controls.sampleitem": "Stickprovspost",
    "controls.finding": "Iakttagelse",
    "controls.correctiveaction": "Åtgärd",
    "controls.queuesignoff": "Kvittering av kö",
    "statistics.householdmonth": "Hushållsmånad",
    "statistics.recipientmonth": "Mottagarmånad",
    "statistics.householdyear": "Hushållsår",
    "statistics.recipientyear": "Mottagarår",
    "statistics.unitmonth": "Enhetsmånad",
    "statistics.unityear": "Enhetsår",
    "statistics.accountmonth": "Kontomånad",
    "statistics.monthrefresh": "Månadsomräkning",
    "statistics.stalemonth": "Inaktuell månad",
    "statistics.birthcountryregistration": "Födelseland (folkbokföringen)",
    "core.formdraft": "Automatiskt sparat utkast",
    "activity.exemption": "Undantag från aktivitetskravet",
    "activity.exemptionending": "Avslut av undantag från aktivitetskravet",
    "activity.medicalcertificate": "Läkarintyg",
    "portal.eapplication": "Ansökan via e-tjänsten",
    "portal.stagedattachment": "Bilaga i ansökningsutkast",
    "portal.eapplicationsignature": "Underskrift av ansökan via e-tjänsten",
    "portal.eapplicationwithdrawal": "Återkallad ansökan via e-tjänsten (före medsökandes underskrift)",
    "portal.completionrequest": "Begäran om komplettering",
    "portal.completionanswer": "Svar på begäran om komplettering",
    "portal.staffnotice": "Nytt från sökande (notis till handläggaren)",
    "portal.staffnoticeread": "Läsmarkering av nytt från sökande",
    "activity.activity": "Aktivitet",
    "activity.placement": "Anvisning till aktivitet",
    "activity.attendancerecord": "Närvaro i aktivitet",
    "activity.absenceassessment": "Bedömning av frånvaro",
    "activity.activityplan": "Aktivitetsplan",
    "activity.activityplanconsent": "Godkännande av aktivitetsplan",
    "activity.activityplansignature": "Underskrift av aktivitetsplan (e-legitimation)",
    "activity.coveragenotice": "Underrättelse från Arbetsförmedlingen (kan omfattas)",
    "activity.coveragenoticeimport": "Inläst fil från Arbetsförmedlingen",
    "activity.activitychange": "Ändring av aktivitet",
    "activity.languagelevel": "Språknivå (SFI)",
    "activity.queueskip": "Överhoppad på väntelistan (kriterierna)",
    "activity.criteriawaiver": "Skäl att erbjuda plats trots kriterierna",
}


def _verbose_name(object_type: str) -> str:
    if (object_type or "").lower() in OBJECT_NAMES:
        return OBJECT_NAMES[object_type.lower()]
    try:
        return str(apps.get_model(object_type)._meta.verbose_name).capitalize()
    except (LookupError, ValueError):
        return object_type.replace("_", " ").capitalize() if object_type else ""
