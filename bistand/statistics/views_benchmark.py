"""Jämförelser (Öppna jämförelser): upload a CSV, see the expected-cost model and our place in it.

The uploaded file holds municipality-level public statistics, no case data; it is kept in the
session (not on disk) so that choosing another municipality or downloading the numbers does
not need a new upload.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from bistand.core.errors import PermissionRefused
from bistand.core.views import handle_domain_errors
from bistand.organisation.models import Role

from .benchmarking import (
    LABELS,
    MAX_CSV_BYTES,
    BenchmarkError,
    BenchmarkResult,
    decode_csv,
    load_reference,
    observations_csv,
    run_benchmark,
    template_csv,
)
from .charts import bar_chart, format_number, scatter_chart

SESSION_KEY = "statistics.benchmark_csv"
BENCHMARK_ROLES = frozenset({Role.UNIT_HEAD, Role.SECTION_HEAD})
SOURCE_LABELS = {"user": "Uppladdad fil", "reference": "Medföljande SCB-data"}


def require_benchmark_access(user) -> None:
    """Unit and section heads compare municipalities; other roles are refused."""
    if not (user.is_authenticated and user.is_active and user.role in BENCHMARK_ROLES):
        role = user.get_role_display() if getattr(user, "role", None) else "okänd roll"
        raise PermissionRefused(
            "role_not_permitted", f"Din roll ({role}) får inte se jämförelser mellan kommuner."
        )


@login_required
@handle_domain_errors
def benchmark_view(request):
    require_benchmark_access(request.user)
    if request.method == "POST":
        return _upload(request)
    code = request.GET.get("kommun") or _unit_municipality(request.user)
    text = request.session.get(SESSION_KEY)
    result = error = None
    if text:
        try:
            result = run_benchmark(text, code)
        except BenchmarkError as problem:
            error = problem
    return _page(request, code, result=result, error=error)


def _upload(request):
    if request.POST.get("action") == "clear":
        request.session.pop(SESSION_KEY, None)
        messages.success(request, "Den uppladdade filen är borttagen ur din session.")
        return redirect("statistics:benchmark")
    code = request.POST.get("kommun") or _unit_municipality(request.user)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise BenchmarkError("no_file", "Välj en CSV-fil att ladda upp.")
        if upload.size > MAX_CSV_BYTES:
            raise BenchmarkError(
                "file_too_large",
                f"Filen är för stor ({format_number(upload.size / 1024)} kB); högst "
                f"{format_number(MAX_CSV_BYTES / 1024)} kB.",
            )
        text = decode_csv(upload.read())
        result = run_benchmark(text, code)
    except BenchmarkError as error:
        return _page(request, code, error=error, status=400)
    request.session[SESSION_KEY] = text
    return redirect(f"{reverse('statistics:benchmark')}?kommun={result.focus_code}")


@login_required
@handle_domain_errors
def benchmark_csv(request):
    """The numbers behind the chart for the uploaded file and chosen municipality."""
    require_benchmark_access(request.user)
    text = request.session.get(SESSION_KEY)
    if not text:
        messages.error(request, "Ladda upp en fil först.")
        return redirect("statistics:benchmark")
    code = request.GET.get("kommun") or _unit_municipality(request.user)
    try:
        result = run_benchmark(text, code)
    except BenchmarkError as error:
        messages.error(request, error.message)
        return redirect("statistics:benchmark")
    return _csv_response(observations_csv(result), f"jamforelse-{result.focus_code}.csv")


@login_required
@handle_domain_errors
def benchmark_template(request):
    """An input file to fill in: every municipality, the columns the model reads."""
    require_benchmark_access(request.user)
    return _csv_response(template_csv(), "jamforelse-mall.csv")


def _csv_response(content: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _unit_municipality(user) -> str:
    unit = getattr(user, "unit", None)
    return unit.municipality_code if unit else ""


def _page(request, code: str, *, result=None, error=None, status: int = 200):
    reference = load_reference()
    municipalities = sorted(reference.names.items(), key=lambda item: item[1])
    context = {
        "municipalities": municipalities,
        "selected_code": (code or "").strip().zfill(4) if code else "",
        "has_upload": bool(request.session.get(SESSION_KEY)),
        "error": error,
        "result": result,
        "reference_description": reference.descriptions,
    }
    if result is not None:
        context.update(_result_context(result))
    return render(request, "statistics/benchmark.html", context, status=status)


def _result_context(result: BenchmarkResult) -> dict:
    fit = result.fit
    highlight = result.focus.name if result.focus else None
    ranked = result.ranked
    scatter = scatter_chart(
        [(o.name, o.expected, o.actual) for o in result.observations],
        title="Faktisk och förväntad kostnad per invånare 18–64 år",
        description=(
            "Varje punkt är en kommun. Punkter ovanför den streckade linjen har högre kostnad "
            "än modellen förväntar."
        ),
        x_label="Förväntad kostnad (kr)",
        y_label="Faktisk kostnad (kr)",
        highlight=highlight,
        diagonal=True,
    )
    bars = bar_chart(
        [o.name for o in ranked],
        {"Avvikelse från förväntad kostnad (kr)": [o.residual for o in ranked]},
        title="Avvikelse från förväntad kostnad, kommunerna i rangordning",
        description="Staplar under noll: lägre kostnad än förväntat.",
        y_label="kr per invånare 18–64 år",
        highlight=highlight,
    )
    coefficients = [
        {
            "label": LABELS.get(c.name, c.name),
            "source": SOURCE_LABELS.get(result.sources.get(c.name, ""), ""),
            "estimate": format_number(c.estimate, 1),
            "std_error": format_number(c.std_error, 1),
            "t_value": format_number(c.t_value, 2),
            "p_value": _p_value(c.p_value),
        }
        for c in fit.coefficients
    ]
    rows = [
        {
            "code": o.code,
            "name": o.name,
            "actual": format_number(o.actual),
            "expected": format_number(o.expected),
            "residual": _signed(o.residual, 0),
            "deviation": _signed(o.deviation_percent, 1),
            "rank": o.rank,
            "cost_rank": o.cost_rank,
            "is_focus": o.code == result.focus_code,
        }
        for o in ranked
    ]
    focus = result.focus
    return {
        "scatter_chart": scatter,
        "bar_chart": bars,
        "coefficients": coefficients,
        "rows": rows,
        "excluded": [
            {"code": e.code, "name": e.name, "missing": ", ".join(_short(v) for v in e.missing)}
            for e in result.excluded
        ],
        "fit_facts": {
            "n": fit.n,
            "r_squared": format_number(fit.r_squared, 3),
            "adjusted_r_squared": format_number(fit.adjusted_r_squared, 3),
            "residual_std_error": format_number(fit.residual_std_error),
            "excluded": len(result.excluded),
        },
        "focus_facts": focus
        and {
            "actual": format_number(focus.actual),
            "expected": format_number(focus.expected),
            "residual": _signed(focus.residual, 0),
            "deviation": _signed(focus.deviation_percent, 1),
            "rank": focus.rank,
            "cost_rank": focus.cost_rank,
            "above": focus.residual > 0,
        },
    }


def _short(variable: str) -> str:
    return LABELS[variable].rsplit(" (", 1)[0].lower()


def _signed(value: float | None, decimals: int) -> str:
    if value is None:
        return "–"
    text = format_number(value, decimals)
    return text if text.startswith("-") or text.strip("0,") == "" else "+" + text


def _p_value(value: float | None) -> str:
    if value is None:
        return "–"
    return "< 0,001" if value < 0.001 else format_number(value, 3)
