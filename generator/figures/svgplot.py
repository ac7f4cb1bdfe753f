"""A tiny deterministic chart writer for the live figures (no matplotlib).

A figure is a few *panels* side by side (stacked on a phone) and one legend below them.
Each panel is its own small, responsive ``<svg>`` (a viewBox, no fixed size, drawn to be
read from 330 px wide up) with ``role="img"``, ``<title>`` and ``<desc>``; its heading and
its vertical axis's label are HTML above it, and the legend is an HTML list below, so
text wraps instead of being cut and no legend entry is ever lost.

Text inside the SVG is laid out for ``FONT`` user units, the size the stylesheet uses on
the narrowest screens (where the chart is shrunk most); wider screens use a smaller size
in the same room. Ticks are chosen so their labels fit at that size.

Colours come from CSS custom properties (``--fig-1`` ... ``--fig-6``, with fallbacks) and
axes use ``currentColor``, so the page's light and dark themes apply. Every series also
has its own dash pattern, and the legend names each, so colour never carries meaning
alone. For the page's script, each panel says where its plot area is and what it spans
(``data-plot``, ``data-x``, ``data-y``, ``data-log-y``) and each line which values of the
figure's data it draws (``data-key``) and which run it belongs to (``data-run``).
Numbers are written with fixed formatting, so the same data always gives the same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

PALETTE = ("#0072b2", "#d55e00", "#009e73", "#b8548e", "#a86f00", "#5b6b7a")  # as static/figures.css (light)
DASHES = ("", "6 3", "2 2", "8 3 2 3", "1.5 2", "10 4")
WIDTH, HEIGHT = 480, 300
#: The largest font size (user units) the stylesheet gives the charts' text; layout makes room for it.
FONT = 17
CHAR = 0.6 * FONT  # a digit's advance, generously
MARGIN_TOP, MARGIN_RIGHT_MIN = 14, 14
TICK = 5
MAX_DECADES = 8
SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


@dataclass(frozen=True)
class Series:
    """One line; ``style`` picks colour and dash pattern; NaN values break the line.

    ``key``: where the figure's data holds these values (a dotted path, for the readout);
    ``run``: the run (learning rate) the line belongs to, for the run chooser;
    ``absolute``: the line draws the values' magnitudes.
    """

    label: str
    x: Sequence[float]
    y: Sequence[float]
    style: int = 0
    key: str = ""
    run: int | None = None
    absolute: bool = False


@dataclass(frozen=True)
class Reference:
    """A dashed horizontal line across the panel, labelled at its right end."""

    label: str
    y: float
    style: int = 0
    run: int | None = None


@dataclass(frozen=True)
class Panel:
    xlabel: str
    ylabel: str
    series: Sequence[Series]
    references: Sequence[Reference] = field(default_factory=tuple)
    log_y: bool = False
    heading: str = ""


@dataclass(frozen=True)
class _Frame:
    """A panel's plot area (user units) and the data range it shows."""

    left: float
    right: float
    top: float
    bottom: float
    xlo: float
    xhi: float
    ylo: float  # log10 of the value on a log axis
    yhi: float
    log_y: bool

    def px(self, v: float) -> float:
        return self.left + (v - self.xlo) / ((self.xhi - self.xlo) or 1.0) * (self.right - self.left)

    def py(self, v: float) -> float:
        """The height of value ``v`` (NaN where a log axis cannot show it)."""
        if self.log_y:
            v = math.log10(v) if v > 0 else float("nan")
        return self.bottom - (v - self.ylo) / ((self.yhi - self.ylo) or 1.0) * (self.bottom - self.top)


def _num(v: float) -> str:
    return f"{v:.1f}"


def _tick_label(v: float) -> str:
    """A tick's value as it reads best, with a minus sign rather than a hyphen."""
    if v == 0:
        return "0"
    if abs(v) >= 1e5 or abs(v) < 1e-3:
        mantissa, exponent = f"{v:.0e}".split("e")
        return f"{mantissa}×10{str(int(exponent)).translate(SUPERSCRIPT)}".replace("-", "−")
    return f"{v:.6g}".replace("-", "−")


def _decade_label(exponent: int) -> str:
    """10^exponent as it reads best: 0.01 ... 1000 in full, else 10 with a superscript."""
    if -2 <= exponent <= 3:
        return f"{10.0**exponent:.{max(0, -exponent)}f}"
    return "10" + str(exponent).translate(SUPERSCRIPT)


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


def fitting_ticks(lo: float, hi: float, room: float, size, target: int = 6) -> list[float]:
    """The most ticks (up to about ``target``) whose labels, ``size(label)`` units each plus
    a gap, fit side by side in ``room`` units."""
    for wanted in range(target, 1, -1):
        ticks = nice_ticks(lo, hi, wanted)
        if len(ticks) < 2 or (len(ticks) - 1) * (max(size(_tick_label(t)) for t in ticks) + FONT) <= room:
            return ticks
    return nice_ticks(lo, hi, 1)


def _finite(values) -> list[float]:
    return [float(v) for v in values if v is not None and math.isfinite(float(v))]


def _label_width(text: str) -> float:
    return len(text) * CHAR


def _y_ticks(panel: Panel, ylo: float, yhi: float, room: float) -> tuple[float, float, list[float], list[str]]:
    """The vertical range (log10 on a log axis), its ticks and their labels."""
    most = max(2, int(room // (FONT * 1.8)) + 1)
    if panel.log_y:
        ylo, yhi = math.floor(math.log10(ylo)), math.ceil(math.log10(yhi))
        yhi = max(yhi, ylo + 1)
        ylo = max(ylo, yhi - MAX_DECADES)  # lower values are clipped at the axis
        every = math.ceil((yhi - ylo) / min(6, most - 1))
        ticks = [float(e) for e in range(int(yhi), int(ylo) - 1, -every)][::-1]
        return ylo, yhi, ticks, [_decade_label(int(t)) for t in ticks]
    pad = 0.05 * (yhi - ylo or 1.0)
    ticks = nice_ticks(ylo - pad, yhi + pad, min(7, most - 1))
    ylo, yhi = min(ticks[0], ylo - pad), max(ticks[-1], yhi + pad)
    return ylo, yhi, ticks, [_tick_label(t) for t in ticks]


def _frame(panel: Panel) -> tuple[_Frame, list[float], list[float], list[str]]:
    """Where the plot area goes and what it spans: the y tick labels decide the left margin,
    the x ticks are as many as fit."""
    xs = [v for s in panel.series for v in _finite(s.x)]
    ys = [abs(v) if s.absolute else v for s in panel.series for v in _finite(s.y)] + [r.y for r in panel.references]
    if panel.log_y:
        ys = [v for v in ys if v > 0]
    xlo, xhi = (min(xs), max(xs)) if xs else (0.0, 1.0)
    ylo, yhi = (min(ys), max(ys)) if ys else (0.0, 1.0)
    top, bottom = MARGIN_TOP, HEIGHT - (TICK + FONT * 2.9)
    ylo, yhi, yticks, ylabels = _y_ticks(panel, ylo, yhi, bottom - top)
    left = max(_label_width(label) for label in ylabels) + TICK + 8
    xticks = fitting_ticks(xlo, xhi, WIDTH - left - 2 * MARGIN_RIGHT_MIN, _label_width)
    xlo, xhi = min(xlo, xticks[0]), max(xhi, xticks[-1])
    right = WIDTH - max(MARGIN_RIGHT_MIN, _label_width(_tick_label(xticks[-1])) / 2 + 2)
    return _Frame(left, right, top, bottom, xlo, xhi, ylo, yhi, panel.log_y), xticks, yticks, ylabels


def _axes(panel: Panel, f: _Frame, xticks: list[float], yticks: list[float], ylabels: list[str]) -> list[str]:
    out = [f'<path d="M{_num(f.left)} {_num(f.top)}V{_num(f.bottom)}H{_num(f.right)}" fill="none" stroke="currentColor"/>']
    for t in xticks:
        x = f.px(t)
        out.append(f'<path d="M{_num(x)} {_num(f.bottom)}v{TICK}" stroke="currentColor"/>')
        out.append(f'<text x="{_num(x)}" y="{_num(f.bottom + TICK + FONT)}" text-anchor="middle">{_tick_label(t)}</text>')
    for t, label in zip(yticks, ylabels):
        y = f.bottom - (t - f.ylo) / ((f.yhi - f.ylo) or 1.0) * (f.bottom - f.top)
        out.append(f'<path d="M{_num(f.left)} {_num(y)}h-{TICK}" stroke="currentColor"/>')
        out.append(f'<path d="M{_num(f.left)} {_num(y)}H{_num(f.right)}" stroke="currentColor" stroke-opacity="0.12"/>')
        out.append(f'<text x="{_num(f.left - TICK - 3)}" y="{_num(y + FONT * 0.35)}" text-anchor="end">{label}</text>')
    out.append(
        f'<text x="{_num((f.left + f.right) / 2)}" y="{_num(f.bottom + TICK + FONT * 2.2)}" '
        f'text-anchor="middle">{escape(panel.xlabel)}</text>'
    )
    return out


def _spread(heights: list[float], gap: float, lowest: float) -> list[float]:
    """Label baselines at least ``gap`` apart, each as close to its wish as the others allow,
    none below ``lowest``; ``heights`` in any order, results in the same order."""
    order = sorted(range(len(heights)), key=lambda i: heights[i])
    placed = [0.0] * len(heights)
    floor = -math.inf
    for i in order:
        placed[i] = max(heights[i], floor + gap)
        floor = placed[i]
    overflow = max((placed[i] - lowest for i in order), default=0.0)
    return [p - overflow for p in placed] if overflow > 0 else placed


def _run_attr(run: int | None) -> str:
    return "" if run is None else f' data-run="{run}"'


def _stroke(style: int) -> str:
    return f"stroke: var(--fig-{style % 6 + 1}, {PALETTE[style % 6]})"


def _references(panel: Panel, f: _Frame) -> tuple[list[str], list[str]]:
    """The dashed lines (drawn under the series) and their labels (drawn over them, with a halo)."""
    visible = [r for r in panel.references if math.isfinite(f.py(r.y)) and f.top <= f.py(r.y) <= f.bottom]
    baselines = _spread([f.py(r.y) - 4 for r in visible], FONT + 1, f.bottom - 3)
    lines, labels = [], []
    for ref, baseline in zip(visible, baselines):
        y = f.py(ref.y)
        lines.append(
            f'<path class="reference"{_run_attr(ref.run)} d="M{_num(f.left)} {_num(y)}H{_num(f.right)}" '
            f'fill="none" stroke-dasharray="4 4" style="{_stroke(ref.style)}" stroke-width="1.5"/>'
        )
        labels.append(
            f'<text class="reference-label"{_run_attr(ref.run)} x="{_num(f.right - 4)}" y="{_num(baseline)}" '
            f'text-anchor="end">{escape(ref.label)}</text>'
        )
    return lines, labels


def _path_data(s: Series, f: _Frame) -> str:
    d, pen = [], "M"
    for xv, yv in zip(s.x, s.y):
        ok = xv is not None and yv is not None and math.isfinite(xv) and math.isfinite(yv)
        yv = abs(yv) if ok and s.absolute else yv
        if not ok or (f.log_y and yv <= 0):
            pen = "M"
            continue
        d.append(f"{pen}{_num(f.px(xv))} {_num(f.py(yv))}")
        pen = "L"
    return "".join(d)


def _series(panel: Panel, f: _Frame, clip: str) -> list[str]:
    out = []
    for s in panel.series:
        dash = DASHES[s.style % 6]
        attrs = f' stroke-dasharray="{dash}"' if dash else ""
        attrs += f' data-key="{escape(s.key)}"' if s.key else ""
        attrs += ' data-abs=""' if s.absolute else ""
        out.append(
            f'<path class="series" d="{_path_data(s, f)}" fill="none" clip-path="url(#{clip})" stroke-width="1.75"'
            f'{attrs}{_run_attr(s.run)} data-style="{s.style % 6 + 1}" data-label="{escape(s.label)}" '
            f'style="{_stroke(s.style)}"><title>{escape(s.label)}</title></path>'
        )
    return out


def panel_svg(panel: Panel, title: str, desc: str, svg_id: str) -> str:
    """One panel as a standalone, responsive ``<svg>``."""
    f, xticks, yticks, ylabels = _frame(panel)
    clip = f"{svg_id}-clip"
    log_attr = ' data-log-y=""' if f.log_y else ""
    opening = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{svg_id}-title {svg_id}-desc" class="chart" font-size="13" fill="currentColor" '
        f'style="width:100%;height:auto;font-family:inherit" '
        f'data-plot="{_num(f.left)} {_num(f.right)} {_num(f.top)} {_num(f.bottom)}" '
        f'data-x="{f.xlo:.6g} {f.xhi:.6g}" data-y="{f.ylo:.6g} {f.yhi:.6g}"{log_attr}>'
    )
    clip_path = (
        f'<clipPath id="{clip}"><rect x="{_num(f.left)}" y="{_num(f.top)}" width="{_num(f.right - f.left)}" '
        f'height="{_num(f.bottom - f.top)}"/></clipPath>'
    )
    out = [
        opening,
        f'<title id="{svg_id}-title">{escape(title)}</title>',
        f'<desc id="{svg_id}-desc">{escape(desc)}</desc>',
        clip_path,
    ]
    lines, labels = _references(panel, f)
    out += _axes(panel, f, xticks, yticks, ylabels) + lines + _series(panel, f, clip) + labels
    out.append("</svg>")
    return "\n".join(out)


def _panel_desc(panel: Panel) -> str:
    xs = [v for s in panel.series for v in _finite(s.x)]
    span = f" from {min(xs):g} to {max(xs):g}" if xs else ""
    what = f"{panel.heading} ({panel.ylabel})" if panel.heading else panel.ylabel
    text = f"{what} against {panel.xlabel}{span}. Lines: " + "; ".join(s.label for s in panel.series) + "."
    if panel.references:
        text += " Dashed horizontal lines: " + "; ".join(r.label for r in panel.references) + "."
    return text


def swatch(style: int) -> str:
    """A short sample of a line's colour and dash pattern, for legends."""
    dash = DASHES[style % 6]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<svg class="swatch" viewBox="0 0 32 10" width="32" height="10" aria-hidden="true" focusable="false">'
        f'<path d="M1 5h30" stroke-width="3"{dash_attr} style="{_stroke(style)}"/></svg>'
    )


def legend_html(panels: Sequence[Panel]) -> str:
    """Every distinct line of the panels, once, as a wrapping list."""
    seen: list[tuple[str, int, int | None]] = []
    for p in panels:
        for s in p.series:
            if (s.label, s.style, s.run) not in seen:
                seen.append((s.label, s.style, s.run))
    items = "".join(f"<li{_run_attr(run)}>{swatch(style)}{escape(label)}</li>" for label, style, run in seen)
    return f'<ul class="figure-legend" aria-label="Legend">{items}</ul>'


def chart_html(panels: Sequence[Panel], title: str, chart_id: str) -> str:
    """The figure's panels, each under its heading and vertical-axis label, then the legend."""
    xs = [v for p in panels for s in p.series for v in _finite(s.x)]
    span = f' data-xmin="{min(xs):g}" data-xmax="{max(xs):g}"' if xs else ""
    out = [f'<div class="figure-chart" id="{chart_id}-chart"{span}>', '<div class="figure-panels" data-pagefind-ignore>']
    for n, panel in enumerate(panels):
        heading = panel.heading or panel.ylabel
        out.append('<div class="figure-panel">')
        out.append(f'<h3 class="panel-heading">{escape(heading)}</h3>')
        out.append(f'<p class="panel-axis"><span class="visually-hidden">Vertical axis: </span>{escape(panel.ylabel)}</p>')
        out.append(panel_svg(panel, f"{heading}: {title}", _panel_desc(panel), f"{chart_id}-{n}"))
        out.append("</div>")
    out.append("</div>")
    out.append(legend_html(panels))
    out.append("</div>")
    return "\n".join(out) + "\n"
