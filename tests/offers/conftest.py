import pytest

from .factories import OfferFactory


@pytest.fixture
def offer_jp(rep_jp):
    """A published offer of the representation in Japan."""
    return OfferFactory(
        representation=rep_jp.organization,
        created_by=rep_jp,
        title="Vision-guided mould polishing robot",
        provider_name="Yamada Robotics",
    )


@pytest.fixture
def draft_jp(rep_jp):
    return OfferFactory(
        representation=rep_jp.organization,
        created_by=rep_jp,
        status="draft",
        published_at=None,
        title="Draft tea sorter",
        provider_name="Midori Machines",
    )


@pytest.fixture
def offer_de(rep_de):
    return OfferFactory(
        representation=rep_de.organization,
        created_by=rep_de,
        provider_country="DE",
        title="Tungsten recycling line",
        provider_name="Wolfram GmbH",
    )


@pytest.fixture
def draft_de(rep_de):
    return OfferFactory(
        representation=rep_de.organization,
        created_by=rep_de,
        status="draft",
        published_at=None,
        provider_country="DE",
        title="German draft",
        provider_name="Entwurf GmbH",
    )


@pytest.fixture
def api(client):
    """An API client signed in with a token: api(user) -> APIClient."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    def make(user=None):
        c = APIClient()
        if user is not None and not getattr(user, "is_anonymous", False):
            token, _ = Token.objects.get_or_create(user=user)
            c.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return c

    return make
