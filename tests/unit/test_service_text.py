"""model_service.text: the reason sentences, in French and English."""

from __future__ import annotations

from model_service.text import level_of, sentences


def test_sentences_in_french_and_english():
    french, english = sentences("EXT_SOURCE_3", 0.21, 0.4, (0.4, 0.6))
    assert french.startswith("Score externe") and "faible" in french and "0,21" in french
    assert french.endswith(": augmente le risque") and english.endswith(": raises the risk")
    french, _ = sentences("AMT_CREDIT", 900000.0, -0.2, (200000.0, 500000.0))
    assert "élevé" in french and french.endswith("diminue le risque")
    missing, missing_en = sentences("EXT_SOURCE_1", None, 0.1, (0.3, 0.6))
    assert "manquante" in missing and "missing" in missing_en
    flag, _ = sentences("FLAG_DOCUMENT_3", 1.0, -0.1, (0.0, 1.0))
    assert "(Oui)" in flag
    assert level_of("DAYS_BIRTH", -25000.0, (-18000.0, -12000.0)) == "high"  # older = larger age
