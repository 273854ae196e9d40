"""Swedish texts for the demo's journal entries and investigations, varied at random."""

from __future__ import annotations

import datetime as dt
import random

from bistand.core.codes import SUPPORT_OBSTACLE_BY_CODE
from bistand.core.identity import age_on

from .people import PlannedHousehold, PlannedPerson

CLOSING_REASON_WEIGHTS = {
    "work": 30,
    "studies": 8,
    "unemployment_benefit": 10,
    "sickness_benefit": 10,
    "moved": 12,
    "not_current": 15,
    "other_benefit": 5,
    "changed_household": 4,
    "establishment": 2,
    "pension": 2,
    "other": 2,
}
CLOSING_TEXTS = {
    "work": "har fått en tillsvidareanställning och klarar sin försörjning",
    "studies": "har börjat studera med studiemedel",
    "unemployment_benefit": "har fått beslut om arbetslöshetsersättning som täcker behovet",
    "sickness_benefit": "har fått sjukpenning från Försäkringskassan",
    "moved": "har flyttat från kommunen; information om att söka i den nya kommunen lämnad",
    "not_current": "har inte hörts av och inte sökt på två månader",
    "other_benefit": "har fått annan ersättning som täcker behovet",
    "changed_household": "har flyttat ihop med en sambo med egen inkomst",
    "establishment": "har fått etableringsersättning",
    "pension": "har fått pension och bostadstillägg",
    "other": "behöver inte längre bistånd",
}

_PROGRAMMES = ("Jobbtorg", "Lärcentrum", "Jobbaktiv")
_FIELDS = ("lager och logistik", "vård och omsorg", "restaurang", "städ", "handel", "bygg")

_UNEMPLOYMENT_PROGRESS = (
    "Deltar i {programme} tre dagar i veckan och trivs. Har sökt fem tjänster sedan förra mötet.",
    "Har varit på två arbetsintervjuer inom {field}. Väntar på besked.",
    "Praktiken inom {field} fortsätter; handledaren är nöjd. Möjlighet till anställning diskuteras.",
    "Har inte deltagit i {programme} enligt planen senaste veckan. Pratat om vad som hindrar och "
    "om konsekvenserna för rätten till bistånd.",
    "Aktivitetsrapporten till Arbetsförmedlingen är inlämnad. Planen följs.",
    "Har börjat på SFI-kurs på Lärcentrum på förmiddagarna och {programme} på eftermiddagarna.",
)
_ILL_HEALTH_PROGRESS = (
    "Läkarintyget gäller till och med {date}. Ansökan om sjukpenning hos Försäkringskassan pågår.",
    "Har påbörjat behandling på vårdcentralen. Samtycke till kontakt med vården finns.",
    "Försäkringskassan har begärt komplettering; hjälpt till att skicka in läkarutlåtandet.",
    "Mår något bättre. Pratat om arbetsträning via {programme} när läkaren bedömer det möjligt.",
    "Avstämningsmöte med Försäkringskassan och vårdcentralen planeras.",
)
_SOCIAL_PROGRESS = (
    "Har regelbunden kontakt med beroendemottagningen. Boendet är stabilt.",
    "Har fått tid hos budget- och skuldrådgivningen. Skulderna kartläggs.",
    "Pratat om boendesituationen; andrahandskontraktet löper ut om två månader.",
    "Motiverande samtal om att komma i gång med {programme}. Vill börja med en kortare insats.",
    "Kontakt med öppenvården fungerar. Planen revideras vid nästa möte.",
)
_OTHER_PROGRESS = (
    "Inkomsten täcker inte hela behovet. Gått igenom budgeten tillsammans.",
    "Väntar på beslut från Försäkringskassan. Ansökan inlämnad i tid.",
    "Har fått fler timmar hos arbetsgivaren från nästa månad.",
    "Gått igenom hushållets budget och kostnader; inget nytt att notera.",
)
_PHONE_TOPICS = (
    "Frågade om ansökan för {month}. Informerat om att kontoutdrag behöver kompletteras.",
    "Meddelar att {pronoun} har fått ett kortare vikariat. Lönebesked skickas in.",
    "Bokat nytt uppföljningsmöte den {date}.",
    "Frågade om utbetalningsdagen. Informerat om att beslut fattas inom en vecka.",
    "Meddelar sjukdom och kan inte komma på bokat möte. Nytt möte bokat.",
    "Frågade om bistånd till glasögon. Informerat om hur man ansöker om livsföring i övrigt.",
)
_MESSAGES = (
    "Meddelande via e-tjänsten: hyresavi och kontoutdrag för {month} inkomna.",
    "Meddelande via e-tjänsten: {name} har skickat in lönespecifikation.",
    "E-post från {programme}: {name} har deltagit enligt schema.",
    "Meddelande via e-tjänsten: frågar om beslutet för {month}.",
)
_LETTERS = (
    "Brev skickat med kallelse till uppföljningsmöte.",
    "Brev skickat om komplettering av ansökan för {month}.",
)


def pronoun(person: PlannedPerson) -> str:
    return "han" if person.sex == "M" else "hon"


def _progress(rng: random.Random, obstacle: str) -> str:
    category = SUPPORT_OBSTACLE_BY_CODE[obstacle].main_category if obstacle else "other"
    texts = {
        "unemployment": _UNEMPLOYMENT_PROGRESS,
        "ill_health": _ILL_HEALTH_PROGRESS,
        "social_reasons": _SOCIAL_PROGRESS,
    }.get(category, _OTHER_PROGRESS)
    return rng.choice(texts)


def _fill(rng: random.Random, text: str, household: PlannedHousehold, on: dt.date) -> str:
    applicant = household.applicant
    return text.format(
        name=applicant.first_name,
        pronoun=pronoun(applicant),
        programme=rng.choice(_PROGRAMMES),
        field=rng.choice(_FIELDS),
        month=f"{on:%Y-%m}",
        date=(on + dt.timedelta(days=rng.randint(10, 40))).isoformat(),
    )


def first_visit_text(rng: random.Random, household: PlannedHousehold, on: dt.date) -> str:
    applicant = household.applicant
    others = len(household.members) - 1
    family = f" Hushållet består av {others + 1} personer." if others else ""
    return (
        f"Nybesök. {applicant.full_name} söker försörjningsstöd.{family} Gått igenom checklistan "
        "för nybesök: ansökan, hyresavtal, kontoutdrag för tre månader och beslut från andra "
        "myndigheter. Informerat om rätten till bistånd, skyldigheten att lämna riktiga "
        "uppgifter och att stå till arbetsmarknadens förfogande."
    )


def reception_note(rng: random.Random, household: PlannedHousehold, on: dt.date) -> str:
    visit_on = on + dt.timedelta(days=rng.randint(2, 8))
    return (
        f"Ansökan mottagen i receptionen. Tid för nybesök bokad {visit_on.isoformat()}. "
        "Informerat om vilka handlingar som ska tas med."
    )


def contact_text(rng: random.Random, kind: str, household: PlannedHousehold, on: dt.date) -> str:
    applicant = household.applicant
    if kind == "visit":
        text = "Uppföljningsbesök. Gått igenom arbetsplanen med {name}. " + _progress(
            rng, applicant.obstacle
        )
    elif kind == "home_visit":
        text = "Hembesök hos {name}. Bostaden är i ordning. " + _progress(rng, applicant.obstacle)
    elif kind == "tripartite_meeting":
        text = (
            "Trepartsmöte med {name}, Arbetsförmedlingen och {programme}. Överenskommet: "
            "praktik inom {field} från nästa månad, uppföljning om sex veckor."
        )
    elif kind == "phone":
        text = "Telefonsamtal med {name}. " + rng.choice(_PHONE_TOPICS)
    elif kind == "message":
        text = rng.choice(_MESSAGES)
    elif kind == "letter":
        text = rng.choice(_LETTERS)
    else:
        text = "Anteckning. " + _progress(rng, applicant.obstacle)
    return _fill(rng, text, household, on)


def handover_text(section_name: str, case_type: str) -> str:
    return (
        f"Grundutredningen är signerad. Ärendet överlämnas från Mottagning till {section_name} "
        f"som {case_type}-ärende."
    )


def closing_text(household: PlannedHousehold, reason: str) -> str:
    applicant = household.applicant
    return (
        f"Ärendet avslutas: {applicant.first_name} {CLOSING_TEXTS[reason]}. "
        f"{pronoun(applicant).capitalize()} är informerad om att {pronoun(applicant)} kan söka igen."
    )


def reentry_text(household: PlannedHousehold, closed_on: dt.date, reason_label: str) -> str:
    applicant = household.applicant
    return (
        f"Återaktualisering: {applicant.full_name} söker på nytt efter att ärendet avslutades "
        f"{closed_on.isoformat()} ({reason_label.lower()}). Tidigare utredning och arbetsplan "
        "gås igenom vid nybesöket."
    )


_COMPETENCES = (
    "Gymnasieexamen från handelsprogrammet. Erfarenhet av butiksarbete.",
    "Grundskola. Har arbetat inom lager och har truckkort.",
    "Undersköterskeutbildning påbörjad. Erfarenhet av äldreomsorg.",
    "Universitetsutbildning från hemlandet, ej validerad. Läser SFI nivå C.",
    "Körkort B. Har arbetat som städare och inom restaurang.",
    "Ofullständiga gymnasiebetyg. Intresserad av bygg.",
    "Yrkesutbildning inom el. Har arbetat som elektrikerlärling.",
)
_POSSIBILITIES = (
    "Kan ta arbete på heltid; behöver stöd i att söka arbete.",
    "Kan arbeta deltid i dagsläget enligt läkarintyg.",
    "Behöver först stabilisera sin hälsa; arbetsträning på sikt.",
    "Behöver svenska språket för att nå egen försörjning; studier rekommenderas.",
    "Motiverad att börja praktik via kommunens arbetsmarknadsinsats.",
)
_HEALTH = {
    "unemployment": "Uppger att hälsan är god.",
    "ill_health": "Sjukskriven med läkarintyg. Har kontakt med vårdcentralen.",
    "social_reasons": "Har kontakt med öppenvården. Samtycke till samverkan finns.",
    "other": "Uppger att hälsan är god.",
    "none": "Uppger att hälsan är god.",
}


def investigation_content(
    rng: random.Random,
    household: PlannedHousehold,
    person_ids: list[int],
    on: dt.date,
    *,
    revision: bool = False,
) -> dict:
    """Content in the shape cases.services.save_investigation_draft stores."""
    applicant = household.applicant
    age = age_on(applicant.identity.birth_date, on)
    composition = {
        "single_man": f"Ensamstående man, {age} år.",
        "single_woman": f"Ensamstående kvinna, {age} år.",
        "single_mother": f"Ensamstående mamma, {age} år, med {len(household.children)} barn.",
        "single_father": f"Ensamstående pappa, {age} år, med {len(household.children)} barn.",
        "couple_with_children": f"Sammanboende par med {len(household.children)} barn.",
        "couple": "Sammanboende par utan barn.",
        "with_other_adult": f"{applicant.full_name}, {age} år, bor med en vuxen son eller dotter.",
    }[household.composition]
    category = SUPPORT_OBSTACLE_BY_CODE[applicant.obstacle].main_category
    situation = f"{composition} {SUPPORT_OBSTACLE_BY_CODE[applicant.obstacle].label}."
    if household.young_adult:
        situation += " Ung vuxen; har nyligen flyttat hemifrån."
    if revision:
        situation += " Uppdaterad utredning: situationen har följts upp och planen revideras."
    adults = []
    for person, person_id in zip(household.adults, person_ids, strict=True):
        adults.append(
            {
                "person_id": person_id,
                "name": person.full_name,
                "support_obstacle": person.obstacle,
                "competences": rng.choice(_COMPETENCES),
                "possibilities": rng.choice(_POSSIBILITIES),
            }
        )
    content = {
        "situation": situation,
        "housing": f"Förstahandskontrakt, {household.address}. Hyra {household.rent:.0f} kr i månaden.",
        "health": _HEALTH[category],
        "household_economy": (
            f"Hyra {household.rent:.0f} kr, hushållsel {household.electricity:.0f} kr, "
            f"hemförsäkring {household.home_insurance:.0f} kr i månaden. Kontoutdragen visar "
            "inga tillgångar av betydelse."
        ),
        "child_perspective": "",
        "assessment": (
            "Bedöms ha rätt till försörjningsstöd enligt 4 kap. 1 § SoL. Planen inriktas på "
            "egen försörjning."
        ),
        "adults": adults,
    }
    if household.children:
        content["child_perspective"] = (
            "Barnen går i förskola/skola och har sina behov tillgodosedda. Barnens behov av "
            "fritidsaktiviteter och umgänge har beaktats i bedömningen."
        )
    return content


def content_changes(before: dict, after: dict) -> dict:
    """What changed between two investigation contents (same shape as the service's)."""
    changes = {}
    for key in (
        "situation",
        "housing",
        "health",
        "household_economy",
        "child_perspective",
        "assessment",
    ):
        if before.get(key, "") != after.get(key, ""):
            changes[key] = {"before": before.get(key, ""), "after": after.get(key, "")}
    old_adults = {a["person_id"]: a for a in before.get("adults", [])}
    for adult in after.get("adults", []):
        old = old_adults.get(adult["person_id"], {})
        for key in ("support_obstacle", "competences", "possibilities"):
            if old.get(key, "") != adult.get(key, ""):
                changes[f"adult:{adult['person_id']}:{key}"] = {
                    "before": old.get(key, ""),
                    "after": adult.get(key, ""),
                }
    return changes
