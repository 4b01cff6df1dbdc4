"""The page benchmark measures pages, not error pages: on the seeded demo every page of its
list answers 200 to the role it is measured for (spreadsheets as spreadsheets), and the bare
view it compares with exists only under the benchmark's own URLs."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from accounts.models import User
from bench import pages

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.django_db
def test_every_page_of_the_benchmark_answers_its_role_on_the_demo(client):
    call_command("seed_demo", password="demo-password-2026", stdout=StringIO())
    ids = pages.targets()
    assert all(value is not None for value in ids.values()), ids
    failures = []
    for page in pages.PAGES:
        client.force_login(User.objects.get(email=pages.ROLES[page.role]))
        response = client.get(page.path.format(**ids))
        if response.status_code != 200:
            failures.append((page.name, page.path.format(**ids), response.status_code))
        elif "xlsx" in page.name and response["Content-Type"] != XLSX:
            failures.append((page.name, response["Content-Type"]))
    assert not failures
    # Every role's main pages are in the list.
    assert {page.role for page in pages.PAGES} == set(pages.ROLES)
    assert {"dashboard " + role for role in pages.ROLES} <= {page.name for page in pages.PAGES}


def test_pages_filter_picks_by_words_in_the_name():
    picked = pages.chosen("dashboard,xlsx")
    assert picked and all("dashboard" in p.name or "xlsx" in p.name for p in picked)
    assert pages.chosen(None) == pages.PAGES


@pytest.mark.django_db
def test_the_bare_view_is_served_by_the_benchmark_urls_only(client):
    user = User.objects.create_user(email="someone@example.com", password="x" * 16)
    client.force_login(user)
    assert client.get(pages.BARE.path).status_code == 404
    with override_settings(ROOT_URLCONF="bench.urls"):
        response = client.get(pages.BARE.path)
    assert response.status_code == 200
    assert response.content == b"ok"
