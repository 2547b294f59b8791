"""The model card (Markdown) of a trained bundle, in English or French.

One renderer for the whole product: the scoring service serves it (``GET /model/card``)
and ``python -m reports.model_card`` writes it to a file::

    from scoring.model_card import render, render_bundle
    markdown = render(metadata, fairness, drift_summary, lang="en")   # plain dicts (JSON files)
    markdown = render_bundle(bundle, drift_summary, lang="fr")         # an opened scoring.bundle.Bundle

Sections: intended use, data, model (parameters, search, calibration, importance),
metrics, threshold and costs (with the cost-curve minimum), fairness (per-group table,
gaps with their confidence intervals, the variant without CODE_GENDER), limits, drift
status (the summary of ``python -m reports.drift``) and version. Nothing is
hand-maintained per model: every figure comes from the bundle's ``metadata.json``, its
``extras/fairness.json``, the store outcomes and the drift summary; a section whose data
the bundle lacks says so instead of inventing anything. Figures are printed as stored
(floats with 4 decimals; French decimal commas in French). Standard library and numpy only.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from scoring.contract.metadata import BundleMetadata, parse_metadata
from scoring.labels import category_label
from scoring.labels import label as column_label
from scoring.model_card_text import (
    ATTRIBUTE_NAMES,
    COLUMN_NAMES,
    GAP_NAMES,
    HOLDOUT_METRIC_HELP,
    HOLDOUT_METRIC_NAMES,
    LANGS,
    METRIC_HELP,
    TEXT,
    VALUE_NAMES,
    flatten,
    fmt,
    is_number,
    is_scalar,
    item,
    local,
    metric_name,
    natural_order,
    pct,
    plain,
)

GROUP_COLUMNS = ("group", "count", "defaults", "default_rate", "mean_probability", "approval_rate", "tpr", "fpr",
                 "auc", "mean_score")


def _lang(lang: str) -> str:
    code = str(lang or "").strip().lower()[:2]
    if code not in LANGS:
        raise ValueError(f"unknown model card language {lang!r} (expected one of {', '.join(LANGS)})")
    return code


# --------------------------------------------------------------------------- tables


def _table(rows: list[dict], columns: list[str] | None, lang: str) -> list[str]:
    if not rows:
        return [TEXT[lang]["empty"]]
    columns = columns or list(dict.fromkeys(k for row in rows for k in row if is_scalar(row.get(k))))
    names = COLUMN_NAMES[lang]
    lines = ["| " + " | ".join(fmt(names.get(c, c), lang) for c in columns) + " |", "|" + "---|" * len(columns)]
    return lines + ["| " + " | ".join(fmt(row.get(c), lang) for c in columns) + " |" for row in rows]


def _rows_of(value: Any) -> list[dict] | None:
    """A list of row dicts out of the usual table shapes, else None."""
    if isinstance(value, list) and value and all(isinstance(r, dict) for r in value):
        return value
    if isinstance(value, dict):
        for key in ("rows", "groups", "table", "items"):
            if isinstance(value.get(key), list) and all(isinstance(r, dict) for r in value[key]):
                return value[key]
        if value and all(isinstance(v, dict) and all(is_scalar(x) for x in v.values()) for v in value.values()):
            return [{"group": k, **v} for k, v in value.items()]
    return None


def is_synthetic(metadata: Mapping) -> bool:
    """Whether a bundle's metadata says it was trained on synthetic data (``BundleMetadata.synthetic``)."""
    return bool(metadata.get("synthetic"))


# --------------------------------------------------------------------------- sections


def _data(md: Mapping, lang: str) -> list[str]:
    t = TEXT[lang]
    out = [f"## {t['h_data']}", "", t["source_synthetic" if is_synthetic(md) else "source_real"], ""]
    if md.get("features"):
        out.append("- " + t["features"].format(n=fmt(len(md["features"]), lang),
                                               cat=fmt(len(md.get("categorical") or []), lang)))
    for key, label in (("n_clients", "clients"), ("n_labelled", "labelled"), ("default_rate", "rate"),
                       ("data_fingerprint", "fingerprint")):
        # no data directory: an internal path means nothing to a reader and says too much about the host
        value = md.get(key)
        if key in md and is_scalar(value):
            out.append(item(t[label], pct(value, lang) if key == "default_rate" and is_number(value)
                           else fmt(value, lang), lang))
    return out + [item(t["synthetic"], fmt(is_synthetic(md), lang), lang), ""]


def _feature_label(entry: Mapping, labels: dict[str, Mapping], lang: str) -> str:
    name = str(entry["feature"])
    known = labels.get(name, {})
    keys = ("label_en", "label") if lang == "en" else ("label",)
    label = next((src[k] for k in keys for src in (entry, known) if src.get(k)), None)
    return f"{label} ({name})" if label and label != name else name


def _model(md: Mapping, lang: str) -> list[str]:
    t = TEXT[lang]
    lines = []
    if is_scalar(md.get("profile")) and md.get("profile"):
        lines.append(item(t["profile"], fmt(md["profile"], lang), lang))
    model = md.get("model")
    if isinstance(model, Mapping):
        params = model.get("params") if isinstance(model.get("params"), Mapping) else {}
        if model.get("type"):
            pipeline = model.get("pipeline")
            lines.append(item(t["model"], str(model["type"]) + (
                t["pipeline"].format(steps=" -> ".join(map(str, pipeline))) if isinstance(pipeline, list) else ""),
                lang))
        trees = model.get("trees", params.get("iterations"))
        if is_number(trees):
            lines.append(item(t["trees"], fmt(int(trees), lang), lang))
        if params:
            lines.append(item(t["parameters"], plain(params, lang), lang))
        for key in ("smote_ratio", "seed"):
            if is_number(model.get(key)):
                lines.append(item(t[key], fmt(model[key], lang), lang))
    search = md.get("search")
    if isinstance(search, Mapping) and search.get("method"):
        lines.append("- " + t["search"].format(
            method=search["method"], n=fmt(search.get("n_candidates"), lang), folds=fmt(search.get("folds"), lang),
            metric=metric_name(str(search.get("metric", t["none"])), lang)) + (t["search_best"].format(
                auc=fmt(search["cv_auc"], lang), std=fmt(search.get("cv_auc_std"), lang))
                if is_number(search.get("cv_auc")) else ""))
    bagging = model.get("bagging") if isinstance(model, Mapping) else None
    if isinstance(bagging, Mapping) and is_number(bagging.get("bags")) and bagging["bags"] > 1:
        lines.append("- " + t["bagging"].format(n=fmt(int(bagging["bags"]), lang), auc=fmt(bagging.get("cv_auc"), lang),
                                               std=fmt(bagging.get("cv_auc_std"), lang),
                                               single=fmt(bagging.get("single_cv_auc"), lang)))
    calibration = md.get("calibration")
    if isinstance(calibration, Mapping) and calibration.get("method"):
        kind = "calibration_holdout" if _holdout(md) else "calibration_oof"
        lines.append(item(t["calibration"], t[kind].format(kind=fmt(calibration["method"], lang)), lang))
    importance = md.get("importance")
    if isinstance(importance, list):
        top = [e for e in importance if isinstance(e, Mapping) and "feature" in e][:10]
        labels = {f["name"]: f for f in md.get("features") or [] if isinstance(f, Mapping) and "name" in f}
        if top:
            lines.append(item(t["importance"], ", ".join(_feature_label(e, labels, lang) for e in top), lang))
    return [f"## {t['h_model']}", ""] + lines + [""] if lines else []


def _holdout(md: Mapping) -> Mapping | None:
    """The holdout of a subsampled run (``sampling.holdout``) when the honest estimate comes from it, else None."""
    honest, sampling = md.get("honest_estimate"), md.get("sampling")
    if not (isinstance(honest, Mapping) and honest.get("source") == "holdout report half"):
        return None
    held = sampling.get("holdout") if isinstance(sampling, Mapping) else None
    return held if isinstance(held, Mapping) else None


def _metrics(md: Mapping, lang: str) -> list[str]:
    t = TEXT[lang]
    out = [f"## {t['h_metrics']}", ""]
    metrics = md.get("metrics")
    held = _holdout(md)
    names = HOLDOUT_METRIC_NAMES[lang] if held else {}
    helps = {**METRIC_HELP[lang], **(HOLDOUT_METRIC_HELP[lang] if held else {})}
    if isinstance(metrics, Mapping) and metrics:
        out += [f"| {t['metric']} | {t['value']} | {t['meaning']} |", "|---|---|---|"]
        out += [f"| {fmt(names.get(k) or metric_name(k, lang), lang)} | {fmt(v, lang)} | "
                f"{helps.get(k.split(' / ')[-1].lower(), '')} |" for k, v in flatten(metrics)]
    else:
        out.append(t["no_metrics"])
    calibration = md.get("calibration")
    if isinstance(calibration, Mapping) and calibration.get("brier") is not None:
        out += ["", t["brier_holdout" if held else "brier"].format(brier=fmt(calibration["brier"], lang))]
    honest = md.get("honest_estimate")
    keys = ("auc", "auc_std", "business_cost", "business_cost_std")
    if held and all(is_number(honest.get(k)) for k in keys):
        inside = honest.get("in_sample") if isinstance(honest.get("in_sample"), Mapping) else {}
        people = t["applicants"]

        def rows(part: Any) -> str:
            n = part.get("rows") if isinstance(part, Mapping) else part
            return f"{fmt(n, lang)} {people}" if is_number(n) else t["none"]

        out += ["", t["honest_holdout"].format(
            rows=fmt(held.get("rows"), lang), choose=rows(held.get("choose")), report=rows(held.get("report")),
            cost=fmt(honest["business_cost"], lang), cost_std=fmt(honest["business_cost_std"], lang),
            auc=fmt(honest["auc"], lang), auc_std=fmt(honest["auc_std"], lang), boot=fmt(honest.get("bootstrap"), lang),
            optimistic=fmt(inside.get("business_cost"), lang))]
    elif isinstance(honest, Mapping) and all(is_number(honest.get(k)) for k in keys):
        inside = honest.get("in_sample") if isinstance(honest.get("in_sample"), Mapping) else {}
        out += ["", t["honest"].format(cost=fmt(honest["business_cost"], lang),
                                       cost_std=fmt(honest["business_cost_std"], lang), auc=fmt(honest["auc"], lang),
                                       auc_std=fmt(honest["auc_std"], lang),
                                       optimistic=fmt(inside.get("business_cost"), lang))]
    return out + [""]


def _threshold(md: Mapping, lang: str) -> list[str]:
    t = TEXT[lang]
    out = [f"## {t['h_threshold']}", "", "- " + t["threshold"].format(t=fmt(md.get("threshold"), lang))]
    costs = md.get("costs")
    if isinstance(costs, Mapping) and costs:
        fn, fp = costs.get("fn"), costs.get("fp")  # BundleMetadata.costs: exactly fn and fp
        ratio = t["cost_ratio"].format(ratio=local(f"{fn / fp:g}", lang)) if is_number(fn) and is_number(fp) and fp else ""
        out.append("- " + t["costs"].format(fn=plain(fn, lang), fp=plain(fp, lang)) + ratio)
    curve = md.get("cost_curve")
    if isinstance(curve, Mapping) and curve.get("thresholds") and curve.get("cost"):
        pairs = [(float(x), float(c)) for x, c in zip(curve["thresholds"], curve["cost"], strict=False)
                 if is_number(x) and is_number(c)]
        threshold = md.get("threshold")
        if pairs and is_number(threshold):
            # One threshold on the card: the bundle's. The curve is reported at that threshold, and its lowest
            # cost is named only when it is lower (ties with other grid points are not a second threshold).
            at = min(pairs, key=lambda tc: abs(tc[0] - float(threshold)))[1]
            best = min(c for _, c in pairs)
            line = (t["curve"].format(cost=fmt(at, lang), n=fmt(len(pairs), lang))
                    if math.isclose(best, at, rel_tol=1e-9, abs_tol=1e-12) else
                    t["curve_above"].format(cost=fmt(at, lang), n=fmt(len(pairs), lang), best=fmt(best, lang)))
            out.append("- " + line)
    return out + ["- " + t["bands"], ""]


def _gap_lines(attr: Mapping, lang: str) -> list[str]:
    t, lines = TEXT[lang], []
    for key, label in GAP_NAMES[lang].items():
        gap = attr.get(key)
        if isinstance(gap, Mapping) and "value" in gap:
            ci = (t["gap_ci"].format(low=fmt(gap.get("ci_low"), lang), high=fmt(gap.get("ci_high"), lang))
                  if gap.get("value") is not None and gap.get("ci_low") is not None else "")
            lines.append("- " + t["gap"].format(label=label, value=fmt(gap["value"], lang) + ci))
        elif is_scalar(gap) and gap is not None:
            lines.append("- " + t["gap"].format(label=label, value=fmt(gap, lang)))
    return lines


def _gender_variant(gv: Any, lang: str) -> list[str]:
    t = TEXT[lang]
    if not isinstance(gv, Mapping):
        return []
    keys = ("auc", "auc_with", "auc_change", "business_cost", "business_cost_with", "business_cost_change")
    if gv.get("computed") and all(is_number(gv.get(k)) for k in keys):
        return [t["gender_variant"].format(
            auc=fmt(gv["auc"], lang), auc_with=fmt(gv["auc_with"], lang),
            auc_change=local(f"{gv['auc_change']:+.4f}", lang), cost=fmt(gv["business_cost"], lang),
            cost_with=fmt(gv["business_cost_with"], lang),
            cost_change=local(f"{gv['business_cost_change']:+.4f}", lang)), ""]
    known = VALUE_NAMES[lang].get(str(gv.get("note"))) if gv.get("note") else None
    # a note written by training in English is shown only in English, or once translated
    note = known or (t["not_computed"] + (f" ({gv['note']})" if gv.get("note") and lang == "en" else ""))
    return [t["gender_variant_missing"].format(note=note), ""]


def _fairness_body(fairness: Any, summary: Any, lang: str) -> list[str]:
    t = TEXT[lang]
    if not fairness and isinstance(summary, Mapping) and summary:
        out = [t["summary_only"], ""]
        for name, attr in summary.items():
            if isinstance(attr, Mapping):
                out += [f"### {name}", ""] + _gap_lines(attr, lang) + [""]
        return out
    if not fairness:
        return [t["no_fairness"], ""]
    if isinstance(fairness, Mapping) and isinstance(fairness.get("attributes"), Mapping):
        notes = [t[key].format(v=fmt(fairness[field], lang))
                 for field, key in (("threshold", "f_threshold"), ("min_group_size", "f_min_group"),
                                    ("bootstrap", "f_bootstrap"), ("positive", "f_positive"))
                 if fairness.get(field) not in (None, "", 0)]
        out = [(" ; " if lang == "fr" else "; ").join([t["fairness_intro"]] + notes) + ".", ""]
        for name, attr in fairness["attributes"].items():
            out += [f"### {_attribute_label(name, lang)}", ""]
            rows = attr.get("groups") if isinstance(attr, Mapping) else None
            if isinstance(rows, list) and rows:
                rows = [r for r in rows if isinstance(r, Mapping)]
                rows = [{**rows[i], "group": category_label(name, rows[i].get("group"), lang)}
                        for i in natural_order([r.get("group") for r in rows])]
                present = [c for c in GROUP_COLUMNS if any(c in r for r in rows)]
                out += _table(rows, present, lang) + [""]
            gaps = _gap_lines(attr, lang) if isinstance(attr, Mapping) else []
            out += gaps + [""] if gaps else []
        return out
    rows = _rows_of(fairness)
    if rows is not None:
        return _table(rows, None, lang) + [""]
    out: list[str] = []
    if isinstance(fairness, Mapping):
        for key, value in fairness.items():
            sub = _rows_of(value)
            if sub is not None:
                out += [f"### {key}", ""] + _table(sub, None, lang) + [""]
            elif isinstance(value, Mapping) and key != "gender_variant" and flatten(value):
                out += [f"### {key}", ""] + [item(k, fmt(v, lang), lang) for k, v in flatten(value)] + [""]
        out += [item(k, fmt(v, lang), lang) for k, v in fairness.items() if is_scalar(v)]
        if out:
            return out + [""]
    return ["```json", json.dumps(fairness, indent=2, default=str)[:4000], "```", ""]


def _attribute_label(name: str, lang: str) -> str:
    """"Sexe", "Tranche d'âge": the attribute in words (the column name is not for readers)."""
    return ATTRIBUTE_NAMES[lang].get(name) or column_label(name, lang)


def _fairness(fairness: Any, md: Mapping, lang: str) -> list[str]:
    meta = md.get("fairness") if isinstance(md.get("fairness"), Mapping) else {}
    gv = fairness.get("gender_variant") if isinstance(fairness, Mapping) else None
    return ([f"## {TEXT[lang]['h_fairness']}", ""] + _fairness_body(fairness, meta.get("summary"), lang)
            + _gender_variant(gv if gv is not None else meta.get("gender_variant"), lang))


def _limits(md: Mapping, lang: str) -> list[str]:
    t = TEXT[lang]
    first = t["limit_synthetic" if is_synthetic(md) else "limit_real"]
    out = [f"## {t['h_limits']}", "", f"- {first}"] + [f"- {line}" for line in t["limits"]]
    n_labelled = md.get("n_labelled")
    if is_number(n_labelled) and 0 < n_labelled < 100_000:
        out.append("- " + t["small_sample"].format(n=fmt(int(n_labelled), lang)))
    if is_synthetic(md):
        out.append("- " + t["synthetic_limit"])
    return out + [""]


def _drift(drift: Any, md: Mapping, lang: str) -> list[str]:
    t = TEXT[lang]
    out = [f"## {t['h_drift']}", ""]
    if not drift:
        return out + [t["no_drift"], ""]
    if not isinstance(drift, Mapping) or not ({"verdict", "score_psi", "n_columns", "generated_at"} & set(drift)):
        rows = flatten(drift)[:40] if isinstance(drift, Mapping) else [("summary", fmt(drift, lang))]
        return out + [f"| {t['metric']} | {t['value']} |", "|---|---|"] + [
            f"| {fmt(k, lang)} | {fmt(v, lang)} |" for k, v in rows] + [""]
    verdict = drift.get("verdict") if isinstance(drift.get("verdict"), Mapping) else {}
    status = verdict.get("status")
    out.append("- " + t["d_report"].format(at=drift.get("generated_at") or t["none"],
                                           status=str(t["status"].get(status, status or t["none"])).upper())
               + (" - " + "; ".join(map(str, verdict["reasons"])) if verdict.get("reasons") else ""))
    ref, cur = drift.get("reference") or {}, drift.get("current") or {}
    if ref or cur:
        out.append("- " + t["d_rows"].format(ref=ref.get("kind", t["none"]), ref_rows=fmt(ref.get("rows"), lang),
                                             cur=cur.get("kind", t["none"]), cur_rows=fmt(cur.get("rows"), lang))
                   + (t["d_sampled"] if drift.get("sampled") else ""))
    if "n_columns" in drift:
        out.append("- " + t["d_columns"].format(n=fmt(drift.get("n_drifted"), lang),
                                                total=fmt(drift.get("n_columns"), lang),
                                                share=fmt(drift.get("share_drifted"), lang),
                                                dataset=fmt(drift.get("dataset_drift"), lang)))
    top = [c for c in drift.get("drifted_columns") or [] if isinstance(c, Mapping)][:5]
    if top:
        out.append(item(t["d_top"], ", ".join(f"{c.get('column')} ({c.get('method')} {fmt(c.get('score'), lang)})"
                                             for c in top), lang))
    psi = drift.get("score_psi") if isinstance(drift.get("score_psi"), Mapping) else {}
    if psi.get("value") is not None:
        out.append("- " + t["d_psi"].format(value=fmt(psi["value"], lang),
                                            status=t["status"].get(psi.get("status"), psi.get("status"))))
    else:
        out.append("- " + t["d_psi_missing"].format(reason=psi.get("reason", t["none"])))
    if drift.get("model_version"):
        out.append("- " + t["d_model"].format(v=drift["model_version"])
                   + (t["d_other_model"] if md.get("version") and str(drift["model_version"]) != str(md["version"])
                      else ""))
    out += [f"- {note}" for note in drift.get("notes") or [] if isinstance(note, str)]
    return out + [""]


def _version(md: Mapping, lang: str) -> list[str]:
    t = TEXT[lang]
    mlflow = md.get("mlflow") if isinstance(md.get("mlflow"), Mapping) else {}
    fields = [(md, "version", "v_version"), (md, "created", "v_created"), (md, "data_fingerprint", "fingerprint"),
              (mlflow, "run_id", "v_mlflow_run"),
              (mlflow, "registered_model", "v_registered"), (mlflow, "model_version", "v_registered_version"),
              (mlflow, "alias", "v_alias")]
    return [f"## {t['h_version']}", ""] + [item(t[label], fmt(src[key], lang), lang) for src, key, label in fields
                                           if src.get(key) is not None] + [""]


# --------------------------------------------------------------------------- entry points


def store_figures(target: Any) -> dict[str, Any]:
    """Client-store counts (``n_clients``, ``n_labelled``, ``default_rate``) from its outcome column."""
    target = np.asarray(target)
    known = target[(target == 0) | (target == 1)]
    figures: dict[str, Any] = {"n_clients": int(len(target)), "n_labelled": int(len(known))}
    if len(known):
        figures["default_rate"] = float(known.mean())
    return figures


def render(metadata: BundleMetadata | Mapping | None, fairness: Any = None, drift: Mapping | None = None, *, lang: str = "en",
           target: Any = None) -> str:
    """The model card from the bundle metadata (validated as :class:`BundleMetadata`: an unknown or missing key
    raises :class:`~scoring.contract.metadata.MetadataError`), its fairness extra and the drift summary.

    ``target`` (the store's outcome column) fills the client counts and default rate the metadata
    lacks; figures recorded in the metadata win. Raises ValueError for a language other than en/fr.
    """
    lang = _lang(lang)
    t = TEXT[lang]
    # the card reads what training writes: metadata that is no BundleMetadata fails here, naming each key
    md = parse_metadata(metadata, "the model card's metadata").to_json() if metadata is not None else {}
    if target is not None:
        md = {**store_figures(target), **md}
    out = [f"# {t['title'].format(version=md.get('version', t['none']))}", ""]
    if is_synthetic(md):
        out += [t["synthetic_banner"], ""]
    out += [f"## {t['h_use']}", ""] + [line for p in t["use"] for line in (str(p), "")]
    for section in (_data, _model, _metrics, _threshold):
        out += section(md, lang)
    out += _fairness(fairness, md, lang) + _limits(md, lang) + _drift(drift, md, lang) + _version(md, lang)
    out = [line for i, line in enumerate(out) if line or (i and out[i - 1])]  # one blank line between blocks
    return "\n".join(out).rstrip("\n") + "\n"


def render_bundle(bundle: Any, drift: Mapping | None = None, *, lang: str = "en") -> str:
    """:func:`render` of an opened :class:`scoring.bundle.Bundle` (metadata, fairness extra, store outcomes)."""
    return render(bundle.metadata, bundle.extra("fairness"), drift, lang=lang, target=bundle.store.target)
