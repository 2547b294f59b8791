"""Property-based API testing with schemathesis against the service's own OpenAPI document.

The real service (``bin/web`` -> gunicorn, 2 workers) runs on 127.0.0.1; ``st run`` loads
``/openapi.json`` with an API key and, for every operation, sends the coverage phase's boundary
values and up to ``SCHEMATHESIS_MAX_EXAMPLES`` generated cases (valid and invalid; 80 % of the
``{client_id}`` values are known clients, so the scoring code is reached), checking that

- every check of ``--checks all`` but those in ``NOT_YET``: no server error, every status, content
  type, header and body as documented, operations needing the key refuse a missing or wrong one
  (``ignored_auth``, ``missing_required_header``), undocumented methods get 405 with ``Allow``...

Bounded: examples per operation, a fixed seed, a request timeout and an overall time limit.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bench.load import Gunicorn, get_json

pytestmark = pytest.mark.slow

#: Checks of `--checks all` the service does not pass yet, with what they found (issue 14 note):
#: positive_data_acceptance: GET /clients score_min > score_max (422, a product rule the schema cannot say),
#: GET /population an unknown feature name (free text in the schema), POST /clients/{id}/simulate a
#: non-lever field (CODE_GENDER, DAYS_BIRTH...: in the Application schema); negative_data_rejection:
#: POST /predict/batch with 10,001 records is refused with 413 (body limit) before its maxItems is read.
NOT_YET = ("positive_data_acceptance", "negative_data_rejection")
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "15"))
PREDICT_EXAMPLES = int(os.environ.get("SCHEMATHESIS_PREDICT_EXAMPLES", "150"))
# The coverage phase of POST /predict alone is ~3,000 boundary cases over the ~100 application
# fields (about 4.5 minutes here): it runs only with SCHEMATHESIS_FULL=1; by default /predict gets
# PREDICT_EXAMPLES generated cases (valid and invalid) instead. Every other operation gets both.
FULL = os.environ.get("SCHEMATHESIS_FULL", "") == "1"
TIME_LIMIT = 900 if FULL else 420  # seconds, hard stop for the whole `st run`
CONFIG = """
generation.max-examples = {max_examples}

[dictionaries.clients]
values = [{ids}]

[parameters]
"path.client_id" = {{ dictionary = "clients", probability = 0.8 }}

[[operations]]
include-name = "POST /predict"
generation.max-examples = {predict_examples}
phases.coverage.enabled = {predict_coverage}
"""


@pytest.fixture(scope="module")
def service(fast_bundle, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("schemathesis")
    key = "st-" + secrets.token_hex(12)
    env = {"MODEL_BUNDLE": str(fast_bundle), "API_KEYS": key, "DATABASE_URL": f"sqlite:///{tmp / 'decisions.db'}",
           "PREDICTION_LOG": str(tmp / "predictions.jsonl"), "RATE_LIMIT": "100000000 per minute",
           # ignored_auth sends wrong keys on purpose: with the default limit every later call would be a 429
           "AUTH_FAILURE_LIMIT": "100000000 per minute"}
    with Gunicorn("service", env, workers=2, log_dir=tmp).start(timeout=240) as server:
        yield server, key, tmp


def test_openapi_document_is_served(service):
    server, key, _ = service
    status, doc = get_json(server.port, "/openapi.json", key)
    assert status == 200
    assert doc["openapi"].startswith("3.")
    assert "/health" in doc["paths"] and "/predict" in doc["paths"]
    assert get_json(server.port, "/openapi.json")[0] == 200  # public: the operations need the key


def test_schemathesis_no_server_error_and_schema_conformance(service):
    server, key, tmp = service
    st = Path(sys.executable).parent / "st"
    junit = tmp / "schemathesis-junit.xml"
    # Known client ids for most generated {client_id} values (the rest stay random: 404 paths),
    # so the scoring, explanation, neighbour and counterfactual code is exercised, not just 404s.
    status, page = get_json(server.port, "/clients?page=1&per_page=50", key)
    assert status == 200
    ids = ", ".join(str(item["id"]) for item in page["items"])
    config = tmp / "schemathesis.toml"
    config.write_text(CONFIG.format(ids=ids, max_examples=MAX_EXAMPLES, predict_examples=PREDICT_EXAMPLES,
                                    predict_coverage="true" if FULL else "false"))
    cmd = [
        str(st), "--config-file", str(config), "run", f"{server.url}/openapi.json",
        "--header", f"X-API-Key: {key}",
        "--checks", "all",
        # Not yet passing (see the module docstring): the service rejects some schema-valid requests and
        # answers some schema-invalid ones; listed here so that what remains is visible, never silently.
        "--exclude-checks", ",".join(NOT_YET),
        "--phases", "examples,coverage,fuzzing",
        "--seed", "20240607",
        "--workers", "2",
        "--request-timeout", "30",
        "--generation-database", "none",
        "--suppress-health-check", "all",
        "--report", "junit", "--report-junit-path", str(junit), "--report-dir", str(tmp),
        "--no-color",
    ]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=TIME_LIMIT, cwd=tmp,  # its cache stays in tmp
                         env={**os.environ, "SCHEMATHESIS_TELEMETRY": "false", "NO_COLOR": "1"})
    output = run.stdout + run.stderr
    summary = [line for line in output.splitlines() if line.strip()][-25:]
    print("\n".join(summary))
    if junit.exists():
        suite = ET.parse(junit).getroot()
        cases = suite.iter("testcase")
        print(f"junit: {sum(1 for _ in cases)} operations tested")
    assert run.returncode == 0, f"schemathesis found problems (exit {run.returncode}):\n{output[-12000:]}\n" \
                                f"service log:\n{server.log()[-4000:]}"
    assert "passed" in output.lower() or "no issues found" in output.lower(), output[-3000:]
    # No 5xx in gunicorn's access log either, and no traceback in the service's log.
    log = server.log()
    assert not re.search(r'HTTP/1\.[01]" 5\d\d ', log) and "Traceback" not in log, log[-4000:]
