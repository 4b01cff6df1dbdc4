"""The review queue's demand field in a browser: typed words suggest demands, the keyboard picks
one (Down, Enter), Enter again filters the queue by it."""

import pytest

from accounts.models import User
from connections.selectors import review_demands

pytestmark = pytest.mark.django_db(transaction=True)  # live_server: runs after the other tests


def test_staff_picks_a_demand_by_keyboard_and_the_queue_shows_its_pairs(
    demo, page, sign_in, live_server
):
    staff = User.objects.get(email="staff.thainguyen@demo.local")
    demand = review_demands(staff).order_by("pk").first()
    words = " ".join(demand.title.split()[:4])
    page = sign_in(staff.email)
    page.goto(f"{live_server.url}/matching/review/?score_min=0")
    field = page.locator("input[name=demand]")
    assert field.get_attribute("role") == "combobox"
    field.click()
    field.type(words, delay=20)
    options = page.locator("#id_demand-suggestions [role=option]")
    options.first.wait_for(timeout=10_000)
    assert field.get_attribute("aria-expanded") == "true"
    selected = page.locator("#id_demand-suggestions [aria-selected=true]")
    for _ in range(options.count()):
        field.press("ArrowDown")
        if selected.inner_text().startswith(f"#{demand.pk} "):
            break
    assert selected.inner_text().startswith(f"#{demand.pk} ")
    field.press("Enter")  # takes the suggestion
    assert field.input_value() == f"#{demand.pk} {demand.title}"
    assert field.get_attribute("aria-expanded") == "false"
    field.press("Enter")  # submits the filters
    page.wait_for_load_state()
    assert "demand=%23" in page.url
    shown = page.locator("tbody tr[id^=match-]")
    assert shown.count() > 0
    for row in shown.all():
        assert demand.title in row.inner_text()
