"""Issue 17 in Chromium: keyboard reaches every control, the clients list keeps its state, the client view
shows no refusal nobody made."""

from __future__ import annotations

import pytest

from tests.browser.servers import wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The controls a keyboard user can reach, in document order (visible, not disabled, tabindex >= 0).
FOCUSABLE_JS = """() => {
  const selector = 'a[href], button, input, select, textarea, [tabindex]';
  const all = [...document.querySelectorAll(selector)].filter(e => {
    if (e.disabled || e.tabIndex < 0 || e.closest('[hidden], [aria-hidden=true]')) return false;
    const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
  });
  return all.map((e, i) => { e.dataset.tabProbe = String(i); return i; }).length;
}"""
ACTIVE_JS = "() => document.activeElement && document.activeElement.dataset.tabProbe !== undefined ? " \
            "Number(document.activeElement.dataset.tabProbe) : -1"


def _goto(page, stack, path):
    page.goto(stack["dashboard"].url + path)
    wait_idle(page)


def _tab_through(page, limit: int = 600) -> tuple[int, list[int]]:
    """Tab from the top of the page; returns (number of controls, probe indices visited in order)."""
    count = page.evaluate(FOCUSABLE_JS)
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    page.locator("body").focus()
    visited: list[int] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        index = page.evaluate(ACTIVE_JS)
        if index >= 0 and (not visited or visited[-1] != index):
            visited.append(index)
        if index == count - 1:
            break
    return count, visited


def _assert_no_trap(page, name):
    count, visited = _tab_through(page)
    assert count > 0, name
    assert visited and visited[-1] == count - 1, (
        f"{name}: Tab from the top stopped at control {visited[-1] if visited else None} of {count}")
    # and back: Shift+Tab from the last control leaves any table it crosses
    for _ in range(3 * count):
        page.keyboard.press("Shift+Tab")
        if page.evaluate(ACTIVE_JS) == 0:
            break
    assert page.evaluate(ACTIVE_JS) == 0, f"{name}: Shift+Tab from the last control never reached the first"


def _one(service_api, decision):
    items = service_api(f"/clients?decision={decision}&per_page=1&sort=-id")["items"]
    if not items:
        pytest.skip(f"no {decision} client in the test bundle")
    return items[0]["id"]


def test_tab_reaches_the_last_control_of_every_page(stack, page, service_api):
    cid = _one(service_api, "review")
    for path in ("/", f"/client/{cid}", f"/client/{cid}/share", "/model", "/model/card", "/monitoring"):
        _goto(page, stack, path)
        if path == "/":
            page.wait_for_selector("#clients-table td a")
        _assert_no_trap(page, path)


def test_back_from_a_client_keeps_filters_page_and_sort(stack, page, service_api):
    _goto(page, stack, "/")
    page.locator("#clients-decision").select_option("decline")
    page.wait_for_function("() => /page 1 sur/.test(document.querySelector('#clients-count').innerText)")
    page.locator("#clients-next").click()
    page.wait_for_function("() => /page 2 sur/.test(document.querySelector('#clients-count').innerText)")
    page.locator("#clients-table th[data-dash-column=score] .column-header--sort").click()
    page.wait_for_function("() => location.search.includes('sort=')")
    page.wait_for_timeout(300)
    wait_idle(page)
    search = page.evaluate("location.search")
    assert "decision=decline" in search and "sort=score" in search
    first = page.locator("#clients-table td[data-dash-column=link] a").first.inner_text()
    page.locator("#clients-table td[data-dash-column=link] a").first.click()
    page.wait_for_url(f"**/client/{first}")
    wait_idle(page)
    page.go_back()
    wait_idle(page)
    page.wait_for_selector("#clients-table td a")
    assert page.evaluate("location.search") == search
    assert page.locator("#clients-decision").input_value() == "decline"
    assert page.locator("#clients-table td[data-dash-column=link] a").first.inner_text() == first


@pytest.mark.parametrize("column, key", [("contract_type", "contract_type"), ("decision_text", "decision")])
def test_sort_arrows_on_contract_and_decision(stack, page, service_api, column, key):
    _goto(page, stack, "/")
    page.wait_for_selector("#clients-table td a")
    page.locator(f"#clients-table th[data-dash-column={column}] .column-header--sort").click()
    page.wait_for_function(f"() => location.search.includes('sort={key}')")
    wait_idle(page)
    expected = [str(i["id"]) for i in service_api(f"/clients?sort={key}&per_page=20")["items"]]
    shown = page.locator("#clients-table td[data-dash-column=link] a").all_inner_texts()
    assert shown == expected


def test_inverted_filters_are_explained_in_french(stack, page):
    _goto(page, stack, "/")
    page.get_by_label("Score minimum (0–100)").fill("70")
    page.get_by_label("Score maximum (0–100)").fill("30")
    page.get_by_label("Score maximum (0–100)").press("Tab")
    page.wait_for_selector("#clients-invalid")
    text = page.locator("#clients-invalid").inner_text()
    assert "70" in text and "30" in text and "supérieur" in text and "invalid" not in text.lower()
    page.get_by_label("Âge minimum").fill("150")
    page.get_by_label("Âge minimum").press("Tab")
    page.wait_for_function("() => document.querySelector('#clients-invalid').innerText.includes('150')")
    assert "entre 18 et 100" in page.locator("#clients-invalid").inner_text()


def test_client_view_says_under_review_until_an_advisor_decides(stack, page, service_api, shoot):
    cid = _one(service_api, "decline")
    if service_api(f"/clients/{cid}/decisions")["decisions"]:
        pytest.skip("this client already has an advisor's decision")
    _goto(page, stack, f"/client/{cid}/share")
    decision = page.locator("#share-decision")
    assert "en cours d'examen" in decision.inner_text() and "Refusé" not in page.locator("main").inner_text()
    assert page.locator("#share-reasons li").count() >= 1
    synthetic = service_api("/health")["synthetic"]
    page.emulate_media(media="print")
    assert page.locator("#share-synthetic").is_visible() == bool(synthetic)
    page.emulate_media(media="screen")
    shoot(page, "share-pending")


def _undecided(service_api, decision):
    for item in service_api(f"/clients?decision={decision}&per_page=20&sort=score")["items"]:
        if not service_api(f"/clients/{item['id']}/decisions")["decisions"]:
            return item["id"]
    pytest.skip(f"no undecided {decision} client")


@pytest.mark.parametrize("band", ["approve", "review", "decline"])
def test_walk_a_client_through_whatif_counterfactual_decision_and_client_view(stack, page, service_api, shoot, band):
    cid = _undecided(service_api, band)
    score = service_api(f"/clients/{cid}/score")["score"]
    _goto(page, stack, f"/client/{cid}")
    # what-if with nothing changed: the simulated score is the score
    page.get_by_role("button", name="Recalculer le score").click()
    page.wait_for_selector("#client-whatif-text", timeout=20_000)
    simulated = page.locator("#client-whatif-text")
    assert float(simulated.get_attribute("data-score")) == pytest.approx(score, abs=1e-3)
    assert float(simulated.get_attribute("data-current")) == pytest.approx(score, abs=1e-3)
    assert page.locator("#client-whatif-result .decision").count() == 0
    assert page.locator("#client-counterfactual-text").inner_text().strip()
    shoot(page, f"walk-{band}-client")

    # the client view before any advisor's decision: under review, whatever the model says
    _goto(page, stack, f"/client/{cid}/share")
    assert "en cours d'examen" in page.locator("#share-decision").inner_text()
    assert "Refusé" not in page.locator("main").inner_text()
    shoot(page, f"walk-{band}-share-pending")

    # the advisor decides, then contradicts: a revision is confirmed first
    _goto(page, stack, f"/client/{cid}")
    page.get_by_label("Accorder le crédit").check()
    page.get_by_label("Motif de la décision (obligatoire)").fill("Revenus stables et apport suffisant (parcours test).")
    page.get_by_role("button", name="Enregistrer la décision").click()
    page.wait_for_selector("#client-decision-ok")
    assert len(service_api(f"/clients/{cid}/decisions")["decisions"]) == 1
    page.get_by_label("Refuser le crédit").check()
    page.get_by_label("Motif de la décision (obligatoire)").fill("Justificatif de revenus non fourni (parcours test).")
    page.get_by_role("button", name="Enregistrer la décision").click()
    page.wait_for_selector("#client-decision-confirm-box:not([hidden])")
    assert "révise" in page.locator("#client-decision-confirm-text").inner_text()
    assert len(service_api(f"/clients/{cid}/decisions")["decisions"]) == 1  # nothing saved before confirming
    page.get_by_role("button", name="Confirmer la révision").click()
    page.wait_for_function("() => document.querySelector('#client-decision-confirm-box').hidden")
    page.wait_for_selector("#client-decision-ok")
    decisions = service_api(f"/clients/{cid}/decisions")["decisions"]
    assert len(decisions) == 2 and decisions[0]["decision"] == "decline"
    shoot(page, f"walk-{band}-decision")

    # after the decision, the client view shows the advisor's decision
    _goto(page, stack, f"/client/{cid}/share")
    assert "Refusé" in page.locator("#share-decision").inner_text()
    shoot(page, f"walk-{band}-share-decided")


def test_clients_list_filters_on_the_advisors_decision(stack, page, service_api, shoot):
    cid = _undecided(service_api, "review")
    service_api(f"/clients/{cid}/decision", "POST",
                json={"decision": "decline", "reason": "Charges trop élevées (test navigateur).", "advisor": "conseiller"})
    total = service_api("/clients?advisor_decision=decline&per_page=1")["total"]
    _goto(page, stack, "/")
    page.locator("#clients-advisor-decision").select_option("decline")
    page.wait_for_function("() => location.search.includes('advisor_decision=decline')")
    wait_idle(page)
    page.wait_for_selector("#clients-table td[data-dash-column=advisor_text]")
    cells = page.locator("#clients-table td[data-dash-column=advisor_text]").all_inner_texts()
    assert cells and all(c.startswith("Refusé – ") for c in cells)
    assert page.locator("#clients-count").inner_text().replace("\u202f", "").startswith(str(total))
    shoot(page, "clients-advisor-decision")
