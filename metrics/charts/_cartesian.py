"""The frame shared by charts over a sequence of periods: y scale, gridlines, x labels, lines and legends."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.translation import gettext

from metrics.charts._core import (
    AXIS,
    DASHES,
    FONT_SIZE,
    GRID,
    INK,
    MARKERS,
    SMALL,
    Formatter,
    Series,
    XLabel,
    colour,
    format_number,
    is_dates,
    legend,
    marker,
    num,
    short_label,
    text,
    text_width,
    thin_step,
    tick_decimals,
)

# Above this many points the markers merge into a thick line; dash patterns still tell the series apart.
MAX_MARKERS = 45


@dataclass
class Frame:
    """The plot area in viewBox units plus the y scale."""

    left: float
    right: float
    top: float
    bottom: float
    ticks: list[float]
    count: int  # number of x slots

    @property
    def slot(self) -> float:
        return (self.right - self.left) / max(self.count, 1)

    def x(self, index: int) -> float:
        # Band layout: points sit in the middle of their slot, so first/last labels never hang off the edges.
        return self.left + self.slot * (index + 0.5)

    def y(self, value: float, ticks: Sequence[float] | None = None) -> float:
        ticks = ticks or self.ticks
        low, high = ticks[0], ticks[-1]
        return self.bottom - (value - low) / (high - low) * (self.bottom - self.top)


def check_lengths(x_labels: Sequence[XLabel], series: Sequence[Series]) -> None:
    for one in series:
        if len(one.values) != len(x_labels):
            raise ValueError(f"Series {one.label!r} has {len(one.values)} values for {len(x_labels)} x labels.")


def tick_formatter(ticks: Sequence[float], y_format: Formatter | None) -> Formatter:
    if y_format:
        return y_format
    decimals = tick_decimals(ticks)
    return lambda value: format_number(value, decimals)


def tick_width(ticks: Sequence[float], fmt: Formatter) -> float:
    return max(text_width(fmt(t), SMALL) for t in ticks)


def y_grid(frame: Frame, fmt: Formatter) -> str:
    """Light horizontal gridlines with tick labels on the left; the zero line is darker as the baseline."""
    parts = []
    for tick in frame.ticks:
        y = frame.y(tick)
        stroke = AXIS if tick == 0 else GRID
        parts.append(
            f'<line x1="{num(frame.left)}" x2="{num(frame.right)}" y1="{num(y)}" y2="{num(y)}" '
            f'stroke="{stroke}" stroke-width="1"/>'
        )
        parts.append(text(frame.left - 8, y + 4, fmt(tick), anchor="end"))
    return '<g class="grid axis axis-left">' + "".join(parts) + "</g>"


def right_ticks(frame: Frame, ticks: Sequence[float], fmt: Formatter) -> str:
    parts = [text(frame.right + 8, frame.y(t, ticks) + 4, fmt(t)) for t in ticks]
    return "".join(parts)


def x_axis(frame: Frame, x_labels: Sequence[XLabel]) -> str:
    labels = [short_label(x) for x in x_labels]
    step = thin_step(labels, frame.slot)
    parts = [
        text(frame.x(i), frame.bottom + 17, label, anchor="middle") for i, label in enumerate(labels) if i % step == 0
    ]
    return '<g class="axis axis-x">' + "".join(parts) + "</g>"


def axis_title(label: str, x: float, frame: Frame, rotate: int, swatch: str = "") -> str:
    """A rotated axis title centred on the plot height, optionally led by the series' line+marker swatch."""
    if not label:
        return ""
    middle = (frame.top + frame.bottom) / 2
    width = text_width(label, FONT_SIZE) + (30 if swatch else 0)
    start = -width / 2
    body = ""
    if swatch:
        body += f'<g transform="translate({num(start)},-4)">{swatch}</g>'
        start += 30
    body += text(start, 0, label, size=FONT_SIZE, fill=INK, class_="axis-label")
    return f'<g transform="translate({num(x)},{num(middle)}) rotate({rotate})">{body}</g>'


def line_swatch(index: int, color: str) -> str:
    dash = DASHES[index % len(DASHES)]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return f'<line x1="0" y1="0" x2="24" y2="0" stroke="{color}" stroke-width="2.5"{dash_attr}/>' + marker(
        MARKERS[index % len(MARKERS)], 12, 0, color
    )


def draw_line(
    frame: Frame,
    one: Series,
    index: int,
    x_labels: Sequence[XLabel],
    fmt: Formatter,
    ticks: Sequence[float] | None = None,
) -> str:
    """One series as path segments broken at ``None`` values, plus a marker (with tooltip) per point."""
    color = colour(one, index)
    dash = DASHES[index % len(DASHES)]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    points = [(frame.x(i), frame.y(v, ticks)) if v is not None else None for i, v in enumerate(one.values)]
    segments, current = [], []
    for point in points + [None]:
        if point is None:
            if current:
                segments.append(current)
            current = []
        else:
            current.append(point)
    paths = "".join(
        f'<path d="M{" L".join(f"{num(x)} {num(y)}" for x, y in seg)}" fill="none" stroke="{color}" '
        f'stroke-width="2.5" stroke-linejoin="round" stroke-linecap="round"{dash_attr}/>'
        for seg in segments
        if len(seg) > 1
    )
    shape = MARKERS[index % len(MARKERS)]
    many = len(one.values) > MAX_MARKERS
    markers = []
    for i, point in enumerate(points):
        if point is None:
            continue
        isolated = (i == 0 or points[i - 1] is None) and (i == len(points) - 1 or points[i + 1] is None)
        # With many points only isolated ones get a marker: otherwise they would be invisible.
        if many and not isolated:
            continue
        tip = f"{one.label} · {short_label(x_labels[i])}: {fmt(one.values[i])}"
        markers.append(f"<g>{marker(shape, *point, color)}<title>{escape(tip)}</title></g>")
    return f'<g class="series series-{index}">{paths}{"".join(markers)}</g>'


def layout_top(legend_items: Sequence[tuple[str, str]], left: float, right: float) -> tuple[str, float]:
    if len(legend_items) < 2:
        return "", 16
    svg, used = legend(legend_items, 14, left, right)
    return svg, 14 + used + 8


def value_formatter(y_format: Formatter | None) -> Formatter:
    return y_format or (lambda value: format_number(value))


def table_cell(fmt: Formatter, value: float | None) -> str:
    """Table cell text: a dash marks a gap, so custom formatters never have to handle ``None``."""
    return "—" if value is None else fmt(value)


def period_header(x_labels: Sequence[XLabel]) -> str:
    return gettext("Date") if is_dates(x_labels) else gettext("Period")
