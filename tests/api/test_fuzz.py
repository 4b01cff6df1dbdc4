"""Schemathesis fuzzes the schema the server serves: no 5xx, every answer as documented.

In-process through Django's WSGI app (same thread, so inside the test's transaction): each
operation gets a bounded number of generated requests, schema-valid and schema-violating,
as a representative with a token and as provincial staff (whom the API refuses, in JSON).
Path ids are random or those of real rows, so the answers for real offers, demands and
matches are checked too. Token authentication: django-axes never sees these requests.
"""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import checks

from ..factories import OrganizationFactory, UserFactory, province
from ..offers.factories import OfferFactory

pytestmark = pytest.mark.django_db

EXAMPLES = 25  # per operation and mode: the whole file runs in about a minute
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
    checks.negative_data_rejection,
]


@pytest.fixture(params=["representative", "staff"])
def user(request, db):
    from accounts.models import Organization

    Kind = Organization.Kind
    if request.param == "representative":
        organization = OrganizationFactory(
            kind=Kind.REPRESENTATION,
            name="Fuzz representation",
            province=None,
            country="JP",
            tax_code="",
        )
    else:
        organization = OrganizationFactory(
            kind=Kind.PROVINCIAL_DEPARTMENT,
            name="Fuzz staff",
            province=province("thai-nguyen"),
            tax_code="",
        )
    return UserFactory(organization=organization)


@pytest.fixture
def unthrottled(user):
    """Hundreds of requests from one user: start and end with the API throttle's count for
    it at zero (it lives in Redis, past the test's transaction)."""
    from django.core.cache import cache

    key = f"throttle_user_{user.pk}"
    cache.delete(key)
    yield
    cache.delete(key)


@pytest.fixture
def rows(user, enterprise_tn, rep_de):
    """Real rows for path ids: the user's offers (when a representative), demands, a match."""
    from accounts.models import Role
    from demands.models import Demand, Visibility
    from matching.models import Match

    owner = user if user.role == Role.REPRESENTATIVE else rep_de
    offer = OfferFactory(representation=owner.organization, created_by=owner)
    OfferFactory(
        representation=owner.organization, created_by=owner, status="draft", published_at=None
    )
    demands = []
    for visibility in (Visibility.PUBLIC, Visibility.ANONYMISED):
        demand = Demand.objects.create(
            organization=enterprise_tn.organization,
            province=enterprise_tn.organization.province,
            title=f"A {visibility} need for tea drying",
            status="published",
            visibility=visibility,
            published_at=timezone.now(),
        )
        demand.fields.set(["2.03"])
        demands.append(demand)
    Match.objects.create(
        demand=demands[0],
        offer=offer,
        score=0.8,
        engine_version="fuzz",
        status=Match.Status.INTRODUCED,
    )
    return {"offers": offer.pk, "demands": demands[1].pk}


@pytest.fixture
def keep_connection():
    """Django's WSGI handler closes the database connection around each request; inside the
    test's transaction that would lose it (Django's own test client unhooks the same way)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def strategy(operation, mode, rows):
    generated = operation.as_strategy(generation_mode=mode)
    if "{id}" not in operation.path:
        return generated
    existing = rows[operation.path.split("/")[2]]  # /api/<offers|demands>/{id}/...
    return st.one_of(
        generated, operation.as_strategy(generation_mode=mode, path_parameters={"id": existing})
    )


# schemathesis's own pytest integration (from_fixture + parametrize) reads a pytest internal
# that pytest 9 removed; its Python API works: each operation's strategy under hypothesis.
@pytest.mark.parametrize(
    "mode", [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
)
def test_api_answers_as_documented(user, rows, keep_connection, unthrottled, mode):
    token = Token.objects.create(user=user).key
    # identity: schemathesis's WSGI client reads the body as sent and does not gunzip it
    headers = {"Authorization": f"Token {token}", "Accept-Encoding": "identity"}
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", get_wsgi_application(), headers=headers
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    failures = {}
    for operation in operations:

        @given(case=strategy(operation, mode, rows))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
        )
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as error:  # one report naming every operation that fails
            failures[operation.label] = str(error)
    assert not failures, "\n\n".join(f"{label}\n{error}" for label, error in failures.items())
