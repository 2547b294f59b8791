"""One feature implementation for one row and for the whole sample (issue 13).

The whole real sample is built as training builds it (``build_features``: one
frame) and again row by row through the service's ``POST /predict`` path
(request validated by the pydantic model, then ``model_inputs`` -> ``model_rows``,
the columnar core on one-element arrays). Every application and derived
feature of every applicant must be bit-identical; the history features of a
request without history are NaN, as for an applicant without history rows.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from model_service.inputs import rows_as_lists
from model_service.routes.predict import model_inputs
from scoring import schema
from scoring.data import DataReport, connect, locate, read_applications
from scoring.features import build_features, model_input, model_rows
from scoring.features.history import history_feature_names

pytestmark = pytest.mark.slow
KINDS = schema.kinds("application_test")


@pytest.fixture(scope="module")
def sample(real_data_dir):
    features = build_features(real_data_dir)
    con = connect()
    try:
        apps = read_applications(con, locate(real_data_dir), DataReport())
    finally:
        con.close()
    return features, apps


def _records(apps: pd.DataFrame) -> list[dict]:
    """What a partner system sends: the raw fields as JSON values, missing ones left out."""
    out = []
    for record in apps.drop(columns=["TARGET"]).to_dict(orient="records"):
        clean = {}
        for name, value in record.items():
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            if isinstance(value, np.floating | float):
                value = float(value)
                # the loader read the CSV as float32: send the float32's own shortest decimal
                value = float(str(np.float32(value)))
                if KINDS.get(name) == "int" and value.is_integer():
                    value = int(value)
            clean[name] = value
        out.append(clean)
    return out


def test_whole_sample_frame_equals_row_by_row_predict_path(service_app, sample):
    features, apps = sample
    s = service_app.extensions["model_service"]
    names, cats = s.inputs.features, s.inputs.categorical
    history = set(history_feature_names())
    frame = features.frame.loc[apps["SK_ID_CURR"].to_numpy()]
    expected = rows_as_lists(model_input(frame, names, cats))
    records = _records(apps)
    assert len(records) == len(expected) == 7_000
    checked = 0
    with service_app.app_context():
        for record, want in zip(records, expected, strict=True):
            body = s.models.predict.model_validate({"application": record})
            fields = body.application.model_dump(exclude_none=True)
            client = fields.pop("SK_ID_CURR")
            got = model_rows(model_inputs(s, [fields]), names)[0]
            for name, a, b in zip(names, got, want, strict=True):
                if name in history:
                    assert a != a, (client, name, a)  # no history sent: NaN
                    continue
                assert type(a) is type(b) and (a == b or (a != a and b != b)), (client, name, a, b)
                checked += 1
    assert checked == 7_000 * sum(name not in history for name in names)  # the bundle may predate new history features


def test_many_rows_at_once_equal_the_frame(service_app, sample):
    """The batch path (all 7,000 records in one call of the same functions) equals the frame too."""
    features, apps = sample
    s = service_app.extensions["model_service"]
    names, cats = s.inputs.features, s.inputs.categorical
    frame = features.frame.loc[apps["SK_ID_CURR"].to_numpy()]
    expected = model_input(frame, names, cats)
    records = _records(apps)
    for r in records:
        r.pop("SK_ID_CURR")
    with service_app.app_context():
        got = pd.DataFrame(model_inputs(s, records), copy=False)
    history = set(history_feature_names())
    for name in names:
        if name in history:
            assert got[name].isna().all(), name
        elif name in cats:
            assert got[name].tolist() == expected[name].tolist(), name
        else:
            assert np.array_equal(got[name].to_numpy(), expected[name].to_numpy(), equal_nan=True), name
