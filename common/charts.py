"""Server-rendered SVG charts: pure functions from figures to SVG markup.

No JavaScript and no CDN: the page embeds the string as it is. Every label and title is
XML-escaped here (so "<script>" in a product name arrives as text), values are Decimal (money
is never a float) and coordinates are computed in Decimal and written with two decimals.
Each chart is an `<svg role="img">` with its own `<title>` and `<desc>`, and every bar (and
every point of a total line) carries a `<title>` "label: value" that screen readers read and
browsers show on hover. Amounts on the axis and in the titles are formatted by the caller's
`format_value` (e.g. money in the user's language; `format_tick`, when given, for the shorter
axis labels such as "1.5M"), so this module knows nothing of currencies
or languages.

    stacked_bar_chart(...)     one stacked bar per category (e.g. per day) with one segment
                               per series (e.g. per sales channel), plus an optional line
                               through the totals;
    horizontal_bar_chart(...)  one labelled horizontal bar per item (e.g. the top 10 products),
                               negative values drawn left of the zero line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from html import escape

# Colour-blind friendly, distinct on white (Okabe-Ito based, darkened for contrast).
PALETTE = (
    "#1f6feb",
    "#e36c09",
    "#0f8a5f",
    "#b04fb8",
    "#c62828",
    "#0e8fb3",
    "#9a6700",
    "#5f6b7a",
    "#6c4fd8",
    "#2e7d32",
)
TEXT_COLOUR = "#637083"
GRID_COLOUR = "#dde2ea"
LINE_COLOUR = "#1c2430"
FONT_SIZE = 11
CHAR_WIDTH = Decimal("6.6")  # an estimate of one character at FONT_SIZE, for layout only
_STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))
_ZERO = Decimal(0)
_CENT = Decimal("0.01")

ValueFormatter = Callable[[Decimal], str]


@dataclass(frozen=True)
class Series:
    """One segment of every stacked bar: a label and one value per category."""

    label: str
    values: Sequence[Decimal]
    colour: str = ""


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def _text(value: object) -> str:
    return escape(str(value), quote=True)


def _n(value: Decimal | int) -> str:
    """A coordinate with at most two decimals ("12.5", "40")."""
    text = format(Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _shorten(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: max(limit - 1, 1)] + "…"


def nice_ticks(minimum: Decimal, maximum: Decimal, *, count: int = 5) -> list[Decimal]:
    """Evenly spaced round ticks (steps of 1, 2, 2.5 or 5 x 10^n) from at most `minimum` (or
    zero) to at least `maximum` (or zero), zero always among them."""
    low = min(Decimal(minimum), _ZERO)
    high = max(Decimal(maximum), _ZERO)
    if high == low:
        return [_ZERO]
    raw = (high - low) / max(count, 1)
    magnitude = Decimal(1).scaleb(raw.adjusted())
    step = next(s for s in _STEPS if s * magnitude >= raw) * magnitude
    first = (low / step).to_integral_value(rounding=ROUND_FLOOR)
    last = (high / step).to_integral_value(rounding=ROUND_CEILING)
    return [(first + i) * step for i in range(int(last - first) + 1)]


def _svg_open(*, chart_id: str, width: int, height: int, title: str, description: str) -> str:
    ident = _text(chart_id)
    labelled = f"{ident}-title {ident}-desc" if description else f"{ident}-title"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{ident}" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'preserveAspectRatio="xMinYMin meet" aria-labelledby="{labelled}" '
        f'font-size="{FONT_SIZE}" font-family="inherit">'
        f'<title id="{ident}-title">{_text(title)}</title>'
    )
    if description:
        head += f'<desc id="{ident}-desc">{_text(description)}</desc>'
    return head


def _legend(items: Sequence[tuple[str, str]], *, x0: int, y0: int, width: int) -> tuple[str, int]:
    """Swatch + label items laid left to right, wrapping; returns (markup, height used)."""
    parts = ['<g class="chart-legend">']
    x, y = Decimal(x0), Decimal(y0)
    row = Decimal(FONT_SIZE + 7)
    for label, fill in items:
        item_width = Decimal(16) + CHAR_WIDTH * len(label) + Decimal(14)
        if x > x0 and x + item_width > width:
            x, y = Decimal(x0), y + row
        parts.append(
            f'<rect x="{_n(x)}" y="{_n(y)}" width="10" height="10" rx="2" fill="{_text(fill)}"/>'
            f'<text x="{_n(x + 14)}" y="{_n(y + 9)}" fill="{LINE_COLOUR}">{_text(label)}</text>'
        )
        x += item_width
    parts.append("</g>")
    used = int(y - y0 + row) if items else 0
    return "".join(parts), used


def _line(x1: Decimal, x2: Decimal, y1: Decimal, y2: Decimal, stroke: str) -> str:
    return (
        f'<line x1="{_n(x1)}" x2="{_n(x2)}" y1="{_n(y1)}" y2="{_n(y2)}" '
        f'stroke="{stroke}" stroke-width="1"/>'
    )


def _tick_label(x: Decimal, y: Decimal, anchor: str, text: str) -> str:
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" '
        f'fill="{TEXT_COLOUR}">{_text(text)}</text>'
    )


@dataclass(frozen=True)
class _Frame:
    """The plot area of a chart, in SVG coordinates (y grows downwards)."""

    left: Decimal
    right: Decimal
    top: Decimal
    bottom: Decimal

    def column(self, index: int, count: int) -> tuple[Decimal, Decimal]:
        """(left edge, width) of bar `index` of `count` side by side: each bar takes 70 % of
        its share of the width, centred in it."""
        slot = (self.right - self.left) / max(count, 1)
        width = max(slot * Decimal("0.7"), Decimal(1))
        return self.left + slot * index + (slot - width) / 2, width

    def y_of(self, value: Decimal, axis_max: Decimal) -> Decimal:
        """Where `value` stands on a vertical axis from zero (the bottom) to `axis_max`."""
        return self.bottom - value / axis_max * (self.bottom - self.top)


def _positive(value: Decimal) -> Decimal:
    return max(Decimal(value), _ZERO)


def stacked_bar_chart(
    *,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    format_value: ValueFormatter,
    format_tick: ValueFormatter | None = None,
    total_label: str = "",
    description: str = "",
    chart_id: str = "chart",
    width: int = 880,
    height: int = 300,
    max_labels: int = 14,
) -> str:
    """One bar per category, stacked by series (values below zero count as zero), with a
    line through the totals when `total_label` is given. Returns the <svg> markup."""
    count = len(categories)
    if any(len(item.values) != count for item in series):
        raise ValueError("every series needs one value per category")
    filled = [(item, item.colour or colour(i)) for i, item in enumerate(series)]
    legend_items = [(item.label, fill) for item, fill in filled]
    legend, legend_height = _legend(
        legend_items + ([(total_label, LINE_COLOUR)] if total_label else []),
        x0=8,
        y0=6,
        width=width,
    )
    totals = [sum((_positive(s.values[i]) for s in series), _ZERO) for i in range(count)]
    ticks = nice_ticks(_ZERO, max(totals, default=_ZERO))
    axis_max = ticks[-1] if ticks[-1] > 0 else Decimal(1)
    tick_text = format_tick or format_value
    frame = _Frame(
        left=Decimal(12) + CHAR_WIDTH * max((len(tick_text(t)) for t in ticks), default=1),
        right=Decimal(width - 12),
        top=Decimal(legend_height + 14),
        bottom=Decimal(height - 26),
    )
    return "".join(
        [
            _svg_open(
                chart_id=chart_id, width=width, height=height, title=title, description=description
            ),
            legend,
            '<g class="chart-axis">',
            *(
                _line(frame.left, frame.right, y, y, GRID_COLOUR)
                + _tick_label(frame.left - 6, y + 4, "end", tick_text(tick))
                for tick, y in ((tick, frame.y_of(tick, axis_max)) for tick in ticks)
            ),
            "</g>",
            _stacked_bars(frame, categories, filled, axis_max, format_value, max_labels),
            _total_line(frame, categories, totals, axis_max, total_label, format_value),
            _line(frame.left, frame.right, frame.bottom, frame.bottom, TEXT_COLOUR),
            "</svg>",
        ]
    )


def _stacked_bars(
    frame: _Frame,
    categories: Sequence[str],
    series: Sequence[tuple[Series, str]],
    axis_max: Decimal,
    format_value: ValueFormatter,
    max_labels: int,
) -> str:
    """The bars, a segment per (series, fill), and the category labels (every so many when
    there are more than `max_labels`)."""
    count = len(categories)
    plot_height = frame.bottom - frame.top
    label_every = max(-(-count // max(max_labels, 1)), 1)
    parts = ['<g class="chart-bars">']
    for i, category in enumerate(categories):
        x, bar_width = frame.column(i, count)
        stacked = _ZERO
        for item, fill in series:
            value = _positive(item.values[i])
            if not value:
                continue
            segment = value / axis_max * plot_height
            parts.append(
                f'<rect x="{_n(x)}" y="{_n(frame.bottom - stacked - segment)}" '
                f'width="{_n(bar_width)}" height="{_n(segment)}" fill="{_text(fill)}" '
                f'data-value="{_text(value)}"><title>'
                f"{_text(category)} · {_text(item.label)}: {_text(format_value(value))}"
                "</title></rect>"
            )
            stacked += segment
        if i % label_every == 0:
            parts.append(
                f'<text x="{_n(x + bar_width / 2)}" y="{_n(frame.bottom + 16)}" '
                f'text-anchor="middle" fill="{TEXT_COLOUR}">{_text(category)}</text>'
            )
    parts.append("</g>")
    return "".join(parts)


def _total_line(
    frame: _Frame,
    categories: Sequence[str],
    totals: Sequence[Decimal],
    axis_max: Decimal,
    label: str,
    format_value: ValueFormatter,
) -> str:
    """A line through the bars' totals (at the bars' centres), each point with its
    "category · label: total"; nothing without a label or without categories."""
    if not label or not categories:
        return ""
    points = []
    for i, total in enumerate(totals):
        x, bar_width = frame.column(i, len(categories))
        points.append((x + bar_width / 2, frame.y_of(total, axis_max)))
    path = " ".join(f"{_n(x)},{_n(y)}" for x, y in points)
    parts = [
        f'<g class="chart-line"><polyline points="{path}" fill="none" '
        f'stroke="{LINE_COLOUR}" stroke-width="1.5"/>'
    ]
    for (x, y), total, category in zip(points, totals, categories, strict=True):
        parts.append(
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="2.5" fill="{LINE_COLOUR}">'
            f"<title>{_text(category)} · {_text(label)}: "
            f"{_text(format_value(total))}</title></circle>"
        )
    parts.append("</g>")
    return "".join(parts)


def horizontal_bar_chart(
    *,
    title: str,
    bars: Sequence[Bar],
    format_value: ValueFormatter,
    format_tick: ValueFormatter | None = None,
    description: str = "",
    chart_id: str = "chart",
    width: int = 880,
    bar_height: int = 18,
    gap: int = 6,
    label_width: int = 260,
    value_width: int = 120,
    fill: str = PALETTE[0],
) -> str:
    """One horizontal bar per item, top to bottom in the order given, its value at its end;
    the axis spans zero to the largest value (and the smallest, when below zero)."""
    ticks = nice_ticks(
        min((b.value for b in bars), default=_ZERO), max((b.value for b in bars), default=_ZERO)
    )
    low, high = ticks[0], ticks[-1]
    span = (high - low) or Decimal(1)
    top = Decimal(8)
    frame = _Frame(
        left=Decimal(label_width),
        right=Decimal(width - value_width),
        top=top,
        bottom=top + len(bars) * (bar_height + gap),
    )
    height = int(top) + len(bars) * (bar_height + gap) + 28

    def x_of(value: Decimal) -> Decimal:
        return frame.left + (Decimal(value) - low) / span * (frame.right - frame.left)

    zero = x_of(_ZERO)
    tick_text = format_tick or format_value
    parts = [
        _svg_open(
            chart_id=chart_id, width=width, height=height, title=title, description=description
        ),
        '<g class="chart-axis">',
        *(
            _line(x_of(tick), x_of(tick), frame.top, frame.bottom, GRID_COLOUR)
            + _tick_label(x_of(tick), frame.bottom + 16, "middle", tick_text(tick))
            for tick in ticks
        ),
        '</g><g class="chart-bars">',
    ]
    parts.append(
        _horizontal_bars(
            bars, frame, x_of, bar_height=bar_height, gap=gap, fill=fill, format_value=format_value
        )
    )
    parts.append("</g>")
    parts.append(_line(zero, zero, frame.top, frame.bottom, TEXT_COLOUR))
    parts.append("</svg>")
    return "".join(parts)


def _horizontal_bars(
    bars: Sequence[Bar],
    frame: _Frame,
    x_of: Callable[[Decimal], Decimal],
    *,
    bar_height: int,
    gap: int,
    fill: str,
    format_value: ValueFormatter,
) -> str:
    """Each bar from the zero line to its value: its label on the left, its value beyond its
    end (left of it for a value below zero)."""
    zero = x_of(_ZERO)
    limit = max(int((frame.left - 12) / CHAR_WIDTH), 4)
    parts = []
    for i, bar in enumerate(bars):
        y = frame.top + i * (bar_height + gap) + Decimal(gap) / 2
        middle = y + Decimal(bar_height) / 2 + 4
        end = x_of(bar.value)
        x, length = min(zero, end), abs(end - zero)
        shown = format_value(bar.value)
        parts.append(
            f'<text x="{_n(frame.left - 8)}" y="{_n(middle)}" text-anchor="end" '
            f'fill="{LINE_COLOUR}">{_text(_shorten(bar.label, limit))}</text>'
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(length)}" height="{bar_height}" '
            f'fill="{_text(fill)}" data-value="{_text(bar.value)}">'
            f"<title>{_text(bar.label)}: {_text(shown)}</title></rect>"
        )
        if bar.value < 0:
            parts.append(_tick_label(x - 4, middle, "end", shown))
        else:
            parts.append(
                f'<text x="{_n(end + 4)}" y="{_n(middle)}" fill="{TEXT_COLOUR}">'
                f"{_text(shown)}</text>"
            )
    return "".join(parts)
