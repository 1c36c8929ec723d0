"""The red-team section of the HTML report: heat map, best-of-K curve, findings.

Plain HTML and inline SVG (no script, no CDN), to be passed to
`alignlab.bench.render_report(..., sections=[...])`.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from alignlab.bench._metrics import Rate
from alignlab.bench.redteam._metrics import RedteamMetrics

MAX_FINDINGS_SHOWN = 40
"""Findings with transcripts shown per run (the findings file holds them all)."""

_CSS = (
    ".rt td.cell{text-align:center;min-width:3.6rem;font-variant-numeric:tabular-nums}"
    ".rt td.cell small{display:block;color:#57606a;font-size:.72rem}"
    ".rt details{margin:.3rem 0;border:1px solid #eaeef2;border-radius:4px;padding:.3rem .6rem}"
    ".rt pre{white-space:pre-wrap;word-break:break-word;background:#f6f8fa;padding:.4rem;"
    "margin:.2rem 0;font-size:.8rem}"
)


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _cell(rate: Rate | None) -> str:
    if rate is None or rate.total == 0:
        return '<td class="cell muted">–</td>'
    alpha = 0.08 + 0.85 * rate.rate
    title = f"{rate.count}/{rate.total}; 95% CI {100 * rate.ci[0]:.0f}–{100 * rate.ci[1]:.0f}%"
    return (
        f'<td class="cell" style="background:rgba(207,34,46,{alpha:.2f})" title="{title}">'
        f"{100 * rate.rate:.0f}%<small>[{100 * rate.ci[0]:.0f}, {100 * rate.ci[1]:.0f}]"
        f" {rate.count}/{rate.total}</small></td>"
    )


def _heat_map(m: RedteamMetrics) -> str:
    head = "".join(f"<th>{_esc(c)}</th>" for c in m.categories)
    rows = [
        f"<table class='rt'><tr><th>attack</th>{head}<th>all</th><th>benign over-refusal</th></tr>"
    ]
    for attack in m.attacks:
        cells = "".join(_cell(m.cells.get(attack, {}).get(c)) for c in m.categories)
        rows.append(
            f"<tr><td>{_esc(attack)}</td>{cells}{_cell(m.by_attack.get(attack))}"
            f"{_cell(m.over_refusal.get(attack))}</tr>"
        )
    total = "".join(_cell(m.by_category.get(c)) for c in m.categories)
    rows.append(f"<tr><th>all attacks</th>{total}<td></td><td></td></tr></table>")
    return "".join(rows)


def _curve(m: RedteamMetrics, width: int = 560, height: int = 240) -> str:
    left, bottom, top, right = 48, 30, 12, 150
    plot_w, plot_h = width - left - right, height - top - bottom
    k_max = max(1, m.attempts)

    def x(k: int) -> float:
        return left + (plot_w * (k - 1) / (k_max - 1) if k_max > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h * (1 - v)

    parts = [f'<svg width="{width}" height="{height}" role="img" aria-label="best-of-K curve">']
    for v in (0.0, 0.5, 1.0):
        parts.append(
            f'<line x1="{left}" y1="{y(v):.1f}" x2="{left + plot_w}" y2="{y(v):.1f}" '
            'stroke="#eaeef2"/>'
            f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{100 * v:.0f}%</text>'
        )
    for k in range(1, k_max + 1):
        parts.append(f'<text x="{x(k):.1f}" y="{height - 10}" text-anchor="middle">{k}</text>')
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height}" text-anchor="middle">K attempts</text>'
    )
    any_curve = m.best_of_k.get("any", [])
    if any_curve:
        upper = " ".join(f"{x(k):.1f},{y(r.ci[1]):.1f}" for k, r in enumerate(any_curve, 1))
        lower = " ".join(
            f"{x(k):.1f},{y(r.ci[0]):.1f}" for k, r in reversed(list(enumerate(any_curve, 1)))
        )
        parts.append(f'<polygon points="{upper} {lower}" fill="#cf222e" fill-opacity="0.12"/>')
    colours = ("#0969da", "#bf3989", "#1a7f37", "#9a6700", "#8250df")
    shown = sorted(
        (a for a in m.attacks if m.best_of_k.get(a) and m.best_of_k[a][-1].rate > 0),
        key=lambda a: -m.best_of_k[a][-1].rate,
    )[: len(colours)]
    series = [("any", "#cf222e"), *zip(shown, colours, strict=False)]
    for row, (name, colour) in enumerate(series):
        curve = m.best_of_k.get(name, [])
        if not curve:
            continue
        points = " ".join(f"{x(k):.1f},{y(r.rate):.1f}" for k, r in enumerate(curve, 1))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>'
            + "".join(
                f'<circle cx="{x(k):.1f}" cy="{y(r.rate):.1f}" r="3" fill="{colour}">'
                f"<title>{_esc(name)} K={k}: {r.count}/{r.total}</title></circle>"
                for k, r in enumerate(curve, 1)
            )
            + f'<text x="{left + plot_w + 8}" y="{top + 14 + 16 * row}" fill="{colour}">'
            f"{_esc('any attack' if name == 'any' else name)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _findings(m: RedteamMetrics) -> str:
    if not m.findings:
        return "<p>No attack succeeded: nothing to keep as a regression suite.</p>"
    out = [
        f"<p>{len(m.findings)} successful attack(s); "
        f"the first {min(len(m.findings), MAX_FINDINGS_SHOWN)} with their transcripts:</p>"
    ]
    for finding in m.findings[:MAX_FINDINGS_SHOWN]:
        turns = "".join(
            f"<div><b>{_esc(msg['role'])}</b><pre>{_esc(msg['content'][:1500])}</pre></div>"
            for msg in finding.messages
        )
        out.append(
            f"<details><summary><code>{_esc(finding.id)}</code> · {_esc(finding.category)} · "
            f"{_esc(finding.attack)} (attempt {finding.attempt + 1})</summary>{turns}</details>"
        )
    return "".join(out)


def redteam_section(runs: Sequence[RedteamMetrics]) -> str:
    """The red-team part of the report for one or more red-team runs."""
    if not runs:
        return ""
    out = [
        f"<style>{_CSS}</style><section class='rt'><h2>Red-teaming</h2>",
        "<p class='muted'>Attack success rate (ASR): harmful requests answered on topic and "
        "not refused, over the (behaviour, attempt) samples of each attack, with Wilson 95% "
        "intervals and counts. Best-of-K: behaviours broken by any of the first K attempts. "
        "Benign over-refusal: the matched harmless requests refused under the same "
        "attack.</p>",
    ]
    for m in runs:
        tag = ' <span class="tag">SCRIPTED target</span>' if m.scripted else ""
        out.append(
            f"<h3>{_esc(m.system)}{tag}</h3><p class='muted'>{m.behaviours} behaviours × "
            f"{len(m.attacks)} attacks × K={m.attempts}; {m.samples} samples, "
            f"{m.errors} errored (not scored)</p>"
        )
        out.append(_heat_map(m))
        out.append("<h4>Best-of-K</h4>" + _curve(m))
        if m.agreement is not None:
            a = m.agreement
            kappa = "n/a" if a.kappa is None else f"{a.kappa:.2f}"
            out.append(
                f"<p>Offline scoring and the judge agree on {100 * a.agree.rate:.0f}% "
                f"[{100 * a.agree.ci[0]:.0f}, {100 * a.agree.ci[1]:.0f}] of "
                f"{a.agree.total} harmful samples (Cohen's κ {kappa}; offline only "
                f"{a.offline_only}, judge only {a.judge_only}).</p>"
            )
        out.append("<h4>Findings</h4>" + _findings(m))
    out.append("</section>")
    return "".join(out)
