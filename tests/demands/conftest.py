import pytest

from demands.models import Demand

from .factories import DemandFactory

S = Demand.Status


@pytest.fixture
def make_demand(enterprise_tn):
    """make_demand(status=..., visibility=..., owner=user) -> a demand of that user's firm."""

    def make(owner=None, **kwargs):
        owner = owner or enterprise_tn
        return DemandFactory(organization=owner.organization, created_by=owner, **kwargs)

    return make


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
