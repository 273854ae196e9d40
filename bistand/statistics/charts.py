"""Small server-side SVG charts for the dashboards: no JavaScript, no CDN, plain Python.

Every function returns an `Svg`: a `str` that Django templates (and markupsafe) treat as safe
HTML, so `{{ chart }}` needs no `|safe`. All text passed in is escaped. Each chart has a
visible title, axes with tick labels in Swedish number format, and `<title>`/`<desc>` for
screen readers (`role="img"`); every bar and point carries a `<title>` tooltip with its value.

    bar_chart(labels, series, *, title, description="", x_label="", y_label="",
              highlight=None, decimals=0, width=720, height=360) -> Svg
        labels: one category per bar (group); series: {"Series name": [value or None, ...]},
        one or more series drawn as grouped bars from zero (negative values go down).
        highlight: a label whose bars are drawn in the highlight colour and always named.
        More than 30 categories: only the highlighted label is written under the axis.
    line_chart(labels, series, *, title, description="", x_label="", y_label="",
               decimals=0, width=720, height=360) -> Svg
        labels: the x positions in order (e.g. months "jan 2025"); series as for bar_chart;
        None leaves a gap in the line. The y axis starts at zero unless values are negative.
    scatter_chart(points, *, title, description="", x_label="", y_label="",
                  highlight=None, diagonal=False, decimals=0, width=720, height=360) -> Svg
        points: (label, x, y) tuples; highlight: the label of the point drawn large and named;
        diagonal: the same scale on both axes and the line y = x (e.g. actual = expected).
    format_number(value, decimals=0) -> str
        Swedish format: "12 345,6" (no-break space between thousands, decimal comma).

`decimals` is for the values in tooltips and the description; tick labels use what the
tick step needs. Sizes are SVG user units; the SVG scales to the width of its container.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from html import escape

__all__ = ["Svg", "bar_chart", "format_number", "line_chart", "scatter_chart"]

PALETTE = ("#1f5f8b", "#e07b00", "#2e7d32", "#7b3fa0", "#5b6775", "#00838f")
HIGHLIGHT = "#b3261e"
MUTED = "#5b6775"
GRID = "#e3e8ee"
FONT = 'font-family="system-ui, sans-serif"'
THOUSANDS = "\u00a0"  # no-break space, as Django's Swedish locale
MAX_LABELLED_BARS = 30
MAX_LINE_LABELS = 12


class Svg(str):
    """SVG markup that templates insert unescaped (all text in it is already escaped)."""

    def __html__(self) -> str:
        return str(self)


def format_number(value: float | None, decimals: int = 0) -> str:
    """Swedish number format: 1234567.891 → '1 234 567,89' (decimals=2); None → '–'."""
    if value is None:
        return "–"
    if not isinstance(value, (int, float)):
        return str(value)  # a suppressed figure shows its own mark ("..")
    if not math.isfinite(value):
        return "–"
    text = f"{abs(value):,.{decimals}f}".replace(",", THOUSANDS).replace(".", ",")
    negative = value < 0 and any(c not in "0,\u00a0" for c in text)
    return ("-" if negative else "") + text


def bar_chart(
    labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    title: str,
    description: str = "",
    x_label: str = "",
    y_label: str = "",
    highlight: str | None = None,
    decimals: int = 0,
    width: int = 720,
    height: int = 360,
) -> Svg:
    series = _numbers(series)
    _check_series(labels, series)
    canvas = _Canvas(title, description, width, height, legend=len(series) > 1)
    values = [v for column in series.values() for v in column if v is not None]
    ticks = _nice_ticks(min([0.0, *values]), max([0.0, *values]))
    y_of = canvas.y_scale(ticks[0], ticks[-1])
    canvas.y_axis(ticks, y_of, y_label)
    count = max(len(labels), 1)
    group = canvas.plot_width / count
    bar = group * 0.8 / max(len(series), 1)
    zero = y_of(0.0)
    highlighted_bars: list[str] = []
    for index, label in enumerate(labels):
        left = canvas.left + index * group + group * 0.1
        for s, (name, column) in enumerate(series.items()):
            value = column[index]
            if value is None:
                continue
            top, bottom = sorted((y_of(value), zero))
            tooltip = f"{label}: {format_number(value, decimals)}"
            if len(series) > 1:
                tooltip = f"{name}, {tooltip}"
            x, bar_width, colour = left + s * bar, max(bar, 0.5), PALETTE[s % len(PALETTE)]
            if label == highlight:
                # At least 4 units wide and drawn last, so it shows among hundreds of bars.
                bar_width = max(bar, 4.0)
                x, colour = x + bar / 2 - bar_width / 2, HIGHLIGHT
            markup = (
                f'<rect x="{_n(x)}" y="{_n(top)}" width="{_n(bar_width)}" '
                f'height="{_n(max(bottom - top, 0.5))}" fill="{colour}">'
                f"<title>{escape(tooltip)}</title></rect>"
            )
            (highlighted_bars if label == highlight else canvas.parts).append(markup)
    canvas.parts.extend(highlighted_bars)
    shown = labels if len(labels) <= MAX_LABELLED_BARS else [h for h in [highlight] if h]
    for label in shown:
        if label in labels:
            centre = canvas.left + (list(labels).index(label) + 0.5) * group
            canvas.x_tick_label(centre, label, rotate=len(labels) > 8)
    canvas.x_axis_line(zero)
    canvas.x_axis_title(x_label)
    canvas.legend(list(series))
    summary = _summary_extremes(labels, series, decimals)
    return canvas.render(f"Stapeldiagram med {len(labels)} kategorier. {summary}")


def line_chart(
    labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    title: str,
    description: str = "",
    x_label: str = "",
    y_label: str = "",
    decimals: int = 0,
    width: int = 720,
    height: int = 360,
) -> Svg:
    series = _numbers(series)
    _check_series(labels, series)
    canvas = _Canvas(title, description, width, height, legend=len(series) > 1)
    values = [v for column in series.values() for v in column if v is not None]
    ticks = _nice_ticks(min([0.0, *values]), max([0.0, *values]))
    y_of = canvas.y_scale(ticks[0], ticks[-1])
    canvas.y_axis(ticks, y_of, y_label)
    step = canvas.plot_width / max(len(labels), 1)

    def x_of(index: int) -> float:
        return canvas.left + (index + 0.5) * step

    for s, (name, column) in enumerate(series.items()):
        colour = PALETTE[s % len(PALETTE)]
        segments: list[list[str]] = [[]]
        for index, value in enumerate(column):
            if value is None:
                segments.append([])
                continue
            segments[-1].append(f"{_n(x_of(index))},{_n(y_of(value))}")
        for segment in segments:
            if len(segment) > 1:
                canvas.add(
                    f'<polyline points="{" ".join(segment)}" fill="none" stroke="{colour}" '
                    'stroke-width="2" stroke-linejoin="round"/>'
                )
        for index, value in enumerate(column):
            if value is not None:
                tooltip = f"{name}, {labels[index]}: {format_number(value, decimals)}"
                canvas.add(
                    f'<circle cx="{_n(x_of(index))}" cy="{_n(y_of(value))}" r="3" '
                    f'fill="{colour}"><title>{escape(tooltip)}</title></circle>'
                )
    every = max(1, math.ceil(len(labels) / MAX_LINE_LABELS))
    for index, label in enumerate(labels):
        if index % every == 0 or index == len(labels) - 1:
            canvas.x_tick_label(x_of(index), label, rotate=every > 1 or len(labels) > 8)
    canvas.x_axis_line(y_of(ticks[0]))
    canvas.x_axis_title(x_label)
    canvas.legend(list(series))
    summary = _summary_extremes(labels, series, decimals)
    return canvas.render(f"Linjediagram över {len(labels)} punkter. {summary}")


def scatter_chart(
    points: Sequence[tuple[str, float, float]],
    *,
    title: str,
    description: str = "",
    x_label: str = "",
    y_label: str = "",
    highlight: str | None = None,
    diagonal: bool = False,
    decimals: int = 0,
    width: int = 720,
    height: int = 360,
) -> Svg:
    canvas = _Canvas(title, description, width, height, legend=False)
    xs = [float(p[1]) for p in points] or [0.0]
    ys = [float(p[2]) for p in points] or [0.0]
    if diagonal:
        x_ticks = y_ticks = _nice_ticks(*_padded(xs + ys))
    else:
        x_ticks, y_ticks = _nice_ticks(*_padded(xs)), _nice_ticks(*_padded(ys))
    y_of = canvas.y_scale(y_ticks[0], y_ticks[-1])
    x_of = canvas.x_scale(x_ticks[0], x_ticks[-1])
    canvas.y_axis(y_ticks, y_of, y_label)
    tick_decimals = _tick_decimals(x_ticks)
    for tick in x_ticks:
        canvas.add(
            f'<line x1="{_n(x_of(tick))}" x2="{_n(x_of(tick))}" y1="{canvas.top}" '
            f'y2="{_n(canvas.bottom)}" stroke="{GRID}"/>'
        )
        canvas.x_tick_label(x_of(tick), format_number(tick, tick_decimals), rotate=False)
    canvas.x_axis_line(canvas.bottom)
    canvas.x_axis_title(x_label)
    if diagonal:
        low, high = x_ticks[0], x_ticks[-1]
        canvas.add(
            f'<line x1="{_n(x_of(low))}" y1="{_n(y_of(low))}" x2="{_n(x_of(high))}" '
            f'y2="{_n(y_of(high))}" stroke="{MUTED}" stroke-dasharray="4 4"/>'
        )
    highlighted = [p for p in points if p[0] == highlight]
    for label, x, y in [p for p in points if p[0] != highlight] + highlighted:
        is_highlight = label == highlight
        tooltip = (
            f"{label}: {x_label or 'x'} {format_number(x, decimals)}, "
            f"{y_label or 'y'} {format_number(y, decimals)}"
        )
        style = (
            f'r="6" fill="{HIGHLIGHT}" stroke="#fff" stroke-width="1.5"'
            if is_highlight
            else f'r="3.5" fill="{PALETTE[0]}" fill-opacity="0.55"'
        )
        canvas.add(
            f'<circle cx="{_n(x_of(x))}" cy="{_n(y_of(y))}" {style}>'
            f"<title>{escape(tooltip)}</title></circle>"
        )
        if is_highlight:
            anchor = "end" if x_of(x) > canvas.left + canvas.plot_width * 0.75 else "start"
            dx = -9 if anchor == "end" else 9
            canvas.add(
                f'<text x="{_n(x_of(x) + dx)}" y="{_n(y_of(y) - 8)}" text-anchor="{anchor}" '
                f'font-size="13" font-weight="700" fill="{HIGHLIGHT}" stroke="#fff" '
                f'stroke-width="3" paint-order="stroke" {FONT}>'
                f"{escape(label)}</text>"
            )
    summary = f"Punktdiagram med {len(points)} punkter."
    if highlighted:
        _, x, y = highlighted[0]
        summary += (
            f" Markerad: {highlight} med {x_label or 'x'} {format_number(x, decimals)} och "
            f"{y_label or 'y'} {format_number(y, decimals)}."
        )
    if diagonal:
        summary += " Den streckade linjen visar där värdena på de båda axlarna är lika."
    return canvas.render(summary)


# --------------------------------------------------------------------- internals


class _Canvas:
    """Plot area, axes and the final <svg> element."""

    def __init__(self, title: str, description: str, width: int, height: int, legend: bool):
        self.title = title
        self.description = description
        self.width = width
        self.height = height
        self.left = 78.0
        self.right = width - 20.0
        self.top = 64.0 if legend else 44.0
        self.bottom = height - 74.0
        self.parts: list[str] = []
        self.legend_top = 34.0

    @property
    def plot_width(self) -> float:
        return self.right - self.left

    def add(self, markup: str) -> None:
        self.parts.append(markup)

    def y_scale(self, low: float, high: float):
        span = (high - low) or 1.0
        return lambda value: self.bottom - (value - low) / span * (self.bottom - self.top)

    def x_scale(self, low: float, high: float):
        span = (high - low) or 1.0
        return lambda value: self.left + (value - low) / span * self.plot_width

    def y_axis(self, ticks: list[float], y_of, y_label: str) -> None:
        decimals = _tick_decimals(ticks)
        for tick in ticks:
            y = _n(y_of(tick))
            self.add(
                f'<line x1="{_n(self.left)}" x2="{_n(self.right)}" y1="{y}" y2="{y}" '
                f'stroke="{GRID}"/>'
            )
            self.add(
                f'<text x="{_n(self.left - 6)}" y="{y}" dy="0.32em" text-anchor="end" '
                f'font-size="11" fill="{MUTED}" {FONT}>{escape(format_number(tick, decimals))}'
                "</text>"
            )
        self.add(
            f'<line x1="{_n(self.left)}" x2="{_n(self.left)}" y1="{_n(self.top)}" '
            f'y2="{_n(self.bottom)}" stroke="{MUTED}"/>'
        )
        if y_label:
            middle = (self.top + self.bottom) / 2
            self.add(
                f'<text x="14" y="{_n(middle)}" transform="rotate(-90 14 {_n(middle)})" '
                f'text-anchor="middle" font-size="12" fill="{MUTED}" {FONT}>{escape(y_label)}</text>'
            )

    def x_axis_line(self, y: float) -> None:
        self.add(
            f'<line x1="{_n(self.left)}" x2="{_n(self.right)}" y1="{_n(y)}" y2="{_n(y)}" '
            f'stroke="{MUTED}"/>'
        )

    def x_tick_label(self, x: float, label: str, *, rotate: bool) -> None:
        y = self.bottom + 16
        if rotate:
            text = label if len(label) <= 18 else label[:17] + "…"
            self.add(
                f'<text x="{_n(x)}" y="{_n(y)}" transform="rotate(-35 {_n(x)} {_n(y)})" '
                f'text-anchor="end" font-size="11" fill="{MUTED}" {FONT}>{escape(text)}</text>'
            )
        else:
            self.add(
                f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="middle" font-size="11" '
                f'fill="{MUTED}" {FONT}>{escape(label)}</text>'
            )

    def x_axis_title(self, x_label: str) -> None:
        if x_label:
            self.add(
                f'<text x="{_n((self.left + self.right) / 2)}" y="{_n(self.height - 8)}" '
                f'text-anchor="middle" font-size="12" fill="{MUTED}" {FONT}>{escape(x_label)}'
                "</text>"
            )

    def legend(self, names: list[str]) -> None:
        if len(names) < 2:
            return
        x = self.left
        for s, name in enumerate(names):
            self.add(
                f'<rect x="{_n(x)}" y="{_n(self.legend_top)}" width="12" height="12" '
                f'fill="{PALETTE[s % len(PALETTE)]}"/>'
                f'<text x="{_n(x + 16)}" y="{_n(self.legend_top + 10)}" font-size="12" '
                f'fill="#1d2733" {FONT}>{escape(name)}</text>'
            )
            x += 28 + 7 * len(name)

    def render(self, summary: str) -> Svg:
        chart_id = (
            "chart-"
            + hashlib.sha1(
                "\n".join([self.title, self.description, *self.parts]).encode()
            ).hexdigest()[:10]
        )
        description = " ".join(part for part in (self.description, summary) if part)
        return Svg(
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.width} {self.height}" '
            f'width="{self.width}" height="{self.height}" role="img" class="chart" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
            f'<title id="{chart_id}-title">{escape(self.title)}</title>'
            f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
            f'<rect width="{self.width}" height="{self.height}" fill="#fff"/>'
            f'<text x="{_n(self.left)}" y="22" font-size="15" font-weight="700" fill="#1d2733" '
            f"{FONT}>{escape(self.title)}</text>" + "".join(self.parts) + "</svg>"
        )


def _numbers(series: Mapping[str, Sequence]) -> dict[str, list[float | None]]:
    """Anything that is not a number (None, a suppressed figure) leaves a gap."""
    return {
        name: [
            float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None
            for v in column
        ]
        for name, column in series.items()
    }


def _check_series(labels: Sequence[str], series: Mapping[str, Sequence[float | None]]) -> None:
    for name, column in series.items():
        if len(column) != len(labels):
            raise ValueError(
                f"series {name!r} has {len(column)} values but there are {len(labels)} labels"
            )


def _nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (steps of 1, 2, 2.5 or 5 × 10^k) covering [low, high]."""
    if not (math.isfinite(low) and math.isfinite(high)):
        low, high = 0.0, 1.0
    if high == low:
        high, low = (high + 1, low - 1) if low else (1.0, 0.0)
    raw_step = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw_step)
    start = math.floor(low / step + 1e-9) * step
    end = math.ceil(high / step - 1e-9) * step
    steps = round((end - start) / step)
    return [round(start + i * step, 10) for i in range(steps + 1)]


def _padded(values: list[float]) -> tuple[float, float]:
    """The range of `values` widened by 4 % each side, so no point sits on an axis."""
    low, high = min(values), max(values)
    margin = (high - low) * 0.04
    return low - margin, high + margin


def _tick_decimals(ticks: list[float]) -> int:
    for decimals in range(0, 7):
        if all(abs(t * 10**decimals - round(t * 10**decimals)) < 1e-6 for t in ticks):
            return decimals
    return 6


def _summary_extremes(
    labels: Sequence[str], series: Mapping[str, Sequence[float | None]], decimals: int
) -> str:
    sentences = []
    for name, column in series.items():
        present = [(v, labels[i]) for i, v in enumerate(column) if v is not None]
        if not present:
            continue
        high = max(present, key=lambda item: item[0])
        low = min(present, key=lambda item: item[0])
        prefix = f"{name}: " if len(series) > 1 else ""
        sentences.append(
            f"{prefix}högst {high[1]} ({format_number(high[0], decimals)}), "
            f"lägst {low[1]} ({format_number(low[0], decimals)})."
        )
    return " ".join(sentences)


def _n(value: float) -> str:
    """A coordinate with at most one decimal."""
    return f"{value:.1f}".rstrip("0").rstrip(".")
