"""Charts drawn on the server as SVG: no script, no CDN, no inline style (the CSP allows none). Text is
SVG ``<text>`` styled by reports.css with the Noto CJK fonts, so Chinese labels render in the browser and
in screenshots alike. Every label is escaped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def _nice_max(value: int) -> int:
    """A round axis maximum at or above ``value`` (1, 2, 5 x 10^n)."""
    if value <= 0:
        return 1
    magnitude: int = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return int(step * magnitude)
    return int(10 * magnitude)


def month_labels(months: Sequence[dt.date]) -> list[str]:
    one_year = len({m.year for m in months}) == 1
    return [f"{m.month}月" if one_year else f"{m.year % 100:02d}/{m.month}" for m in months]


def _compact(n: int) -> str:
    if n >= 100_000_000:
        return f"{n / 100_000_000:.1f}亿"
    if n >= 10_000:
        return f"{n / 10_000:.1f}万"
    return str(n)


def column_chart(labels: Sequence[str], values: Sequence[int], *, title: str, width: int = 360,
                 height: int = 150) -> SafeString:
    """Monthly columns with the axis maximum and a label under each column (thinned when crowded)."""
    left, bottom, top = 34, 20, 10
    plot_w, plot_h = width - left - 6, height - bottom - top
    peak = _nice_max(max(values, default=0))
    n = max(len(values), 1)
    slot = plot_w / n
    bar = max(2.0, slot * 0.7)
    every = max(1, round(n / 12))
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>",
             f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{width - 6}" y2="{top + plot_h}"/>',
             f'<text class="tick" x="{left - 4}" y="{top + 8}" text-anchor="end">{_compact(peak)}</text>',
             f'<text class="tick" x="{left - 4}" y="{top + plot_h}" text-anchor="end">0</text>']
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * value / peak
        x = left + i * slot + (slot - bar) / 2
        parts.append(f'<rect class="col" x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar:.1f}" height="{h:.1f}">'
                     f"<title>{escape(label)}: {value}</title></rect>")
        if i % every == 0:
            parts.append(f'<text class="tick" x="{x + bar / 2:.1f}" y="{height - 6}" text-anchor="middle">'
                         f"{escape(label)}</text>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every interpolated label is escaped above  # nosec B308, B703


def bar_chart(rows: Sequence[tuple[str, int, str]], *, title: str, width: int = 520,
              label_width: int = 150) -> SafeString:
    """Horizontal bars, one row per (label, value, link); a row with a link opens the records behind it."""
    row_h, label_w, value_w = 24, label_width, 60
    height = max(1, len(rows)) * row_h + 6
    peak = max((v for _l, v, _u in rows), default=0) or 1
    plot_w = width - label_w - value_w
    # Drawn at its own size (narrower when the card is): stretched to a wide card, its text would be huge.
    parts = [f'<svg class="chart hbar" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>"]
    for i, (label, value, url) in enumerate(rows):
        y = 3 + i * row_h
        w = plot_w * value / peak
        bar = (f'<text class="label" x="{label_w - 8}" y="{y + 15}" text-anchor="end">{escape(label)}</text>'
               f'<rect class="bar" x="{label_w}" y="{y + 4}" width="{max(w, 1 if value else 0):.1f}" height="14"/>'
               f'<text class="value" x="{label_w + w + 6:.1f}" y="{y + 15}">{value}</text>')
        parts.append(f'<a href="{escape(url)}">{bar}</a>' if url else bar)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # labels and links are escaped above  # nosec B308, B703
