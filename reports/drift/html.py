"""The HTML report: evidently's report with the credit-drift banner on top.
"""

from __future__ import annotations

import os
from collections import Counter
from html import escape
from pathlib import Path

from reports.drift.ranking import ACT, STABLE, WATCH
from scoring.monitoring.psi import PSI_ACT, PSI_WATCH


def banner_html(summary: dict) -> str:
    v = summary["verdict"]
    colour = {STABLE: "#1b7f3b", WATCH: "#b26a00", ACT: "#b3261e"}[v["status"]]
    psi = summary["score_psi"]
    psi_text = (f"{psi['value']:.4f} ({psi['status']}; &lt; {PSI_WATCH} stable, {PSI_WATCH}&ndash;{PSI_ACT} watch, "
                f"&gt; {PSI_ACT} act) &mdash; reference: {escape(psi['reference']['source'])} "
                f"(n={psi['reference']['n']:,}); current: {escape(psi['current']['source'])} "
                f"(n={psi['current']['n']:,})"
                if psi.get("value") is not None else f"not computed ({escape(psi.get('reason', ''))})")
    ref, cur = summary["reference"], summary["current"]
    sampling = summary["sampling"]["note"]
    top = [c for c in summary["drifted_columns"][:10]]
    top_text = ", ".join(f"{escape(c['column'])} ({c['score']:.3g})" for c in top) or "none"
    lines = [
        f"<b>Verdict: <span style='color:{colour}'>{v['status'].upper()}</span></b> &mdash; "
        + "; ".join(escape(r) for r in v["reasons"]),
        f"<b>Reference</b>: {escape(ref['kind'])} {escape(ref['source'])} &mdash; {ref['rows']:,} rows "
        f"({ref['rows_compared']:,} compared)",
        f"<b>Current</b>: {escape(cur['kind'])} {escape(cur['source'])} &mdash; {cur['rows']:,} rows "
        f"({cur['rows_compared']:,} compared)",
        f"<b>Sampling</b>: {escape(sampling)}",
        f"<b>Columns</b>: {escape(summary['columns_basis']['description'])}; "
        f"{summary['n_drifted']} of {summary['n_columns']} drifted "
        f"(share {summary['share_drifted']:.3f}, dataset drift threshold {summary['drift_share_threshold']:g})",
        f"<b>Most drifted</b>: {top_text}",
        f"<b>Tests</b>: {escape(_methods_text(summary['columns']))}",
        f"<b>Score PSI</b>: {psi_text}",
        f"<b>Model</b>: {escape(summary.get('model_version') or 'none (no bundle)')} &mdash; generated "
        f"{escape(summary['generated_at'])}",
    ]
    for note in summary.get("notes", []):
        lines.append(f"<b>Note</b>: {escape(note)}")
    items = "".join(f"<div style='margin:2px 0'>{line}</div>" for line in lines)
    return ("<div id='credit-drift-banner' style='font-family:sans-serif;font-size:14px;padding:12px 16px;"
            f"border-left:6px solid {colour};background:#f7f7f7;margin:8px'>"
            "<div style='font-size:18px;font-weight:bold;margin-bottom:6px'>Data drift &mdash; credit scoring "
            f"model</div>{items}</div>")


def _methods_text(columns: list[dict]) -> str:
    counts = Counter(c["method"] for c in columns)
    thresholds = {}
    for c in columns:
        thresholds.setdefault(c["method"], c["threshold"])
    parts = [f"{n} x {m} ({'drift if >=' if 'p_value' not in m else 'drift if p <'} {thresholds[m]:.3g})"
             for m, n in counts.most_common()]
    return "; ".join(parts) + (" -- p-value thresholds are 0.05 / number of columns (Bonferroni)"
                               if any("p_value" in m for m in counts) else "")


def write_html(snapshot, path: Path, banner: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    snapshot.save_html(str(tmp))
    html = tmp.read_text(encoding="utf-8")
    marker = "<body>"
    at = html.find(marker)
    html = html[: at + len(marker)] + banner + html[at + len(marker):] if at >= 0 else banner + html
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, path)
