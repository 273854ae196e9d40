"""Charts and key figures for the dashboard and the yearly report, from the figures dicts.

Each section pairs one or two charts (charts.py: server-side SVG) with the table of the
numbers behind them (tables.py), so nothing on screen is only a picture.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .charts import Svg, bar_chart, format_number, line_chart
from .definitions import CLOSING_REASON_SHORT, HOUSEHOLD_TYPE_SHORT
from .periods import MONTH_ABBREVIATIONS, short_month_label
from .suppression import is_suppressed
from .tables import Table, dashboard_tables, rows_for_display, year_tables

MAX_WORKERS_IN_CHART = 30
MAIN_CATEGORY_SHORT = {
    "unemployment": "Arbetslöshet",
    "ill_health": "Ohälsa",
    "social_reasons": "Sociala skäl",
    "other": "Övrigt",
    "none": "Utan hinder",
}
RESULT_SHORT = {
    "self_support": "Egen försörjning",
    "other_benefit": "Annan ersättning",
    "studies": "Studier",
    "interrupted": "Avbruten",
    "no_change": "Ingen förändring",
}


@dataclass
class Section:
    key: str
    title: str
    table: Table
    charts: list[Svg] = field(default_factory=list)
    lead: str = ""

    @property
    def rows(self) -> list[list[str]]:
        return rows_for_display(self.table)

    @property
    def headers(self) -> list[str]:
        return [header for _, header, _ in self.table.columns]

    @property
    def numeric(self) -> list[bool]:
        return [kind != "text" for _, _, kind in self.table.columns]


def _band(key: str, unit: str) -> str:
    """'18-24' -> '18–24 år', '65-' -> '65+ år' (short axis labels)."""
    low, _, high = key.partition("-")
    return f"{low}–{high} {unit}" if high else f"{low}+ {unit}"


def _months(keys: list[str]) -> list[str]:
    import datetime as dt

    return [short_month_label(dt.date(int(k[:4]), int(k[5:7]), 1)) for k in keys]


def _pct(value) -> str:
    if value is None or is_suppressed(value):
        return "–" if value is None else str(value)
    return format_number(float(value) * 100, 1) + " %"


def _kr(value) -> str:
    if value is None or is_suppressed(value):
        return "–" if value is None else str(value)
    return format_number(float(value), 0) + " kr"


def _percent_of(value) -> float | None:
    return None if value is None or is_suppressed(value) else value * 100


def _f(value) -> float | None:
    """A number for a chart; a missing or suppressed figure leaves a gap."""
    return None if value is None or is_suppressed(value) else float(value)


def key_figures(f: dict) -> list[dict]:
    """The headline numbers shown as cards at the top of the dashboard."""
    return [
        {"label": "Hushåll med utbetalning", "value": format_number(f["households"]["count"])},
        {"label": "Utbetalt", "value": _kr(f["households"]["amount"])},
        {
            "label": "Vuxna biståndsmottagare",
            "value": format_number(f["persons"]["adult_recipients"]),
        },
        {"label": "Barn i hushållen", "value": format_number(f["persons"]["minors"])},
        {
            "label": "Hushåll per 1 000 invånare",
            "value": format_number((f.get("population") or {}).get("households_per_1000"), 1),
        },
        {"label": "Unga vuxna 18–24 år", "value": format_number(f["persons"]["young_adults"])},
        {
            "label": f"Långvarigt bistånd {f['long_term']['year']}",
            "value": _pct(f["long_term"]["share"]),
        },
        {
            "label": "Beslut inom en vecka",
            "value": _pct(f["decision_times"]["share_within_target"]),
        },
        {"label": "Försenade uppföljningar i dag", "value": format_number(f["plans"]["overdue"])},
        {
            "label": "Inflöde / avslut",
            "value": f"{f['flows']['inflow']['total']} / {f['flows']['outflow']['closed']}",
        },
    ]


def dashboard_sections(f: dict) -> list[Section]:
    tables = {t.key: t for t in dashboard_tables(f)}
    trend = f["trend"]["months"]
    labels = _months([m["month"] for m in trend])
    lt = f["long_term"]
    forecast = f["forecast"]
    sections = [
        Section(
            "utbetalningar",
            "Hushåll och utbetalt bistånd",
            tables["utbetalningar"],
            [
                line_chart(
                    labels,
                    {"Hushåll med utbetalning": [m["households"] for m in trend]},
                    title="Hushåll med utbetalning per månad",
                    y_label="hushåll",
                ),
                bar_chart(
                    labels,
                    {"Utbetalt": [_f(m["amount"]) for m in trend]},
                    title="Utbetalt bistånd per månad (kr)",
                ),
            ],
            lead="Månaden är den månad biståndet avser. Bara utbetalda belopp räknas.",
        ),
        Section(
            "hushallstyp",
            "Hushållstyper",
            tables["hushallstyp"],
            [
                bar_chart(
                    [HOUSEHOLD_TYPE_SHORT[r["code"]] for r in f["household_types"]["rows"]],
                    {"Hushåll": [r["households"] for r in f["household_types"]["rows"]]},
                    title="Hushåll efter hushållstyp (Socialstyrelsens koder)",
                    y_label="hushåll",
                )
            ],
        ),
        Section(
            "personer",
            "Vuxna, barn och unga vuxna",
            tables["personer"],
            [
                bar_chart(
                    [_band(r["key"], "år") for r in f["persons"]["by_age_band"]],
                    {"Personer": [r["persons"] for r in f["persons"]["by_age_band"]]},
                    title="Personer i hushåll med bistånd efter ålder",
                    y_label="personer",
                )
            ],
        ),
        Section(
            "befolkning",
            "Andel av befolkningen",
            tables["befolkning"],
            [],
            lead="Hushåll och personer med bistånd per 1 000 invånare i kommunen (SCB).",
        ),
        Section(
            "fodelseland",
            "Född i Sverige eller utomlands",
            tables["fodelseland"],
            [
                bar_chart(
                    [row["label"] for row in tables["fodelseland"].rows],
                    {"Vuxna": [row["adults"] for row in tables["fodelseland"].rows]},
                    title="Vuxna biståndsmottagare efter födelseland",
                    y_label="vuxna",
                )
            ],
            lead="Enligt folkbokföringen: ett inläst registerutdrag, aldrig gissat.",
        ),
        Section(
            "forsorjningshinder",
            "Försörjningshinder",
            tables["forsorjningshinder"],
            [
                bar_chart(
                    [
                        MAIN_CATEGORY_SHORT[r["key"]]
                        for r in f["support_obstacles"]["by_main_category"]
                    ]
                    + ["Ej registrerat"],
                    {
                        "Vuxna": [r["adults"] for r in f["support_obstacles"]["by_main_category"]]
                        + [f["support_obstacles"]["not_registered"]]
                    },
                    title="Vuxna biståndsmottagare efter försörjningshinder",
                    y_label="vuxna",
                )
            ],
            lead="Försörjningshindret i det senaste beslutet som registrerar ett för personen.",
        ),
        Section(
            "flode",
            "Inflöde och utflöde",
            tables["flode"],
            [
                bar_chart(
                    [
                        "Nya",
                        "Återaktualiserade",
                        "Avslutade",
                        "Började få utbetalning",
                        "Slutade få utbetalning",
                    ],
                    {
                        "Antal": [
                            f["flows"]["inflow"]["new"],
                            f["flows"]["inflow"]["reentry"],
                            f["flows"]["outflow"]["closed"],
                            f["flows"]["payments"]["started"],
                            f["flows"]["payments"]["stopped"],
                        ]
                    },
                    title="Inflöde och utflöde (ärenden; utbetalning: hushåll)",
                    y_label="antal",
                )
            ],
        ),
        Section(
            "avslut",
            "Avslutsanledningar",
            tables["avslut"],
            [
                bar_chart(
                    [
                        CLOSING_REASON_SHORT.get(r["key"], r["label"])
                        for r in f["flows"]["outflow"]["by_reason"]
                    ],
                    {"Ärenden": [r["cases"] for r in f["flows"]["outflow"]["by_reason"]]},
                    title="Avslutade ärenden efter avslutsanledning",
                    y_label="ärenden",
                )
            ]
            if f["flows"]["outflow"]["by_reason"]
            else [],
        ),
        Section(
            "bistandstid",
            "Biståndstid",
            tables["bistandstid"],
            [
                bar_chart(
                    [_band(r["key"], "mån") for r in f["durations"]["bands"]],
                    {"Hushåll": [r["households"] for r in f["durations"]["bands"]]},
                    title="Hushåll efter pågående biståndsperiod",
                    x_label="månader i följd med utbetalning",
                    y_label="hushåll",
                )
            ],
        ),
        Section(
            "langvarigt",
            "Långvarigt ekonomiskt bistånd",
            tables["langvarigt"],
            [
                bar_chart(
                    [str(h["year"]) for h in lt["history"]],
                    {"Andel långvarigt (%)": [_percent_of(h["share"]) for h in lt["history"]]},
                    title="Andel vuxna biståndsmottagare med långvarigt bistånd",
                    y_label="procent",
                    decimals=1,
                    highlight=str(lt["year"]),
                ),
                bar_chart(
                    [str(r["months"]) for r in lt["by_months"]],
                    {"Vuxna": [r["adults"] for r in lt["by_months"]]},
                    title=f"Vuxna biståndsmottagare {lt['year']} efter antal månader med bistånd",
                    x_label="månader med bistånd under året (10–12 = långvarigt)",
                    y_label="vuxna",
                ),
            ],
            lead=lt["definition"] + " Mycket långvarigt: " + lt["very_long_term_definition"],
        ),
        Section(
            "beslutstider",
            "Beslutstider",
            tables["beslutstider"],
            [
                bar_chart(
                    [r["label"] for r in f["decision_times"]["bands"]],
                    {"Beslut": [r["decisions"] for r in f["decision_times"]["bands"]]},
                    title="Dagar från komplett ansökan till beslut (mål: högst 7 dagar)",
                    y_label="beslut",
                )
            ],
        ),
        Section(
            "planer",
            "Arbetsplaner och uppföljningar",
            tables["planer"],
            [
                bar_chart(
                    ["Saknas", "Ej bekräftad", "Försenad uppföljning", "Enligt plan"],
                    {
                        "Ärenden": [
                            f["plans"]["missing"],
                            f["plans"]["unconfirmed"],
                            f["plans"]["overdue"],
                            f["plans"]["on_track"],
                        ]
                    },
                    title=f"Arbetsplaner i aktuella ärenden {f['plans']['as_of']}",
                    y_label="ärenden",
                )
            ],
        ),
        Section(
            "arbetsbelastning",
            "Arbetsbelastning per handläggare",
            tables["arbetsbelastning"],
            [
                bar_chart(
                    [w["name"] for w in f["caseload"]["workers"][:MAX_WORKERS_IN_CHART]],
                    {
                        "Aktuella ärenden": [
                            w["open_cases"] for w in f["caseload"]["workers"][:MAX_WORKERS_IN_CHART]
                        ],
                        "Högsta antal": [
                            w["limit"] for w in f["caseload"]["workers"][:MAX_WORKERS_IN_CHART]
                        ],
                    },
                    title=f"Aktuella ärenden per handläggare {f['caseload']['as_of']}"
                    + (
                        f" (de {MAX_WORKERS_IN_CHART} med flest)"
                        if len(f["caseload"]["workers"]) > MAX_WORKERS_IN_CHART
                        else ""
                    ),
                    y_label="ärenden",
                )
            ]
            if f["caseload"]["workers"]
            else [],
        ),
        Section(
            "insatser",
            "Arbetsmarknadsinsatser och resultat",
            tables["insatser"],
            [
                bar_chart(
                    [RESULT_SHORT.get(r["key"], r["label"]) for r in f["programmes"]["results"]],
                    {
                        "Avslutade": [r["ended"] for r in f["programmes"]["results"]],
                        "Återkom inom 12 månader": [
                            r["came_back_within_12_months"] for r in f["programmes"]["results"]
                        ],
                    },
                    title="Avslutade kommunala arbetsmarknadsinsatser efter resultat",
                    y_label="insatser",
                )
            ],
        ),
        Section("anvisningar", "Anvisningar", tables["anvisningar"], []),
        Section(
            "budget",
            "Utbetalningar mot budget",
            tables["budget"],
            [
                bar_chart(
                    [f"{a['code']} {a['name']}" for a in f["budget"]["accounts"]],
                    {
                        "Budget": [float(a["budget"] or 0) for a in f["budget"]["accounts"]],
                        "Utbetalt hittills i år": [
                            float(a["paid_year_to_date"]) for a in f["budget"]["accounts"]
                        ],
                    },
                    title=f"Budget och utbetalt {f['budget']['year']} per konto (kr)",
                )
            ]
            if f["budget"]["accounts"]
            else [],
        ),
        Section(
            "prognos",
            "Prognos",
            tables["prognos"],
            _forecast_charts(forecast),
            lead=" ".join(forecast.get("assumptions", [])),
        ),
        Section("sektioner", "Per sektion", tables["sektioner"], []),
    ]
    return sections


def _forecast_charts(forecast: dict) -> list[Svg]:
    if not forecast.get("available"):
        return []
    history, projection = forecast["history"], forecast["projection"]
    keys = [r["month"] for r in history] + [r["month"] for r in projection]
    return [
        line_chart(
            _months(keys),
            {
                "Utfall": [float(r["amount"]) for r in history] + [None] * len(projection),
                "Prognos": [None] * (len(history) - 1)
                + [float(history[-1]["amount"])]
                + [float(r["amount"]) for r in projection],
            },
            title="Utbetalt per månad: utfall och prognos (kr)",
        )
    ]


def year_sections(y: dict) -> list[Section]:
    tables = {t.key: t for t in year_tables(y)}
    current, previous = y["current"], y["previous"]
    year, before = str(y["year"]), str(y["year"] - 1)
    c, p = current["composition"], previous["composition"]

    def pair(rows_now, rows_then, label_key, value_key):
        return [r[label_key] for r in rows_now], {
            year: [r[value_key] for r in rows_now],
            before: [r[value_key] for r in rows_then],
        }

    sections = [Section("jamforelse", f"{year} jämfört med {before}", tables["jamforelse"], [])]
    labels, series = pair(c["by_household_type"], p["by_household_type"], "label", "households")
    labels = [HOUSEHOLD_TYPE_SHORT[r["code"]] for r in c["by_household_type"]]
    sections.append(
        Section(
            "hushallstyp",
            "Sammansättning: hushållstyper",
            tables["hushallstyp"],
            [bar_chart(labels, series, title="Hushåll efter hushållstyp", y_label="hushåll")],
        )
    )
    labels, series = pair(c["by_age_band"], p["by_age_band"], "label", "persons")
    labels = [_band(r["key"], "år") for r in c["by_age_band"]]
    sections.append(
        Section(
            "alder",
            "Sammansättning: ålder",
            tables["alder"],
            [bar_chart(labels, series, title="Biståndsmottagare efter ålder", y_label="personer")],
        )
    )
    labels, series = pair(
        c["months_in_year_bands"], p["months_in_year_bands"], "label", "households"
    )
    sections.append(
        Section(
            "manader",
            "Mönster: månader med bistånd under året",
            tables["manader"],
            [
                bar_chart(
                    labels,
                    series,
                    title="Hushåll efter antal månader med bistånd",
                    y_label="hushåll",
                )
            ],
        )
    )
    labels, series = pair(
        c["spell_at_year_end"]["bands"], p["spell_at_year_end"]["bands"], "label", "households"
    )
    sections.append(
        Section(
            "bistandstid",
            "Biståndstider",
            tables["bistandstid"],
            [
                bar_chart(
                    labels,
                    series,
                    title="Pågående biståndsperiod vid årets slut",
                    y_label="hushåll",
                )
            ],
        )
    )
    labels, series = pair(
        c["support_obstacles"]["by_main_category"],
        p["support_obstacles"]["by_main_category"],
        "label",
        "adults",
    )
    labels = [MAIN_CATEGORY_SHORT[r["key"]] for r in c["support_obstacles"]["by_main_category"]]
    sections.append(
        Section(
            "forsorjningshinder",
            "Försörjningshinder",
            tables["forsorjningshinder"],
            [bar_chart(labels, series, title="Vuxna efter försörjningshinder", y_label="vuxna")],
        )
    )
    avslut = tables["avslut"]
    sections.append(
        Section(
            "avslut",
            "In- och utflöde: avslutsanledningar",
            avslut,
            [
                bar_chart(
                    [_short_reason(r["label"]) for r in avslut.rows],
                    {
                        year: [r["current"] for r in avslut.rows],
                        before: [r["previous"] for r in avslut.rows],
                    },
                    title="Avslutade ärenden efter avslutsanledning",
                    y_label="ärenden",
                )
            ]
            if avslut.rows
            else [],
        )
    )
    lt = current["long_term"]
    sections.append(
        Section(
            "langvarigt",
            "Långvarigt bistånd",
            tables["langvarigt"],
            [
                bar_chart(
                    [str(h["year"]) for h in lt["history"]],
                    {"Andel (%)": [_percent_of(h["share"]) for h in lt["history"]]},
                    title="Andel vuxna med långvarigt bistånd",
                    y_label="procent",
                    decimals=1,
                    highlight=year,
                )
            ],
            lead=lt["definition"],
        )
    )
    sections.append(
        Section(
            "manadsvis",
            "Månad för månad",
            tables["manadsvis"],
            [
                line_chart(
                    list(MONTH_ABBREVIATIONS),
                    {
                        year: [m["households"] for m in current["trend"]["months"]],
                        before: [m["households"] for m in previous["trend"]["months"]],
                    },
                    title="Hushåll med utbetalning per månad",
                    y_label="hushåll",
                )
            ],
        )
    )
    return sections


def _short_reason(label: str) -> str:
    from .definitions import CLOSING_REASON_LABELS

    key = next((k for k, v in CLOSING_REASON_LABELS.items() if v == label), None)
    return CLOSING_REASON_SHORT.get(key, label)


def year_key_figures(y: dict) -> list[dict]:
    cmp = y["comparison"]

    def change(key: str) -> str:
        value = cmp[key]["change_percent"]
        if value is None or is_suppressed(value):
            return ""
        return ("+" if value > 0 else "") + format_number(value, 1) + " %"

    return [
        {
            "label": "Hushåll med bistånd",
            "value": format_number(cmp["households"]["current"]),
            "change": change("households"),
        },
        {"label": "Utbetalt", "value": _kr(cmp["amount"]["current"]), "change": change("amount")},
        {
            "label": "Vuxna biståndsmottagare",
            "value": format_number(cmp["adult_recipients"]["current"]),
            "change": change("adult_recipients"),
        },
        {
            "label": "Barn 0–17 år",
            "value": format_number(cmp["minors"]["current"]),
            "change": change("minors"),
        },
        {
            "label": "Långvarigt bistånd",
            "value": _pct(cmp["long_term_share"]["current"]),
            "change": change("long_term_share"),
        },
        {
            "label": "Genomsnittligt antal månader",
            "value": format_number(cmp["mean_months"]["current"] or 0, 1),
            "change": change("mean_months"),
        },
    ]
