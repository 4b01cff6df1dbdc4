"""A session in Thái Nguyên with a registered tea firm and rep.japan, the engine's pairs."""

import datetime as dt

import pytest
from django.utils import timezone

from events import services
from events.models import Session
from matching.models import Match

from ..matching.conftest import OFFERS, TEA_DEMAND, make_demand, make_offer

SAME_FIELD = [{"code": "same_field", "params": {"code": "4.01"}}]


def session_data(province, **extra) -> dict:
    today = timezone.localdate()
    data = {
        "title": "Phiên làm việc kết nối công nghệ nước ngoài – Thái Nguyên",
        "title_en": "Foreign technology connection session – Thái Nguyên",
        "province": province,
        "venue": "Trung tâm Hội nghị tỉnh Thái Nguyên",
        "first_day": today + dt.timedelta(days=10),
        "start_time": dt.time(8, 30),
        "slot_minutes": 30,
        "slots_per_day": 4,
        "breaks": [["09:30", "09:45"]],
        "tables": 2,
        "registration_opens_on": today - dt.timedelta(days=1),
        "registration_closes_on": today + dt.timedelta(days=5),
        "status": Session.Status.OPEN,
    }
    data.update(extra)
    return data


@pytest.fixture
def tea(enterprise_tn):
    return make_demand(enterprise_tn.organization, **TEA_DEMAND)


@pytest.fixture
def jp_offers(rep_jp):
    return [make_offer(rep_jp.organization, **spec) for spec in OFFERS[:2]]


@pytest.fixture
def de_offer(rep_de):
    return make_offer(rep_de.organization, **OFFERS[2])


@pytest.fixture
def pairs(tea, jp_offers, de_offer):
    """The engine's pairs: the tea demand with both Japanese offers (one better) and the PCB."""
    return [
        Match.objects.create(
            demand=tea, offer=jp_offers[0], score=0.82, engine_version="t", reasons=SAME_FIELD
        ),
        Match.objects.create(demand=tea, offer=jp_offers[1], score=0.55, engine_version="t"),
        Match.objects.create(demand=tea, offer=de_offer, score=0.31, engine_version="t"),
    ]


@pytest.fixture
def session(coordinator, thai_nguyen, rep_jp, rep_de):
    return services.session_create(
        by=coordinator,
        data=session_data(thai_nguyen),
        representations=[rep_jp.organization, rep_de.organization],
        interpreters={"ja": 1},
    )


@pytest.fixture
def registered(session, enterprise_tn, rep_jp, rep_de, tea, jp_offers, de_offer, pairs):
    """Both sides registered: the portal proposed the engine's pairs."""
    services.registration_save(session=session, by=enterprise_tn, demands=[tea])
    services.registration_save(
        session=session, by=rep_jp, offers=jp_offers, interpreter_language="ja"
    )
    services.registration_save(session=session, by=rep_de, offers=[de_offer])
    return session
