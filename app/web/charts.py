"""Server-rendered SVG charts (line and bar): no JavaScript, no external assets, work offline.

The output is markup-safe SVG built from escaped text; templates insert it with `|safe`
via `Markup`.
"""
import math
from html import escape

from markupsafe import Markup

from app.web.i18n import gettext

WIDTH, HEIGHT = 640, 240
PAD_L, PAD_R, PAD_T, PAD_B = 44, 16, 16, 40
COLORS = ("#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df")


def nice_ticks(lo: float, hi: float, most: int = 6) -> list[float]:
    """Evenly spaced axis ticks covering [lo, hi] with a round step (1, 2, 2.5 or 5 × 10ⁿ), at most
    `most` of them: 0–100 gives 0, 20 … 100; 0–37 gives 0, 10 … 40."""
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / max(most - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw - 1e-12)
    start = math.floor(lo / step + 1e-9) * step
    ticks = []
    v = start
    while v < hi + step - 1e-9 and len(ticks) <= most:
        ticks.append(round(v, 10))
        if v >= hi - 1e-9:
            break
        v += step
    return ticks


def _scale(values: list[float | None], lo: float | None, hi: float | None) -> tuple[float, float]:
    """The axis range: the given bounds, else the data's, widened to round ticks."""
    present = [v for v in values if v is not None]
    lo = min(present, default=0.0) if lo is None else lo
    hi = max(present, default=1.0) if hi is None else hi
    if hi <= lo:
        hi = lo + 1.0
    ticks = nice_ticks(lo, hi)
    return ticks[0], ticks[-1]


def _tick_label(v: float) -> str:
    return f"{v:g}" if v != int(v) else f"{int(v)}"


def fit(label: str, width: float, size: float = 10) -> str:
    """`label`, or its longest start that fits `width` px with “…” after it, at font `size`: a CJK
    character (and the “…”) is about one em wide, a Latin one about half."""
    def w(ch):
        return size if "\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" else size * 0.55

    if sum(map(w, label)) <= width:
        return label
    used, cut = size, 0  # the ellipsis first
    while cut < len(label) and used + w(label[cut]) <= width:
        used += w(label[cut])
        cut += 1
    return label[:max(cut, 1)] + "…"


def _frame(title: str, lo: float, hi: float, labels: list[str], x_of) -> list[str]:
    parts = [f'<title>{escape(title)}</title>']
    slot = (WIDTH - PAD_L - PAD_R) / max(len(labels), 1)
    plot_h = HEIGHT - PAD_T - PAD_B
    for v in nice_ticks(lo, hi):  # horizontal grid at even, round values
        y = PAD_T + plot_h * (1 - (v - lo) / (hi - lo))
        parts.append(f'<line x1="{PAD_L}" y1="{y:.1f}" x2="{WIDTH - PAD_R}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{PAD_L - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{_tick_label(v)}</text>')
    for i, label in enumerate(labels):
        parts.append(f'<text x="{x_of(i):.1f}" y="{HEIGHT - PAD_B + 16}" font-size="10" '
                     f'text-anchor="middle">{escape(fit(label, slot - 4))}</text>')
    return parts


def _legend(series: dict) -> list[str]:
    parts = []
    for i, name in enumerate(series):
        x = PAD_L + i * 120
        parts.append(f'<rect x="{x}" y="{HEIGHT - 14}" width="10" height="10" fill="{COLORS[i % len(COLORS)]}"/>')
        parts.append(f'<text x="{x + 14}" y="{HEIGHT - 5}" font-size="11">{escape(name)}</text>')
    return parts


def _svg(title: str, parts: list[str]) -> Markup:
    body = "".join(parts)
    return Markup(f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {WIDTH} {HEIGHT}" '
                  f'xmlns="http://www.w3.org/2000/svg" width="100%" preserveAspectRatio="xMidYMid meet">'
                  f'{body}</svg>')


def line_chart(title: str, labels: list[str], series: dict[str, list[float | None]],
               lo: float | None = 0.0, hi: float | None = 100.0) -> Markup:
    """A line per series over the labels; a None value breaks the line (no data that month)."""
    colon = gettext("：")  # in tooltips: ：in Chinese, ": " in English
    lo, hi = _scale([v for vs in series.values() for v in vs], lo, hi)
    plot_w, plot_h = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B
    n = max(len(labels), 1)

    def x_of(i):
        return PAD_L + (plot_w * (i + 0.5) / n)

    def y_of(v):
        return PAD_T + plot_h * (1 - (v - lo) / (hi - lo))

    parts = _frame(title, lo, hi, labels, x_of)
    for k, (name, values) in enumerate(series.items()):
        color = COLORS[k % len(COLORS)]
        segment: list[str] = []
        for i, v in enumerate(values):
            if v is None:
                if len(segment) > 1:
                    parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{" ".join(segment)}"/>')
                segment = []
                continue
            segment.append(f"{x_of(i):.1f},{y_of(v):.1f}")
            parts.append(f'<circle cx="{x_of(i):.1f}" cy="{y_of(v):.1f}" r="3" fill="{color}">'
                         f'<title>{escape(name)} {escape(labels[i])}{colon}{v:.1f}</title></circle>')
        if len(segment) > 1:
            parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{" ".join(segment)}"/>')
    parts += _legend(series)
    return _svg(title, parts)


def bar_chart(title: str, labels: list[str], series: dict[str, list[float | None]],
              lo: float | None = 0.0, hi: float | None = None) -> Markup:
    """Grouped bars per label, one colour per series; None draws nothing."""
    colon = gettext("：")  # in tooltips: ：in Chinese, ": " in English
    lo, hi = _scale([v for vs in series.values() for v in vs], lo, hi)
    plot_w, plot_h = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B
    n, m = max(len(labels), 1), max(len(series), 1)
    slot = plot_w / n
    bar = slot * 0.8 / m

    def x_of(i):
        return PAD_L + slot * (i + 0.5)

    parts = _frame(title, lo, hi, labels, x_of)
    for k, (name, values) in enumerate(series.items()):
        color = COLORS[k % len(COLORS)]
        for i, v in enumerate(values):
            if v is None:
                continue
            h = plot_h * (v - lo) / (hi - lo)
            x = PAD_L + slot * i + slot * 0.1 + bar * k
            parts.append(f'<rect x="{x:.1f}" y="{PAD_T + plot_h - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                         f'fill="{color}"><title>{escape(name)} {escape(labels[i])}{colon}{v:g}</title></rect>')
    parts += _legend(series)
    return _svg(title, parts)


def ranking_chart(title: str, rows: list[tuple[str, float | None]], hi: float = 100.0) -> Markup:
    """Horizontal bars, one per row (label, value) in the order given — a ranking that stays
    readable with 50+ agencies; the chart grows in height with the rows."""
    colon = gettext("：")  # in tooltips: ：in Chinese, ": " in English
    row_h, pad_l, pad_t = 18, 190, 28
    height = pad_t + row_h * max(len(rows), 1) + 12
    plot_w = WIDTH - pad_l - PAD_R - 36
    lo, hi = 0.0, hi
    parts = [f'<title>{escape(title)}</title>']
    for v in nice_ticks(lo, hi):
        x = pad_l + plot_w * (v - lo) / (hi - lo)
        parts.append(f'<line x1="{x:.1f}" y1="{pad_t - 4}" x2="{x:.1f}" y2="{height - 10}" stroke="#ddd"/>')
        parts.append(f'<text x="{x:.1f}" y="{pad_t - 10}" font-size="11" text-anchor="middle">{_tick_label(v)}</text>')
    for i, (label, value) in enumerate(rows):
        y = pad_t + i * row_h
        name = label if len(label) <= 14 else label[:13] + "…"
        parts.append(f'<text x="{pad_l - 6}" y="{y + 13}" font-size="11" text-anchor="end">{i + 1}. {escape(name)}'
                     f'<title>{escape(label)}</title></text>')
        if value is None:
            parts.append(f'<text x="{pad_l + 4}" y="{y + 13}" font-size="11">—</text>')
            continue
        w = plot_w * (min(max(value, lo), hi) - lo) / (hi - lo)
        parts.append(f'<rect x="{pad_l}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{COLORS[0]}">'
                     f'<title>{escape(label)}{colon}{value:.1f}</title></rect>')
        parts.append(f'<text x="{pad_l + w + 4:.1f}" y="{y + 13}" font-size="11">{value:.1f}</text>')
    return Markup(f'<svg class="chart chart-ranking" role="img" aria-label="{escape(title)}" '
                  f'viewBox="0 0 {WIDTH} {height}" xmlns="http://www.w3.org/2000/svg" width="100%" '
                  f'preserveAspectRatio="xMidYMin meet">{"".join(parts)}</svg>')
