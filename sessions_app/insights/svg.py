"""A tiny server-side SVG bar chart, for pages that work without JavaScript.

Pure: no database, no clock. Everything that comes from people (labels, titles) is
escaped. The markup uses SVG presentation attributes only (``fill=``, ``stroke=``), never
``style=`` or a ``<style>`` element, so it renders under ``style-src 'self'``.

Accessibility: the chart is one image (``role="img"``) named by its ``<title>`` and
described by a ``<desc>`` that reads out every value; the values are also drawn as text
above the bars. A suppressed bar ("too few") is drawn as an empty hatched column, so it
cannot be mistaken for a small number.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_lazy

INK = "#1f2933"
MUTED = "#52606d"
LINE = "#d9e2ec"
ACCENT = "#2f6f6a"
HATCH = "#9aa5b1"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: suppressed, fewer than k people
    text: str | None = None  # how the value reads; by default the number itself


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _reads(bar: Bar, suppressed_label: str) -> str:
    if bar.value is None:
        return suppressed_label
    return bar.text if bar.text is not None else _number(bar.value)


def _safe_id(chart_id: str) -> str:
    cleaned = re.sub(r"[^a-z0-9-]+", "-", chart_id.lower()).strip("-")
    return f"chart-{cleaned or 'x'}"


def bar_chart(
    *,
    chart_id: str,
    title: str,
    bars: Sequence[Bar],
    suppressed_label: str = gettext_lazy("too few"),
    width: int = 480,
    height: int = 190,
) -> SafeString:
    """An accessible bar chart as inline SVG markup, safe to put straight into a template."""
    ident = _safe_id(chart_id)
    top, bottom, side = 22, 26, 6
    plot_height = height - top - bottom
    baseline = top + plot_height
    slot = (width - 2 * side) / max(len(bars), 1)
    bar_width = slot * 0.6
    highest = max((bar.value for bar in bars if bar.value is not None), default=0) or 1

    description = "; ".join(f"{bar.label}: {_reads(bar, suppressed_label)}" for bar in bars) or gettext("No data.")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="100%" '
        f'viewBox="0 0 {width} {height}" preserveAspectRatio="xMidYMid meet" '
        f'aria-labelledby="{ident}-title {ident}-desc" id="{ident}">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
        f'<defs><pattern id="{ident}-hatch" width="8" height="8" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="8" stroke="{HATCH}" stroke-width="2"/>'
        "</pattern></defs>",
        f'<g font-size="13" text-anchor="middle" fill="{INK}">',
    ]
    for index, bar in enumerate(bars):
        centre = side + slot * index + slot / 2
        left = centre - bar_width / 2
        if bar.value is None:
            parts.append(
                f'<rect x="{left:.1f}" y="{top}" width="{bar_width:.1f}" height="{plot_height}" '
                f'fill="url(#{ident}-hatch)" fill-opacity="0.5" stroke="{HATCH}" stroke-dasharray="4 3"/>'
            )
            parts.append(f'<text x="{centre:.1f}" y="{top - 6}" fill="{MUTED}">{escape(suppressed_label)}</text>')
        else:
            bar_height = plot_height * bar.value / highest
            if bar_height > 0:
                parts.append(
                    f'<rect x="{left:.1f}" y="{baseline - bar_height:.1f}" width="{bar_width:.1f}" '
                    f'height="{bar_height:.1f}" fill="{ACCENT}"/>'
                )
            parts.append(
                f'<text x="{centre:.1f}" y="{baseline - bar_height - 6:.1f}">{escape(_reads(bar, suppressed_label))}'
                "</text>"
            )
        parts.append(f'<text x="{centre:.1f}" y="{height - 8}" fill="{MUTED}">{escape(bar.label)}</text>')
    parts.append(f'<line x1="{side}" y1="{baseline}" x2="{width - side}" y2="{baseline}" stroke="{LINE}"/>')
    parts.append("</g></svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated string above is escaped
