"""A self-contained HTML report of one or more runs: no CDN, no script, inline CSS and SVG.

For each run: the headline rates with Wilson intervals, per-category bars with interval
whiskers, and, when the system has guardrails, their alignment tax (safe items they
turned into refusals) against the harm they prevented (unsafe items they stopped).
Runs of the same suite are also drawn side by side, so systems can be compared at a
glance; the paired significance test is `alignlab bench compare`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from alignlab.bench._compare import Comparison, format_p
from alignlab.bench._metrics import GuardrailEffect, Rate, RunMetrics
from alignlab.bench._profile import Profile

HEADLINES: dict[str, tuple[str, ...]] = {
    "refusal_calibration": ("over_refusal", "unsafe_compliance", "failure", "partial_refusal"),
    "xstest": ("over_refusal", "unsafe_compliance", "failure", "partial_refusal"),
    "honesty": ("correct", "abstained", "confidently_wrong"),
}
"""The outcomes each suite's report leads with."""

LABELS: dict[str, str] = {
    "over_refusal": "over-refusal (safe items refused)",
    "unsafe_compliance": "unsafe compliance (unsafe items answered)",
    "failure": "failures (FR /100 ÷ 100)",
    "partial_refusal": "partial refusals",
    "correct": "correct",
    "abstained": "abstained",
    "confidently_wrong": "confidently wrong",
}

_CSS = (
    "body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;"
    "color:#1b1f24;padding:0 1rem}h1{font-size:1.6rem;margin-bottom:.2rem}"
    "h2{margin-top:2.2rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}"
    "h3{margin:1.4rem 0 .4rem}table{border-collapse:collapse;margin:.6rem 0}"
    "td,th{padding:.25rem .7rem;border-bottom:1px solid #eaeef2;text-align:right}"
    "th:first-child,td:first-child{text-align:left}.muted{color:#57606a}"
    ".tag{display:inline-block;background:#fff3bf;border:1px solid #e3c64b;"
    "border-radius:4px;padding:0 .4rem;font-size:.85rem}"
    ".bad{color:#b42318;font-weight:600}.good{color:#1a7f37;font-weight:600}"
    "svg text{font:12px system-ui,sans-serif}"
    "code{background:#f6f8fa;padding:0 .3rem;border-radius:3px}"
    "details{margin:.4rem 0}summary{cursor:pointer;font-weight:600}"
    ".txt{display:block;text-align:left;max-width:28rem;white-space:pre-wrap}"
)

_COLOURS = ("#0969da", "#bf3989", "#1a7f37", "#9a6700", "#8250df", "#cf222e")


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _row(*cells: object, head: bool = False, cls: str = "") -> str:
    tag = "th" if head else "td"
    first = f'<{tag} class="{cls}">' if cls else f"<{tag}>"
    inner = f"</{tag}><{tag}>".join(str(c) for c in cells)
    return f"<tr>{first}{inner}</{tag}></tr>"


def _line(x1: float, y1: float, x2: float, y2: float, colour: str = "#1b1f24") -> str:
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
        f'stroke="{colour}" stroke-width="1.5"/>'
    )


def _pct(rate: Rate) -> str:
    return f"{100 * rate.rate:.1f}%"


def _ci(rate: Rate) -> str:
    return f"[{100 * rate.ci[0]:.1f}, {100 * rate.ci[1]:.1f}]"


def _n(rate: Rate) -> str:
    count = rate.count if rate.count != int(rate.count) else int(rate.count)
    return f"{count:g} / {rate.total}"


def _bars(rows: Sequence[tuple[str, Rate]], colour: str = "#0969da", width: int = 640) -> str:
    """Horizontal bars in [0, 100]% with Wilson-interval whiskers, as inline SVG."""
    label_w, bar_w, row_h = 190, width - 190 - 120, 22
    height = row_h * len(rows) + 24
    parts = [f'<svg role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}">']
    for tick in (0, 25, 50, 75, 100):
        x = label_w + bar_w * tick / 100
        parts.append(_line(x, 0, x, height - 18, "#eaeef2"))
        parts.append(
            f'<text x="{x:.1f}" y="{height - 4}" text-anchor="middle" fill="#57606a">{tick}%</text>'
        )
    for i, (label, rate) in enumerate(rows):
        y = i * row_h + 4
        w = bar_w * rate.rate
        lo, hi = (label_w + bar_w * v for v in rate.ci)
        mid = y + (row_h - 8) / 2
        parts.append(
            f'<text x="{label_w - 8}" y="{mid + 4:.1f}" text-anchor="end">{_esc(label)}</text>'
        )
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{row_h - 8}" '
            f'fill="{colour}" opacity="0.8"><title>{_esc(label)}: '
            f"{_n(rate)}</title></rect>"
        )
        parts.append(_line(lo, mid, hi, mid))
        parts.extend(_line(x, mid - 4, x, mid + 4) for x in (lo, hi))
        parts.append(
            f'<text x="{label_w + bar_w + 8}" y="{mid + 4:.1f}">{_pct(rate)} ({_n(rate)})</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def headline_keys(task: str, overall: Mapping[str, Any]) -> tuple[str, ...]:
    """The outcomes a run's report leads with: its suite's, else its scorer family's.

    A suite file of your own (named after the file) is scored as refusal or honesty, and
    leads with the same outcomes as the built-in suite of that family.
    """
    keys = HEADLINES.get(task.split("/")[-1])
    if keys is None:
        if "over_refusal" in overall:
            keys = HEADLINES["refusal_calibration"]
        elif "confidently_wrong" in overall:
            keys = HEADLINES["honesty"]
    return tuple(k for k in keys if k in overall) if keys else tuple(sorted(overall))


def _headline(run: RunMetrics) -> tuple[str, ...]:
    return headline_keys(run.task, run.overall)


def _run_section(run: RunMetrics, index: int) -> str:
    out = [f'<h2 id="run-{index}">{_esc(run.label)} · {_esc(run.task)}</h2>']
    if run.scripted:
        out.append(
            '<p><span class="tag">scripted target</span> '
            '<span class="muted">a canned stand-in used by the demo, not a model</span></p>'
        )
    out.append(
        f'<p class="muted">model <code>{_esc(run.model)}</code> · {run.samples} samples · '
        f"{run.errors} errored (not scored) · log <code>{_esc(run.location)}</code></p>"
    )
    interval = "Wilson 95% CI" if run.epochs == 1 else "cluster Wilson 95% CI (items)"
    rows = ["<table>" + _row("metric", "rate", interval, "count / n", "errored", head=True)]
    for key in _headline(run):
        rate = run.overall[key]
        label = _esc(LABELS.get(key, key))
        rows.append(_row(label, _pct(rate), _ci(rate), _n(rate), rate.errored))
    if run.fr is not None:
        fr, (lo, hi) = run.fr
        failure = run.overall["failure"]
        rows.append(
            _row(
                "<b>FR /100</b> (failures per 100 items)",
                f"<b>{fr:.1f}</b>",
                f"[{lo:.1f}, {hi:.1f}]",
                _n(failure),
                failure.errored,
            )
        )
    rows.append("</table>")
    out.extend(rows)
    for key in _headline(run)[:2]:
        cats = [(c, m[key]) for c, m in run.by_category.items() if key in m]
        if cats:
            out.append(f"<h3>{_esc(LABELS.get(key, key))} by category</h3>")
            out.append(_bars(cats, _COLOURS[_headline(run).index(key) % len(_COLOURS)]))
    kinds = [
        (f"{k}: {LABELS.get(key, key).split(' (')[0]}", m[key])
        for k, m in run.by_kind.items()
        for key in _headline(run)[:2]
        if key in m
    ]
    if kinds:
        out.append("<h3>by item kind</h3>")
        out.append(_bars(kinds, "#8250df"))
    if run.guardrails is not None:
        out.append(_guardrail_section(run.guardrails))
    out.append(_drilldown_section(run))
    return "".join(out)


def _drilldown_section(run: RunMetrics) -> str:
    """Per-item drill-down: the items each failure outcome counts, collapsible.

    No script: each list is a `<details>` element, and the browser's find (Ctrl-F) searches
    inside closed ones too (Chromium opens the match).
    """
    if not run.drilldown:
        return ""
    log_dir = html.escape(str(Path(run.location).parent))
    out = [
        "<h3>the items behind the numbers</h3><p class='muted'>Open a list, or search the "
        "page (Ctrl-F finds text in closed lists). Full transcripts: "
        f"<code>inspect view --log-dir {log_dir}</code>, then this log and the sample id.</p>"
    ]
    for outcome in dict.fromkeys(r["outcome"] for r in run.drilldown):
        rows = [r for r in run.drilldown if r["outcome"] == outcome]
        out.append(
            f"<details><summary>{_esc(LABELS.get(outcome, outcome))}: {len(rows)} "
            "sample(s)</summary><table>"
            + _row("id", "category", "prompt", "answer", "label", head=True)
        )
        for r in rows:
            out.append(
                _row(
                    f"{_esc(r['id'])}" + (f" (epoch {r['epoch']})" if r["epoch"] > 1 else ""),
                    _esc(r["category"]),
                    f"<span class='txt'>{_esc(r['prompt'])}</span>",
                    f"<span class='txt'>{_esc(r['answer'])}</span>",
                    f"<span title='{_esc(r['explanation'])}'>{_esc(r['label'])}</span>",
                )
            )
        out.append("</table></details>")
    return "".join(out)


def _guardrail_section(g: GuardrailEffect) -> str:
    """Per-layer tax (safe items) and benefit (unsafe items), each with its interval."""
    lost, prevented = g.helpfulness_lost, g.harm_prevented
    out = [
        "<h3>guardrails: the alignment tax, layer by layer</h3>",
        "<p class='muted'>Tax: safe items the layer intervened on (blocked, replaced, revised) "
        "that ended refused, over the safe items. Benefit: unsafe items it intervened on. "
        "Harm prevented: unsafe items it intervened on that <i>would have been</i> fully "
        "complied with without it (the answer it was given, labelled by the scorer) and were "
        "not, over the unsafe items whose counterfactual is known; an input filter blocks "
        "before the model answers, so its counterfactual is unknown unless the layer is "
        "ablated (<code>alignlab bench profile --ablate-layers</code>). Wilson 95% "
        "intervals.</p><table>",
        _row("layer", "tax (safe items)", "benefit (unsafe items)", "harm prevented", head=True),
    ]
    for layer in g.by_layer.values():
        note = f"; {layer.unmeasured} unknown" if layer.unmeasured else ""
        out.append(
            _row(
                _esc(layer.layer),
                f"{_pct(layer.tax)} {_ci(layer.tax)} ({_n(layer.tax)})",
                f"{_pct(layer.benefit)} {_ci(layer.benefit)} ({_n(layer.benefit)})",
                f"{_pct(layer.prevented)} {_ci(layer.prevented)} ({_n(layer.prevented)}{note})",
            )
        )
    out.append(
        _row(
            "<b>all layers</b>",
            f"<span class='bad'>{_pct(lost)} {_ci(lost)} ({_n(lost)})</span>",
            "",
            f"<span class='good'>{_pct(prevented)} {_ci(prevented)} ({_n(prevented)}"
            + (f"; {g.unmeasured} unknown" if g.unmeasured else "")
            + ")</span>",
        )
    )
    out.append("</table>")
    return "".join(out)


def _side_by_side(runs: Sequence[RunMetrics]) -> str:
    out: list[str] = []
    tasks = sorted({r.task for r in runs})
    for task in tasks:
        same = [r for r in runs if r.task == task]
        if len(same) < 2:
            continue
        out.append(f"<h2>{_esc(task)}: systems side by side</h2>")
        for key in _headline(same[0]):
            names = [r.system for r in same]
            rows = [
                (r.label if names.count(r.system) > 1 else r.system, r.overall[key])
                for r in same
                if key in r.overall
            ]
            out.append(f"<h3>{_esc(LABELS.get(key, key))}</h3>")
            out.append(_bars(rows, _COLOURS[_headline(same[0]).index(key) % len(_COLOURS)]))
    return "".join(out)


def _tax_summary(runs: Sequence[RunMetrics]) -> str:
    guarded = [r for r in runs if r.guardrails is not None]
    if not guarded:
        return ""
    out = [
        "<h2>the alignment tax of the guardrails</h2><p class='muted'>What each guarded "
        "system's guardrail layers cost in helpfulness (safe items they turned into "
        "refusals) against the harm they prevented (unsafe items they stopped).</p><table>",
        _row("system", "suite", "helpfulness lost", "harm prevented", head=True),
    ]
    for r in guarded:
        assert r.guardrails is not None
        lost, prevented = r.guardrails.helpfulness_lost, r.guardrails.harm_prevented
        out.append(
            _row(
                _esc(r.system),
                _esc(r.task),
                f"{_pct(lost)} {_ci(lost)} ({_n(lost)} safe)",
                f"{_pct(prevented)} {_ci(prevented)} ({_n(prevented)} unsafe, counterfactual)",
            )
        )
    out.append("</table>")
    return "".join(out)


def _comparisons(comparisons: Sequence[Comparison]) -> str:
    out: list[str] = []
    for comp in comparisons:
        out.append(
            f"<h2>paired comparison: {_esc(comp.base_name)} → {_esc(comp.candidate_name)}</h2>"
            f"<p class='muted'>base <code>{_esc(comp.base)}</code>"
            f"<br>candidate <code>{_esc(comp.candidate)}</code><br>{comp.pairs} paired "
            f"items · alpha {comp.alpha}, Holm over {_esc(', '.join(comp.family))}"
            + (
                f" · <span class='bad'>compared on the overlap: candidate missing "
                f"{comp.missing}, errored {comp.errored}</span>"
                if comp.allow_missing
                else ""
            )
            + "</p><table>"
        )
        out.append(
            _row(
                "outcome",
                "better",
                "base",
                "candidate",
                "delta",
                "95% CI",
                "p",
                "p (Holm)",
                "",
                head=True,
            )
        )
        for m in comp.metrics:
            verdict = (
                '<span class="bad">regression</span>'
                if m.regression
                else '<span class="good">improved</span>'
                if m.improvement
                else _esc(m.decision)
            )
            out.append(
                _row(
                    _esc(m.name),
                    _esc(m.direction),
                    f"{m.base:.3f}",
                    f"{m.candidate:.3f}",
                    f"{m.delta:+.3f}",
                    f"[{m.ci[0]:+.3f}, {m.ci[1]:+.3f}]",
                    format_p(m.p_value),
                    format_p(m.p_adjusted),
                    verdict,
                )
            )
        out.append("</table>")
    return "".join(out)


def render_report(
    runs: Sequence[RunMetrics],
    comparisons: Sequence[Comparison] = (),
    title: str = "alignlab bench report",
    sections: Sequence[str] = (),
) -> str:
    """Render runs (and optional paired comparisons) as one self-contained HTML page.

    `sections` are extra HTML sections placed after the comparisons (the red-team
    section of `alignlab.bench.redteam` is one).
    """
    body = [f"<h1>{_esc(title)}</h1>"]
    if any(r.scripted for r in runs):
        body.append(
            '<p><span class="tag">contains scripted targets</span> <span class="muted">'
            "systems named scripted-* are canned stand-ins that show the workflow offline; "
            "their numbers describe the scripts, not any model.</span></p>"
        )
    body.append(
        "<p class='muted'>Rates are over the items each outcome applies to (over-refusal "
        "over safe items, unsafe compliance over unsafe items) with Wilson 95% intervals, "
        "which stay honest at 0/N and N/N (cluster Wilson over items when items have "
        "several epochs). Errored samples are not scored; every rate shows its n and the "
        "errored samples it would have covered.</p>"
    )
    body.append(
        "<ul>"
        + "".join(
            f'<li><a href="#run-{i}">{_esc(r.label)} · {_esc(r.task)}</a></li>'
            for i, r in enumerate(runs)
        )
        + "</ul>"
    )
    body.append(_tax_summary(runs))
    body.append(_side_by_side(runs))
    body.append(_comparisons(comparisons))
    body.extend(sections)
    body.extend(_run_section(r, i) for i, r in enumerate(runs))
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{_esc(title)}</title>"
        f"<style>{_CSS}</style></head><body>{''.join(body)}</body></html>"
    )


AXIS_LABELS: dict[str, str] = {
    "over_refusal": "over-refusal (safe prompts refused)",
    "unsafe_compliance": "unsafe compliance (unsafe prompts answered)",
    "refusal_of_unsafe": "refusal of unsafe prompts",
    "correct": "honesty: correct",
    "confidently_wrong": "honesty: confidently wrong",
    "false_premise_correct": "false premises corrected",
    "sycophancy_correct": "sycophancy resisted",
    "unanswerable_correct": "unanswerable: says so",
    "attack_success": "red-team attack success",
}
"""How each profile axis is named on the page."""


def tradeoff_svg(points: Sequence[tuple[str, Rate, Rate]], size: int = 420) -> str:
    """The trade-off plot: x over-refusal of safe prompts, y refusal of unsafe ones.

    Each system is a point with its 95% interval as whiskers on both axes; the ideal is
    the top left (refuses nothing safe, everything unsafe).
    """
    pad, plot = 56, size - 56 - 16
    parts = [
        f'<svg role="img" width="{size + 200}" height="{size}" viewBox="0 0 {size + 200} {size}">',
        f'<rect x="{pad}" y="16" width="{plot}" height="{plot}" fill="none" stroke="#d0d7de"/>',
    ]

    def px(x: float) -> float:
        return pad + plot * x

    def py(y: float) -> float:
        return 16 + plot * (1 - y)

    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        parts.append(_line(px(tick), 16, px(tick), 16 + plot, "#eaeef2"))
        parts.append(_line(pad, py(tick), pad + plot, py(tick), "#eaeef2"))
        parts.append(
            f'<text x="{px(tick):.1f}" y="{size - 26}" text-anchor="middle" '
            f'fill="#57606a">{100 * tick:.0f}%</text>'
        )
        parts.append(
            f'<text x="{pad - 6}" y="{py(tick) + 4:.1f}" text-anchor="end" '
            f'fill="#57606a">{100 * tick:.0f}%</text>'
        )
    parts.append(
        f'<text x="{pad + plot / 2:.1f}" y="{size - 6}" text-anchor="middle">'
        "over-refusal of safe prompts →</text>"
    )
    parts.append(
        f'<text x="14" y="{16 + plot / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 14 {16 + plot / 2:.1f})">refusal of unsafe prompts →</text>'
    )
    parts.append(
        f'<text x="{px(0) + 6:.1f}" y="30" fill="#1a7f37">ideal</text>'
        f'<circle cx="{px(0):.1f}" cy="{py(1):.1f}" r="4" fill="#1a7f37"/>'
    )
    for i, (name, x, y) in enumerate(points):
        colour = _COLOURS[i % len(_COLOURS)]
        cx, cy = px(x.rate), py(y.rate)
        parts.append(_line(px(x.ci[0]), cy, px(x.ci[1]), cy, colour))
        parts.append(_line(cx, py(y.ci[0]), cx, py(y.ci[1]), colour))
        parts.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="5" fill="{colour}">'
            f"<title>{_esc(name)}: over-refusal {_pct(x)} {_ci(x)} (n={x.total}), refusal "
            f"of unsafe {_pct(y)} {_ci(y)} (n={y.total})</title></circle>"
        )
        parts.append(
            f'<text x="{size + 4}" y="{24 + 18 * i}" fill="{colour}">● {_esc(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def render_profile(profile: Profile, title: str = "alignlab bench profile") -> str:
    """Render a `Profile` as one self-contained HTML page (no script, no CDN)."""
    body = [f"<h1>{_esc(title)}</h1>"]
    if any(r.scripted for r in profile.runs):
        body.append(
            '<p><span class="tag">contains scripted targets</span> <span class="muted">'
            "canned stand-ins, not models.</span></p>"
        )
    axes = list(dict.fromkeys(a for s in profile.systems for a in profile.axes.get(s, {})))
    body.append(
        "<h2>every axis</h2><p class='muted'>Each cell: rate, Wilson 95% interval (cluster "
        "Wilson over items with several epochs), n and errored.</p><table>"
    )
    body.append(_row("axis", *(_esc(s) for s in profile.systems), head=True))
    for axis in axes:
        cells = []
        for system in profile.systems:
            rate = profile.axes.get(system, {}).get(axis)
            cells.append(
                "-"
                if rate is None
                else f"{_pct(rate)} {_ci(rate)} <span class='muted'>n={rate.total}"
                + (f", {rate.errored} errored" if rate.errored else "")
                + "</span>"
            )
        body.append(_row(_esc(AXIS_LABELS.get(axis, axis)), *cells))
    body.append("</table>")
    for ranking in profile.rankings:
        body.append(
            f"<h2>ranking: {_esc(ranking.suite)}</h2><p class='muted'>On "
            f"{_esc(ranking.outcome)} ({_esc(ranking.direction)} is better); every pair "
            f"compared item by item (exact McNemar, or a paired permutation test with "
            f"epochs), Holm over the pairs at alpha {profile.alpha}. Systems no test "
            "separates share a rank.</p><table>"
        )
        body.append(_row("rank", "system", ranking.outcome, head=True))
        for system in sorted(ranking.ranks, key=lambda s: (ranking.ranks[s], s)):
            body.append(
                _row(ranking.ranks[system], _esc(system), f"{100 * ranking.values[system]:.1f}%")
            )
        body.append("</table>")
    points = [
        (s, profile.axes[s]["over_refusal"], profile.axes[s]["refusal_of_unsafe"])
        for s in profile.systems
        if {"over_refusal", "refusal_of_unsafe"} <= set(profile.axes.get(s, {}))
    ]
    if points:
        body.append(
            "<h2>the trade-off</h2><p class='muted'>x: over-refusal of safe prompts; y: "
            "refusal of unsafe prompts; whiskers: 95% intervals; ideal: top left.</p>"
        )
        body.append(tradeoff_svg(points))
    for system, steps in profile.ablations.items():
        body.append(
            f"<h2>alignment tax per layer: {_esc(system)}</h2><p class='muted'>Each layer "
            "added to the system without it, paired over items: helpfulness lost is its "
            "rise in over-refusal, harm prevented its drop in unsafe compliance.</p><table>"
        )
        body.append(
            _row("layer added", "helpfulness lost (pts)", "harm prevented (pts)", head=True)
        )
        for label, comparison in steps:
            by = {m.name: m for m in comparison.metrics}
            over, unsafe = by.get("over_refusal"), by.get("unsafe_compliance")
            body.append(
                _row(
                    _esc(label),
                    "-"
                    if over is None
                    else f"{100 * over.delta:+.1f} [{100 * over.ci[0]:+.1f}, "
                    f"{100 * over.ci[1]:+.1f}] p={format_p(over.p_value)}",
                    "-"
                    if unsafe is None
                    else f"{-100 * unsafe.delta:+.1f} [{-100 * unsafe.ci[1]:+.1f}, "
                    f"{-100 * unsafe.ci[0]:+.1f}] p={format_p(unsafe.p_value)}",
                )
            )
        body.append("</table>")
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{_esc(title)}</title>"
        f"<style>{_CSS}</style></head><body>{''.join(body)}</body></html>"
    )
