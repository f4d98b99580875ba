"""The chart specs (core.charts), their descriptions (core.chart_text) and the renderer (reports.charts)."""

from __future__ import annotations

import re

import pytest

from kommunkvalitet.core import chart_text
from kommunkvalitet.core.charts import (
    BAND_COLOURS,
    HIGHLIGHT,
    BandLimits,
    BarRow,
    SeriesLine,
    ValueFormat,
    band_limits,
    bar_spec,
    order_rows,
    series_spec,
    sparkline_spec,
)

DAYS = ValueFormat("days", 0)
ROWS = [
    BarRow("0001", "Alfa", 30.0, 4, "worst"),
    BarRow("0002", "Beta", 10.0, 1, "best"),
    BarRow("0003", "Gamma", 20.0, 2, "middle"),
    BarRow("0004", "Delta", 20.0, 2, "middle"),
]


def test_rows_go_from_best_to_worst_and_the_band_limits_are_their_edges():
    ordered = order_rows(ROWS, "lower")
    assert [r.name for r in ordered] == ["Beta", "Delta", "Gamma", "Alfa"]  # ties by name
    assert band_limits(ordered) == BandLimits(best=10.0, worst=30.0)
    unranked = order_rows([BarRow("1", "A", 3.0, None, None), BarRow("2", "B", 1.0, None, None)], "none")
    assert [r.value for r in unranked] == [1.0, 3.0]


def test_the_bar_spec_draws_every_row_and_marks_the_chosen_one_the_mean_and_the_bands():
    rows = order_rows(ROWS, "lower")
    spec = bar_spec(rows, DAYS, highlight="0003", mean=20.0, axis_title="Kommuner")
    data = spec["data"]["values"]
    assert [(d["id"], d["value"]) for d in data] == [(r.id, r.value) for r in rows]
    assert [d["id"] for d in data if d["highlight"]] == ["0003"]
    colour = spec["layer"][0]["encoding"]["color"]
    assert colour["condition"]["value"] == HIGHLIGHT
    assert dict(zip(colour["scale"]["domain"], colour["scale"]["range"], strict=True)) == BAND_COLOURS
    labels = [layer for layer in spec["layer"] if layer.get("mark", {}).get("type") == "text"]
    assert [d["label"] for d in labels[0]["data"]["values"]] == ["25 % bästa", "50 % mellersta", "25 % sämsta"]
    assert labels[-1]["data"]["values"][0]["label"] == "Gamma: 20\xa0dagar"
    mean = next(layer for layer in spec["layer"] if "layer" in layer)
    assert mean["data"]["values"] == [{"mean": 20.0, "label": "Rikssnitt 20\xa0dagar"}]


def test_the_series_keeps_gaps_as_nulls_and_tells_lines_apart_by_more_than_colour():
    lines = [
        SeriesLine("municipality", "Örnsköldsvik", ((2019, 17.0), (2020, None), (2021, 18.0))),
        SeriesLine("national_mean", "Rikssnitt (ovägt medel)", ((2019, 15.0), (2020, 15.5), (2021, 16.0))),
    ]
    spec = series_spec(lines, DAYS)
    assert [d["value"] for d in spec["data"]["values"] if d["key"] == "municipality"] == [17.0, None, 18.0]
    line, points = spec["layer"]
    assert line["mark"]["invalid"] == "break-paths-show-path-domains"  # a gap is a gap
    assert line["encoding"]["strokeDash"]["scale"]["range"] == [[1, 0], [6, 3]]
    assert points["encoding"]["shape"]["scale"]["range"] == ["circle", "square"]
    assert line["encoding"]["x"]["scale"]["domain"] == ["2019", "2020", "2021"]


def test_descriptions_are_one_sentence_with_the_numbers_of_the_table():
    rows = order_rows(ROWS, "lower")
    text = chart_text.describe_bar(rows, DAYS, year=2022, direction="lower", mean=20.0, highlight="0001")
    assert text == ("Stapeldiagrammet visar de 4 kommuner som har ett värde för 2022, från bästa till sämsta; "
                    "Alfa (svart stapel) har 30\xa0dagar, plats 4 av 4, bland de 25 procent sämsta, och "
                    "rikssnittet är 20\xa0dagar.")  # fmt: skip
    assert text.count(".") == 1
    missing = chart_text.describe_bar(rows, DAYS, year=2022, direction="lower", mean=20.0, highlight="9999",
                                      highlight_name="Ale")  # fmt: skip
    assert "Ale saknar värde för 2022" in missing
    series = [SeriesLine("municipality", "Mark", ((2018, 10.0), (2019, None), (2020, None), (2021, 12.0))),
              SeriesLine("national_mean", "Rikssnitt", ((2018, 11.0), (2019, 11.0), (2020, 11.5), (2021, 12.5)))]  # fmt: skip
    assert chart_text.describe_series(series, DAYS) == (
        "Linjediagrammet visar 2018–2021: Mark från 10\xa0dagar (2018) till 12\xa0dagar (2021), rikssnittet från "
        "11\xa0dagar till 13\xa0dagar; uppgift saknas för 2019 och 2020, och där är linjen bruten."
    )
    assert chart_text.describe_sparkline([(2018, 10.0), (2019, 8.0), (2020, 12.0)], DAYS) == (
        "Utveckling 2018–2020: från 10\xa0dagar till 12\xa0dagar, lägst 8\xa0dagar (2019) och högst 12\xa0dagar (2020)."
    )
    assert chart_text._years([2015, 2016, 2017, 2019]) == "2015–2017 och 2019"
    # the area page is served in English too: the sparkline's caption follows it (numbers the English way)
    assert chart_text.describe_sparkline(
        [(2018, 10.0), (2019, None), (2020, 12.5)], ValueFormat("percent", 1), "en"
    ) == ("Trend 2018–2020: from 10.0% to 12.5%; no data for 2019.")
    assert chart_text._years([2015, 2016, 2017, 2019], "en") == "2015–2017 and 2019"


@pytest.mark.django_db
def test_the_svg_is_named_its_ids_are_prefixed_and_its_numbers_swedish():
    from kommunkvalitet.reports.charts import render_svg

    lines = [SeriesLine("municipality", "A", ((2020, 0.045), (2021, 0.052), (2022, 1234.5)))]
    svg = render_svg(series_spec(lines, ValueFormat("", 3)), name="Linjediagram: test", uid="t1")
    assert svg.startswith("<svg") and 'role="img" aria-label="Linjediagram: test"' in svg
    assert all(i.startswith("t1-") for i in re.findall(r'\bid="([^"]+)"', svg))
    ticks = re.findall(r">([-\d\xa0,.]+)</text>", svg)
    assert "1\xa0200" in ticks and not any("." in t for t in ticks)  # thousands with no-break space, no "."
    hidden = render_svg(sparkline_spec([(2020, 1.0), (2021, 2.0)]), name="", uid="t2")
    assert 'aria-hidden="true"' in hidden and "role=" not in hidden.split(">", 1)[0]


def test_ids_and_their_references_are_prefixed_so_that_charts_can_share_a_page():
    from kommunkvalitet.reports.charts import inline

    raw = ('<svg class="marks" width="10" height="10"><defs><clipPath id="clip1"/><clipPath id="clip10"/></defs>'
           '<g clip-path="url(#clip1)"/><g clip-path="url(#clip10)"/><use href="#clip1"/></svg>')  # fmt: skip
    out = inline(raw, name="Namn & mer", uid="c9", css="chart")
    assert 'id="c9-clip1"' in out and 'id="c9-clip10"' in out
    assert "url(#c9-clip1)" in out and "url(#c9-clip10)" in out and 'href="#c9-clip1"' in out
    assert out.startswith('<svg width="10" height="10" class="chart" role="img" aria-label="Namn &amp; mer"')


def test_the_compiled_vega_shortcut_draws_exactly_what_vega_lite_draws():
    import vl_convert

    from kommunkvalitet.reports.charts import VL_VERSION, _to_svg

    spec = sparkline_spec([(2015, 7.6), (2016, None), (2017, 17.0), (2018, 18.0)])
    assert _to_svg(spec) == vl_convert.vegalite_to_svg(spec, vl_version=VL_VERSION, format_locale="sv-SE")
    lines = [SeriesLine("municipality", "A", ((2020, 1.5), (2021, None), (2022, 2.5)))]
    spec = series_spec(lines, ValueFormat("percent", 1))
    assert _to_svg(spec) == vl_convert.vegalite_to_svg(spec, vl_version=VL_VERSION, format_locale="sv-SE")


@pytest.mark.parametrize(
    "points",
    [
        [(2015, 7.6), (2016, None), (2017, 17.0), (2018, 18.0), (2019, 12.5)],
        [(2018, 0.123), (2019, 0.456), (2020, 0.2)],
        [(2016, 1234.0), (2017, 98765.0)],
        [(2020, -3.2), (2021, 4.1), (2022, None), (2023, 0.0)],
        [(2021, 5.0), (2022, 5.0)],
        [(2022, 42.0)],
    ],
)
def test_a_sparkline_drawn_in_python_puts_its_dots_where_vega_puts_them(points):
    """The area page's sparklines are drawn by core.charts.sparkline_svg, not by vl-convert: the same
    scales (every dot within 0.01 px of Vega's) and the last dot larger."""
    from kommunkvalitet.core.charts import sparkline_svg
    from kommunkvalitet.reports.charts import _to_svg

    vega = _to_svg(sparkline_spec(points))
    theirs = [(float(x), float(y), r) for x, y, r in
              re.findall(r'translate\(([-\d.e]+),([-\d.e]+)\)" d="M([\d.]+),0A', vega)]  # fmt: skip
    ours_svg = sparkline_svg(points)
    ours = [(float(x), float(y), r) for x, y, r in re.findall(r'cx="([-\d.]+)" cy="([-\d.]+)" r="([\d.]+)"', ours_svg)]
    assert len(ours) == len(theirs) == sum(v is not None for _, v in points)
    for (x1, y1, r1), (x2, y2, r2) in zip(ours, theirs, strict=True):
        assert (x1, y1, r1) == (pytest.approx(x2, abs=0.01), pytest.approx(y2, abs=0.01), r2)
    assert ours_svg.count(' r="3"') == (points[-1][1] is not None)
    assert 'aria-hidden="true"' in ours_svg and "role=" not in ours_svg.split(">", 1)[0]
    runs = sum(1 for i, (_, v) in enumerate(points) if v is not None and (i == 0 or points[i - 1][1] is None))
    assert re.search(r'<path d="([^"]*)"', ours_svg)[1].count("M") == runs  # a gap breaks the line
