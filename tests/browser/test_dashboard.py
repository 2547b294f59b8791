"""The advisor dashboard in Chromium, against the real service (see conftest.py)."""

from __future__ import annotations

import datetime
import json
import re
import time

import pytest
import requests

from model_service.monitoring import CACHE_SECONDS
from tests.browser.conftest import PASSWORD, USER
from tests.browser.servers import free_port, login, start_dashboard, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BAND_COLOURS = {"green": "#1e6b34", "orange": "#8a4b00", "red": "#b00020"}
DECISION_WORDS = {"approve": "Accordé", "review": "À la discrétion du conseiller", "decline": "Refusé"}


def _client_of(service_api, decision: str) -> dict:
    items = service_api(f"/clients?decision={decision}&per_page=5&sort=-id")["items"]
    if not items:
        pytest.skip(f"no client with decision {decision} in the test bundle")
    return items[0]


def _goto(page, stack, path: str) -> None:
    page.goto(stack["dashboard"].url + path)
    wait_idle(page)


# -- login ---------------------------------------------------------------------------------------------
def test_login_required(stack, anonymous_page, check_a11y, shoot):
    base = stack["dashboard"].url
    anonymous_page.goto(base + "/client/100002")
    assert "/login" in anonymous_page.url and "next=/client/100002" in anonymous_page.url
    assert anonymous_page.get_by_label("Identifiant").is_visible()
    assert anonymous_page.evaluate("document.documentElement.lang") == "fr"
    for path in ("/_dash-layout", "/_dash-dependencies"):
        response = requests.get(base + path, allow_redirects=False, timeout=10)
        assert response.status_code in (401, 302), path
    assert requests.post(base + "/_dash-update-component", json={}, timeout=10).status_code == 403  # no Origin
    assert requests.post(base + "/_dash-update-component", json={}, headers={"Origin": base},
                         timeout=10).status_code == 401
    headers = requests.get(base + "/login", timeout=10).headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    anonymous_page.get_by_label("Identifiant").fill(USER)
    anonymous_page.get_by_label("Mot de passe").fill("wrong password")
    anonymous_page.get_by_role("button", name="Se connecter").click()
    assert "incorrect" in anonymous_page.locator("#login-message").inner_text()
    check_a11y(anonymous_page, "login")
    shoot(anonymous_page, "login")


# -- clients -------------------------------------------------------------------------------------------
def test_clients_search_and_filter(stack, page, service_api, check_a11y, shoot):
    _goto(page, stack, "/")
    total = service_api("/clients?per_page=1")["total"]
    page.wait_for_selector("#clients-table td")
    assert re.sub(r"\D", "", page.locator("#clients-count").inner_text().split("client")[0]) == str(total)
    shoot(page, "clients")
    check_a11y(page, "clients")

    page.locator("#clients-decision").select_option("decline")
    page.wait_for_function("() => document.querySelector('#clients-count').innerText.length > 0 && "
                           "[...document.querySelectorAll('#clients-table td[data-dash-column=decision_text]')]"
                           ".every(td => td.innerText.includes('Refusé'))")
    declined = service_api("/clients?decision=decline&per_page=1")["total"]
    page.wait_for_function(f"() => document.querySelector('#clients-count').innerText.replace(/\\D/g, '')"
                           f".startsWith('{declined}')")

    first_id = str(service_api("/clients?decision=decline&per_page=1")["items"][0]["id"])
    prefix = first_id[:4]
    page.get_by_label("Recherche (identifiant client)").fill(prefix)
    page.get_by_label("Recherche (identifiant client)").press("Enter")
    page.wait_for_function(f"() => {{ const ids = [...document.querySelectorAll("
                           f"'#clients-table td[data-dash-column=link] a')].map(a => a.innerText);"
                           f" return ids.length > 0 && ids.every(i => i.startsWith('{prefix}')); }}")

    # the row's link is a real, keyboard-focusable link to the client page
    link = page.locator("#clients-table td[data-dash-column=link] a").first
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/client/\d+$"))
    wait_idle(page)
    assert page.locator("#client-gauge").is_visible()


# -- client page: one client per band ----------------------------------------------------------------
@pytest.mark.parametrize("decision", ["approve", "review", "decline"])
def test_client_gauge_matches_service(stack, page, service_api, check_a11y, shoot, decision):
    client = _client_of(service_api, decision)
    score = service_api(f"/clients/{client['id']}/score")
    _goto(page, stack, f"/client/{client['id']}")
    figure = page.evaluate("""() => {
        const plot = document.querySelector('#client-gauge .js-plotly-plot');
        const trace = plot.data[0];
        return {value: trace.value, colour: trace.gauge.bar.color, threshold: trace.gauge.threshold.value,
                steps: trace.gauge.steps.map(s => s.range)};
    }""")
    assert figure["value"] == pytest.approx(round(score["score"], 1), abs=0.051)
    assert figure["colour"] == BAND_COLOURS[score["band"]]
    assert figure["threshold"] == 50 and figure["steps"] == [[0, 45], [45, 55], [55, 100]]
    summary = page.locator("#client-score-summary")
    assert summary.get_attribute("data-band") == score["band"]
    assert summary.get_attribute("data-decision") == score["decision"] == decision
    # the decision in words and icon, not colour alone; the chart's text alternative carries the value
    assert DECISION_WORDS[decision] in page.locator("#client-decision").inner_text()
    assert f"{round(score['score'], 1):.1f}".replace(".", ",") in page.locator("#client-gauge-alt").inner_text()
    assert "%" in page.locator("#client-probability").inner_text()
    assert page.locator("#client-reasons li").count() >= 1
    assert page.locator("#client-counterfactual-text").inner_text()
    assert page.locator("#client-compare-graph .main-svg").count() >= 1
    shoot(page, f"client-{decision}")
    if decision == "review":
        check_a11y(page, "client")


def _whatif_case(service_api):
    """A client whose score moves when credit and annuity drop to 30 % (the fast model's calibrated
    scores are piecewise constant, so not every edit moves them), with the service's own answers."""
    for decision in ("decline", "review"):
        for item in service_api(f"/clients?decision={decision}&per_page=10")["items"]:
            application = service_api(f"/clients/{item['id']}")["application"]
            edited = dict(application, AMT_CREDIT=round(application["AMT_CREDIT"] * 0.3, 2),
                          AMT_ANNUITY=round(application["AMT_ANNUITY"] * 0.3, 2))
            before = service_api("/predict", "POST", json={"application": application, "top": 1})["score"]
            after = service_api("/predict", "POST", json={"application": edited, "top": 1})["score"]
            if abs(after - before) > 0.5:
                return item["id"], edited, before, after
    pytest.skip("no client whose score moves with credit and annuity at 30 %")


def _simulated(service_api, cid, edited) -> float | None:
    """The service's simulation of the edit (None when the service has no simulate endpoint)."""
    try:
        answer = service_api(f"/clients/{cid}/simulate", "POST",
                             json={"changes": {k: edited[k] for k in ("AMT_CREDIT", "AMT_ANNUITY")}})
    except requests.HTTPError as exc:
        if exc.response.status_code == 404:
            return None
        raise
    return answer["simulation"]["score"]


def test_whatif_changes_the_score(stack, page, service_api):
    cid, edited, before, after = _whatif_case(service_api)
    expected = _simulated(service_api, cid, edited)
    _goto(page, stack, f"/client/{cid}")
    page.locator("#client-whatif-credit").fill(str(edited["AMT_CREDIT"]))
    page.locator("#client-whatif-annuity").fill(str(edited["AMT_ANNUITY"]))
    page.get_by_role("button", name="Recalculer le score").click()
    page.wait_for_selector("#client-whatif-summary", timeout=20_000)
    summary = page.locator("#client-whatif-text")
    assert float(summary.get_attribute("data-score")) == pytest.approx(after if expected is None else expected,
                                                                       abs=1e-3)
    stored = service_api(f"/clients/{cid}/score")["score"]
    assert float(summary.get_attribute("data-current")) == pytest.approx(stored, abs=1e-3)
    assert "Score simulé" in summary.inner_text()
    # a simulation, never a decision of its own
    assert page.locator("#client-whatif-result .decision").count() == 0
    # invalid amounts are refused in words
    page.locator("#client-whatif-credit").fill("-5")
    page.get_by_role("button", name="Recalculer le score").click()
    page.wait_for_selector("#client-whatif-error")


def test_override_saved_and_shown_after_reload(stack, page, service_api, shoot):
    client = _client_of(service_api, "review")
    _goto(page, stack, f"/client/{client['id']}")
    save = page.get_by_role("button", name="Enregistrer la décision")
    save.click()
    page.wait_for_function("() => document.querySelector('#client-decision-reason-error').innerText.length > 0")
    assert "motif" in page.locator("#client-decision-reason-error").inner_text()
    assert "Choisissez" in page.locator("#client-decision-choice-error").inner_text()
    reason = "Revenus stables depuis dix ans, apport personnel important (test navigateur)."
    page.get_by_label("Refuser le crédit").check()
    page.get_by_label("Motif de la décision (obligatoire)").fill(reason)
    save.click()
    page.wait_for_selector("#client-decision-ok")
    page.reload()
    wait_idle(page)
    history = page.locator("#client-history-list").inner_text()
    assert reason in history and USER in history
    stored = service_api(f"/clients/{client['id']}/decisions")["decisions"]
    assert stored[0]["reason"] == reason and stored[0]["decision"] == "decline"
    shoot(page, "client-after-decision")


# -- other pages ----------------------------------------------------------------------------------------
def test_share_page_has_no_internal_details(stack, page, service_api, check_a11y, shoot):
    client = _client_of(service_api, "decline")
    _goto(page, stack, f"/client/{client['id']}/share")
    text = page.locator("main").inner_text()
    assert "Votre demande de crédit" in text
    assert page.locator("#share-decision").inner_text()
    for internal in ("Clients similaires", "probabilité", "Probabilité", "seuil", "Modèle "):
        assert internal not in text, internal
    assert not page.locator("#app-footer").is_visible()
    check_a11y(page, "share")
    shoot(page, "share")


def test_model_page(stack, page, service_api, check_a11y, shoot):
    _goto(page, stack, "/model")
    for graph in ("#model-importance", "#model-roc", "#model-calibration", "#model-cost-graph"):
        assert page.locator(f"{graph} .main-svg").count() >= 1, graph
    before = page.locator("#model-cost-best").inner_text()
    check_a11y(page, "model")
    shoot(page, "model")
    page.get_by_label("Coût d'un défaut non détecté (crédit accordé à tort)").fill("2")
    page.get_by_label("Coût d'un défaut non détecté (crédit accordé à tort)").press("Tab")
    page.wait_for_function("(b) => document.querySelector('#model-cost-best') && "
                           "document.querySelector('#model-cost-best').innerText !== b", arg=before)
    page.get_by_role("link", name=re.compile("fiche du modèle")).click()
    page.wait_for_url(re.compile(r"/model/card$"))
    wait_idle(page)
    assert page.locator("#model-card-body").inner_text().strip()
    check_a11y(page, "model-card")
    shoot(page, "model-card")


def _logged_summary(service_api, ready) -> dict:
    """/monitoring/summary once ``ready(summary)``: the monitoring reader caches a database log for up to
    CACHE_SECONDS (an earlier test may have read it before this test's scores) and the log is written by a
    background thread (CI once saw 14 of 40 fresh scores), so wait, within that bound."""
    deadline = time.monotonic() + CACHE_SECONDS + 10
    while True:
        summary = service_api("/monitoring/summary")
        if ready(summary) or time.monotonic() > deadline:
            return summary
        time.sleep(0.2)


def test_monitoring_shows_production_without_any_report(stack, page, service_api, check_a11y, shoot):
    """No offline report: the page still shows what production logged (this test scores a few clients; earlier
    tests may have scored and decided more)."""
    for item in service_api("/clients?per_page=3&sort=id")["items"]:
        service_api(f"/clients/{item['id']}/score")
    summary = _logged_summary(service_api, lambda s: s["production"]["total"] > 0)
    assert summary["drift"] is None and summary["production"]["total"] > 0
    _goto(page, stack, "/monitoring")
    main = page.locator("main").inner_text()
    total = summary["production"]["total"]
    assert f"{total} demande(s)" in page.locator("#monitoring-production-headline").inner_text().replace("\u202f", "")
    assert page.locator("#monitoring-distribution-graph .main-svg").count() >= 1
    assert page.locator("#monitoring-volumes-graph .main-svg").count() >= 1
    assert page.locator("#monitoring-periods-table tbody tr").count() == len(summary["production"]["periods"])
    days = summary["production"]["window_days"]
    assert days == 90 and f"ces {days} derniers jours" in page.locator("#monitoring-production-window").inner_text()
    assert "Aucun rapport de dérive détaillé" in main and page.locator("#monitoring-report-link").count() == 0
    overrides = summary["overrides"]
    if overrides:  # test_override_saved_and_shown_after_reload recorded a decision
        assert page.locator("#monitoring-overrides-bands tbody tr").count() == len(overrides["by_band"])
    check_a11y(page, "monitoring")
    shoot(page, "monitoring")
    _goto(page, stack, "/monitoring?period=week")
    assert page.locator("#monitoring-period-week").get_attribute("aria-current") == "page"


def test_monitoring_shows_backtest_and_overrides_once_outcomes_arrive(stack, page, service_api, check_a11y, shoot):
    """Score clients, record an advisor decision against the model and the loans' outcomes: the page shows
    the backtest (expected vs observed by band and month) and the overrides with their default rates."""
    items = service_api("/clients?per_page=40&sort=id")["items"]
    ids = [c["id"] for c in items]
    scored = {cid: service_api(f"/clients/{cid}/score") for cid in ids}
    against = next((cid for cid, sc in scored.items() if sc["decision"] == "decline"), None)
    if against is not None:
        service_api(f"/clients/{against}/decision", method="POST",
                    json={"decision": "approve", "reason": "Garant solide présenté en agence", "advisor": "conseiller"})
    today = datetime.date.today().isoformat()
    service_api("/outcomes", method="POST", json={"outcomes": [
        {"client_id": cid, "defaulted": k % 4 == 0, "observed_on": today} for k, cid in enumerate(ids)]})
    summary = _logged_summary(service_api, lambda s: (s["backtest"] or {}).get("n", 0) >= len(ids))
    assert summary["backtest"] is not None and summary["backtest"]["n"] >= len(ids), summary["backtest"]
    _goto(page, stack, "/monitoring")
    bands = page.locator("#monitoring-backtest-bands tbody tr")
    assert bands.count() == len(summary["backtest"]["by_band"])
    assert page.locator("#monitoring-backtest-graph .main-svg").count() >= 1
    assert today[:7] in page.locator("#monitoring-backtest-vintages").inner_text()
    assert page.locator("#monitoring-overrides-bands tbody tr").count() == len(summary["overrides"]["by_band"])
    if against is not None:
        assert "garant solide présenté en agence" in page.locator("#monitoring-overrides-reasons").inner_text()
        assert "Accordés malgré un avis défavorable" in page.locator("#monitoring-overrides-outcomes").inner_text()
    check_a11y(page, "monitoring-backtest")
    shoot(page, "monitoring-backtest")


def test_monitoring_report_link_opens_the_report(stack, page, check_a11y, shoot):
    """The service reads its drift summary on every request: write one (the shape reports/drift/cli.py writes)
    and the HTML it names, then follow the page's link to the report."""
    summary = {
        "schema_version": 1, "generated_at": "2026-01-31T12:00:00Z", "report_html": "reports/drift.html",
        "n_columns": 3, "n_drifted": 1, "share_drifted": 0.333, "drift_share_threshold": 0.5, "dataset_drift": False,
        "columns": [
            {"rank": 1, "column": "EXT_SOURCE_3", "label": "Score externe n° 3", "score": 0.31, "drifted": True},
            {"rank": 2, "column": "AMT_CREDIT", "label": "Montant du crédit demandé", "score": 0.02, "drifted": False},
            {"rank": 3, "column": "DAYS_BIRTH", "label": "Âge", "score": 0.01, "drifted": False}],
        "score_psi": {"value": 0.04, "status": "stable"},
        "verdict": {"status": "watch", "dataset_drift": False, "reasons": ["1 of 3 columns drifted: EXT_SOURCE_3"]},
    }
    path, html_path = stack["work"] / "drift_summary.json", stack["work"] / "drift.html"
    html_path.write_text("<!doctype html><html lang='fr'><head><title>Rapport</title></head>"
                         "<body><h1 id='evidently'>Rapport de dérive evidently</h1></body></html>")
    path.write_text(json.dumps(summary))
    try:
        _goto(page, stack, "/monitoring")
        assert "1 variable(s) sur 3" in page.locator("#monitoring-headline").inner_text()
        assert "à surveiller" in page.locator("#monitoring-verdict").inner_text()
        rows = page.locator("#monitoring-drift-table tbody tr")
        assert rows.count() == 3 and "Score externe n° 3" in rows.first.inner_text()
        check_a11y(page, "monitoring-report")
        shoot(page, "monitoring-report")
        link = page.locator("#monitoring-report-link")
        with page.context.expect_page() as opened:
            link.click()
        report = opened.value
        report.wait_for_load_state()
        assert report.url.endswith("/monitoring/report")
        assert "Rapport de dérive evidently" in report.locator("#evidently").inner_text()
        report.close()
    finally:
        path.unlink()
        html_path.unlink()


def test_synthetic_banner_follows_health(stack, page, service_api):
    _goto(page, stack, "/")
    synthetic = service_api("/health")["synthetic"]
    assert page.locator("#app-banner-synthetic").count() == (1 if synthetic else 0)


def test_keyboard_skip_link_and_navigation(stack, page):
    _goto(page, stack, "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className").startswith("skip-link")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


# -- logout -----------------------------------------------------------------------------------------------
def test_logout_button_ends_the_session(stack, chromium):
    """Its own login (the shared one must survive): the navigation's button logs out, for good."""
    context = chromium.new_context(locale="fr-FR")
    page = context.new_page()
    try:
        login(page, stack["dashboard"].url, USER, PASSWORD, next_path="/model")
        page.locator("#nav-logout").click()
        page.wait_for_url(lambda url: "/login" in url)
        assert "déconnecté" in page.locator("#login-message").inner_text()
        page.goto(stack["dashboard"].url + "/model")
        assert "/login" in page.url  # the session is over
    finally:
        context.close()


# -- service down ---------------------------------------------------------------------------------------
def test_service_down_says_so(stack, chromium, tmp_path, shoot):
    dead = f"http://127.0.0.1:{free_port()}"
    dashboard = start_dashboard(dead, stack["users"], tmp_path, name="dashboard-down", timeout_s=2)
    try:
        context = chromium.new_context(viewport={"width": 1360, "height": 900})
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        login(page, dashboard.url, USER, PASSWORD)
        page.goto(dashboard.url + "/")
        wait_idle(page)
        assert "ne répond pas" in page.locator("#app-banner").inner_text()
        page.wait_for_selector("#clients-message .service-message")
        assert "indisponible" in page.locator("#clients-message").inner_text()
        shoot(page, "service-down")
        for path in ("/client/100002", "/model", "/monitoring", "/client/100002/share"):
            page.goto(dashboard.url + path)
            wait_idle(page)
            assert page.locator(".service-message").count() >= 1, path
            assert page.get_by_role("link", name="Clients").count() >= 1  # navigation still there
        assert not errors
        context.close()
    finally:
        dashboard.stop()
