"""The SVG charts: accessible markup, words and numbers computed from the data, and a PDF WeasyPrint can render."""

import datetime
import math
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from metrics.charts import (
    PALETTE,
    Series,
    bar_chart,
    dual_axis_chart,
    line_chart,
    nice_ticks,
    sparkline,
    stacked_bar_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
NOV = [datetime.date(2026, 11, 1) + datetime.timedelta(days=d) for d in range(5)]


def svg_of(html: str) -> ET.Element:
    """Parse just the SVG part: it must be well-formed XML on its own."""
    return ET.fromstring(re.search(r"<svg\b.*</svg>", str(html), re.S).group(0))


def rows_of(html: str) -> list[list[str]]:
    table = ET.fromstring(re.search(r"<table\b.*</table>", str(html), re.S).group(0))
    return [["".join(cell.itertext()) for cell in row] for row in table.iter("tr")]


def texts(element: ET.Element, css_class: str) -> list[str]:
    """Text of the <text> nodes (axis titles aside) inside groups whose class contains ``css_class``."""
    found = []
    for group in element.iter(f"{SVG}g"):
        if css_class in group.get("class", "").split():
            found += ["".join(t.itertext()) for t in group.iter(f"{SVG}text") if t.get("class") != "axis-label"]
    return found


def mentions(**kwargs):
    return line_chart(
        title="Mentions per day", series=[Series("Mentions", [3, 42, 10, None, 7])], x_labels=NOV, **kwargs
    )


def test_it_labels_the_svg_with_its_title_and_description():
    with translation.override("en"):
        html = mentions(chart_id="mentions")
    svg = svg_of(html)
    assert svg.get("role") == "img"
    assert svg.get("width") == "100%"
    assert svg.get("aria-labelledby") == "mentions-title mentions-desc"
    assert svg.find(f"{SVG}title").get("id") == "mentions-title"
    assert svg.find(f"{SVG}title").text == "Mentions per day"
    assert svg.find(f"{SVG}desc").get("id") == "mentions-desc"
    figure = ET.fromstring(str(html))  # the whole figure is well-formed too
    assert figure.tag == "figure"
    assert figure.find("figcaption").text == "Mentions per day"
    assert figure.find("details/summary").text == "Show the data"
    assert figure.find("details/table/caption").text == "Mentions per day"


def test_it_summarises_the_series_in_words():
    with translation.override("en"):
        desc = svg_of(mentions()).find(f"{SVG}desc").text
    assert desc == "Mentions from 1 Nov to 5 Nov 2026: highest 42 on 2 Nov, lowest 3 on 1 Nov, total 62."


def test_the_summary_names_every_series_and_the_target():
    with translation.override("en"):
        html = line_chart(
            title="Posts",
            series=[Series("Own", [1, 5]), Series("Replies", [4, 2])],
            x_labels=["Week 1", "Week 2"],
            target=6,
            total=False,
        )
    desc = svg_of(html).find(f"{SVG}desc").text
    assert desc == (
        "Own from Week 1 to Week 2: highest 5 in Week 2, lowest 1 in Week 1; "
        "Replies: highest 4 in Week 1, lowest 2 in Week 2; target 6."
    )
    assert texts(svg_of(html), "legend") == ["Own", "Replies"]
    assert "6" in "".join(texts(svg_of(html), "target-label"))


@pytest.mark.parametrize(
    ("language", "number", "day"),
    [("es", "1.234,5", "02/11/2026"), ("en", "1,234.5", "11/02/2026")],
)
def test_the_data_table_has_one_localised_row_per_x_label(language, number, day):
    with translation.override(language):
        html = line_chart(title="Reach", series=[Series("Reach", [10, 1234.5, 3, 4, 5])], x_labels=NOV)
        desc = svg_of(html).find(f"{SVG}desc").text
    rows = rows_of(html)
    assert len(rows) == 1 + len(NOV)  # header + one per day
    assert rows[2] == [day, number]
    assert number in desc
    table = ET.fromstring(re.search(r"<table\b.*</table>", str(html), re.S).group(0))
    assert [th.get("scope") for th in table.find("thead/tr")] == ["col", "col"]


def test_none_values_leave_gaps():
    with translation.override("en"):
        html = line_chart(title="Gaps", series=[Series("Posts", [1, 2, None, 4, 5])], x_labels=NOV)
    assert rows_of(html)[3] == ["11/03/2026", "—"]
    series = next(g for g in svg_of(html).iter(f"{SVG}g") if "series-0" in g.get("class", ""))
    assert len(series.findall(f"{SVG}path")) == 2  # the line is broken into two segments


@pytest.mark.parametrize(("low", "high"), [(0, 42), (0, 7), (0, 0.37), (0, 1234.5), (-15, 80), (0, 999), (5, 5)])
def test_axis_ticks_are_round_and_cover_the_range(low, high):
    ticks = nice_ticks(low, high)
    step = ticks[1] - ticks[0]
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert round(mantissa, 6) in {1, 2, 2.5, 5}
    assert ticks[0] <= min(low, 0) and ticks[-1] >= high
    assert ticks[0] == 0 or low < 0  # the axis starts at zero unless there are negatives
    assert 3 <= len(ticks) <= 12


def test_the_y_axis_is_labelled_with_round_ticks_from_zero():
    with translation.override("en"):
        labels = texts(svg_of(mentions()), "axis-left")
    assert labels == ["0", "10", "20", "30", "40", "50"]


def test_integer_data_never_gets_fractional_ticks():
    assert nice_ticks(0, 3, integers=True) == [0, 1, 2, 3]


def test_x_labels_are_thinned_to_avoid_overlap():
    days = [datetime.date(2026, 1, 1) + datetime.timedelta(days=d) for d in range(90)]
    with translation.override("en"):
        html = line_chart(title="Quarter", series=[Series("Mentions", list(range(90)))], x_labels=days)
    shown = texts(svg_of(html), "axis-x")
    assert 3 <= len(shown) <= 15
    assert shown[0] == "1 Jan"
    assert len(rows_of(html)) == 91  # the table still has every day


def test_it_escapes_markup_in_labels():
    html = str(
        bar_chart(
            title="<script>alert(1)</script> top",
            categories=["#ok", "<script>x</script>"],
            values=[3, 2],
            value_label='"quoted"',
        )
    )
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    svg_of(html)  # and still well-formed


def test_the_bar_chart_prints_values_and_summarises_the_ranking():
    with translation.override("en"):
        html = bar_chart(title="Top hashtags", categories=["#a", "#b", "#c"], values=[1234.5, 80, None])
    svg = svg_of(html)
    assert texts(svg, "axis-x")[0] == "0"
    values = ["".join(t.itertext()) for t in svg.iter(f"{SVG}text") if t.get("class") == "value"]
    assert values == ["1,234.5", "80"]
    assert (
        svg.find(f"{SVG}desc").text
        == "Top hashtags (2 items): highest #a with 1,234.5, lowest #b with 80, total 1,314.5."
    )
    assert rows_of(html)[1:] == [["#a", "1,234.5"], ["#b", "80"], ["#c", "—"]]


def test_the_stacked_chart_totals_each_period():
    with translation.override("en"):
        html = stacked_bar_chart(
            title="By platform",
            x_labels=NOV[:3],
            series=[Series("Mastodon", [5, 1, None]), Series("Bluesky", [2, 3, 4])],
        )
    svg = svg_of(html)
    assert len([r for r in svg.iter(f"{SVG}rect") if "segment" in r.get("class", "")]) == 5
    assert rows_of(html)[0] == ["Date", "Mastodon", "Bluesky", "Total"]
    assert rows_of(html)[3] == ["11/03/2026", "—", "4", "4"]
    assert svg.find(f"{SVG}desc").text == (
        "By platform from 1 Nov to 3 Nov 2026: highest 7 on 1 Nov, lowest 4 on 2 Nov, total 15; "
        "by series: Mastodon 6, Bluesky 9."
    )
    assert texts(svg, "legend") == ["Mastodon", "Bluesky"]


def test_the_dual_axis_chart_has_two_labelled_axes():
    with translation.override("en"):
        html = dual_axis_chart(
            title="Mentions vs visits",
            left=Series("Mentions", [120, 140, 260]),
            right=Series("Library visits", [10500, 12800, 15020]),
            x_labels=["Jan", "Feb", "Mar"],
        )
    svg = svg_of(html)
    axis_titles = ["".join(t.itertext()) for t in svg.iter(f"{SVG}text") if t.get("class") == "axis-label"]
    assert sorted(axis_titles) == ["Library visits", "Mentions"]
    left, right = texts(svg, "axis-left"), texts(svg, "axis-right")
    assert len(left) == len(right)  # both axes share the gridlines
    assert left[0] == right[0] == "0"
    assert float(right[-1].replace(",", "")) >= 15020
    assert float(left[-1].replace(",", "")) >= 260
    assert texts(svg, "legend") == ["Mentions (left axis)", "Library visits (right axis)"]


def test_the_sparkline_describes_the_change():
    with translation.override("en"):
        up = ET.fromstring(str(sparkline(values=[10, 12, None, 15], label="Mentions")))
        down = ET.fromstring(str(sparkline(values=[2000, 1500], label="Followers")))
        empty = ET.fromstring(str(sparkline(values=[None], label="Posts")))
    assert up.get("role") == "img"
    assert (up.get("width"), up.get("height")) == ("120", "32")
    assert up.get("aria-label") == "Mentions: from 10 to 15, up 5 (+50%)"
    assert down.get("aria-label") == "Followers: from 2,000 to 1,500, down 500 (−25%)"
    assert empty.get("aria-label") == "Posts: no data"
    assert len(up.findall(f"{SVG}path")) == 1  # 10→12; the lone 15 after the gap is a dot
    assert len(up.findall(f"{SVG}circle")) == 2  # the lone point and the highlighted latest value


def test_empty_data_says_so_without_an_svg():
    with translation.override("en"):
        html = str(line_chart(title="Quiet month", series=[Series("Mentions", [None, None])], x_labels=NOV[:2]))
    assert "No data for this period." in html
    assert "<svg" not in html
    assert ET.fromstring(html).find("figcaption").text == "Quiet month"


def test_chart_ids_are_unique_when_titles_repeat():
    first, second = mentions(), mentions()
    assert svg_of(first).find(f"{SVG}title").get("id") != svg_of(second).find(f"{SVG}title").get("id")
    assert svg_of(first).find(f"{SVG}title").get("id").startswith("chart-mentions-per-day-")


def test_it_rejects_series_that_do_not_match_the_x_labels():
    with pytest.raises(ValueError, match="Mentions"):
        line_chart(title="Bad", series=[Series("Mentions", [1, 2])], x_labels=NOV)


def test_the_palette_has_enough_contrast_against_white():
    def luminance(hex_colour):
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for colour in PALETTE:
        assert 1.05 / (luminance(colour) + 0.05) >= 3, colour


def test_weasyprint_renders_a_page_with_two_charts_to_pdf():
    from weasyprint import HTML

    with translation.override("es"):
        page = (
            f'<html><body style="font-family: sans-serif">'
            f"{mentions(target=30)}"
            f"{stacked_bar_chart(title='Por plataforma', x_labels=NOV, series=[Series('A', [1, 2, 3, 4, 5]), Series('B', [5, 4, None, 2, 1])])}"
            f"<p>{sparkline(values=[1, 3, 2], label='Posts')}</p></body></html>"
        )
    pdf = HTML(string=page).write_pdf()
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 1024
