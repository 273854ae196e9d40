"""charts.py: valid, accessible SVG with Swedish number formatting."""

import xml.etree.ElementTree as ET

import pytest
from django.template import Context, Template

from bistand.statistics.charts import Svg, bar_chart, format_number, line_chart, scatter_chart

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(svg):
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def texts(root):
    return [element.text for element in root.iter("{http://www.w3.org/2000/svg}text")]


def test_swedish_number_format():
    assert format_number(1234567.891, 2) == "1\u00a0234\u00a0567,89"
    assert format_number(-1500) == "-1\u00a0500"
    assert format_number(0.5, 1) == "0,5"
    assert format_number(-0.01, 1) == "0,0"
    assert format_number(None) == "–"


def test_bar_chart_is_valid_accessible_svg():
    svg = bar_chart(
        ["jan", "feb", "mar"],
        {"Hushåll": [1200, 15000, None], "Barn": [300, -40, 10]},
        title="Hushåll & barn <per månad>",
        description="Antal per månad.",
        y_label="antal",
    )
    root = parse(svg)
    title = root.find("svg:title", NS)
    desc = root.find("svg:desc", NS)
    assert title.text == "Hushåll & barn <per månad>"
    assert desc.text.startswith("Antal per månad.")
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "15\u00a0000" in texts(root)  # a y tick in Swedish format
    assert len(root.findall("svg:rect", NS)) >= 5  # background, bars, legend keys
    assert "Barn, feb: -40" in [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]


def test_bar_chart_highlights_one_category_and_names_it_among_many():
    labels = [f"Kommun {i}" for i in range(100)]
    svg = bar_chart(
        labels, {"Avvikelse": [i - 50 for i in range(100)]}, title="T", highlight="Kommun 42"
    )
    root = parse(svg)
    assert 'fill="#b3261e"' in svg
    assert "Kommun 42" in texts(root)
    assert "Kommun 41" not in texts(root)


def test_line_chart_breaks_the_line_at_missing_months():
    months = ["jan 2025", "feb 2025", "mar 2025", "apr 2025", "maj 2025"]
    svg = line_chart(
        months,
        {"Hushåll": [10, 12, None, 14, 15], "Utbetalt (tkr)": [1.5, 2.5, 3.5, 4.5, 5.5]},
        title="Hushåll per månad",
        decimals=1,
    )
    root = parse(svg)
    assert len(root.findall("svg:polyline", NS)) == 3  # two pieces + one unbroken series
    assert "jan 2025" in texts(root)
    assert "Utbetalt (tkr)" in texts(root)  # legend for more than one series


def test_scatter_chart_highlights_and_labels_our_point():
    points = [("Lund", 3100.4, 2901.0), ("Malmö", 6000, 7000), ("Vellinge", 900, 800)]
    svg = scatter_chart(
        points,
        title="Faktisk och förväntad kostnad",
        x_label="Förväntad",
        y_label="Faktisk",
        highlight="Lund",
        diagonal=True,
    )
    root = parse(svg)
    circles = root.findall("svg:circle", NS)
    assert len(circles) == 3
    assert circles[-1].get("fill") == "#b3261e"  # drawn last, on top
    assert "Lund" in texts(root)
    desc = root.find("svg:desc", NS).text
    assert "Markerad: Lund med Förväntad 3\u00a0100 och Faktisk 2\u00a0901." in desc


def test_series_must_match_the_labels():
    with pytest.raises(ValueError):
        bar_chart(["a", "b"], {"x": [1]}, title="T")


def test_empty_and_flat_data_still_draw():
    parse(bar_chart([], {"x": []}, title="Tomt"))
    parse(line_chart(["a", "b"], {"x": [5, 5]}, title="Platt"))
    parse(scatter_chart([], title="Inga punkter"))


def test_templates_insert_charts_unescaped():
    svg = bar_chart(["a"], {"x": [1]}, title="T")
    assert isinstance(svg, Svg)
    rendered = Template("{{ chart }}").render(Context({"chart": svg}))
    assert rendered.startswith("<svg")
