"""``python -m reports.methodology [--bundle models] [--out reports/methodology.md]``

Writes the methodology note (Markdown, plus a self-contained HTML copy with
the figures embedded) from the current model bundle's metadata and extras,
cross-checked against its MLflow run when the tracking store is reachable.
Every number comes from the training run; nothing is typed by hand.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DRIFT_SUMMARY = REPO / "reports" / "drift_summary.json"


def _f(value, digits: int = 4) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, (int,)) and not isinstance(value, bool):
        return f"{value:,}"
    try:
        return f"{float(value):.{digits}f}"
    except (TypeError, ValueError):
        return str(value)


def _pct(value) -> str:
    return "n/a" if value is None else f"{100 * float(value):.1f} %"


def _table(headers: list[str], rows: list[list]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out + [""]


def _mlflow_run(metadata: dict) -> dict | None:
    info = metadata.get("mlflow") or {}
    if not info.get("run_id") or not info.get("tracking_uri"):
        return None
    try:
        from mlflow import MlflowClient

        run = MlflowClient(tracking_uri=info["tracking_uri"]).get_run(info["run_id"])
        return {"run_id": run.info.run_id, "status": run.info.status, "metrics": dict(run.data.metrics)}
    except Exception:  # tracking store moved or unavailable: the bundle alone is enough
        return None


def _holdout(md: dict) -> dict | None:
    """``sampling.holdout`` of a subsampled run whose calibration, threshold and honest estimate come from it."""
    if (md.get("honest_estimate") or {}).get("source") != "holdout report half":
        return None
    return (md.get("sampling") or {}).get("holdout")


def _method(md: dict) -> list[str]:
    s, model = md["search"], md["model"]
    n_cat = len(md["categorical"])
    out = ["## 1. Training method", ""]
    out += [f"- Data: {_f(md['n_labelled'])} labelled applicants ({_pct(md['default_rate'])} defaults) out of "
            f"{_f(md['n_clients'])} clients in `{md.get('data_dir')}`"
            f"{' — **SYNTHETIC DATA**' if md.get('synthetic') else ''}; data fingerprint `{md['data_fingerprint']}`.",
            f"- Features: {len(md['features'])} built by the shared core (`scoring.features`: raw application fields, "
            f"engineered ratios, bureau / bureau balance / credit-card aggregates), {n_cat} categorical.",
            f"- Pipeline (imbalanced-learn): {' → '.join(model['pipeline'])}. SMOTENC over-samples defaulters in the "
            "training folds only (samplers act in `fit`, never on validation rows); "
            + ("the members' CatBoost steps, merged into one model (seed bagging below), are exported and score the "
               "service's input directly (members' average vs exported model: max |Δp| = "
               if (model.get("bagging") or {}).get("bags", 1) > 1 else
               "the CatBoost step is exported and scores the service's input directly (pipeline vs exported model: "
               "max |Δp| = ")
            + f"{model['serving_check_max_abs_diff']:.1e}).",
            *_sampling(md),
            f"- Validation: stratified {s['folds']}-fold cross-validation, the same folds for the search, the "
            "ablation, the comparison and the fairness variant. "
            + ("The calibration, the threshold and every metric below come from the holdout (the shipped model's "
               "own predictions on applicants it never saw); the final model is refit on every labelled row except "
               "the holdout." if _holdout(md) else
               "Out-of-fold (OOF) predictions feed the calibration, the threshold and every metric below; the final "
               "model is refit on all labelled rows."),
            *_search_lines(s, model, md), ""]
    durations = md.get("durations") or {}
    if durations:
        parts = {k: v for k, v in durations.items() if k not in ("total", "cpu_total")}
        steps = ", ".join(f"{k} {v:.0f} s" for k, v in parts.items())
        total = sum(parts.values())
        out[-1:-1] = [f"- Run time ({md['profile']} profile) up to the bundle: {total:.0f} s wall ({steps})."]
    cands = sorted(s["candidates"], key=lambda c: (-c.get("rung", 0), -c["auc_mean"]))[:15]
    keys = sorted({k for c in cands for k in c["params"]})
    out += _table(["rung (share of rows)"] + [k.split("__")[-1] for k in keys] + ["CV AUC", "± std", "trees per fold"],
                  [[f"{c.get('rung', 0) + 1} ({_pct(c.get('share', 1.0))})"] + [_f(c["params"].get(k), 3) for k in keys]
                   + [_f(c["auc_mean"]), _f(c["auc_std"]), ", ".join(str(t) for t in c.get("best_iterations", []))]
                   for c in cands])
    return out + [""] + _feature_groups(md)


def _search_lines(s: dict, model: dict, md: dict | None = None) -> list[str]:
    out = [f"- Search: {s['method']}; {s['n_candidates']} candidates, metric {s['metric']}, each (candidate, rung) "
           f"a nested MLflow run. Best: CV AUC {_f(s['cv_auc'])} ± {_f(s['cv_auc_std'])}, SMOTE ratio "
           f"{_f(s['smote_ratio'], 3)}, CatBoost {json.dumps(s['best_params'])}."]
    if s.get("rungs"):
        rungs = "; ".join(f"rung {r['rung'] + 1}: {r['candidates']} candidates on {_pct(r['share'])} of each "
                          f"training fold ({r['seconds']:.0f} s)" for r in s["rungs"])
        out.append(f"- Successive halving (the best 1/{s['factor']} go on; the early-stopping split stays whole and "
                   f"every rung is scored on the whole evaluated folds): {rungs}; {s.get('n_fits', '?')} fits in all.")
    bagging = model.get("bagging") or {}
    bagged = bagging.get("bags", 1) > 1
    if s.get("best_iterations"):
        trees = bagging["refit_iterations"] if bagged else s["refit_iterations"]
        out.append(f"- Early stopping: each fold's model stops on an inner validation split (20 % of that training "
                   f"fold, never the evaluated fold); the search winner kept {s['best_iterations']} trees per fold. "
                   f"The final model (all rows, no validation split) has {trees} trees"
                   + (" per member: the members' mean best iteration (seed bagging below)" if bagged else
                      ": the mean best iteration")
                   + " scaled by the ratio of rows (all labelled rows vs a fold model's fitting rows).")
    if not bagged and bagging.get("reason"):
        out.append(f"- Seed bagging: the profile asks for {bagging.get('requested')} members; this model has "
                   f"{bagging['reason']}. Categoricals are one-hot encoded all the same (the profile's setting).")
    if bagged:
        out.append(f"- Seed bagging: the shipped model averages {bagging['bags']} members, the winner fitted with "
                   f"seeds {bagging['seeds']} (SMOTE's synthetic rows, CatBoost's random choices and the early-"
                   f"stopping split differ) and {bagging.get('learning_rate_scale', 1)}x the searched learning rate "
                   f"({_f(bagging.get('member_learning_rate'), 4)}), averaged in log-odds; they are merged into one CatBoost model of {model.get('trees')} "
                   f"trees ({bagging['refit_iterations']} per member, from every member's best iterations). Same folds: "
                   f"CV AUC {_f(bagging['cv_auc'])} ± {_f(bagging['cv_auc_std'])} bagged, {_f(bagging['single_cv_auc'])} "
                   f"± {_f(bagging['single_cv_auc_std'])} for the search's single model. "
                   + ("The nested-CV estimate on the subsample (its inner models bagged too) and the comparison use the "
                      "bagged out-of-fold predictions; the calibration and threshold come from the shipped (merged) "
                      "model on the holdout; the " if _holdout(md or {}) else
                      "Calibration, threshold, the honest estimate (its inner models bagged too) and the comparison "
                      "use the bagged out-of-fold predictions; the ")
                   + "ablation compares one model per variant. Kept because its CV AUC is at least the single "
                   "model's and the merged model stays within the explanation time budget. Categoricals are one-hot "
                   "encoded so that the members merge exactly (no per-member target statistics).")
    if _holdout(md or {}):
        out.append("- Nested? The honest estimate (section 3) is measured on held-out applicants that no choice saw: "
                   "not the search (it ran on the subsample), nor the calibration or the threshold (chosen on the "
                   "holdout's other half). The nested cross-validation on the subsample, kept for reference, is "
                   "nested over the threshold and the calibration only.")
        return out
    out.append("- Nested? The honest estimate (section 3) is nested over the threshold and the calibration, **not "
               "over the hyper-parameter search**: the search chose among its candidates on the same outer folds, so "
               "the winner's CV AUC carries a small selection optimism (re-running the search inside each outer "
               "fold would multiply the run time by the number of folds, beyond this profile's time budget)."
               if not s.get("nested") else "- The honest estimate is nested over the hyper-parameter search too.")
    return out


def _feature_groups(md: dict) -> list[str]:
    fg = md.get("feature_groups") or {}
    rows = fg.get("rows")
    if not rows:
        return []
    base = rows[0]
    out = ["### Feature groups chosen by cross-validation", "",
           f"Measured on {_f(fg.get('n_labelled'))} labelled applicants (data fingerprint "
           f"`{fg.get('data_fingerprint', '?')}`), with `python -m training.feature_groups`: "
           f"each group was removed in turn and the pipeline re-fitted on the same {fg.get('folds', '?')} stratified "
           f"folds (early-stopped CatBoost, depth {fg.get('params', {}).get('depth', '?')}, SMOTE ratio "
           f"{_f(fg.get('smote_ratio'), 2)}); rule: {fg.get('rule', 'kept when it helps CV AUC or CV cost')}. "
           f"All features: CV AUC {_f(base['auc'])}, cost {_f(base['business_cost'])} per client. Groups dropped "
           f"from this model: {', '.join(fg.get('dropped') or []) or 'none'}.", ""]
    body = []
    for r in rows[1:]:
        name = r["variant"].removeprefix("without ")
        if r.get("auc") is None:
            body.append([name, r["features_removed"], "—", "—", "—", "—", "kept (no data here; tested on synthetic)"])
            continue
        body.append([name, r["features_removed"], _f(r["auc"]), _f(r["business_cost"]),
                     f"{r['auc_gain_of_group']:+.4f}", f"{r['cost_gain_of_group']:+.4f}",
                     "**kept**" if r.get("kept") else "dropped"])
    out += _table(["group", "features", "CV AUC without it", "cost without it", "AUC gain of the group",
                   "cost saved by the group", "decision"], body)
    return out


def _sampling(md: dict) -> list[str]:
    """Which rows the cross-validated steps used (a time-budgeted subsample on large data) and the refit."""
    sm = md.get("sampling")
    if not sm:
        return []
    refit = sm.get("refit") or {}
    if not sm.get("subsampled"):
        return [f"- Rows: every step (search, ablation, comparison, calibration, threshold, honest estimate, "
                f"fairness) and the final refit use all {_f(sm['n_labelled'])} labelled applicants."]
    pilot = sm.get("pilot") or {}
    held = _holdout(md)
    timing = (f" Two pilot fits ({' and '.join(_f(r) for r in pilot['rows'])} rows: "
              f"{' and '.join(f'{t:.0f} s' for t in pilot['seconds'])}) predicted the time per fit; the subsample is "
              "the largest whose fits fit the run's time budget." if pilot.get("rows") else "")
    return [f"- **Subsampled for time**: the cross-validated steps ({', '.join(sm['steps_on_subsample'])}) use a "
            f"stratified subsample of {_f(sm['cv_rows'])} of the {_f(sm['n_labelled'])} labelled applicants "
            f"({_pct(sm['cv_default_rate'])} defaults, as in the full set), the same rows and folds for every step. "
            f"{sm['reason'].capitalize()}.{timing} " + (_held_out(held, refit) if held else
            f"The final model is refit on all {_f(refit.get('labelled'))} "
            f"labelled applicants ({_f(refit.get('defaults'))} defaults, all of them seen by SMOTE); SMOTE is fitted "
            "on training rows only, in every fold and in the refit. The calibration and threshold come from the "
            "subsample's out-of-fold predictions.")]


def _held_out(held: dict, refit: dict) -> str:
    """The holdout of a subsampled run: what was set aside, how it was split, what the shipped model saw."""
    choose, report = held.get("choose") or {}, held.get("report") or {}
    return (f"**Holdout**: a stratified holdout of {_f(held['rows'])} labelled applicants ({_f(held['defaults'])} "
            f"defaults), drawn outside the subsample ({held.get('rule', '')}), split into two stratified halves: "
            f"{_f(choose.get('rows'))} applicants ({_f(choose.get('defaults'))} defaults) on which the calibration and "
            f"the threshold are chosen, and {_f(report.get('rows'))} ({_f(report.get('defaults'))} defaults) on which "
            "the honest estimate, the metrics, the ROC curve and the fairness gaps are measured. **The shipped model "
            f"is refit on {_f(refit.get('labelled'))} labelled applicants**: every one except the holdout "
            f"({_f(refit.get('defaults'))} defaults, all of them seen by SMOTE; it never saw the holdout). SMOTE is "
            "fitted on training rows only, in every fold and in the refit. Why: models trained on a few thousand "
            "rows (the subsample's folds) score differently from a model refit on many more, so a calibration and a "
            "threshold chosen on their out-of-fold predictions do not fit the shipped model.")


def _imbalance(md: dict) -> list[str]:
    rows = md["ablation"]
    win = md.get("ablation_winner", {})
    names = {r["variant"]: r.get("description", r["variant"]) for r in rows}
    out = ["## 2. Class imbalance: ablation on the same folds", ""]
    out += _table(["variant", "CV AUC", "± std", "cost / client (best threshold)"],
                  [[r.get("description", r["variant"]), _f(r["auc"]), _f(r["auc_std"]), _f(r["business_cost"])]
                   for r in rows])
    smote = next(r for r in rows if r["variant"] == "smote")
    by_auc, by_cost = win.get("by_auc"), win.get("by_cost")
    auc_best = next(r for r in rows if r["variant"] == by_auc)
    verdict = [f"**Winner by AUC: {names.get(by_auc, by_auc)}; winner by business cost: {names.get(by_cost, by_cost)}.**"]
    if by_auc != "smote":
        verdict.append(f"By AUC, SMOTE trails {names.get(by_auc, by_auc)} by {_f(auc_best['auc'] - smote['auc'])} "
                       f"(fold standard deviation {_f(smote['auc_std'])}).")
    if by_cost == "smote":
        verdict.append("By business cost at each variant's best threshold, SMOTE is the best variant.")
    verdict.append("The shipped model uses SMOTE (product specification), with its sampling ratio searched "
                   f"(chosen: {_f(md['search']['smote_ratio'], 3)}) rather than fixed at 1:1.")
    out += [" ".join(verdict), ""]
    out += ["### Model comparison (same folds, same features)", ""]
    out += _table(["model", "CV AUC", "± std", "cost / client (best threshold)"],
                  [[f"{r['variant']} — {r.get('description', '')}", _f(r["auc"]), _f(r["auc_std"]),
                    _f(r["business_cost"])] for r in md["comparison"]])
    return out


def _cost(md: dict) -> list[str]:
    c, curve = md["costs"], md["cost_curve"]
    t = md["threshold"]
    out = ["## 3. Business cost and decision threshold", ""]
    held = _holdout(md)
    where = (f"the shipped model's calibrated probabilities of the holdout's first half "
             f"({_f((held.get('choose') or {}).get('rows'))} applicants)" if held else "the calibrated OOF probabilities")
    out += [f"Cost per client = ({_f(c['fn'], 0)} × FN + {_f(c['fp'], 0)} × FP) / n, where a false negative is a "
            "defaulter accepted and a false positive a good client refused. The threshold minimising it on "
            f"{where} ({len(curve['thresholds'])} grid points) is **{_f(t, 3)}**: cost "
            f"**{_f(curve['best_cost'])}** per client, against {_f(curve['accept_all'])} when everybody is accepted "
            f"({_pct(1 - curve['best_cost'] / curve['accept_all'])} saved). The service compares the calibrated "
            "probability to this threshold and maps it to the 0-100 score (threshold → 50).", ""]
    ts, cs = curve["thresholds"], curve["cost"]
    picks = sorted({min(range(len(ts)), key=lambda i: abs(ts[i] - x)) for x in
                    [0.02, 0.04, 0.06, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.7, t]})
    out += _table(["threshold", "cost / client"], [[_f(ts[i], 3) + (" ←" if ts[i] == t else ""), _f(cs[i])]
                                                   for i in picks])
    return out + _honest(md)


def _honest(md: dict) -> list[str]:
    h = md.get("honest_estimate") or {}
    if _holdout(md):
        return _honest_holdout(h)
    out = ["### Honest estimate (threshold never chosen on the rows it is scored on)", ""]
    if not h.get("computed"):
        return out + ["Not computed for this bundle.", ""]
    inside = h.get("in_sample", {})
    out += [f"The cost above is **optimistic**: the threshold is chosen on the very OOF predictions it is then "
            f"measured on. Honest procedure: {h['procedure']} ({h.get('inner_folds', '?')} inner folds).", ""]
    out += _table(["estimate", "AUC", "business cost / client"], [
        ["**honest** (mean ± std over outer folds)", f"{_f(h['auc'])} ± {_f(h['auc_std'])}",
         f"**{_f(h['business_cost'])} ± {_f(h['business_cost_std'])}** (range {_f(h['business_cost_min'])} – "
         f"{_f(h['business_cost_max'])})"],
        ["optimistic, in-sample (threshold chosen on the same OOF predictions)", _f(inside.get("auc")),
         _f(inside.get("business_cost"))]])
    out += _table(["outer fold", "clients", "AUC", "threshold (chosen on the other folds)", "cost / client",
                   "calibration"],
                  [[r["fold"] + 1, r["n"], _f(r["auc"]), _f(r["threshold"], 3), _f(r["business_cost"]),
                    r["calibration"]] for r in h["folds"]])
    return out


def _honest_holdout(h: dict) -> list[str]:
    inside, nested = h.get("in_sample", {}), h.get("nested_cv_on_subsample") or {}
    auc_ci, cost_ci = h.get("auc_ci") or [None, None], h.get("business_cost_ci") or [None, None]
    out = ["### Honest estimate on the holdout (the shipped model, on applicants no choice has seen)", "",
           f"Procedure: {h['procedure']}. The cost above is **optimistic**: the threshold is chosen on the very "
           "predictions it is then measured on.", ""]
    rows = [[f"**honest**: shipped model, holdout's second half ({_f(h['n'])} applicants), ± bootstrap std",
             f"{_f(h['auc'])} ± {_f(h['auc_std'])} (95 % {_f(auc_ci[0])} – {_f(auc_ci[1])})",
             f"**{_f(h['business_cost'])} ± {_f(h['business_cost_std'])}** (95 % {_f(cost_ci[0])} – {_f(cost_ci[1])})"],
            [f"optimistic, in-sample: holdout's first half ({_f(inside.get('n'))} applicants, the threshold chosen "
             "on them)", _f(inside.get("auc")), _f(inside.get("business_cost"))]]
    if nested.get("computed"):
        rows.append([f"for reference, nested cross-validation on the subsample (models trained on the subsample's "
                     f"folds, not the shipped model; mean ± std over {len(nested.get('folds', []))} outer folds)",
                     f"{_f(nested['auc'])} ± {_f(nested['auc_std'])}",
                     f"{_f(nested['business_cost'])} ± {_f(nested['business_cost_std'])}"])
        sub_in = nested.get("in_sample") or {}
        rows.append(["for reference, optimistic, in-sample on the subsample's OOF predictions", _f(sub_in.get("auc")),
                     _f(sub_in.get("business_cost"))])
    return out + _table(["estimate", "AUC", "business cost / client"], rows)


def _results(md: dict) -> list[str]:
    m, cal = md["metrics"], md["calibration"]
    cm = m["confusion_matrix"]
    held = _holdout(md)
    where = (f"holdout's second half, {_f(m.get('n'))} applicants, shipped model" if held else "out-of-fold")
    out = [f"## 4. Results ({where}, at the threshold)", ""]
    out += _table(["metric", "value"], [
        ["CV AUC (mean of folds" + (", on the subsample)" if held else ")"), f"{_f(m['cv_auc'])} ± {_f(m['cv_auc_std'])}"],
        ["AUC (holdout's second half, calibrated)" if held else "AUC (pooled OOF, calibrated)", _f(m["auc"])],
        ["accuracy", _f(m["accuracy"])],
        ["precision", _f(m["precision"])], ["recall", _f(m["recall"])], ["F1", _f(m["f1"])],
        ["business cost / client", _f(m["business_cost"])], ["accept-everyone cost / client", _f(m["accept_all_cost"])],
        ["refusal rate", _pct(m.get("refusal_rate"))],
        ["confusion [[TN, FP], [FN, TP]]", json.dumps(cm)],
        ["Brier raw → calibrated", f"{_f(cal['brier_raw'])} → {_f(cal['brier'])}"]])
    out += _calibration(cal)
    out += ["Reliability by decile of calibrated probability (cross-fitted"
            + (" within the holdout's first half):" if held else "):"), ""]
    out += _table(["mean predicted", "observed default rate", "clients"],
                  [[_f(p), _f(o), c] for p, o, c in zip(cal["predicted"], cal["observed"], cal["count"], strict=False)])
    return out


_CAL_NAMES = {"platt_logit": "Platt sigmoid on the logit", "beta": "beta calibration",
              "pchip": "PCHIP through isotonic block means", "isotonic": "isotonic (step-wise)",
              "sigmoid": "sigmoid on the raw probability"}


def _calibration(cal: dict) -> list[str]:
    name = _CAL_NAMES.get(cal["method"], cal["method"])
    fitted = cal.get("fitted_on") or "the OOF raw probabilities"
    out = [f"Calibration: **{name}**, fitted on {fitted} (SMOTE inflates them); {cal.get('note', '')}."]
    comparison = cal.get("comparison") or []
    if not comparison:
        return out + [""]
    low, high = cal.get("bounds", [None, None])
    out += [f"Chosen by {cal.get('selection', 'cross-validation')}; the shipped methods are strictly increasing in "
            f"the model's output and bounded within [{low}, {high}]. Plain isotonic is shown for comparison only. "
            f"On the {'rows it was fitted on' if cal.get('fitted_on') else 'OOF predictions'}: {cal.get('distinct')} distinct calibrated probabilities for "
            f"{cal.get('distinct_raw')} distinct raw ones; AUC raw {_f(cal.get('auc_raw'))} → calibrated "
            f"{_f(cal.get('auc'))}.", ""]
    out += _table(["method", "log-loss (cross-fitted)", "Brier (cross-fitted)", "AUC change", "distinct / raw",
                   "min", "max"],
                  [[_CAL_NAMES.get(r["method"], r["method"]) + (" ←" if r["method"] == cal["method"] else "")
                    + ("" if r["eligible"] else " (not eligible)"), _f(r["log_loss"], 5), _f(r["brier"], 5),
                    f"{r['auc_change']:+.4f}", f"{r['distinct']} / {r['distinct_raw']}", _f(r["min"]), _f(r["max"])]
                   for r in comparison])
    return out


def _interpretability(md: dict) -> list[str]:
    out = ["## 5. Interpretability", "", "Global: CatBoost PredictionValuesChange and mean |SHAP| (log-odds, "
           "CatBoost ShapValues on a sample of clients), 15 most important features:", ""]
    out += _table(["feature", "label", "PredictionValuesChange", "mean |SHAP|"],
                  [[r["feature"], r["label"], _f(r["importance"], 2), _f(r["mean_abs_shap"])]
                   for r in md["importance"][:15]])
    ex = md.get("example")
    if ex:
        out += [f"Local: client **{ex['id']}** (known outcome {'default' if ex.get('known_outcome') == 1 else 'repaid'},"
                f" calibrated P(default) {_f(ex['probability'], 3)}). Base value {_f(ex['base_value'], 3)} + "
                f"contributions = raw log-odds {_f(ex['raw_score'], 3)}; top contributions:", ""]
        out += _table(["feature", "value", "SHAP (log-odds)", "effect"],
                      [[f"{c['label']} (`{c['feature']}`)", _f(c["value"], 3), f"{c['contribution']:+.3f}",
                        c["direction"]] for c in ex["contributions"]])
        out += [f"Other features together: {ex['other_contribution']:+.3f}.", ""]
    return out


def _fairness(md: dict, fairness: dict | None) -> list[str]:
    summary = md.get("fairness", {}).get("summary", {})
    where = "the shipped model's decisions on the holdout's second half" if _holdout(md) else "OOF decisions"
    out = [f"## 6. Fairness ({where} at the threshold)", "",
           "Gaps between groups (groups of at least "
           f"{(fairness or {}).get('min_group_size', 30)} clients), bootstrap 95 % intervals "
           f"({(fairness or {}).get('bootstrap', 'n/a')} resamples). Demographic parity: approval-rate gap; "
           "equal opportunity: approval-rate gap among clients who repaid; TPR gap: share of defaulters refused.", ""]
    rows = []
    for attr, gaps in summary.items():
        cell = [f"{_f(g['value'], 3)} [{_f(g['ci_low'], 3)}, {_f(g['ci_high'], 3)}]" for g in gaps.values()]
        rows.append([attr] + cell)
    out += _table(["attribute", "demographic parity diff.", "equal opportunity diff.", "TPR diff."], rows)
    if fairness:
        for attr in ("CODE_GENDER", "AGE_BAND"):
            groups = fairness["attributes"].get(attr, {}).get("groups", [])
            out += [f"{attr}:", ""]
            out += _table(["group", "clients", "default rate", "mean P", "approval", "TPR", "FPR", "AUC"],
                          [[g["group"], g["count"], _pct(g["default_rate"]), _f(g["mean_probability"], 3),
                            _pct(g["approval_rate"]), _f(g["tpr"], 3), _f(g["fpr"], 3), _f(g["auc"], 3)]
                           for g in groups])
    gv = md.get("fairness", {}).get("gender_variant", {})
    excluded = ", ".join(md.get("excluded_attributes") or gv.get("excluded") or ["CODE_GENDER"])
    out += [f"Protected attributes excluded from the model's features: **{excluded}** (EU Directive 2004/113/EC); "
            "they are kept only to measure the gaps above.", ""]
    if gv.get("computed"):
        out += [f"What excluding them costs (same folds and parameters, one model each): CV AUC {_f(gv['auc'])} without vs "
                f"{_f(gv['auc_with'])} with ({gv['auc_change']:+.4f}); cost per client {_f(gv['business_cost'])} "
                f"without vs {_f(gv['business_cost_with'])} with ({gv['business_cost_change']:+.4f}).", ""]
    else:
        out += [f"Variant with them added back: {gv.get('note', 'not computed')}.", ""]
    return out


def _drift() -> list[str]:
    out = ["## 8. Data drift", ""]
    if not DRIFT_SUMMARY.exists():
        return out + ["No drift report yet (`python -m reports.drift` writes `reports/drift_summary.json`).", ""]
    s = json.loads(DRIFT_SUMMARY.read_text())
    psi = s.get("score_psi") or {}
    verdict = s.get("verdict") or {}
    out += [f"Latest report ({s.get('generated_at', '?')}): verdict **{verdict.get('status', '?')}**; "
            f"{s.get('n_drifted', '?')} of {s.get('n_columns', '?')} columns drifted (share "
            f"{_f(s.get('share_drifted'), 3)}); score PSI {_f(psi.get('value'), 3)} ({psi.get('status')}).", ""]
    out += [f"- {r}" for r in verdict.get("reasons", [])] + [""]
    return out


def _gap_lines(fairness: dict | None) -> list[str]:
    """Per attribute: the least and most approved groups (eligible for gaps) and their observed default rates."""
    out = []
    for name, attr in (fairness or {}).get("attributes", {}).items():
        groups = [g for g in attr["groups"] if g["group"] in set(attr.get("groups_compared", []))]
        if len(groups) < 2:
            continue
        low = min(groups, key=lambda g: g["approval_rate"])
        high = max(groups, key=lambda g: g["approval_rate"])
        out.append(f"  - {name}: least approved '{low['group']}' ({_pct(low['approval_rate'])}, observed default "
                   f"rate {_pct(low['default_rate'])}) vs most approved '{high['group']}' "
                   f"({_pct(high['approval_rate'])}, observed default rate {_pct(high['default_rate'])}).")
    return out


def _limits(md: dict, population: dict | None, fairness: dict | None) -> list[str]:
    empty = [n for n, f in (population or {}).get("features", {}).items()
             if f.get("type") == "numeric" and not f.get("edges")]
    best = max(md["ablation"], key=lambda r: r["auc"])
    smote = next(r for r in md["ablation"] if r["variant"] == "smote")
    gap = best["auc"] - smote["auc"]
    if best["variant"] == "smote":
        smote_line = f"- SMOTE (a product requirement) is also the best imbalance handling here (CV AUC {_f(smote['auc'])})."
    elif gap <= smote["auc_std"]:
        smote_line = (f"- SMOTE (a product requirement) is within one fold standard deviation of the best variant, "
                      f"'{best.get('description', best['variant'])}' (CV AUC {_f(best['auc'])} vs {_f(smote['auc'])}).")
    else:
        smote_line = (f"- SMOTE is a product requirement, but '{best.get('description', best['variant'])}' does better "
                      f"on this sample (CV AUC {_f(best['auc'])} vs {_f(smote['auc'])}, more than one fold standard "
                      "deviation): shipping it instead would improve the model.")
    return ["## 7. Limits and improvements", "",
            f"- Small sample: {_f(md['n_labelled'])} labelled applicants, {_f(round(md['default_rate'] * md['n_labelled']))}"
            f" defaults; the CV AUC standard deviation across folds is {_f(md['metrics']['cv_auc_std'])}.",
            f"- {len(empty)} model features have no observed value in this data (history tables without rows); "
            "they carry no information until those tables are available.",
            smote_line,
            ("- The threshold and calibration come from the shipped model's own predictions on half of the holdout "
             f"({_f(((_holdout(md) or {}).get('choose') or {}).get('rows'))} applicants); the shipped model was "
             "trained without the holdout, so it saw slightly fewer rows than it could have. Re-check both on fresh "
             "labelled data." if _holdout(md) else
             "- The threshold and calibration come from OOF predictions of models trained on "
             f"{md['search']['folds'] - 1}/{md['search']['folds']} of the data; the final model (all rows) may be "
             "slightly sharper. Re-check both on fresh labelled data."),
            "- Approval gaps between groups, next to the groups' observed default rates (to be monitored; "
            "CODE_GENDER is not a model feature, but proxies of it may remain):"] + _gap_lines(fairness) + [""]


def render(bundle_path: str | Path = "models") -> tuple[str, dict]:
    from scoring.bundle import load_bundle

    bundle = load_bundle(bundle_path, load_model=False)
    md = bundle.metadata
    fairness, population = bundle.extra("fairness"), bundle.extra("population")
    run = _mlflow_run(md)
    head = [f"# Methodology note — credit default model {md['version']}", "",
            f"Generated from bundle `{bundle.path}` (created {md['created']}, profile {md['profile']})"
            + (f", MLflow run `{run['run_id']}` ({run['status']})" if run else "") + ".", ""]
    if md.get("synthetic"):
        head += ["> **Trained on synthetic data**: figures describe generated data, not real applicants.", ""]
    lines = (head + _method(md) + _imbalance(md) + _cost(md) + _results(md) + _interpretability(md)
             + _fairness(md, fairness) + _limits(md, population, fairness) + _drift())
    return "\n".join(lines), md


def _figures(md: dict) -> dict[str, str]:
    from training import plots

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        made = {
            "cost": plots.cost_curve_plot(md["cost_curve"], md["threshold"], md["cost_curve"]["accept_all"],
                                          d / "cost.png"),
            "roc": plots.roc_plot(md["roc"], md["metrics"]["auc"], d / "roc.png"),
            "reliability": plots.reliability_plot(md["calibration"], d / "rel.png"),
            "importance": plots.importance_plot(md["importance"], d / "imp.png"),
            "ablation": plots.ablation_plot(md["ablation"], d / "abl.png"),
        }
        for key, path in made.items():
            out[key] = base64.b64encode(path.read_bytes()).decode()
    return out


def to_html(markdown_text: str, md: dict) -> str:
    try:
        from markdown_it import MarkdownIt

        body = MarkdownIt("commonmark").enable("table").render(markdown_text)
    except ImportError:
        from html import escape

        body = f"<pre>{escape(markdown_text)}</pre>"
    figs = "".join(f'<figure><img alt="{k}" src="data:image/png;base64,{v}"></figure>' for k, v in _figures(md).items())
    style = ("body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
             "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem}"
             "figure{display:inline-block;margin:.5rem}")
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Methodology {md['version']}</title>"
            f"<style>{style}</style></head><body>{body}<h2>Figures</h2>{figs}</body></html>")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reports.methodology", description=__doc__)
    parser.add_argument("--bundle", default="models", help="bundle directory or models root (default models)")
    parser.add_argument("--out", default=str(REPO / "reports" / "methodology.md"))
    parser.add_argument("--no-html", action="store_true")
    args = parser.parse_args(argv)
    from scoring.bundle import BundleError

    try:
        text, md = render(args.bundle)
    except BundleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {out}")
    if not args.no_html:
        html = out.with_suffix(".html")
        html.write_text(to_html(text, md), encoding="utf-8")
        print(f"wrote {html}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
