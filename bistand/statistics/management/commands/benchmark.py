"""`bistand benchmark FILE.csv --municipality CODE [--format text|json]`: the Öppna jämförelser fit.

Prints n, R², the coefficients with standard errors, and the municipality's expected against
actual cost, residual and rank. Exit status 0 on success; 2 when the file cannot give a fit
(the Swedish message and the English error code on stderr; with --format json also
{"error": {"code", "message", ...}} on stdout). See docs/benchmarking.md.
"""

import json
import sys

from django.core.management.base import BaseCommand

from bistand.statistics.benchmarking import (
    DEPENDENT,
    LABELS,
    MAX_CSV_BYTES,
    BenchmarkError,
    BenchmarkResult,
    decode_csv,
    run_benchmark,
)
from bistand.statistics.charts import format_number


class Command(BaseCommand):
    help = (
        "Öppna jämförelser: skatta förväntad kostnad för ekonomiskt bistånd per invånare 18–64 år "
        "ur en CSV-fil och jämför kommunens faktiska kostnad med den förväntade."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV-fil (semikolon eller komma), eller - för stdin")
        parser.add_argument(
            "--municipality",
            "-m",
            help="kommunkod, fyra siffror (t.ex. 0114); standard: enhetens kommun om det finns en",
        )
        parser.add_argument("--format", choices=("text", "json"), default="text")

    def handle(self, *args, **options):
        as_json = options["format"] == "json"
        try:
            code = options["municipality"] or _single_unit_municipality()
            text = _read(options["file"], options.get("stdin") or sys.stdin)
            result = run_benchmark(text, code)
        except BenchmarkError as error:
            if as_json:
                self.stdout.write(json.dumps({"error": error.to_dict()}, ensure_ascii=False))
            self.stderr.write(f"error: {error.code}: {error.message}")
            raise SystemExit(2)
        if as_json:
            self.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(render_text(result))
        if result.focus is None:
            self.stderr.write(f"warning: municipality_not_in_fit: {result.focus_note}")


def _single_unit_municipality() -> str:
    from bistand.organisation.models import Unit

    codes = set(Unit.objects.values_list("municipality_code", flat=True))
    if len(codes) != 1:
        raise BenchmarkError(
            "municipality_required", "Ange kommun med --municipality KOD (fyra siffror)."
        )
    return codes.pop()


def _read(name: str, stdin) -> str:
    if name == "-":
        return stdin.read()
    try:
        with open(name, "rb") as handle:
            data = handle.read(MAX_CSV_BYTES + 1)
    except OSError as error:
        raise BenchmarkError(
            "file_not_found", f"Filen {name} kan inte läsas: {error.strerror}.", file=name
        ) from error
    if len(data) > MAX_CSV_BYTES:
        raise BenchmarkError(
            "file_too_large", f"Filen {name} är större än {MAX_CSV_BYTES // 1024} kB.", file=name
        )
    return decode_csv(data)


def render_text(result: BenchmarkResult) -> str:
    """The fit as plain text with Swedish number format."""
    fit = result.fit
    lines = [
        "Öppna jämförelser: " + LABELS[DEPENDENT],
        f"n = {fit.n} kommuner i modellen" + _excluded_text(len(result.excluded)),
        f"R² = {format_number(fit.r_squared, 3)}   justerat R² = "
        f"{format_number(fit.adjusted_r_squared, 3)}   residualernas standardavvikelse = "
        f"{format_number(fit.residual_std_error)} kr",
    ]
    if result.missing_variables_message:
        lines.append(result.missing_variables_message)
    lines.append("")
    rows = [("Variabel", "Koefficient", "Standardfel", "t", "p", "Källa")]
    for c in fit.coefficients:
        rows.append(
            (
                LABELS.get(c.name, c.name),
                format_number(c.estimate, 2),
                format_number(c.std_error, 2),
                format_number(c.t_value, 2),
                "< 0,001"
                if c.p_value is not None and c.p_value < 0.001
                else format_number(c.p_value, 3),
                {"user": "filen", "reference": "SCB (medföljer)"}.get(
                    result.sources.get(c.name, ""), ""
                ),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        lines.append(
            "  ".join(
                cell.ljust(widths[i]) if i in (0, 5) else cell.rjust(widths[i])
                for i, cell in enumerate(row)
            ).rstrip()
        )
    lines.append("")
    focus = result.focus
    if focus is None:
        lines.append(str(result.focus_note))
    else:
        deviation = format_number(focus.deviation_percent, 1)
        lines += [
            f"{focus.name} ({focus.code})",
            f"  faktisk kostnad    {format_number(focus.actual)} kr",
            f"  förväntad kostnad  {format_number(focus.expected)} kr",
            f"  avvikelse          {format_number(focus.residual)} kr ({deviation} %)",
            f"  rang               {focus.rank} av {fit.n} (1 = lägst kostnad i förhållande till "
            f"förväntat); efter faktisk kostnad {focus.cost_rank} av {fit.n}",
        ]
    for notice in result.notices:
        lines.append(f"Obs: {notice}")
    return "\n".join(lines)


def _excluded_text(count: int) -> str:
    if not count:
        return ""
    return (
        " (1 rad utesluten för att värden saknas)"
        if count == 1
        else (f" ({count} rader uteslutna för att värden saknas)")
    )
