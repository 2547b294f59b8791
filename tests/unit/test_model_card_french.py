"""Issue 17: the model card is fully French (English on request), shows no path, one threshold, age groups
in order and a one-line meaning for each metric; the model page names the same threshold."""

from __future__ import annotations

import re

import pytest

from scoring.model_card import render

THRESHOLD = 0.111
METADATA = {
    "version": "v-test", "created": "2026-12-02T10:00:00Z", "threshold": THRESHOLD, "profile": "fast",
    "data_dir": "/work/shared/data/home-credit", "n_labelled": 7000, "synthetic": False,
    "costs": {"fn": 10, "fp": 1}, "features": [{"name": "EXT_SOURCE_3"}, {"name": "AMT_CREDIT"}], "categorical": [],
    "metrics": {"auc": 0.7272, "brier": 0.0678, "log_loss": 0.25, "recall": 0.48, "source": "out-of-fold"},
    # the curve reaches its minimum on several grid points (ties): 0.088 is not a second threshold
    "cost_curve": {"thresholds": [0.05, 0.088, 0.1, THRESHOLD, 0.2], "cost": [0.61, 0.5626, 0.5626, 0.5626, 0.58]},
    "calibration": {"method": "isotonic", "brier": 0.0678},
    "fairness": {"gender_variant": {"computed": False, "note": "skipped in the fast profile (run the full profile)"}},
}
FAIRNESS = {
    "threshold": THRESHOLD, "positive": "default (refused when probability >= threshold)",
    "attributes": {
        "AGE_BAND": {"groups": [{"group": g, "count": n} for g, n in
                                (("30-40", 1867), ("40-50", 1707), ("50-60", 1556), ("<30", 1046), ("60+", 824))]},
        "NAME_FAMILY_STATUS": {"groups": [{"group": "Married", "count": 4416}, {"group": "Widow", "count": 411}]},
        "NAME_INCOME_TYPE": {"groups": [{"group": "Working", "count": 3585}, {"group": "Pensioner", "count": 1306}]},
    },
}
ENGLISH = ("Married", "Working", "Widow", "Pensioner", "out-of-fold", "skipped", "fast profile", "historical",
           "Log loss", "isotonic", "refused when", "AGE_BAND", "NAME_FAMILY_STATUS")


def test_french_card_has_no_english_and_no_path():
    card = render(METADATA, FAIRNESS, lang="fr")
    for word in ENGLISH:
        assert word not in card, word
    assert "/work" not in card and "home-credit" not in card
    assert "Marié(e)" in card and "Salarié" in card and "Tranche d'âge" in card and "rapide" in card


def test_english_card_on_request_has_the_same_facts():
    card = render(METADATA, FAIRNESS, lang="en")
    assert "Model card" in card and "Married" in card and "/work" not in card


def test_card_names_one_threshold_the_bundles():
    card = render(METADATA, FAIRNESS, lang="fr")
    thresholds = set(re.findall(r"seuil(?: de décision)?(?: \(probabilité calibrée de défaut\))? :? ?(0,\d{4})", card))
    assert thresholds == {"0,1110"}
    assert "0,0880" not in card and "0,1000" not in card  # tied grid points are not shown as thresholds


def test_card_says_when_the_threshold_in_use_is_not_the_curve_minimum():
    worse = {**METADATA, "cost_curve": {"thresholds": [0.05, THRESHOLD], "cost": [0.50, 0.56]}}
    card = render(worse, lang="fr")
    assert "0,5600 par demandeur au seuil en vigueur" in card and "le plus bas des 2 seuils évalués est 0,5000" in card


def test_age_groups_in_natural_order():
    card = render(METADATA, FAIRNESS, lang="fr")
    rows = [line.split("|")[1].strip() for line in card.splitlines()
            if re.match(r"\| (<30|30-40|40-50|50-60|60\+) \|", line)]
    assert rows == ["<30", "30-40", "40-50", "50-60", "60+"]


@pytest.mark.parametrize("lang, meaning", [("fr", "Ce qu'il mesure"), ("en", "What it measures")])
def test_every_metric_is_explained_in_one_line(lang, meaning):
    card = render(METADATA, FAIRNESS, lang=lang)
    table = card[card.index(f"| {meaning} |"):].split("\n\n")[0].splitlines()[2:]
    assert len(table) == len(METADATA["metrics"])
    for row in table:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) == 3 and len(cells[2]) > 10, row


def test_synthetic_card_does_not_claim_home_credit_history():
    card = render({**METADATA, "synthetic": True}, lang="fr")
    assert "demandes historiques de Home Credit" not in card and "demandes générées" in card
    assert "demandes historiques de Home Credit" in render(METADATA, lang="fr")


def test_model_page_names_the_bundles_threshold_at_the_bundles_costs():
    from dash_app.figures.model import at_threshold_in_use, cost_curve_for, fairness_rows
    from tests.answers import answer

    model = answer("model")
    curve = cost_curve_for(model.roc, model.metrics.default_rate, model.costs.fn, model.costs.fp)
    shown = at_threshold_in_use(curve, model.threshold)
    assert shown["best_threshold"] == model.threshold  # one threshold on screen under the bundle's costs
    assert shown["best_cost"] == pytest.approx(model.metrics.business_cost, abs=0.02)
    rows = fairness_rows(answer("fairness"))
    assert [r["group"] for r in rows if r["attribute"] == "AGE_BAND"] == ["<30", "30-40", "40-50", "50-60", "60+"]


def test_the_card_reads_only_what_training_writes():
    """Metadata that is not a BundleMetadata (an unknown key, a missing one) fails, naming the key."""
    from scoring.contract.metadata import MetadataError

    with pytest.raises(MetadataError, match="intended_use: unknown key"):
        render({**METADATA, "intended_use": "anything"}, lang="fr")
    with pytest.raises(MetadataError, match="threshold: missing key"):
        render({k: v for k, v in METADATA.items() if k != "threshold"}, lang="fr")


def test_a_bagged_model_says_it_averages_several_trainings_in_plain_words():
    bagged = {**METADATA, "model": {"type": "CatBoostClassifier", "params": {"iterations": 255}, "trees": 765,
                                    "bagging": {"bags": 3, "seeds": [42, 1042, 2042], "cv_auc": 0.7371,
                                                "cv_auc_std": 0.015, "single_cv_auc": 0.7315}}}
    card = render(bagged, FAIRNESS, lang="fr")
    assert "Arbres : 765" in card  # the shipped model's trees, not one member's
    assert "Modèles moyennés : 3 entraînements" in card and "0,7371" in card and "0,7315" in card
    assert "seed" not in card.lower() and "bagging" not in card.lower()
    assert "Averaged models: 3 trainings" in render(bagged, FAIRNESS, lang="en")
    assert "Modèles moyennés" not in render(METADATA, FAIRNESS, lang="fr")  # one model: no such line
