"""Browser tests: Playwright driving Debian's chromium against the live test server."""

import os
import shutil
from io import StringIO

import pytest
from django.core.management import call_command

from tests.conftest import reload_reference_data

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # sync Playwright beside live_server

DEMO_PASSWORD = "demo-password-2026"


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def demo(transactional_db):
    reload_reference_data()
    call_command("seed_demo", password=DEMO_PASSWORD, stdout=StringIO())


@pytest.fixture
def sign_in(page, live_server):
    def sign_in_as(email: str, password: str = DEMO_PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", email)
        page.fill("input[name=password]", password)
        page.click("form button[type=submit] >> nth=-1")
        page.wait_for_load_state()
        return page

    return sign_in_as


def switch_user(page, sign_in, email):
    """Sign out (cookies cleared) and in again as `email`, on the same page."""
    page.context.clear_cookies()
    return sign_in(email)
