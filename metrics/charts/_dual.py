"""Two series with different units on two y-axes (a social metric against an institutional KPI)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.safestring import SafeString
from django.utils.translation import gettext

from metrics.charts._cartesian import (
    Frame,
    axis_title,
    check_lengths,
    draw_line,
    layout_top,
    line_swatch,
    period_header,
    right_ticks,
    table_cell,
    tick_formatter,
    tick_width,
    value_formatter,
    x_axis,
    y_grid,
)
from metrics.charts._core import (
    WIDTH,
    Formatter,
    Series,
    XLabel,
    all_integers,
    colour,
    data_table,
    empty_figure,
    figure,
    long_label,
    make_id,
    nice_step,
    series_sentence,
    svg_open,
)


def _ticks_with(values: Sequence[float], intervals: int, integers: bool) -> list[float]:
    """Round ticks with exactly ``intervals`` steps that still reach the maximum."""
    low, high = min(min(values), 0.0), max(max(values), 0.0)
    if high == low:
        high = low + 1
    step = nice_step(high - low, intervals, integers)
    while True:
        start = math.floor(low / step) * step
        if start + step * intervals >= high:
            return [round(start + i * step, 10) for i in range(intervals + 1)]
        # Not enough room from the rounded-down start: move to the next round step.
        step = nice_step(step * 1.001 * intervals, intervals, integers)


def _paired_ticks(left: Sequence[float], right: Sequence[float], integers: tuple[bool, bool]):
    """Ticks for both axes with the same number of intervals, so one set of gridlines serves both.

    The count (3–7) is chosen to waste the least empty space above the two maxima; otherwise one of the lines
    tends to be squashed into the bottom half of the plot.
    """

    def waste(values: Sequence[float], ticks: Sequence[float]) -> float:
        return 1 - (max(max(values), 0) - min(min(values), 0)) / (ticks[-1] - ticks[0])

    best = None
    for intervals in range(3, 8):
        pair = _ticks_with(left, intervals, integers[0]), _ticks_with(right, intervals, integers[1])
        score = waste(left, pair[0]) + waste(right, pair[1])
        if best is None or score < best[0] - 0.02:
            best = (score, pair)
    return best[1]


def dual_axis_chart(
    *,
    title: str,
    left: Series,
    right: Series,
    x_labels: list[XLabel],
    left_format: Formatter | None = None,
    right_format: Formatter | None = None,
    height: int = 260,
    chart_id: str | None = None,
    total: bool = True,
) -> SafeString:
    """Two series with different units on two y-axes (e.g. mentions vs. library visits). Each axis is titled with
    its series' label and swatch, and the legend says which axis each line belongs to."""
    chart_id = make_id(title, chart_id)
    check_lengths(x_labels, [left, right])
    left_values = [v for v in left.values if v is not None]
    right_values = [v for v in right.values if v is not None]
    if not left_values and not right_values:
        return empty_figure(chart_id, title)
    left_values, right_values = left_values or [0], right_values or [0]
    left_fmt, right_fmt = value_formatter(left_format), value_formatter(right_format)
    ticks, r_ticks = _paired_ticks(
        left_values,
        right_values,
        (all_integers(left_values) and not left_format, all_integers(right_values) and not right_format),
    )
    l_tick_fmt, r_tick_fmt = tick_formatter(ticks, left_format), tick_formatter(r_ticks, right_format)
    plot_left = tick_width(ticks, l_tick_fmt) + 12 + 24
    plot_right = WIDTH - tick_width(r_ticks, r_tick_fmt) - 12 - 24
    swatches = [line_swatch(0, colour(left, 0)), line_swatch(1, colour(right, 1))]
    items = [
        (swatches[0], gettext("%(label)s (left axis)") % {"label": left.label}),
        (swatches[1], gettext("%(label)s (right axis)") % {"label": right.label}),
    ]
    legend_svg, top = layout_top(items, plot_left, plot_right)
    frame = Frame(plot_left, plot_right, top, height - 28, ticks, len(x_labels))
    body = [
        legend_svg,
        y_grid(frame, l_tick_fmt),
        '<g class="axis axis-right">'
        + right_ticks(frame, r_ticks, r_tick_fmt)
        + axis_title(right.label, WIDTH - 12, frame, 90, swatches[1])
        + "</g>",
        '<g class="axis axis-left-title">' + axis_title(left.label, 14, frame, -90, swatches[0]) + "</g>",
        x_axis(frame, x_labels),
        draw_line(frame, left, 0, x_labels, left_fmt),
        draw_line(frame, right, 1, x_labels, right_fmt, r_ticks),
    ]
    description = series_sentence([left, right], x_labels, [left_fmt, right_fmt], total)
    table = data_table(
        title,
        [period_header(x_labels), left.label, right.label],
        [
            [long_label(x), table_cell(left_fmt, left.values[i]), table_cell(right_fmt, right.values[i])]
            for i, x in enumerate(x_labels)
        ],
    )
    return figure(chart_id, title, description, "".join(body), svg_open(chart_id, height, " chart-dual"), table)
