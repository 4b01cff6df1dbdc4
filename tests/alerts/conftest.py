import pytest
from django.utils import timezone

from alerts import services

from ..demands.factories import DemandFactory
from ..offers.factories import OfferFactory


@pytest.fixture
def publish_offer(rep_jp):
    """publish_offer(title_vi=..., **kwargs) -> a published offer of the Japan representation."""

    def make(**kwargs):
        kwargs.setdefault("representation", rep_jp.organization)
        kwargs.setdefault("created_by", rep_jp)
        return OfferFactory(**kwargs)

    return make


@pytest.fixture
def publish_demand(enterprise_tn):
    """publish_demand(visibility=..., owner=user, **kwargs) -> a published demand."""

    def make(owner=None, **kwargs):
        owner = owner or enterprise_tn
        kwargs.setdefault("status", "published")
        kwargs.setdefault("published_at", timezone.now())
        return DemandFactory(organization=owner.organization, created_by=owner, **kwargs)

    return make


@pytest.fixture
def run_alerts(django_capture_on_commit_callbacks):
    """run_alerts("daily") sends that frequency's digests for the current period, mail included."""

    def run(frequency="daily", now=None):
        now = now or timezone.now()
        with django_capture_on_commit_callbacks(execute=True):
            return services.digests_send(
                frequency=frequency, period=services.period_of(frequency, now), now=now
            )

    return run
