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
