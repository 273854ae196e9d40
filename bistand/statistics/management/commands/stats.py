"""`bistand stats --month YYYY-MM --format json`: every figure of the monthly dashboard.

    bistand stats --month 2026-03 --format json          the month (layout in docs/statistics.md)
    bistand stats --from 2026-01 --to 2026-03            a period
    bistand stats --year 2025 --format json              the yearly analysis, with long-term
    options: --unit ID (default: the only unit), --section ID, --handler ID, --case-type A|B|C,
             --household-type CODE, --age-band 18-24

Exit status 0; 2 with a Swedish message on stderr when the input is wrong.
"""

import json

from django.core.management.base import BaseCommand
from django.utils import timezone

from bistand.core.errors import DomainError
from bistand.organisation.models import Unit
from bistand.statistics.charts import format_number
from bistand.statistics.figures import month_figures
from bistand.statistics.periods import Period
from bistand.statistics.suppression import THRESHOLD
from bistand.statistics.views import filters_from
from bistand.statistics.yearly import year_figures


def resolve_unit(value) -> Unit:
    units = Unit.objects.order_by("pk")
    if value:
        unit = units.filter(pk=int(value)).first() if str(value).isdigit() else None
        if unit is None:
            raise DomainError("unknown_unit", f"Enheten {value} finns inte.")
        return unit
    if units.count() != 1:
        raise DomainError("unit_required", "Ange enheten med --unit (det finns flera eller ingen).")
    return units.first()


class Command(BaseCommand):
    help = "Skriver ut månadsuppföljningens (eller årsanalysens) siffror, som text eller JSON."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="ÅÅÅÅ-MM (standard: förra månaden)")
        parser.add_argument("--from", dest="start", help="periodens första månad, ÅÅÅÅ-MM")
        parser.add_argument("--to", dest="end", help="periodens sista månad, ÅÅÅÅ-MM")
        parser.add_argument("--year", type=int, help="årsanalysen för kalenderåret")
        parser.add_argument("--format", choices=("json", "text"), default="text")
        parser.add_argument("--unit", help="enhetens id")
        parser.add_argument("--section")
        parser.add_argument("--handler")
        parser.add_argument("--case-type", dest="case_type")
        parser.add_argument("--household-type", dest="household_type")
        parser.add_argument("--age-band", dest="age_band")

    def handle(self, *args, **options):
        today = timezone.localdate()
        try:
            unit = resolve_unit(options["unit"])
            filters = filters_from(
                {
                    k: options[k]
                    for k in ("section", "handler", "case_type", "household_type", "age_band")
                }
            )
            if options["year"]:
                figures = year_figures(unit, options["year"], filters, today=today)
            else:
                period = Period.parse(options["month"], options["start"], options["end"], today)
                figures = month_figures(unit, period, filters, today=today)
        except DomainError as error:
            self.stderr.write(f"error: {error.code}: {error.message}")
            raise SystemExit(2)
        # The operator's command prints every figure (docs/statistics.md, small-count protection).
        figures["suppression"] = {"applied": False, "threshold": THRESHOLD, "cells": 0}
        if options["format"] == "json":
            self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2))
        elif options["year"]:
            self.stdout.write(render_year_text(figures))
        else:
            self.stdout.write(render_month_text(figures))


def _pct(value) -> str:
    return "–" if value is None else format_number(value * 100, 1) + " %"


def render_month_text(f: dict) -> str:
    lt, dt_ = f["long_term"], f["decision_times"]
    lines = [
        f"{f['unit']['name']}: {f['period']['label']}",
        f"Hushåll med utbetalning: {f['households']['count']}",
        f"Utbetalt: {format_number(float(f['households']['amount']), 2)} kr",
        f"Vuxna biståndsmottagare: {f['persons']['adult_recipients']}, "
        f"barn 0–17 år: {f['persons']['minors']}, unga vuxna 18–24 år: {f['persons']['young_adults']}",
        "Hushållstyper: "
        + ", ".join(
            f"{r['label']} {r['households']}"
            for r in f["household_types"]["rows"]
            if r["households"]
        ),
        f"Inflöde: {f['flows']['inflow']['new']} nya, {f['flows']['inflow']['reentry']} "
        f"återaktualiserade; avslutade: {f['flows']['outflow']['closed']}",
        f"Långvarigt bistånd {lt['year']}: {lt['long_term']} av {lt['adults']} vuxna ({_pct(lt['share'])})",
        f"Beslut inom {dt_['target_days']} dagar: {dt_['within_target']} av {dt_['decisions']} "
        f"({_pct(dt_['share_within_target'])})",
        f"Försenade uppföljningar i dag: {f['plans']['overdue']}, ej bekräftade planer: "
        f"{f['plans']['unconfirmed']}",
    ]
    return "\n".join(lines)


def render_year_text(y: dict) -> str:
    lines = [f"{y['unit']['name']}: årsanalys {y['year']} (jämfört med {y['year'] - 1})"]
    for key, item in y["comparison"].items():
        change = "" if item["change_percent"] is None else f" ({item['change_percent']:+.1f} %)"
        lines.append(f"{key}: {item['current']} (föregående år {item['previous']}){change}")
    return "\n".join(lines)
