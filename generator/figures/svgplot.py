"""A tiny deterministic SVG line-plot writer for the live figures (no matplotlib).

Output is a standalone, responsive ``<svg>`` (viewBox, no fixed size) with ``role="img"``,
``<title>`` and ``<desc>``, axis labels and a legend. Colours come from CSS custom
properties (``--fig-1`` ... ``--fig-6``, with fallbacks) and axes use ``currentColor``,
so the page's light and dark themes apply. Every series also has its own dash pattern,
and the legend names each, so colour never carries meaning alone. Numbers are written
with fixed formatting, so the same data always gives the same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

PALETTE = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9")
DASHES = ("", "6 3", "2 2", "8 3 2 3", "1 3", "10 4")
WIDTH = 720
PANEL_HEIGHT = 260
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 64, 16, 28, 44
LEGEND_ROW = 18
MAX_DECADES = 8


@dataclass(frozen=True)
class Series:
    """One line; ``style`` picks colour and dash pattern; NaN values break the line."""

    label: str
    x: Sequence[float]
    y: Sequence[float]
    style: int = 0


@dataclass(frozen=True)
class Reference:
    """A dashed horizontal line across the panel, labelled at its right end."""

    label: str
    y: float
    style: int = 0


@dataclass(frozen=True)
class Panel:
    xlabel: str
    ylabel: str
    series: Sequence[Series]
    references: Sequence[Reference] = field(default_factory=tuple)
    log_y: bool = False
    heading: str = ""


def _num(v: float) -> str:
    return f"{v:.1f}"


def _tick_label(v: float) -> str:
    if v == 0:
        return "0"
    if abs(v) >= 1e4 or abs(v) < 1e-3:
        return f"{v:.0e}".replace("e+0", "e").replace("e-0", "e-")
    return f"{v:.6g}"


def nice_ticks(lo: float, hi: float, target: int = 5) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten) covering [lo, hi]."""
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / target
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step - 1e-9)
    ticks = []
    k = first
    while k * step <= hi + 1e-9 * step:
        ticks.append(round(k * step, 12))
        k += 1
    return ticks


def _finite(values) -> list[float]:
    return [float(v) for v in values if v is not None and math.isfinite(float(v))]


def _panel_svg(panel: Panel, top: float, index: int, svg_id: str) -> list[str]:
    left, right = MARGIN_LEFT, WIDTH - MARGIN_RIGHT
    y0, y1 = top + MARGIN_TOP, top + PANEL_HEIGHT - MARGIN_BOTTOM
    xs = [v for s in panel.series for v in _finite(s.x)]
    ys = [v for s in panel.series for v in _finite(s.y)] + [r.y for r in panel.references]
    if panel.log_y:
        ys = [v for v in ys if v > 0]
    xlo, xhi = (min(xs), max(xs)) if xs else (0.0, 1.0)
    ylo, yhi = (min(ys), max(ys)) if ys else (0.0, 1.0)
    if panel.log_y:
        ylo, yhi = math.floor(math.log10(ylo)), math.ceil(math.log10(yhi))
        yhi = max(yhi, ylo + 1)
        ylo = max(ylo, yhi - MAX_DECADES)  # lower values are clipped at the axis
        every = math.ceil((yhi - ylo) / 6)
        yticks = [float(e) for e in range(int(yhi), int(ylo) - 1, -every)][::-1]
    else:
        pad = 0.05 * (yhi - ylo or 1.0)
        yticks = nice_ticks(ylo - pad, yhi + pad)
        ylo, yhi = min(yticks[0], ylo - pad), max(yticks[-1], yhi + pad)
    xticks = nice_ticks(xlo, xhi)
    xhi = max(xhi, xticks[-1])
    xlo = min(xlo, xticks[0])

    def px(v: float) -> float:
        return left + (v - xlo) / ((xhi - xlo) or 1.0) * (right - left)

    def py(v: float) -> float:
        if panel.log_y:
            v = math.log10(v) if v > 0 else float("nan")
        return y1 - (v - ylo) / ((yhi - ylo) or 1.0) * (y1 - y0)

    out = [f'<g class="panel" aria-label="{escape(panel.heading or panel.ylabel)}">']
    if panel.heading:
        out.append(f'<text x="{_num(left)}" y="{_num(top + 16)}" font-weight="bold">{escape(panel.heading)}</text>')
    clip = f"{svg_id}-clip-{index}"
    out.append(
        f'<clipPath id="{clip}"><rect x="{_num(left)}" y="{_num(y0)}" width="{_num(right - left)}" '
        f'height="{_num(y1 - y0)}"/></clipPath>'
    )
    # axes and ticks
    out.append(
        f'<path d="M{_num(left)} {_num(y0)}V{_num(y1)}H{_num(right)}" fill="none" stroke="currentColor"/>'
    )
    for t in xticks:
        x = px(t)
        out.append(f'<path d="M{_num(x)} {_num(y1)}v5" stroke="currentColor"/>')
        out.append(f'<text x="{_num(x)}" y="{_num(y1 + 18)}" text-anchor="middle">{_tick_label(t)}</text>')
    for t in yticks:
        y = y1 - (t - ylo) / ((yhi - ylo) or 1.0) * (y1 - y0)
        label = _tick_label(10**t) if panel.log_y else _tick_label(t)
        out.append(f'<path d="M{_num(left)} {_num(y)}h-5" stroke="currentColor"/>')
        out.append(
            f'<path d="M{_num(left)} {_num(y)}H{_num(right)}" stroke="currentColor" stroke-opacity="0.12"/>'
        )
        out.append(f'<text x="{_num(left - 8)}" y="{_num(y + 4)}" text-anchor="end">{label}</text>')
    out.append(
        f'<text x="{_num((left + right) / 2)}" y="{_num(y1 + 36)}" text-anchor="middle">{escape(panel.xlabel)}</text>'
    )
    out.append(
        f'<text transform="translate({_num(left - 48)} {_num((y0 + y1) / 2)}) rotate(-90)" '
        f'text-anchor="middle">{escape(panel.ylabel)}</text>'
    )
    # reference lines
    for ref in panel.references:
        y = py(ref.y)
        out.append(
            f'<path d="M{_num(left)} {_num(y)}H{_num(right)}" fill="none" stroke-dasharray="4 4" '
            f'style="stroke: var(--fig-{ref.style % 6 + 1}, {PALETTE[ref.style % 6]})" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{_num(right - 4)}" y="{_num(y - 4)}" text-anchor="end" font-size="11">{escape(ref.label)}</text>'
        )
    # series
    for s in panel.series:
        d, pen = [], "M"
        for xv, yv in zip(s.x, s.y):
            ok = xv is not None and yv is not None and math.isfinite(xv) and math.isfinite(yv)
            if ok and panel.log_y and yv <= 0:
                ok = False
            if not ok:
                pen = "M"
                continue
            d.append(f"{pen}{_num(px(xv))} {_num(py(yv))}")
            pen = "L"
        dash = DASHES[s.style % 6]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<path d="{"".join(d)}" fill="none" clip-path="url(#{clip})" stroke-width="1.5"{dash_attr} '
            f'style="stroke: var(--fig-{s.style % 6 + 1}, {PALETTE[s.style % 6]})"><title>{escape(s.label)}</title></path>'
        )
    out.append("</g>")
    return out


def _legend_columns(labels: list[tuple[str, int]]) -> int:
    """As many columns (up to 3) as the longest label allows without overlapping its neighbour."""
    available = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    longest = max((len(label) for label, _ in labels), default=0)
    needed = 34 + longest * 6.8 + 16  # swatch, text at 12 px (about 6.8 px a character), gap
    return max(1, min(3, int(available // needed)))


def _legend(labels: list[tuple[str, int]], top: float) -> list[str]:
    out = ['<g class="legend">']
    columns = _legend_columns(labels)
    col_width = (WIDTH - MARGIN_LEFT - MARGIN_RIGHT) / columns
    for n, (label, style) in enumerate(labels):
        x = MARGIN_LEFT + (n % columns) * col_width
        y = top + (n // columns) * LEGEND_ROW + 12
        dash = DASHES[style % 6]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<path d="M{_num(x)} {_num(y - 4)}h28" stroke-width="2"{dash_attr} '
            f'style="stroke: var(--fig-{style % 6 + 1}, {PALETTE[style % 6]})"/>'
        )
        out.append(f'<text x="{_num(x + 34)}" y="{_num(y)}">{escape(label)}</text>')
    out.append("</g>")
    return out


def line_plot(panels: Sequence[Panel], title: str, desc: str, svg_id: str = "figure") -> str:
    """Stack ``panels`` vertically under one shared legend; returns the ``<svg>`` text."""
    labels: list[tuple[str, int]] = []
    for p in panels:
        for s in p.series:
            if (s.label, s.style) not in labels:
                labels.append((s.label, s.style))
    legend_height = LEGEND_ROW * math.ceil(len(labels) / _legend_columns(labels)) + 8
    height = legend_height + PANEL_HEIGHT * len(panels)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{svg_id}-title {svg_id}-desc" class="live-figure" '
        f'style="width:100%;height:auto;font-family:inherit;font-size:12px" fill="currentColor">',
        f'<title id="{svg_id}-title">{escape(title)}</title>',
        f'<desc id="{svg_id}-desc">{escape(desc)}</desc>',
    ]
    out += _legend(labels, 4)
    for n, p in enumerate(panels):
        out += _panel_svg(p, legend_height + n * PANEL_HEIGHT, n, svg_id)
    out.append("</svg>")
    return "\n".join(out) + "\n"
