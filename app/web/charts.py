"""Server-rendered SVG charts (line and bar): no JavaScript, no external assets, work offline.

The output is markup-safe SVG built from escaped text; templates insert it with `|safe`
via `Markup`.
"""
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT = 640, 240
PAD_L, PAD_R, PAD_T, PAD_B = 44, 16, 16, 40
COLORS = ("#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df")


def _scale(values: list[float | None], lo: float | None, hi: float | None) -> tuple[float, float]:
    present = [v for v in values if v is not None]
    lo = min(present, default=0.0) if lo is None else lo
    hi = max(present, default=1.0) if hi is None else hi
    if hi <= lo:
        hi = lo + 1.0
    return lo, hi


def _frame(title: str, lo: float, hi: float, labels: list[str], x_of) -> list[str]:
    parts = [f'<title>{escape(title)}</title>']
    plot_h = HEIGHT - PAD_T - PAD_B
    for i in range(5):  # horizontal grid with values
        v = lo + (hi - lo) * i / 4
        y = PAD_T + plot_h * (1 - i / 4)
        parts.append(f'<line x1="{PAD_L}" y1="{y:.1f}" x2="{WIDTH - PAD_R}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{PAD_L - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{v:.0f}</text>')
    for i, label in enumerate(labels):
        parts.append(f'<text x="{x_of(i):.1f}" y="{HEIGHT - PAD_B + 16}" font-size="10" '
                     f'text-anchor="middle">{escape(label)}</text>')
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
                         f'<title>{escape(name)} {escape(labels[i])}: {v:.1f}</title></circle>')
        if len(segment) > 1:
            parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{" ".join(segment)}"/>')
    parts += _legend(series)
    return _svg(title, parts)


def bar_chart(title: str, labels: list[str], series: dict[str, list[float | None]],
              lo: float | None = 0.0, hi: float | None = None) -> Markup:
    """Grouped bars per label, one colour per series; None draws nothing."""
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
                         f'fill="{color}"><title>{escape(name)} {escape(labels[i])}: {v:g}</title></rect>')
    parts += _legend(series)
    return _svg(title, parts)
