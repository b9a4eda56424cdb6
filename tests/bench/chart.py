"""cbound benchmarks: a dependency-free SVG bar chart of the cbound / baseline ratios."""

from xml.sax.saxutils import escape

BAR_H, GAP, TOP, CHAR_W, PLOT_W = 16, 6, 60, 6.6, 560
COLOURS = {"raw": "#4c72b0", "bsdtar": "#dd8452", "GNU tar": "#c44e52", "instructions": "#55a868"}


def _bars(rows, instr):
    """(label, ratio, baseline kind, goal) for every figure worth drawing."""
    bars = []
    for row in rows:
        sides = row.get("sides", {})
        if "cbound" not in sides:
            continue
        for base in ("raw", "bsdtar", "GNU tar"):
            if base in sides and sides[base] > 0:
                goal = row["goal"][1] if isinstance(row.get("goal"), tuple) and row["goal"][0] == base else None
                bars.append((f"{row['group']} {row['name']} vs {base}", sides["cbound"] / sides[base], base, goal))
    for r in instr:
        if r.get("ratio"):
            bars.append((f"instructions: {r['name']}", r["ratio"], "instructions", r["goal"]))
    return bars


def render(rows, instr):
    bars = _bars(rows, instr)
    # The label column is as wide as the longest label (12 px sans-serif: about 6.6 px a character).
    LEFT = int(max([20] + [len(b[0]) for b in bars]) * CHAR_W) + 16
    WIDTH = LEFT + PLOT_W + 60
    top_ratio = max([1.2] + [min(b[1], 3.0) for b in bars]) * 1.05
    scale = PLOT_W / top_ratio
    height = TOP + len(bars) * (BAR_H + GAP) + 40
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{WIDTH}" height="{height}" fill="white"/>',
           '<text x="10" y="22" font-size="16" font-weight="bold">cbound / baseline '
           '(lower is faster; 1.0 = same cost)</text>']
    legend_x = 10
    for kind, colour in COLOURS.items():
        label = {"raw": "wall time vs raw C libarchive", "bsdtar": "wall time vs bsdtar",
                 "GNU tar": "wall time vs GNU tar", "instructions": "callgrind instructions vs raw C"}[kind]
        out.append(f'<rect x="{legend_x}" y="34" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{legend_x + 16}" y="45">{label}</text>')
        legend_x += 16 + 8 * len(label)
    for i, (label, ratio, kind, goal) in enumerate(bars):
        y = TOP + i * (BAR_H + GAP)
        width = min(ratio, 3.0) * scale
        out.append(f'<text x="{LEFT - 8}" y="{y + BAR_H - 4}" text-anchor="end">{escape(label)}</text>')
        out.append(f'<rect x="{LEFT}" y="{y}" width="{width:.1f}" height="{BAR_H}" fill="{COLOURS[kind]}"/>')
        out.append(f'<text x="{LEFT + width + 4:.1f}" y="{y + BAR_H - 4}">{ratio:.3f}</text>')
        if goal:
            gx = LEFT + goal * scale
            out.append(f'<line x1="{gx:.1f}" x2="{gx:.1f}" y1="{y - 2}" y2="{y + BAR_H + 2}" '
                       'stroke="black" stroke-dasharray="3,2"/>')
    one = LEFT + scale
    bottom = TOP + len(bars) * (BAR_H + GAP)
    out.append(f'<line x1="{one:.1f}" x2="{one:.1f}" y1="{TOP - 4}" y2="{bottom}" stroke="#888"/>')
    out.append(f'<text x="{one:.1f}" y="{bottom + 16}" text-anchor="middle">1.0</text>')
    out.append(f'<text x="{LEFT}" y="{bottom + 32}" fill="#555">dashed mark: goal of the issue; '
               'bars cut at 3.0</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
