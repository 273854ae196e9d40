"""The numbers behind every chart, as tables: shown under the chart, and downloadable as CSV
(semicolon, decimal comma, UTF-8 with BOM: opens in Swedish Excel) or XLSX (openpyxl).

Tables are built from the figures dict (figures.py / yearly.py), so the page, the files, the
API and `bistand stats` always show the same numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from .definitions import CLOSING_REASON_LABELS
from .periods import MONTH_NAMES, short_month_label
from .suppression import MARK, is_suppressed

TEXT, INT, MONEY, SHARE, DECIMAL = "text", "int", "money", "share", "decimal"


@dataclass
class Table:
    key: str
    title: str
    columns: list[tuple[str, str, str]]  # (key, Swedish header, kind)
    rows: list[dict] = field(default_factory=list)
    note: str = ""

    def cell(self, row: dict, column: str):
        return row.get(column)


def _month(key: str) -> str:
    year, month = key.split("-")
    return short_month_label(dt.date(int(year), int(month), 1))


def dashboard_tables(f: dict) -> list[Table]:
    tables = [
        Table(
            "utbetalningar",
            "Hushåll och utbetalt bistånd per månad",
            [
                ("month", "Månad", TEXT),
                ("households", "Hushåll", INT),
                ("amount", "Utbetalt (kr)", MONEY),
                ("adults", "Vuxna mottagare", INT),
                ("minors", "Barn 0–17 år", INT),
            ],
            [{**m, "month": _month(m["month"])} for m in f["trend"]["months"]],
        ),
        Table(
            "hushallstyp",
            "Hushåll efter hushållstyp",
            [
                ("code", "Kod (Socialstyrelsen)", INT),
                ("label", "Hushållstyp", TEXT),
                ("households", "Hushåll", INT),
                ("share", "Andel (%)", SHARE),
                ("amount", "Utbetalt (kr)", MONEY),
            ],
            f["household_types"]["rows"],
        ),
        Table(
            "personer",
            "Personer i hushåll med bistånd efter ålder",
            [("label", "Åldersgrupp", TEXT), ("persons", "Personer", INT)],
            [
                *f["persons"]["by_age_band"],
                {"label": "Vuxna biståndsmottagare", "persons": f["persons"]["adult_recipients"]},
                {"label": "Barn 0–17 år", "persons": f["persons"]["minors"]},
                {"label": "Unga vuxna 18–24 år", "persons": f["persons"]["young_adults"]},
                {"label": "Totalt", "persons": f["persons"]["recipients"]},
            ],
        ),
        _birth_country_table(f["persons"]),
        _population_table(f),
        Table(
            "forsorjningshinder",
            "Vuxna biståndsmottagare efter försörjningshinder",
            [
                ("group", "Huvudgrupp", TEXT),
                ("label", "Försörjningshinder", TEXT),
                ("adults", "Vuxna", INT),
                ("share", "Andel av registrerade (%)", SHARE),
            ],
            [
                *(
                    {**r, "group": r["label"], "label": "(hela huvudgruppen)"}
                    for r in f["support_obstacles"]["by_main_category"]
                ),
                *(
                    {"group": _main_label(r["main_category"]), **r}
                    for r in f["support_obstacles"]["by_code"]
                ),
                {
                    "group": "",
                    "label": "Inte registrerat",
                    "adults": f["support_obstacles"]["not_registered"],
                    "share": None,
                },
            ],
        ),
        Table(
            "flode",
            "Inflöde och utflöde",
            [("label", "Händelse", TEXT), ("count", "Antal", INT)],
            [
                {"label": "Nya ärenden", "count": f["flows"]["inflow"]["new"]},
                {
                    "label": "Återaktualiserade (återöppnade)",
                    "count": f["flows"]["inflow"]["reopened"],
                },
                {
                    "label": "Nytt ärende efter tidigare ärende",
                    "count": f["flows"]["inflow"]["new_case_after_earlier_case"],
                },
                {"label": "Avslutade ärenden", "count": f["flows"]["outflow"]["closed"]},
                {
                    "label": "Hushåll som började få utbetalning",
                    "count": f["flows"]["payments"]["started"],
                },
                {
                    "label": "Hushåll som slutade få utbetalning",
                    "count": f["flows"]["payments"]["stopped"],
                },
            ],
        ),
        Table(
            "avslut",
            "Avslutade ärenden efter avslutsanledning",
            [("label", "Avslutsanledning", TEXT), ("cases", "Ärenden", INT)],
            f["flows"]["outflow"]["by_reason"],
        ),
        Table(
            "bistandstid",
            "Hushåll efter pågående biståndsperiod (månader i följd)",
            [("label", "Biståndstid", TEXT), ("households", "Hushåll", INT)],
            f["durations"]["bands"],
            note=_mean_median(f["durations"]),
        ),
        _long_term_table(f["long_term"]),
        Table(
            "langvarigt_manader",
            f"Vuxna biståndsmottagare {f['long_term']['year']} efter antal månader med bistånd",
            [("months", "Månader med bistånd", INT), ("adults", "Vuxna", INT)],
            f["long_term"]["by_months"],
        ),
        Table(
            "beslutstider",
            "Tid från komplett ansökan till beslut",
            [("label", "Tid", TEXT), ("decisions", "Beslut", INT)],
            f["decision_times"]["bands"],
            note=(
                f"Inom målet ({f['decision_times']['target_days']} dagar): "
                f"{_percent_text(f['decision_times']['share_within_target'])}. "
                f"Median {_number_text(f['decision_times']['median_days'])} dagar."
            ),
        ),
        Table(
            "planer",
            f"Arbetsplaner i aktuella ärenden (läget {f['plans']['as_of']}) och uppföljningar",
            [("label", "Läge", TEXT), ("count", "Antal", INT)],
            [
                {"label": "Aktuella ärenden", "count": f["plans"]["open_cases"]},
                {"label": "Plan saknas", "count": f["plans"]["missing"]},
                {"label": "Plan ej bekräftad av klienten", "count": f["plans"]["unconfirmed"]},
                {"label": "Uppföljning försenad", "count": f["plans"]["overdue"]},
                {"label": "Följs enligt plan", "count": f["plans"]["on_track"]},
                {
                    "label": "Uppföljningar som skulle ske i perioden",
                    "count": f["plans"]["follow_ups"]["due"],
                },
                {"label": "– genomförda i tid", "count": f["plans"]["follow_ups"]["on_time"]},
                {"label": "– genomförda för sent", "count": f["plans"]["follow_ups"]["late"]},
                {"label": "– inte genomförda", "count": f["plans"]["follow_ups"]["not_held"]},
            ],
        ),
        Table(
            "arbetsbelastning",
            f"Aktuella ärenden per handläggare (läget {f['caseload']['as_of']})",
            [
                ("name", "Handläggare", TEXT),
                ("section", "Sektion", TEXT),
                ("open_cases", "Aktuella ärenden", INT),
                ("limit", "Högsta antal", INT),
                ("over", "Över taket", TEXT),
                ("households_paid", "Hushåll med utbetalning i perioden", INT),
            ],
            [{**w, "over": "ja" if w["over_limit"] else ""} for w in f["caseload"]["workers"]],
            note=f"Ärenden utan handläggare: {f['caseload']['unassigned']}.",
        ),
        Table(
            "insatser",
            "Arbetsmarknadsinsatser som avslutades, efter resultat",
            [
                ("label", "Resultat", TEXT),
                ("ended", "Avslutade", INT),
                ("left_assistance", "Ärendet avslutat efteråt", INT),
                ("came_back_within_12_months", "Återkom inom 12 månader", INT),
            ],
            f["programmes"]["results"],
            note=(
                f"Anvisningar i perioden: {f['programmes']['referred']}. "
                "Återaktualiseringar i perioden efter avslutad insats: "
                f"{f['programmes']['reentries_after_programme']}."
            ),
        ),
        Table(
            "anvisningar",
            "Anvisningar i perioden efter mottagare",
            [("label", "Till", TEXT), ("referred", "Anvisningar", INT)],
            [
                *f["programmes"]["by_target"],
                *(
                    {"label": f"– {r['name']}", "referred": r["referred"]}
                    for r in f["programmes"]["by_programme"]
                ),
            ],
        ),
        Table(
            "budget",
            f"Utbetalt per budgetkonto mot budget {f['budget']['year']}",
            [
                ("code", "Konto", TEXT),
                ("name", "Namn", TEXT),
                ("budget", "Budget (kr)", MONEY),
                ("paid_year_to_date", "Utbetalt hittills i år (kr)", MONEY),
                ("paid_in_period", "Utbetalt i perioden (kr)", MONEY),
                ("share_used", "Förbrukat (%)", SHARE),
                ("remaining", "Kvar (kr)", MONEY),
            ],
            [
                *f["budget"]["accounts"],
                {"code": "", "name": "Totalt", **f["budget"]["total"]},
            ],
            note=(
                "Bokfört efter utbetalningsdag. Förväntad förbrukning vid periodens slut: "
                f"{_percent_text(f['budget']['expected_share_by_now'])}."
            ),
        ),
        _forecast_table(f["forecast"]),
        Table(
            "sektioner",
            "Hushåll med bistånd per sektion",
            [
                ("name", "Sektion", TEXT),
                ("households", "Hushåll", INT),
                ("amount", "Utbetalt (kr)", MONEY),
            ],
            f["households"]["by_section"],
        ),
    ]
    return tables


def _population_table(f: dict) -> Table:
    block = f.get("population") or {}
    rows = [
        ("Hushåll med utbetalning", f["households"]["count"], "households_per_1000"),
        ("Biståndsmottagare (personer)", f["persons"]["recipients"], "recipients_per_1000"),
        ("Vuxna biståndsmottagare", f["persons"]["adult_recipients"], "adult_recipients_per_1000"),
    ]
    population = block.get("population")
    note = (
        (
            f"Per 1 000 invånare i kommunen ({_money_text(population)} invånare). "
            f"Källa: {block.get('source', '')}. "
            if population
            else ""
        )
        + (block.get("reason") or "")
        + " "
        + (block.get("comparison_note") or "")
    )
    return Table(
        "befolkning",
        "Andel av befolkningen",
        [("label", "Mått", TEXT), ("count", "Antal", INT), ("rate", "Per 1 000 invånare", DECIMAL)],
        [{"label": label, "count": count, "rate": block.get(key)} for label, count, key in rows],
        note=note.strip(),
    )


def _birth_country_table(persons: dict) -> Table:
    counts = persons.get("adults_by_birth_country") or {}
    return Table(
        "fodelseland",
        "Vuxna biståndsmottagare efter födelseland",
        [("label", "Född", TEXT), ("adults", "Vuxna", INT)],
        [
            {"label": "I Sverige", "adults": counts.get("born_in_sweden", 0)},
            {"label": "Utomlands", "adults": counts.get("born_abroad", 0)},
            {"label": "Uppgift saknas", "adults": counts.get("birth_country_unknown", 0)},
        ],
        note=(
            "Enligt folkbokföringen (inläst utdrag); uppgift saknas när personen inte finns i "
            "ett inläst utdrag. Aldrig härlett ur namn eller personnummer."
        ),
    )


def _main_label(key: str) -> str:
    from bistand.core.codes import MAIN_CATEGORY_LABELS

    return MAIN_CATEGORY_LABELS.get(key, key)


def _long_term_table(block: dict) -> Table:
    rows = [
        *block["by_household_type"],
        {
            "label": "Samtliga",
            "adults": block["adults"],
            "long_term": block["long_term"],
            "share": block["share"],
        },
        {
            "label": "Mycket långvarigt (3 år i följd, egen definition)",
            "adults": block["adults"],
            "long_term": block["very_long_term"],
            "share": block["very_long_term_share"],
        },
    ]
    return Table(
        "langvarigt",
        f"Långvarigt ekonomiskt bistånd {block['year']}",
        [
            ("label", "Grupp", TEXT),
            ("adults", "Vuxna biståndsmottagare", INT),
            ("long_term", "Med bistånd 10–12 månader", INT),
            ("share", "Andel (%)", SHARE),
        ],
        rows,
        note=(
            f"{block['definition']} Månader med underlag: {block['months_with_data']} av 12"
            + ("." if block["complete"] else " (året är inte komplett).")
        ),
    )


def _forecast_table(block: dict) -> Table:
    columns = [
        ("month", "Månad", TEXT),
        ("kind", "Utfall/prognos", TEXT),
        ("amount", "Belopp (kr)", MONEY),
    ]
    if not block.get("available"):
        return Table(
            "prognos", "Prognos för utbetalningar", columns, [], note=block.get("reason", "")
        )
    rows = [
        {"month": _month(r["month"]), "kind": "utfall", "amount": r["amount"]}
        for r in block["history"]
    ]
    rows += [
        {"month": _month(r["month"]), "kind": "prognos", "amount": r["amount"]}
        for r in block["projection"]
    ]
    year = block["year"]
    note = f"Prognos för {year['year']}: {_money_text(year['projected_total'])} kr" + (
        f" mot budget {_money_text(year['budget'])} kr."
        if year.get("budget")
        else " (ingen budget)."
    )
    return Table("prognos", "Utbetalningar per månad: utfall och prognos", columns, rows, note=note)


def year_tables(y: dict) -> list[Table]:
    current, previous = y["current"], y["previous"]
    c, p = current["composition"], previous["composition"]
    labels = {
        "households": "Hushåll med bistånd",
        "amount": "Utbetalt (kr)",
        "amount_per_household": "Utbetalt per hushåll (kr)",
        "household_months": "Hushållsmånader",
        "mean_months": "Genomsnittligt antal månader",
        "recipients": "Biståndsmottagare (personer)",
        "adult_recipients": "Vuxna biståndsmottagare",
        "minors": "Barn 0–17 år",
        "young_adults": "Unga vuxna 18–24 år",
        "long_term": "Vuxna med långvarigt bistånd",
        "long_term_share": "Andel långvarigt (%)",
        "inflow": "Inflöde (nya och återaktualiserade ärenden)",
        "outflow": "Avslutade ärenden",
        "share_decided_within_target": "Beslut inom en vecka (%)",
    }
    share_keys = {"long_term_share", "share_decided_within_target"}
    comparison_rows = []
    for key, item in y["comparison"].items():
        if key in share_keys:
            kind = SHARE
        elif "amount" in key:
            kind = MONEY
        elif key == "mean_months":
            kind = DECIMAL
        else:
            kind = INT
        comparison_rows.append(
            {
                "label": labels.get(key, key),
                "current": item["current"],
                "previous": item["previous"],
                "change_percent": item["change_percent"],
                "kind": kind,
            }
        )
    reasons_current = {r["key"]: r["cases"] for r in current["flows"]["outflow"]["by_reason"]}
    reasons_previous = {r["key"]: r["cases"] for r in previous["flows"]["outflow"]["by_reason"]}
    return [
        Table(
            "jamforelse",
            f"{y['year']} jämfört med {y['year'] - 1}",
            [
                ("label", "Mått", TEXT),
                ("current", str(y["year"]), "mixed"),
                ("previous", str(y["year"] - 1), "mixed"),
                ("change_percent", "Förändring (%)", DECIMAL),
            ],
            comparison_rows,
        ),
        Table(
            "hushallstyp",
            "Hushåll efter hushållstyp",
            [
                ("label", "Hushållstyp", TEXT),
                ("current", str(y["year"]), INT),
                ("previous", str(y["year"] - 1), INT),
                ("share", f"Andel {y['year']} (%)", SHARE),
            ],
            [
                {
                    "label": a["label"],
                    "current": a["households"],
                    "previous": b["households"],
                    "share": a["share"],
                }
                for a, b in zip(c["by_household_type"], p["by_household_type"], strict=True)
            ],
        ),
        Table(
            "alder",
            "Biståndsmottagare efter ålder",
            [
                ("label", "Åldersgrupp", TEXT),
                ("current", str(y["year"]), INT),
                ("previous", str(y["year"] - 1), INT),
            ],
            [
                {"label": a["label"], "current": a["persons"], "previous": b["persons"]}
                for a, b in zip(c["by_age_band"], p["by_age_band"], strict=True)
            ],
        ),
        Table(
            "manader",
            "Hushåll efter antal månader med bistånd under året",
            [
                ("label", "Månader", TEXT),
                ("current", str(y["year"]), INT),
                ("previous", str(y["year"] - 1), INT),
            ],
            [
                {"label": a["label"], "current": a["households"], "previous": b["households"]}
                for a, b in zip(c["months_in_year_bands"], p["months_in_year_bands"], strict=True)
            ],
        ),
        Table(
            "bistandstid",
            "Hushåll efter pågående biståndsperiod vid årets sista månad med bistånd",
            [
                ("label", "Biståndstid", TEXT),
                ("current", str(y["year"]), INT),
                ("previous", str(y["year"] - 1), INT),
            ],
            [
                {"label": a["label"], "current": a["households"], "previous": b["households"]}
                for a, b in zip(
                    c["spell_at_year_end"]["bands"], p["spell_at_year_end"]["bands"], strict=True
                )
            ],
        ),
        Table(
            "forsorjningshinder",
            "Vuxna biståndsmottagare efter försörjningshinder (huvudgrupp)",
            [
                ("label", "Huvudgrupp", TEXT),
                ("current", str(y["year"]), INT),
                ("previous", str(y["year"] - 1), INT),
            ],
            [
                {"label": a["label"], "current": a["adults"], "previous": b["adults"]}
                for a, b in zip(
                    c["support_obstacles"]["by_main_category"],
                    p["support_obstacles"]["by_main_category"],
                    strict=True,
                )
            ],
        ),
        Table(
            "avslut",
            "Avslutade ärenden efter avslutsanledning",
            [
                ("label", "Avslutsanledning", TEXT),
                ("current", str(y["year"]), INT),
                ("previous", str(y["year"] - 1), INT),
            ],
            [
                {
                    "label": CLOSING_REASON_LABELS.get(key, key),
                    "current": reasons_current.get(key, 0),
                    "previous": reasons_previous.get(key, 0),
                }
                for key in CLOSING_REASON_LABELS
                if reasons_current.get(key) or reasons_previous.get(key)
            ],
        ),
        _long_term_table(current["long_term"]),
        Table(
            "manadsvis",
            f"Hushåll och utbetalt per månad {y['year']}",
            [
                ("month", "Månad", TEXT),
                ("households", "Hushåll", INT),
                ("amount", "Utbetalt (kr)", MONEY),
                ("previous_households", f"Hushåll {y['year'] - 1}", INT),
            ],
            [
                {
                    "month": MONTH_NAMES[index],
                    "households": a["households"],
                    "amount": a["amount"],
                    "previous_households": b["households"],
                }
                for index, (a, b) in enumerate(
                    zip(current["trend"]["months"], previous["trend"]["months"], strict=True)
                )
            ],
        ),
    ]


# --------------------------------------------------------------------------- formatting


def _number_text(value, decimals: int = 1) -> str:
    if value is None:
        return "–"
    if is_suppressed(value):
        return MARK
    from .charts import format_number

    return format_number(float(value), decimals)


def _money_text(value) -> str:
    return _number_text(value, 0)


def _percent_text(value) -> str:
    if is_suppressed(value):
        return MARK
    return "–" if value is None else _number_text(float(value) * 100, 1) + " %"


def _mean_median(block: dict) -> str:
    return (
        f"Medel {_number_text(block['mean_months'])} månader, median "
        f"{_number_text(block['median_months'])} månader."
    )


def _kind(row: dict, kind: str) -> str:
    """A "mixed" column takes its kind from the row (the comparison table)."""
    return row.get("kind", DECIMAL) if kind == "mixed" else kind


def display_value(value, kind: str) -> str:
    """A cell as shown on the page (Swedish number format)."""
    if is_suppressed(value):
        return MARK
    if value is None or value == "":
        return "–" if kind != TEXT else ""
    if kind == SHARE:
        return _number_text(float(value) * 100, 1)
    if kind in (MONEY, INT):
        return _number_text(float(value), 0)
    if kind == DECIMAL:
        return _number_text(float(value), 1)
    return str(value)


def rows_for_display(table: Table) -> list[list[str]]:
    return [
        [display_value(row.get(key), _kind(row, kind)) for key, _, kind in table.columns]
        for row in table.rows
    ]


def _csv_value(value, kind: str) -> str:
    if is_suppressed(value):
        return MARK
    if value is None or value == "":
        return ""
    if kind == TEXT:
        return str(value)
    if kind == SHARE:
        return f"{float(value) * 100:.1f}".replace(".", ",")
    if kind == MONEY:
        return f"{Decimal(str(value)):.2f}".replace(".", ",")
    if kind == INT:
        return str(int(value))
    return str(value).replace(".", ",")


def table_csv(table: Table) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([header for _, header, _ in table.columns])
    for row in table.rows:
        writer.writerow(
            [_csv_value(row.get(key), _kind(row, kind)) for key, _, kind in table.columns]
        )
    return buffer.getvalue()


def _sheet_title(text: str, used: set[str]) -> str:
    cleaned = "".join(ch for ch in text if ch not in "[]:*?/\\")[:31] or "Tabell"
    title, n = cleaned, 2
    while title in used:
        suffix = f" {n}"
        title = cleaned[: 31 - len(suffix)] + suffix
        n += 1
    used.add(title)
    return title


def tables_xlsx(tables: list[Table], heading: str) -> bytes:
    """One sheet per table: a title row, the headers and the numbers as numbers."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(table.key, used))
        sheet.append([f"{heading}: {table.title}"])
        sheet["A1"].font = Font(bold=True)
        sheet.append([header for _, header, _ in table.columns])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table.rows:
            values, formats = [], []
            for key, _, column_kind in table.columns:
                kind = _kind(row, column_kind)
                value = row.get(key)
                if is_suppressed(value):
                    values.append(MARK)
                elif value is None or value == "":
                    values.append(None)
                elif kind == SHARE:
                    values.append(float(value))
                elif kind == MONEY:
                    values.append(float(Decimal(str(value))))
                elif kind == INT:
                    values.append(int(value))
                elif kind == DECIMAL:
                    try:
                        values.append(float(value))
                    except (TypeError, ValueError):
                        values.append(str(value))
                else:
                    values.append(str(value))
                formats.append(
                    {SHARE: "0.0%", MONEY: "#,##0.00", INT: "0", DECIMAL: "0.0"}.get(kind)
                )
            sheet.append(values)
            for cell, number_format in zip(sheet[sheet.max_row], formats, strict=False):
                if number_format:
                    cell.number_format = number_format
        if table.note:
            sheet.append([])
            sheet.append([table.note])
        for index, (_, header, _) in enumerate(table.columns, start=1):
            letter = sheet.cell(row=2, column=index).column_letter
            sheet.column_dimensions[letter].width = max(12, min(48, len(header) + 4))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
