"""Line chart: one or more series over time, with an optional target line."""

from __future__ import annotations

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
    table_cell,
    tick_formatter,
    tick_width,
    value_formatter,
    x_axis,
    y_grid,
)
from metrics.charts._core import (
    FONT_SIZE,
    INK,
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
    nice_ticks,
    num,
    series_sentence,
    svg_open,
    text,
    text_width,
)


def line_chart(
    *,
    title: str,
    series: list[Series],
    x_labels: list[XLabel],
    y_label: str = "",
    y_format: Formatter | None = None,
    height: int = 260,
    target: float | None = None,
    chart_id: str | None = None,
    total: bool = True,
) -> SafeString:
    """One or more lines over the periods in ``x_labels``; ``target`` adds a labelled dashed reference line.

    ``total=False`` leaves the sum out of the summary sentence, for rates and averages where it means nothing.
    """
    chart_id = make_id(title, chart_id)
    check_lengths(x_labels, series)
    values = [v for one in series for v in one.values if v is not None]
    if not values:
        return empty_figure(chart_id, title)
    fmt = value_formatter(y_format)
    ticks = nice_ticks(
        min(values + ([target] if target is not None else [])),
        max(values + ([target] if target is not None else [])),
        integers=all_integers(values) and y_format is None,
    )
    tick_fmt = tick_formatter(ticks, y_format)
    left = tick_width(ticks, tick_fmt) + 12 + (22 if y_label else 0)
    items = [(line_swatch(i, colour(one, i)), one.label) for i, one in enumerate(series)]
    legend_svg, top = layout_top(items, left, WIDTH - 16)
    frame = Frame(left, WIDTH - 16, top, height - 28, ticks, len(x_labels))
    body = [legend_svg, y_grid(frame, tick_fmt), x_axis(frame, x_labels), axis_title(y_label, 14, frame, -90)]
    if target is not None:
        body.append(
            f'<line class="target" x1="{num(frame.left)}" x2="{num(frame.right)}" y1="{num(frame.y(target))}" '
            f'y2="{num(frame.y(target))}" stroke="{INK}" stroke-width="1.5" stroke-dasharray="6 4"/>'
        )
    body.extend(draw_line(frame, one, i, x_labels, fmt) for i, one in enumerate(series))
    if target is not None:
        body.append(target_label(frame, series, gettext("Target: %(value)s") % {"value": fmt(target)}, target))
    description = series_sentence(series, x_labels, [fmt] * len(series), total)
    if target is not None:
        description = description[:-1] + "; " + gettext("target %(value)s") % {"value": fmt(target)} + "."
    table = data_table(
        title,
        [period_header(x_labels)] + [one.label for one in series],
        [[long_label(x)] + [table_cell(fmt, one.values[i]) for one in series] for i, x in enumerate(x_labels)],
    )
    return figure(chart_id, title, description, "".join(body), svg_open(chart_id, height, " chart-line"), table)


def target_label(frame: Frame, series: Sequence[Series], label: str, target: float) -> str:
    """Put the target's label in the corner (right/left, above/below the line) that no data point falls into."""
    width, y_line = text_width(label, FONT_SIZE) + 8, frame.y(target)
    points = [(frame.x(i), frame.y(v)) for one in series for i, v in enumerate(one.values) if v is not None]
    candidates = [
        (frame.right - width, y_line - 19),
        (frame.left, y_line - 19),
        (frame.right - width, y_line + 3),
        (frame.left, y_line + 3),
    ]

    def clear(box: tuple[float, float]) -> bool:
        x, y = box
        return y >= frame.top - 4 and not any(
            x - 6 <= px <= x + width + 6 and y - 6 <= py <= y + 22 for px, py in points
        )

    x, y = next((box for box in candidates if clear(box)), candidates[0])
    # The translucent backing keeps the label legible if no corner is free of data.
    return (
        f'<g class="target-label"><rect x="{num(x)}" y="{num(y)}" width="{num(width)}" height="16" fill="#ffffff" '
        f'fill-opacity="0.8" rx="2"/>'
        + text(x + 4, y + 12.5, label, size=FONT_SIZE, fill=INK, font_weight="600")
        + "</g>"
    )
