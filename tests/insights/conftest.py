"""A small world with known counts, for the dashboards' figures and the reports.

Thái Nguyên: 5 published demands (d1..d5), 1 submitted, 1 draft; Bắc Ninh: 2 published.
Offers: rep_jp o1, o2 (+ a draft), rep_de o3. Matches (score, status):
  d1-o1 0.8 agreement (introduced +10 days, 1 meeting, agreement 2,000,000,000 VND)
  d2-o1 0.7 meeting   (introduced +20 days, 1 meeting)
  d3-o3 0.6 consented (introduced +30 days)
  d3-o2 LIKELY_ANSWER proposed, d4-o2 0.5 shortlisted   -> awaiting review
  d4-o3 0.2 proposed (below the threshold), d5-o1 0.9 rejected -> d5 has no answer
  b1-o3 0.7 introduced (introduced +59 days); b2 has no match.
Campaigns: TN invites 3 (enterprise_tn answers with d1), BN invites 1 (enterprise_bn answers).
"""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from connections.models import Agreement, Meeting
from demands.models import CampaignInvitation, Demand, SurveyCampaign
from matching.engine.scoring import LIKELY_ANSWER
from matching.models import Match
from offers.models import Offer

from ..factories import OrganizationFactory
from ..matching.conftest import make_demand, make_offer

YEAR = 2025
AGREEMENT_VALUE = 2_000_000_000
FORMULA_TITLE = '=HYPERLINK("http://evil.example")'


def at(month: int, day: int) -> datetime.datetime:
    return datetime.datetime(YEAR, month, day, 9, 0, tzinfo=datetime.UTC)


def publish(demand, when):
    Demand.objects.filter(pk=demand.pk).update(published_at=when)
    demand.refresh_from_db()
    return demand


def connect(demand, offer, score, status, *, introduced_after=None):
    introduced_at = (
        demand.published_at + datetime.timedelta(days=introduced_after)
        if introduced_after is not None
        else None
    )
    return Match.objects.create(
        demand=demand,
        offer=offer,
        score=score,
        status=status,
        engine_version="test",
        introduced_at=introduced_at,
    )


@pytest.fixture
def world(enterprise_tn, enterprise_bn, rep_jp, rep_de, thai_nguyen, bac_ninh):
    tn, bn = enterprise_tn.organization, enterprise_bn.organization
    campaign_tn = SurveyCampaign.objects.create(
        province=thai_nguyen,
        name="Khảo sát 2025",
        year=YEAR,
        opens_on=datetime.date(YEAR, 1, 1),
        closes_on=datetime.date(YEAR, 3, 31),
    )
    campaign_bn = SurveyCampaign.objects.create(
        province=bac_ninh,
        name="Khảo sát Bắc Ninh",
        year=YEAR,
        opens_on=datetime.date(YEAR, 1, 1),
        closes_on=datetime.date(YEAR, 3, 31),
    )
    other_tn = OrganizationFactory(name="Cơ khí Sông Công", province=thai_nguyen)
    CampaignInvitation.objects.create(campaign=campaign_tn, organization=tn, email="a@tn.example")
    CampaignInvitation.objects.create(
        campaign=campaign_tn, organization=other_tn, email="b@tn.example"
    )
    CampaignInvitation.objects.create(campaign=campaign_tn, email="c@tn.example")
    CampaignInvitation.objects.create(campaign=campaign_bn, organization=bn, email="d@bn.example")

    d = [
        make_demand(tn, title=FORMULA_TITLE, problem="chè", fields=("4.01",)),
        make_demand(tn, title="Sấy chè", problem="chè", fields=("4.01",)),
        make_demand(tn, title="Mạch in", problem="PCB", fields=("2.02",)),
        make_demand(tn, title="Robot chè", problem="robot", fields=("2.02", "4.01")),
        make_demand(tn, title="Tinh luyện vonfram", problem="vonfram", fields=("2.05",)),
    ]
    Demand.objects.filter(pk=d[0].pk).update(campaign=campaign_tn)
    for demand in d[:4]:
        publish(demand, at(3, 1))
    publish(d[4], at(1, 1))
    make_demand(
        tn, title="Đang chờ duyệt", problem="x", fields=("2.02",), status=Demand.Status.SUBMITTED
    )
    make_demand(tn, title="Bản nháp", problem="x", fields=("2.02",), status=Demand.Status.DRAFT)
    b = [
        make_demand(bn, title="Khuôn mẫu", problem="khuôn", fields=("2.03",)),
        make_demand(bn, title="Đúc", problem="đúc", fields=("2.03",)),
    ]
    Demand.objects.filter(pk=b[0].pk).update(campaign=campaign_bn)
    for demand in b:
        publish(demand, at(2, 1))

    o1 = make_offer(rep_jp.organization, title="Tea line", summary="tea", fields=("4.01",))
    o2 = make_offer(rep_jp.organization, title="Tea robot", summary="robot", fields=("4.01",))
    o3 = make_offer(rep_de.organization, title="PCB robot", summary="pcb", country="DE")
    make_offer(rep_jp.organization, title="Draft", summary="draft", status=Offer.Status.DRAFT)
    Offer.objects.filter(status=Offer.Status.PUBLISHED).update(published_at=at(1, 15))

    S = Match.Status
    m_agreement = connect(d[0], o1, 0.8, S.AGREEMENT, introduced_after=10)
    m_meeting = connect(d[1], o1, 0.7, S.MEETING, introduced_after=20)
    m_consented = connect(d[2], o3, 0.6, S.CONSENTED, introduced_after=30)
    connect(d[2], o2, LIKELY_ANSWER, S.PROPOSED)  # just a likely answer
    connect(d[3], o2, 0.5, S.SHORTLISTED)
    connect(d[3], o3, 0.2, S.PROPOSED)
    connect(d[4], o1, 0.9, S.REJECTED)
    m_bn = connect(b[0], o3, 0.7, S.INTRODUCED, introduced_after=59)
    Meeting.objects.create(match=m_agreement, starts_at=at(5, 1))
    Meeting.objects.create(match=m_meeting, starts_at=at(5, 2))
    Agreement.objects.create(
        match=m_agreement,
        kind=Agreement.Kind.LICENSE,
        value_vnd=AGREEMENT_VALUE,
        signed_on=datetime.date(YEAR, 6, 1),
    )
    return SimpleNamespace(
        tn_demands=d,
        bn_demands=b,
        offers=(o1, o2, o3),
        tn_introduced={m_agreement.pk, m_meeting.pk, m_consented.pk},
        bn_introduced={m_bn.pk},
        now=timezone.now(),
    )
