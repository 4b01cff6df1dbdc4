"""`manage.py seed_demo`: the demo organisations and logins (accounts/demo.py), then each
app's demo content."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Organization, User


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    call_command("seed_demo", password="demo-password-2026", stdout=StringIO())
    counts = (User.objects.count(), Organization.objects.count())
    output = StringIO()
    call_command("seed_demo", password="demo-password-2026", stdout=output)
    assert "rep.japan@demo.local" in output.getvalue()
    assert (User.objects.count(), Organization.objects.count()) == counts
    assert User.objects.get(email="staff.thainguyen@demo.local").role == "staff"


@pytest.mark.django_db
def test_demo_representatives_read_english_and_a_firms_english_summary(client):
    from demands.models import Demand

    call_command("seed_demo", password="demo-password-2026", stdout=StringIO())
    languages = dict(User.objects.values_list("email", "language"))
    assert languages["rep.japan@demo.local"] == languages["rep.germany@demo.local"] == "en"
    assert languages["enterprise.tea@demo.local"] == languages["coordinator@demo.local"] == "vi"
    rep = User.objects.get(email="rep.japan@demo.local")
    assert rep.time_zone == "Asia/Tokyo"
    demand = Demand.objects.get(title_en="Mechanised withering, fixing and rolling of green tea")
    client.force_login(rep)
    html = client.get(demand.get_absolute_url()).content.decode()
    assert "Mechanised withering, fixing and rolling of green tea" in html
    assert "EU buyers return about 15% of lots" in html
