"""The cast: one user per role and province, so access tests read like sentences."""

import pytest

from accounts.models import Organization

from .factories import OrganizationFactory, UserFactory, province

Kind = Organization.Kind


@pytest.fixture
def thai_nguyen(db):
    return province("thai-nguyen")


@pytest.fixture
def bac_ninh(db):
    return province("bac-ninh")


@pytest.fixture
def enterprise_tn(thai_nguyen):
    """A member of a tea firm in Thái Nguyên."""
    return UserFactory(organization=OrganizationFactory(name="Chè Tân Cương", province=thai_nguyen))


@pytest.fixture
def enterprise_tn_colleague(enterprise_tn):
    return UserFactory(organization=enterprise_tn.organization)


@pytest.fixture
def enterprise_bn(bac_ninh):
    return UserFactory(
        organization=OrganizationFactory(name="Khuôn mẫu Bắc Ninh", province=bac_ninh)
    )


@pytest.fixture
def pending_enterprise_tn(thai_nguyen):
    return UserFactory(
        organization=OrganizationFactory(
            name="Công ty chờ duyệt", province=thai_nguyen, status=Organization.Status.PENDING
        )
    )


@pytest.fixture
def pending_enterprise_bn(bac_ninh):
    return UserFactory(
        organization=OrganizationFactory(
            name="Công ty chờ duyệt Bắc Ninh", province=bac_ninh, status=Organization.Status.PENDING
        )
    )


@pytest.fixture
def staff_tn(thai_nguyen):
    return UserFactory(
        organization=OrganizationFactory(
            kind=Kind.PROVINCIAL_DEPARTMENT,
            name="Sở KH&CN Thái Nguyên",
            province=thai_nguyen,
            tax_code="",
        )
    )


@pytest.fixture
def staff_bn(bac_ninh):
    return UserFactory(
        organization=OrganizationFactory(
            kind=Kind.PROVINCIAL_DEPARTMENT,
            name="Sở KH&CN Bắc Ninh",
            province=bac_ninh,
            tax_code="",
        )
    )


@pytest.fixture
def rep_jp(db):
    return UserFactory(
        organization=OrganizationFactory(
            kind=Kind.REPRESENTATION,
            name="Đại diện tại Nhật Bản",
            province=None,
            country="JP",
            tax_code="",
        )
    )


@pytest.fixture
def rep_de(db):
    return UserFactory(
        organization=OrganizationFactory(
            kind=Kind.REPRESENTATION,
            name="Đại diện tại Đức",
            province=None,
            country="DE",
            tax_code="",
        )
    )


@pytest.fixture
def coordinator(db):
    return UserFactory(
        organization=OrganizationFactory(
            kind=Kind.NATIONAL_UNIT, name="Cục Ứng dụng", province=province("ha-noi"), tax_code=""
        )
    )


@pytest.fixture
def superuser(db):
    return UserFactory(organization=None, is_staff=True, is_superuser=True)


def _flushes(item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", [])
    return (
        bool(marker and marker.kwargs.get("transaction"))
        or "transactional_db" in fixtures
        or "live_server" in fixtures
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Transactional tests (browser, worker) end by flushing every table, the migrated
    reference data included; put it back so the tests after them find provinces and fields."""
    result = yield  # every fixture is torn down, the flush included
    if _flushes(item) and nextitem is not None:
        from django.db import connections
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            reload_reference_data()
            connections.close_all()  # or the test database cannot be dropped at the end
    return result


CAST = [
    "anonymous",
    "pending_enterprise_tn",
    "enterprise_tn",
    "enterprise_bn",
    "staff_tn",
    "staff_bn",
    "rep_jp",
    "rep_de",
    "coordinator",
    "superuser",
]


@pytest.fixture
def cast(request):
    """cast("staff_tn") -> that user; "anonymous" -> AnonymousUser."""
    from django.contrib.auth.models import AnonymousUser

    def get(name: str):
        return AnonymousUser() if name == "anonymous" else request.getfixturevalue(name)

    return get


def reload_reference_data() -> None:
    """Transactional tests flush every table, the migrated reference data included."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("portal.migrations.0002_load_reference_data")
    migration.load(apps, None)


@pytest.fixture(autouse=True)
def _fresh_matching_indexes():
    """Each test's rows are rolled back behind the worker's in-memory indexes (the way an
    admin's deletion would be): start every test without them."""
    from matching import corpus

    corpus.forget_indexes()
    yield
    corpus.forget_indexes()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Dashboards keep their figures a few minutes per scope (insights/snapshots.py): a test
    must not read the figures of the rows of the test before it."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def in_english(client, settings):
    """The test client reads the portal in English (the switcher's cookie; users without a
    saved language follow it): for tests that quote the interface's English wording."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
