"""The dashboards' charts draw in a real browser under the site's CSP, from static/ only."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)  # live_server: runs after the other tests


@pytest.mark.parametrize("email", ["staff.thainguyen@demo.local", "coordinator@demo.local"])
def test_dashboard_charts_draw_without_csp_violations(demo, page, sign_in, live_server, email):
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    sign_in(email)
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_load_state("load")
    page.wait_for_function("window.Chart && Object.keys(window.Chart.instances).length > 0")
    canvases = page.locator("canvas[data-chart]").count()
    assert canvases >= 3
    drawn = page.evaluate("Object.keys(window.Chart.instances).length")
    assert drawn == canvases
    assert problems == []
    assert all(url.startswith(live_server.url) for url in requests)
