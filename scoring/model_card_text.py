"""The language of the model card (:mod:`scoring.model_card`): wording and number formatting, en and fr.

``TEXT[lang]`` holds every sentence and heading (``str.format`` templates where a
figure goes in); ``METRIC_NAMES``, ``COLUMN_NAMES`` and ``GAP_NAMES`` name the keys
found in the bundle metadata and the fairness report (unknown keys are shown as is).
:func:`fmt` prints a figure as stored (4 decimals; "12,345.50" in English,
"12 345,50" in French), :func:`plain` a setting as written (10, 0.08).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from scoring.decision import REVIEW_HIGH, REVIEW_LOW

LANGS = ("en", "fr")
NNBSP = "\u202f"  # French thousands separator

_LOW, _HIGH = f"{REVIEW_LOW:g}", f"{REVIEW_HIGH:g}"

#: Friendly names of common metric keys (metadata ``metrics``, ``data``).
METRIC_NAMES = {
    "en": {
        "auc": "ROC AUC", "roc_auc": "ROC AUC", "pr_auc": "PR AUC (average precision)",
        "average_precision": "PR AUC (average precision)", "brier": "Brier score", "log_loss": "Log loss",
        "logloss": "Log loss", "ks": "Kolmogorov-Smirnov statistic", "gini": "Gini", "accuracy": "Accuracy",
        "precision": "Precision", "recall": "Recall (defaults caught)", "f1": "F1", "f2": "F2",
        "business_cost": "Business cost", "cost": "Business cost", "cost_per_client": "Business cost per client",
        "specificity": "Specificity", "default_rate": "Default rate", "approval_rate": "Approval rate",
        "n": "Clients evaluated", "cv_auc": "ROC AUC (cross-validation mean)",
        "cv_auc_std": "ROC AUC (cross-validation std)",
        "auc_pooled_raw": "ROC AUC (pooled out-of-fold, before calibration)",
        "brier_raw": "Brier score (before calibration)",
        "accept_all_cost": "Business cost if every applicant is accepted", "refusal_rate": "Refusal rate",
        "threshold": "Decision threshold", "tn": "True negatives (good clients accepted)",
        "fp": "False positives (good clients refused)", "fn": "False negatives (defaults accepted)",
        "tp": "True positives (defaults refused)", "source": "Evaluated on",
        "honest_auc": "ROC AUC, honest estimate (mean over outer folds)",
        "honest_auc_std": "ROC AUC, honest estimate (std over outer folds)",
        "honest_business_cost": "Business cost per client, honest estimate (mean over outer folds)",
        "honest_business_cost_std": "Business cost per client, honest estimate (std over outer folds)",
    },
    "fr": {
        "auc": "AUC ROC", "roc_auc": "AUC ROC", "pr_auc": "AUC PR (précision moyenne)",
        "average_precision": "AUC PR (précision moyenne)", "brier": "Score de Brier", "log_loss": "Perte logarithmique",
        "logloss": "Perte logarithmique", "ks": "Statistique de Kolmogorov-Smirnov", "gini": "Gini",
        "accuracy": "Exactitude", "precision": "Précision", "recall": "Rappel (défauts détectés)", "f1": "F1",
        "f2": "F2", "business_cost": "Coût métier", "cost": "Coût métier",
        "cost_per_client": "Coût métier par client", "specificity": "Spécificité", "default_rate": "Taux de défaut",
        "approval_rate": "Taux d'accord", "n": "Clients évalués",
        "cv_auc": "AUC ROC (moyenne en validation croisée)", "cv_auc_std": "AUC ROC (écart-type en validation croisée)",
        "auc_pooled_raw": "AUC ROC (hors échantillon regroupé, avant calibration)",
        "brier_raw": "Score de Brier (avant calibration)",
        "accept_all_cost": "Coût métier si tous les dossiers sont acceptés", "refusal_rate": "Taux de refus",
        "threshold": "Seuil de décision", "tn": "Vrais négatifs (bons clients acceptés)",
        "fp": "Faux positifs (bons clients refusés)", "fn": "Faux négatifs (défauts acceptés)",
        "tp": "Vrais positifs (défauts refusés)", "source": "Évalué sur",
        "honest_auc": "AUC ROC, estimation honnête (moyenne sur les plis externes)",
        "honest_auc_std": "AUC ROC, estimation honnête (écart-type sur les plis externes)",
        "honest_business_cost": "Coût métier par client, estimation honnête (moyenne sur les plis externes)",
        "honest_business_cost_std": "Coût métier par client, estimation honnête (écart-type sur les plis externes)",
    },
}

#: Names of the metric keys whose meaning changes when the figures come from the held-out applicants of a
#: subsampled run (``honest_estimate.source == "holdout report half"``).
HOLDOUT_METRIC_NAMES = {
    "en": {
        "honest_auc": "ROC AUC, honest estimate (held-out applicants)",
        "honest_auc_std": "ROC AUC, honest estimate (bootstrap std)",
        "honest_business_cost": "Business cost per client, honest estimate (held-out applicants)",
        "honest_business_cost_std": "Business cost per client, honest estimate (bootstrap std)",
        "auc_pooled_raw": "ROC AUC (held-out applicants, before calibration)",
    },
    "fr": {
        "honest_auc": "AUC ROC, estimation honnête (demandeurs mis de côté)",
        "honest_auc_std": "AUC ROC, estimation honnête (écart-type bootstrap)",
        "honest_business_cost": "Coût métier par client, estimation honnête (demandeurs mis de côté)",
        "honest_business_cost_std": "Coût métier par client, estimation honnête (écart-type bootstrap)",
        "auc_pooled_raw": "AUC ROC (demandeurs mis de côté, avant calibration)",
    },
}

#: What those keys measure in such a run (third column of the metrics table).
HOLDOUT_METRIC_HELP = {
    "en": {"auc_pooled_raw": "AUC of the shipped model's raw output on the held-out applicants, before calibration."},
    "fr": {"auc_pooled_raw": "AUC de la sortie brute du modèle livré sur les demandeurs mis de côté, avant "
                             "calibration."},
}

#: One line saying what each metric measures (third column of the metrics table).
METRIC_HELP = {
    "en": {
        "auc": "How well the score ranks defaulters above good payers (0.5 = chance, 1 = perfect).",
        "roc_auc": "How well the score ranks defaulters above good payers (0.5 = chance, 1 = perfect).",
        "pr_auc": "Precision averaged over all thresholds (higher is better; the default rate = chance).",
        "average_precision": "Precision averaged over all thresholds (higher is better; the default rate = chance).",
        "brier": "Mean squared gap between the probability and the outcome (lower is better).",
        "brier_raw": "The same, before calibration.",
        "log_loss": "Penalty for confident wrong probabilities (lower is better).",
        "accuracy": "Share of applicants whose outcome the decision at the threshold gets right.",
        "precision": "Among refused applicants, the share who did default.",
        "recall": "Among defaulters, the share the threshold refuses.",
        "f1": "Balance of precision and recall (harmonic mean).",
        "business_cost": "Mean cost per applicant at the threshold (missed default and refusal costs).",
        "cost": "Mean cost per applicant at the threshold (missed default and refusal costs).",
        "accept_all_cost": "Mean cost per applicant if everybody were accepted (the baseline to beat).",
        "refusal_rate": "Share of applicants above the threshold.", "default_rate": "Share of applicants who defaulted.",
        "approval_rate": "Share of applicants below the threshold.", "n": "Applicants the figures are computed on.",
        "threshold": "Probability of default above which the model suggests a refusal (score 50).",
        "tn": "Good payers accepted at the threshold.", "fp": "Good payers refused at the threshold.",
        "fn": "Defaulters accepted at the threshold.", "tp": "Defaulters refused at the threshold.",
        "cv_auc": "AUC averaged over the cross-validation folds.", "cv_auc_std": "Spread of that AUC across folds.",
        "auc_pooled_raw": "AUC of the model's raw output over all folds, before calibration.",
        "source": "Which predictions the figures are computed on.",
        "ks": "Largest gap between the score distributions of defaulters and good payers.",
        "gini": "2 x AUC - 1 (0 = chance, 1 = perfect).",
    },
    "fr": {
        "auc": "Capacité du score à classer les défauts au-dessus des bons payeurs (0,5 = hasard, 1 = parfait).",
        "roc_auc": "Capacité du score à classer les défauts au-dessus des bons payeurs (0,5 = hasard, 1 = parfait).",
        "pr_auc": "Précision moyenne sur tous les seuils (plus haut = mieux ; le taux de défaut = hasard).",
        "average_precision": "Précision moyenne sur tous les seuils (plus haut = mieux ; le taux de défaut = hasard).",
        "brier": "Écart quadratique moyen entre la probabilité et l'issue réelle (plus bas = mieux).",
        "brier_raw": "Le même, avant calibration.",
        "log_loss": "Pénalise les probabilités fausses et sûres d'elles (plus bas = mieux).",
        "accuracy": "Part des demandeurs dont la décision au seuil prévoit correctement l'issue.",
        "precision": "Parmi les dossiers refusés, part de ceux qui ont réellement fait défaut.",
        "recall": "Parmi les défauts, part de ceux que le seuil refuse.",
        "f1": "Équilibre entre précision et rappel (moyenne harmonique).",
        "business_cost": "Coût moyen par demandeur au seuil (défauts acceptés et bons clients refusés).",
        "cost": "Coût moyen par demandeur au seuil (défauts acceptés et bons clients refusés).",
        "accept_all_cost": "Coût moyen par demandeur si tout le monde était accepté (la référence à battre).",
        "refusal_rate": "Part des demandeurs au-dessus du seuil.", "default_rate": "Part des demandeurs en défaut.",
        "approval_rate": "Part des demandeurs sous le seuil.", "n": "Nombre de demandeurs sur lesquels portent les chiffres.",
        "threshold": "Probabilité de défaut au-delà de laquelle le modèle suggère un refus (score 50).",
        "tn": "Bons payeurs acceptés au seuil.", "fp": "Bons payeurs refusés au seuil.",
        "fn": "Défauts acceptés au seuil.", "tp": "Défauts refusés au seuil.",
        "cv_auc": "AUC moyenne sur les plis de la validation croisée.",
        "cv_auc_std": "Dispersion de cette AUC d'un pli à l'autre.",
        "auc_pooled_raw": "AUC de la sortie brute du modèle sur tous les plis, avant calibration.",
        "source": "Sur quelles prédictions portent les chiffres.",
        "ks": "Plus grand écart entre les distributions de score des défauts et des bons payeurs.",
        "gini": "2 x AUC - 1 (0 = hasard, 1 = parfait).",
    },
}

#: Values found in the metadata (method names, notes written by training) in the card's language.
VALUE_NAMES = {
    "en": {"out-of-fold": "out-of-fold predictions (cross-validation)"},
    "fr": {"out-of-fold": "prédictions hors échantillon (validation croisée)", "isotonic": "isotonique",
           "sigmoid": "sigmoïde (Platt)", "platt": "sigmoïde (Platt)", "beta": "bêta", "fast": "rapide",
           "full": "complet", "roc_auc": "AUC ROC",
           "default (refused when probability >= threshold)": "défaut (refus suggéré quand la probabilité "
                                                                "atteint le seuil)",
           "skipped in the fast profile (run the full profile)": "non calculée avec le profil rapide (lancer le "
                                                                  "profil complet)"},
}

#: Fairness attributes that are not model columns (derived groups).
ATTRIBUTE_NAMES = {"en": {"AGE_BAND": "Age group"}, "fr": {"AGE_BAND": "Tranche d'âge"}}


#: Columns of the per-group fairness tables.
COLUMN_NAMES = {
    "en": {"group": "Group", "count": "Clients", "n": "Clients", "defaults": "Defaults",
           "default_rate": "Default rate", "mean_probability": "Mean probability", "approval_rate": "Approval rate",
           "tpr": "Defaults refused (TPR)", "fpr": "Good clients refused (FPR)", "auc": "AUC",
           "mean_score": "Mean score"},
    "fr": {"group": "Groupe", "count": "Clients", "n": "Clients", "defaults": "Défauts",
           "default_rate": "Taux de défaut", "mean_probability": "Probabilité moyenne",
           "approval_rate": "Taux d'accord", "tpr": "Défauts refusés (TPR)", "fpr": "Bons clients refusés (FPR)",
           "auc": "AUC", "mean_score": "Score moyen"},
}

#: Fairness gaps (training.fairness: max - min between groups).
GAP_NAMES = {
    "en": {"demographic_parity_difference": "Demographic parity difference (approval-rate gap)",
           "equal_opportunity_difference": "Equal opportunity difference (gap in good clients approved)",
           "tpr_difference": "Gap in defaults caught (TPR)"},
    "fr": {"demographic_parity_difference": "Écart de parité démographique (taux d'accord)",
           "equal_opportunity_difference": "Écart d'égalité des chances (taux d'accord des bons clients)",
           "tpr_difference": "Écart de défauts refusés (TPR)"},
}

TEXT = {
    "en": {
        "title": "Model card - credit default risk (version {version})",
        "synthetic_banner": "> **Trained on synthetic data**: figures below describe generated data, not real "
                            "applicants.",
        "h_use": "Intended use", "h_data": "Data", "h_model": "Model", "h_metrics": "Metrics",
        "h_threshold": "Threshold and costs", "h_fairness": "Fairness", "h_limits": "Limits",
        "h_drift": "Drift status", "h_version": "Version",
        "use": (
            "Decision support for loan advisors assessing consumer-credit applications: the model estimates the "
            "calibrated probability that an applicant will have repayment difficulties, shown as a 0-100 score "
            f"(the decision threshold maps to 50) with a suggested decision (approve below {_LOW}, advisor's "
            f"review from {_LOW} to {_HIGH}, decline above {_HIGH}) and the main factors behind it.",
            "The model does not decide alone: the advisor makes and records the decision, and every decision is "
            "logged with the model's score (an override keeps its reason). Out of scope: fully automated "
            "decisions, pricing, and populations, products or countries other than those of the training data.",
        ),
        "source_real": "Source: real Home Credit data (Kaggle \"Home Credit Default Risk\").",
        "source_synthetic": "Source: generated synthetic data (no real client).",
        "clients": "Applicants in the client store", "labelled": "Labelled applicants (training)",
        "rate": "Observed default rate (labelled applicants)",
        "fingerprint": "Data fingerprint", "data_dir": "Data directory", "synthetic": "Synthetic data",
        "features": "Model features: {n} ({cat} categorical)",
        "profile": "Training profile", "model": "Model",
        "pipeline": " (training pipeline: {steps})", "trees": "Trees", "parameters": "Parameters",
        "smote_ratio": "Smote ratio", "seed": "Seed",
        "search": "Hyper-parameter search: {method}, {n} candidates, {folds} folds, metric {metric}",
        "search_best": "; best CV AUC {auc} +/- {std}",
        "bagging": "Averaged models: {n} trainings of the same model with different random seeds, averaged into one "
                   "model; CV AUC {auc} +/- {std} (a single training: {single})",
        "calibration": "Calibration", "calibration_oof": "{kind} (fitted on out-of-fold scores)",
        "importance": "Most important features",
        "metric": "Metric", "value": "Value", "meaning": "What it measures", "no_metrics": "No metrics recorded in the bundle metadata.",
        "brier": "Calibration (reliability on out-of-fold scores): Brier score {brier}.",
        "honest": "Honest estimate (each fold's threshold chosen without that fold's clients): business cost per "
                  "client {cost} ± {cost_std}, AUC {auc} ± {auc_std}. The business cost in the table is optimistic "
                  "(threshold chosen on the same predictions it is measured on): {optimistic}.",
        "honest_holdout": "Honest estimate on held-out applicants: the shipped model was trained without the {rows} "
                          "applicants held out; its threshold and calibration were chosen on half of them ({choose}) "
                          "and these figures measured on the other half ({report}), which no choice has seen: "
                          "business cost per client {cost} ± {cost_std}, AUC {auc} ± {auc_std} (±: standard "
                          "deviation over {boot} bootstrap resamples). The table's figures come from the same "
                          "{report}. On the half the threshold was chosen on, the cost is optimistic: {optimistic}.",
        "applicants": "applicants",
        "calibration_holdout": "{kind} (fitted on the shipped model's scores of half of the applicants held out)",
        "brier_holdout": "Calibration (reliability on the other half of the applicants held out): Brier score {brier}.",
        "threshold": "Decision threshold (calibrated probability of default): {t} - chosen to minimise the "
                     "business cost, maps to score 50",
        "costs": "Costs: missed default (false negative) {fn}, wrongly refused good client (false positive) {fp}",
        "cost_ratio": " - a missed default weighs {ratio} times a refusal",
        "curve": "Cost curve: {cost} per applicant at the threshold in use, the lowest of the {n} thresholds "
                 "evaluated",
        "curve_above": "Cost curve: {cost} per applicant at the threshold in use; the lowest of the {n} thresholds "
                       "evaluated is {best}",
        "bands": f"Bands: approve below score {_LOW}, advisor's review {_LOW}-{_HIGH}, decline above {_HIGH}.",
        "no_fairness": "No fairness table in this bundle (extras/fairness.json is absent): review the model by "
                       "group before release.",
        "summary_only": "Gaps between groups (bundle metadata; the per-group table is not in this bundle):",
        "fairness_intro": "Decisions per group at the threshold, from out-of-fold (cross-validated) calibrated "
                          "probabilities; gaps are max - min between groups",
        "f_threshold": "decision threshold {v}", "f_min_group": "gaps over groups of at least {v} clients",
        "f_bootstrap": "95% confidence intervals from {v} bootstrap resamples", "f_positive": "positive class: {v}",
        "gap": "{label}: {value}", "gap_ci": " (95% CI {low} - {high})",
        "gender_variant": "The model does not use CODE_GENDER (kept only to measure fairness). Adding it back, same folds and "
                          "parameters, one training each: CV AUC {auc} without vs {auc_with} with ({auc_change}); business cost per "
                          "client {cost} without vs {cost_with} with ({cost_change}).",
        "gender_variant_missing": "The model does not use CODE_GENDER (kept only to measure fairness); the variant "
                                  "with it: {note}.", "not_computed": "not computed",
        "limits": (
            "Probabilities are calibrated on out-of-fold training scores; a different population (another "
            "channel or period) can make them too optimistic or too severe (see the drift status below and "
            "`python -m reports.drift`).",
            "Applicants without credit history (no bureau or previous-application rows, no external score) are "
            "scored from their application alone; their scores are less informed.",
            "Gender is not a model input; age remains one. Protected attributes and their proxies may carry historical "
            "bias, and counterfactuals never change gender or age: the fairness table must be reviewed before each "
            "release or extension of use, and decisions stay with a human advisor.",
            "Explanations (SHAP feature contributions) describe the model, not causes: they must not be read as "
            "what an applicant should change.",
        ),
        "limit_real": "Trained on historical Home Credit applications: it reflects that lender's past acceptance "
                      "policy (only accepted applicants have an observed outcome) and the period the data cover.",
        "limit_synthetic": "Trained on generated applications that imitate the structure of the Home Credit data: "
                           "no real lender's policy or period is reflected.",
        "small_sample": "Trained on {n} labelled applicants only (the full Kaggle training set has 307,511): "
                        "metrics and fairness gaps carry wide uncertainty (see the confidence intervals).",
        "synthetic_limit": "Trained on synthetic data: for demonstration and testing only, not for real decisions.",
        "no_drift": "No drift report yet: run `python -m reports.drift` (weekly in the `drift` workflow).",
        "d_report": "Report of {at}: **{status}**", "d_rows": "Reference: {ref} ({ref_rows} rows); current: {cur} "
                                                             "({cur_rows} rows)",
        "d_sampled": " - sampled for the comparison",
        "d_columns": "Drifted columns: {n} of {total} (share {share}); dataset drift: {dataset}",
        "d_top": "Most drifted", "d_psi": "Score PSI (training out-of-fold vs current): {value} ({status}; "
                                          "< 0.1 stable, 0.1-0.25 watch, > 0.25 act)",
        "d_psi_missing": "Score PSI: not computed ({reason})", "d_model": "Model version monitored: {v}",
        "d_other_model": " (not the version of this card)",
        "status": {"stable": "stable", "watch": "watch", "act": "act"},
        "v_version": "Model version", "v_created": "Created", "v_mlflow_run": "MLflow run", "v_registered": "Registered model",
        "v_registered_version": "Registered model version", "v_alias": "Alias",
        "empty": "_(empty)_", "none": "n/a", "yes": "yes", "no": "no", "values": "[{n} values]",
    },
    "fr": {
        "title": "Fiche modèle - risque de défaut de crédit (version {version})",
        "synthetic_banner": "> **Modèle entraîné sur des données synthétiques** : les chiffres ci-dessous décrivent "
                            "des données générées, pas de vrais demandeurs (démonstration uniquement).",
        "h_use": "Usage prévu", "h_data": "Données", "h_model": "Modèle", "h_metrics": "Performances (validation)",
        "h_threshold": "Seuil et coûts", "h_fairness": "Équité", "h_limits": "Limites",
        "h_drift": "Dérive des données", "h_version": "Version",
        "use": (
            "Aide à la décision pour les conseillers qui instruisent une demande de crédit à la consommation : le "
            "modèle estime la probabilité calibrée de difficulté de remboursement, présentée comme un score de 0 à "
            f"100 (le seuil de décision correspond à 50) avec une décision suggérée (accord en dessous de {_LOW}, "
            f"examen par le conseiller de {_LOW} à {_HIGH}, refus au-dessus de {_HIGH}) et les principaux "
            "facteurs qui l'expliquent.",
            "Le modèle ne décide pas seul : le conseiller prend et enregistre la décision, et chaque décision est "
            "journalisée avec le score du modèle (une dérogation garde son motif). Hors usage : décision "
            "entièrement automatique, tarification, populations, produits ou pays autres que ceux des données "
            "d'entraînement.",
        ),
        "source_real": "Source : données réelles Home Credit (Kaggle « Home Credit Default Risk »).",
        "source_synthetic": "Source : données synthétiques générées (aucun client réel).",
        "clients": "Clients connus (stock servi)", "labelled": "Dont à issue connue (entraînement)",
        "rate": "Taux de défaut observé (issue connue)",
        "fingerprint": "Empreinte des données", "data_dir": "Répertoire des données",
        "synthetic": "Données synthétiques", "features": "Variables du modèle : {n} (dont {cat} catégorielles)",
        "profile": "Profil d'entraînement", "model": "Modèle",
        "pipeline": " (chaîne d'entraînement : {steps})", "trees": "Arbres", "parameters": "Paramètres",
        "smote_ratio": "Ratio SMOTE", "seed": "Graine",
        "search": "Recherche d'hyper-paramètres : {method}, {n} candidats, {folds} plis, métrique {metric}",
        "search_best": " ; meilleure AUC en validation croisée {auc} +/- {std}",
        "bagging": "Modèles moyennés : {n} entraînements du même modèle avec des tirages aléatoires différents, "
                   "réunis en un seul modèle ; AUC en validation croisée {auc} +/- {std} (un seul entraînement : "
                   "{single})",
        "calibration": "Calibration", "calibration_oof": "{kind} (ajustée sur les scores hors échantillon)",
        "importance": "Variables les plus importantes",
        "metric": "Indicateur", "value": "Valeur", "meaning": "Ce qu'il mesure", "no_metrics": "Aucune métrique dans les métadonnées du modèle.",
        "brier": "Calibration (fiabilité sur les scores hors échantillon) : score de Brier {brier}.",
        "honest": "Estimation honnête (le seuil de chaque pli est choisi sans les clients de ce pli) : coût métier "
                  "par client {cost} ± {cost_std}, AUC {auc} ± {auc_std}. Le coût métier du tableau est optimiste "
                  "(seuil choisi sur les prédictions mêmes où il est mesuré) : {optimistic}.",
        "honest_holdout": "Estimation honnête sur des demandeurs mis de côté : le modèle livré a été entraîné sans les "
                          "{rows} demandeurs mis de côté ; son seuil et sa calibration ont été choisis sur la moitié "
                          "d'entre eux ({choose}) et ces chiffres mesurés sur l'autre moitié ({report}), qu'aucun "
                          "choix n'a vue : coût métier par client {cost} ± {cost_std}, AUC {auc} ± {auc_std} "
                          "(± : écart-type sur {boot} rééchantillonnages bootstrap). Les chiffres du tableau viennent "
                          "des mêmes {report}. Sur la moitié où le seuil a été choisi, le coût est optimiste : "
                          "{optimistic}.",
        "applicants": "demandeurs",
        "calibration_holdout": "{kind} (ajustée sur les scores du modèle livré pour la moitié des demandeurs mis de "
                               "côté)",
        "brier_holdout": "Calibration (fiabilité sur l'autre moitié des demandeurs mis de côté) : score de Brier {brier}.",
        "threshold": "Seuil de décision (probabilité calibrée de défaut) : {t} - choisi pour minimiser le coût "
                     "métier, correspond au score 50",
        "costs": "Coûts : défaut accepté (faux négatif) {fn}, bon client refusé (faux positif) {fp}",
        "cost_ratio": " - un défaut accepté pèse {ratio} fois un refus",
        "curve": "Courbe de coût : {cost} par demandeur au seuil en vigueur, le plus bas des {n} seuils évalués",
        "curve_above": "Courbe de coût : {cost} par demandeur au seuil en vigueur ; le plus bas des {n} seuils "
                       "évalués est {best}",
        "bands": f"Zones : accord sous le score {_LOW}, examen par le conseiller de {_LOW} à {_HIGH}, refus "
                 f"au-dessus de {_HIGH}.",
        "no_fairness": "Aucune table d'équité dans ce modèle (extras/fairness.json absent) : examiner le modèle par "
                       "groupe avant mise en production.",
        "summary_only": "Écarts entre groupes (métadonnées du modèle ; la table par groupe n'est pas dans ce "
                        "modèle) :",
        "fairness_intro": "Décisions par groupe au seuil, sur les probabilités calibrées hors échantillon "
                          "(validation croisée) ; écarts max - min entre groupes",
        "f_threshold": "seuil de décision {v}", "f_min_group": "écarts sur les groupes d'au moins {v} clients",
        "f_bootstrap": "intervalles de confiance à 95 % sur {v} rééchantillonnages bootstrap",
        "f_positive": "classe positive : {v}",
        "gap": "{label} : {value}", "gap_ci": " (IC à 95 % {low} - {high})",
        "gender_variant": "Le modèle n'utilise pas le sexe (CODE_GENDER, conservé uniquement pour mesurer l'équité). En "
                          "le réintroduisant, mêmes plis et paramètres, un entraînement de chaque : AUC en validation croisée {auc} sans contre "
                          "{auc_with} avec ({auc_change}) ; coût métier par client {cost} sans contre {cost_with} "
                          "avec ({cost_change}).",
        "gender_variant_missing": "Le modèle n'utilise pas le sexe (CODE_GENDER, conservé uniquement pour mesurer "
                                  "l'équité) ; variante avec le sexe : {note}.", "not_computed": "non calculée",
        "limits": (
            "Les probabilités sont calibrées sur les scores d'entraînement hors échantillon ; une population "
            "différente (autre canal, autre période) peut les rendre trop optimistes ou trop sévères (voir la "
            "dérive ci-dessous et `python -m reports.drift`).",
            "Les clients sans historique de crédit (ni bureau, ni demandes précédentes, ni score externe) sont "
            "évalués sur le seul dossier de demande ; leur score est moins informé.",
            "Le sexe n'est pas une variable du modèle ; l'âge en reste une. Les attributs protégés et leurs substituts "
            "peuvent porter des biais historiques et les contre-factuels ne modifient jamais le sexe ni l'âge : "
            "vérifier la table d'équité avant chaque version ou extension d'usage ; la décision reste au conseiller.",
            "Les explications (contributions SHAP des variables) décrivent le modèle, pas une causalité : elles ne "
            "disent pas ce qu'un demandeur devrait changer.",
        ),
        "limit_real": "Entraîné sur des demandes historiques de Home Credit : il reflète la politique "
                      "d'acceptation passée de ce prêteur (seuls les dossiers acceptés ont une issue observée) et la "
                      "période couverte.",
        "limit_synthetic": "Entraîné sur des demandes générées qui imitent la structure des données Home Credit : "
                           "elles ne reflètent ni la politique ni la période d'un vrai prêteur.",
        "small_sample": "Entraîné sur seulement {n} demandeurs à issue connue (le jeu d'entraînement Kaggle complet "
                        "en compte 307 511) : métriques et écarts d'équité sont très incertains (voir les "
                        "intervalles de confiance).",
        "synthetic_limit": "Entraîné sur des données synthétiques : démonstration et tests uniquement, jamais pour "
                           "de vraies décisions.",
        "no_drift": "Aucun rapport de dérive pour l'instant : lancer `python -m reports.drift` (chaque semaine dans "
                    "le workflow `drift`).",
        "d_report": "Rapport du {at} : **{status}**", "d_rows": "Référence : {ref} ({ref_rows} lignes) ; courant : "
                                                               "{cur} ({cur_rows} lignes)",
        "d_sampled": " - échantillonnés pour la comparaison",
        "d_columns": "Colonnes en dérive : {n} sur {total} (part {share}) ; dérive du jeu de données : {dataset}",
        "d_top": "Plus fortes dérives", "d_psi": "PSI du score (hors échantillon d'entraînement vs courant) : {value} "
                                                 "({status} ; < 0,1 stable, 0,1-0,25 à surveiller, > 0,25 agir)",
        "d_psi_missing": "PSI du score : non calculé ({reason})", "d_model": "Version de modèle surveillée : {v}",
        "d_other_model": " (pas la version de cette fiche)",
        "status": {"stable": "stable", "watch": "à surveiller", "act": "agir"},
        "v_version": "Version du modèle", "v_created": "Créé le", "v_mlflow_run": "Run MLflow", "v_registered": "Modèle enregistré",
        "v_registered_version": "Version enregistrée", "v_alias": "Alias",
        "empty": "_(vide)_", "none": "—", "yes": "oui", "no": "non", "values": "[{n} valeurs]",
    },
}


# --------------------------------------------------------------------------- number formatting


def local(text: str, lang: str) -> str:
    """English number text ("12,345.50") in the card's language ("12 345,50" in French)."""
    return text.replace(",", NNBSP).replace(".", ",") if lang == "fr" else text


def is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool | np.bool_) \
        and math.isfinite(value)


def is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def fmt(value: Any, lang: str = "en") -> str:
    """A figure as stored: ints with thousands separators, floats with 4 decimals (2 from 1,000)."""
    t = TEXT[lang]
    if value is None:
        return t["none"]
    if isinstance(value, bool | np.bool_):
        return t["yes"] if value else t["no"]
    if isinstance(value, int | np.integer):
        return local(f"{int(value):,}", lang)
    if isinstance(value, float | np.floating):
        if not math.isfinite(value):
            return t["none"]
        return local(f"{value:,.2f}" if abs(value) >= 1000 else f"{value:.4f}", lang)
    sep = " ; " if lang == "fr" else ", "
    if isinstance(value, list | tuple):
        return t["values"].format(n=len(value)) if len(value) > 8 else sep.join(fmt(v, lang) for v in value)
    if isinstance(value, dict):
        return sep.join(f"{k}: {fmt(v, lang)}" for k, v in value.items())
    text = VALUE_NAMES[lang].get(str(value), str(value))
    return text.replace("|", "\\|").replace("\n", " ")


def plain(value: Any, lang: str = "en") -> str:
    """Settings (costs, hyper-parameters) as written: 10 not 10.0000, 0.08 not 0.0800."""
    if isinstance(value, float) and math.isfinite(value):
        return local(f"{value:g}", lang)
    if isinstance(value, dict):
        return (" ; " if lang == "fr" else ", ").join(f"{k}: {plain(v, lang)}" for k, v in value.items())
    return fmt(value, lang)


def pct(share: float, lang: str) -> str:
    return f"{share * 100:.2f}".replace(".", ",") + " %" if lang == "fr" else f"{share:.2%}"


def item(label: str, text: str, lang: str) -> str:
    return f"- {label}{' :' if lang == 'fr' else ':'} {text}"


def flatten(data: Mapping, prefix: str = "") -> list[tuple[str, Any]]:
    """Scalars of a nested dict as ("a / b", value) pairs (lists are skipped: curves, matrices)."""
    out: list[tuple[str, Any]] = []
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.extend(flatten(value, f"{name} / "))
        elif is_scalar(value):
            out.append((name, value))
    return out


def metric_name(key: str, lang: str) -> str:
    parts = key.split(" / ")
    parts[-1] = METRIC_NAMES[lang].get(parts[-1].lower(), parts[-1])
    return " / ".join(parts)


def _group_number(group: Any) -> tuple[float, int] | None:
    """'<30' -> (30, -1), '30-40' -> (30, 0), '60+' -> (60, 0); None when the group names no number."""
    match = re.search(r"\d+(?:[.,]\d+)?", str(group))
    if not match:
        return None
    return float(match.group().replace(",", ".")), -1 if str(group).strip().startswith("<") else 0


def natural_order(groups: list[Any]) -> list[int]:
    """Indices of ``groups`` in their natural order when every group is a numeric band (ages), else as given."""
    keys = [_group_number(g) for g in groups]
    if not groups or any(k is None for k in keys):
        return list(range(len(groups)))
    return sorted(range(len(groups)), key=lambda i: keys[i])
