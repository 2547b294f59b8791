"""The model card (markdown), generated from the bundle: intended use, data,
metrics, threshold and costs, fairness, limits, drift status and version.

Nothing here is hand-maintained per model: every number comes from the bundle's
metadata and extras (and the drift summary when one exists).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from scoring.bundle import Bundle
from scoring.decision import REVIEW_HIGH, REVIEW_LOW

_TEXT = {
    "fr": {
        "fr": True, "title": "Fiche modèle — score de risque de crédit",
        "version": "Version", "created": "Créé le", "fingerprint": "Empreinte des données",
        "synthetic": "**Attention : modèle entraîné sur des données synthétiques** (démonstration uniquement).",
        "use": "Usage prévu",
        "use_text": (
            "Aide à la décision pour les conseillers qui instruisent une demande de crédit à la consommation. "
            "Le modèle estime la probabilité de difficulté de remboursement ; il ne décide pas seul : "
            f"en dessous de {REVIEW_LOW:g} le dossier est proposé à l'accord, au-dessus de {REVIEW_HIGH:g} au refus, "
            "et entre les deux la décision revient au conseiller. Chaque décision du conseiller est journalisée "
            "avec le score du modèle. Hors usage : décision entièrement automatique, autre produit ou autre pays "
            "que ceux des données d'entraînement, tarification."),
        "data": "Données", "clients": "Clients connus (stock servi)", "labelled": "Dont à issue connue",
        "rate": "Taux de défaut observé", "source_real": "Données réelles Home Credit (Kaggle « Home Credit Default Risk »).",
        "source_synthetic": "Données synthétiques générées (aucun client réel).",
        "metrics": "Performances (validation)", "metric": "Indicateur", "value": "Valeur",
        "threshold": "Seuil et coûts",
        "threshold_text": ("Seuil de décision (probabilité calibrée) : **{t}**, choisi pour minimiser le coût "
                           "métier avec un faux négatif (défaut accepté) coûtant **{fn}** et un faux positif "
                           "(bon client refusé) **{fp}**. Le score 0–100 place ce seuil à 50."),
        "fairness": "Équité", "no_fairness": "Aucune analyse d'équité n'accompagne ce modèle.",
        "fairness_text": ("Décisions au seuil {threshold} sur les probabilités hors échantillon (validation "
                          "croisée), par groupe ; écarts max − min avec intervalle bootstrap à 95 %."),
        "columns": {"group": "Groupe", "count": "Clients", "default_rate": "Taux de défaut",
                    "approval_rate": "Taux d'accord", "tpr": "Défauts refusés (TPR)",
                    "fpr": "Bons clients refusés (FPR)", "auc": "AUC"},
        "gaps": {"demographic_parity_difference": "Écart de parité démographique (taux d'accord)",
                 "equal_opportunity_difference": "Écart d'égalité des chances (bons clients refusés)",
                 "tpr_difference": "Écart de défauts refusés"},
        "limits": "Limites",
        "limits_items": [
            "Les probabilités sont calibrées sur les données d'entraînement ; une population différente "
            "(autre canal, autre période) peut les rendre trop optimistes ou trop sévères.",
            "Le sexe et l'âge ne sont jamais modifiés par les contre-factuels, mais ils restent des variables "
            "du modèle : vérifier le tableau d'équité avant toute extension d'usage.",
            "Les explications (valeurs SHAP) décrivent le modèle, pas une causalité.",
            "Les clients sans historique externe sont évalués sur le seul dossier de demande.",
        ],
        "sample": "Échantillon d'entraînement réduit ({n} clients à issue connue) : métriques à lire avec prudence.",
        "drift": "Dérive des données", "no_drift": "Aucun rapport de dérive disponible.",
        "technical": "Informations techniques", "features": "Variables", "trees": "Arbres",
        "calibrator": "Calibration",
    },
    "en": {
        "fr": False, "title": "Model card — credit risk score",
        "version": "Version", "created": "Created", "fingerprint": "Data fingerprint",
        "synthetic": "**Warning: model trained on synthetic data** (demonstration only).",
        "use": "Intended use",
        "use_text": (
            "Decision support for advisors reviewing a consumer-credit application. The model estimates the "
            f"probability of repayment difficulty; it does not decide alone: below {REVIEW_LOW:g} the file is "
            f"proposed for approval, above {REVIEW_HIGH:g} for decline, and in between the advisor decides. Every "
            "advisor decision is logged with the model's score. Out of scope: fully automated decisions, other "
            "products or countries than the training data, pricing."),
        "data": "Data", "clients": "Known clients (served store)", "labelled": "With known outcome",
        "rate": "Observed default rate", "source_real": "Real Home Credit data (Kaggle \"Home Credit Default Risk\").",
        "source_synthetic": "Generated synthetic data (no real client).",
        "metrics": "Performance (validation)", "metric": "Metric", "value": "Value",
        "threshold": "Threshold and costs",
        "threshold_text": ("Decision threshold (calibrated probability): **{t}**, chosen to minimise the business "
                           "cost with a false negative (accepted default) costing **{fn}** and a false positive "
                           "(refused good client) **{fp}**. The 0-100 score maps this threshold to 50."),
        "fairness": "Fairness", "no_fairness": "No fairness analysis ships with this model.",
        "fairness_text": ("Decisions at threshold {threshold} on out-of-fold (cross-validated) probabilities, per "
                          "group; gaps are max - min with a 95% bootstrap interval."),
        "columns": {"group": "Group", "count": "Clients", "default_rate": "Default rate",
                    "approval_rate": "Approval rate", "tpr": "Defaults refused (TPR)",
                    "fpr": "Good clients refused (FPR)", "auc": "AUC"},
        "gaps": {"demographic_parity_difference": "Demographic parity gap (approval rate)",
                 "equal_opportunity_difference": "Equal opportunity gap (good clients refused)",
                 "tpr_difference": "Defaults-refused gap"},
        "limits": "Limits",
        "limits_items": [
            "Probabilities are calibrated on the training data; a different population (channel, period) "
            "can make them too optimistic or too severe.",
            "Counterfactuals never change gender or age, but both remain model inputs: check the fairness "
            "table before extending the use.",
            "Explanations (SHAP values) describe the model, not causality.",
            "Clients without external history are scored on the application alone.",
        ],
        "sample": "Small training sample ({n} clients with known outcome): read metrics with care.",
        "drift": "Data drift", "no_drift": "No drift report available.",
        "technical": "Technical information", "features": "Features", "trees": "Trees",
        "calibrator": "Calibration",
    },
}


def _fmt(value: Any, fr: bool = False) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return ("oui" if value else "non") if fr else str(value).lower()
    if isinstance(value, float):
        text = f"{value:.4f}" if abs(value) < 1000 else f"{value:,.0f}"
    elif isinstance(value, int):
        text = f"{value:,}"
    elif isinstance(value, list | tuple):
        return ", ".join(_fmt(v, fr) for v in value[:6]) + (" …" if len(value) > 6 else "")
    else:
        return str(value).replace("|", "\\|").replace("\n", " ")
    return text.replace(",", "\u202f").replace(".", ",") if fr else text


def _whole(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _percent(share: float, fr: bool) -> str:
    return f"{share * 100:.2f}".replace(".", ",") + " %" if fr else f"{share:.2%}"


def _table(header: list[str], rows: list[list[Any]], fr: bool = False) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_fmt(c, fr) for c in row) + " |" for row in rows]
    return lines


def _flatten(metrics: dict[str, Any], prefix: str = "") -> list[list[Any]]:
    rows: list[list[Any]] = []
    for key, value in metrics.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            rows += _flatten(value, prefix=f"{name}.")
        elif isinstance(value, int | float | str | bool) or value is None:
            rows.append([name, value])
    return rows


_GROUP_COLUMNS = ("group", "count", "default_rate", "approval_rate", "tpr", "fpr", "auc")
_GAPS = ("demographic_parity_difference", "equal_opportunity_difference", "tpr_difference")


def _gap(value: Any, fr: bool) -> str:
    if isinstance(value, dict):
        point, low, high = value.get("value"), value.get("ci_low"), value.get("ci_high")
        if point is None:
            return "—"
        text = f"{point:.3f}" + (f" [{low:.3f} ; {high:.3f}]" if low is not None and high is not None else "")
        return text.replace(".", ",") if fr else text
    return _fmt(value, fr)


def _fairness_lines(fairness: Any, t: dict[str, Any]) -> list[str]:
    """Training's fairness report (``attributes`` -> groups table and gaps), or any table-like JSON."""
    if not fairness:
        return [t["no_fairness"]]
    if isinstance(fairness, dict) and isinstance(fairness.get("attributes"), dict):
        lines = [t["fairness_text"].format(threshold=_fmt(fairness.get("threshold"), t["fr"]))]
        for name, attribute in fairness["attributes"].items():
            rows = [r for r in attribute.get("groups", []) if isinstance(r, dict)]
            lines += ["", f"**{name}**", ""]
            if rows:
                header = [c for c in _GROUP_COLUMNS if c in rows[0]]
                lines += _table([t["columns"].get(c, c) for c in header], [[r.get(c) for c in header] for r in rows],
                                t["fr"])
            gaps = [f"{t['gaps'][g]} : {_gap(attribute[g], t['fr'])}" for g in _GAPS if g in attribute]
            if gaps:
                lines += [""] + [f"- {g}" for g in gaps]
        return lines
    if isinstance(fairness, list) and all(isinstance(r, dict) for r in fairness) and fairness:
        header = [k for k in fairness[0] if not isinstance(fairness[0][k], dict | list)]
        return _table(header, [[r.get(k) for k in header] for r in fairness], t["fr"])
    if isinstance(fairness, dict):
        return _table([t["metric"], t["value"]], _flatten(fairness)[:60], t["fr"])
    return [_fmt(fairness, t["fr"])]


def render(bundle: Bundle, *, synthetic: bool, drift: dict[str, Any] | None, lang: str = "fr") -> str:
    t = _TEXT["en" if lang.lower().startswith("en") else "fr"]
    meta = bundle.metadata
    target = np.asarray(bundle.store.target)
    known = target[(target == 0) | (target == 1)]
    costs = meta.get("costs") or {}
    fn, fp = costs.get("fn", costs.get("fn_cost", 10)), costs.get("fp", costs.get("fp_cost", 1))
    lines = [f"# {t['title']}", "",
             f"- **{t['version']}** : `{bundle.version}`",
             f"- **{t['created']}** : {meta.get('created', '—')}",
             f"- **{t['fingerprint']}** : `{meta.get('data_fingerprint', '—')}`"]
    if synthetic:
        lines += ["", t["synthetic"]]
    lines += ["", f"## {t['use']}", "", t["use_text"], "", f"## {t['data']}", "",
              t["source_synthetic"] if synthetic else t["source_real"], ""]
    lines += _table([t["metric"], t["value"]], [
        [t["clients"], int(len(target))], [t["labelled"], int(len(known))],
        [t["rate"], _percent(float(known.mean()), t["fr"]) if len(known) else "—"]], t["fr"])
    if isinstance(meta.get("data"), dict):
        lines += [""] + _table([t["metric"], t["value"]], _flatten(meta["data"]), t["fr"])
    lines += ["", f"## {t['metrics']}", ""]
    metrics = meta.get("metrics") or {}
    lines += _table([t["metric"], t["value"]], _flatten(metrics), t["fr"]) if metrics else ["—"]
    lines += ["", f"## {t['threshold']}", "", t["threshold_text"].format(
        t=_fmt(float(bundle.threshold), t["fr"]), fn=_fmt(_whole(fn), t["fr"]), fp=_fmt(_whole(fp), t["fr"]))]
    lines += ["", f"## {t['fairness']}", ""] + _fairness_lines(bundle.extra("fairness"), t)
    lines += ["", f"## {t['limits']}", ""] + [f"- {item}" for item in t["limits_items"]]
    if 0 < len(known) < 50_000:
        lines.append(f"- {t['sample'].format(n=_fmt(len(known), t['fr']))}")
    lines += ["", f"## {t['drift']}", ""]
    if drift:
        lines += _table([t["metric"], t["value"]], _flatten(drift)[:40], t["fr"])
    else:
        lines.append(t["no_drift"])
    lines += ["", f"## {t['technical']}", ""]
    lines += _table([t["metric"], t["value"]], [
        [t["version"], bundle.version], [t["features"], len(bundle.feature_names)],
        [t["trees"], int(getattr(bundle.model, "tree_count_", 0) or 0)], [t["calibrator"], bundle.calibrator.kind]],
        t["fr"])
    return "\n".join(lines) + "\n"
