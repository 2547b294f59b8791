"""reports.backtest / reports.production_db on a SQLite database with the storage tables (known numbers)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import create_engine, insert

from model_service.storage.schema import metadata as meta
from model_service.storage.schema import outcomes, predictions
from reports import backtest as cli
from reports.demo_outcomes import draw_outcomes
from reports.production_db import normalise_url, read_predictions, shadow_pairs

# the service's own tables (model_service.storage.schema), not a copy that could drift from them

@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'service.db'}"
    engine = create_engine(url)
    meta.create_all(engine)
    rows, outs = [], []
    # January: 100 clients at p = 0.1 (score 40), 10 default: as expected.
    # February: 100 clients at p = 0.3 (score 65), 50 default: far above the model's interval.
    for k in range(200):
        month, p, score = (1, 0.1, 40.0) if k < 100 else (2, 0.3, 65.0)
        t = datetime(2026, month, 10, 12, 0, k % 60, tzinfo=UTC)
        rows.append({"record_id": f"r{k}", "logged_at": t, "endpoint": "score", "client_id": 1000 + k,
                     "probability": p, "score": score, "decision": "approve" if score < 45 else "decline",
                     "model_version": "v1", "role": "champion", "features_source": "store"})
        rows.append({"record_id": f"c{k}", "logged_at": t, "endpoint": "score", "client_id": 1000 + k,
                     "probability": p / 2, "score": score - 30, "decision": "approve", "model_version": "v2",
                     "role": "challenger", "features_source": "store"})
        defaulted = (k % 10 == 0) if k < 100 else (k % 2 == 0)
        outs.append({"client_id": 1000 + k, "defaulted": defaulted, "observed_on": date(2026, 9, 1),
                     "recorded_at": datetime(2026, 9, 2, tzinfo=UTC), "source": "test"})
    with engine.begin() as conn:
        conn.execute(insert(predictions), rows)
        conn.execute(insert(outcomes), outs)
    return url


def test_backtest_command_on_the_database(db, tmp_path, capsys):
    out = tmp_path / "backtest.json"
    assert cli.main(["--database-url", db, "--json", str(out)]) == cli.EXIT_OK
    result = json.loads(out.read_text())
    assert result["n"] == 200
    months = {r["key"]: r for r in result["by_vintage"]}
    assert months["2026-01"]["observed"] == pytest.approx(0.1) and months["2026-01"]["flag"] is None
    assert months["2026-02"]["observed"] == pytest.approx(0.5) and months["2026-02"]["flag"] == "above"
    assert {r["key"] for r in result["by_band"]} == {"40-50", "60-70"}
    assert "2026-02" in capsys.readouterr().out
    assert cli.main(["--database-url", db, "--fail-on-flag"]) == cli.EXIT_FLAGGED
    assert cli.main(["--database-url", db, "--since", "2026-02-01"]) == cli.EXIT_OK


def test_backtest_on_a_database_without_a_log_says_so(tmp_path, capsys):
    assert cli.main(["--database-url", f"sqlite:///{tmp_path / 'empty.db'}"]) == cli.EXIT_INPUT
    assert "prediction_log" in capsys.readouterr().err


def test_shadow_pairs_match_champion_and_challenger(db):
    from reports.production_db import engine_for

    frame = read_predictions(engine_for(db), role=None)
    pairs = shadow_pairs(frame, "v2")
    assert len(pairs) == 200
    assert (pairs["champion_score"] - pairs["challenger_score"]).eq(30.0).all()


def test_postgres_urls_use_psycopg():
    assert normalise_url("postgres://u:p@h:5432/d") == "postgresql+psycopg://u:p@h:5432/d"


def test_demo_outcomes_use_the_synthetic_labels_when_known():
    preds = pd.DataFrame({"client_id": [1, 2, 3], "probability": [0.0, 0.0, 1.0],
                          "scored_at": pd.to_datetime(["2026-01-01"] * 3, utc=True)})
    drawn = draw_outcomes(preds, store_ids=np.array([1, 2]), store_target=np.array([1, -1]))
    by_id = drawn.set_index("client_id")
    assert bool(by_id.loc[1, "defaulted"]) and by_id.loc[1, "from_label"]   # label 1 despite p = 0
    assert not by_id.loc[2, "defaulted"] and not by_id.loc[2, "from_label"]  # unlabelled: draw at p = 0
    assert bool(by_id.loc[3, "defaulted"])                                   # unknown to the store: p = 1
