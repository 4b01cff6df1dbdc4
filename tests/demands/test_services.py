"""Lifecycle services: every allowed and forbidden transition, events, matching on commit."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from demands import services
from demands.models import Demand, DemandEvent
from demands.tasks import expire_overdue
from tests.demands.factories import CampaignFactory

S = Demand.Status
ALL = list(S.values)


def do(action, demand, user):
    note = "Cần bổ sung thông số" if action == "return" else ""
    if action == "submit":
        return services.demand_submit(demand=demand, by=user, accept_warnings=True)
    if action == "withdraw":
        return services.demand_withdraw(demand=demand, by=user)
    return getattr(services, f"demand_{action}")(demand=demand, by=user, note=note)


# action -> (the actor that may do it, the statuses it starts from, where it ends)
RULES = {
    "submit": ("enterprise_tn", {S.DRAFT, S.RETURNED}, S.SUBMITTED),
    "return": ("staff_tn", {S.SUBMITTED}, S.RETURNED),
    "publish": ("staff_tn", {S.SUBMITTED}, S.PUBLISHED),
    "withdraw": ("enterprise_tn", set(Demand.OPEN_STATUSES), S.WITHDRAWN),
    "close": ("staff_tn", {S.PUBLISHED, S.IN_CONNECTION}, S.CLOSED),
    "fulfil": ("staff_tn", {S.PUBLISHED, S.IN_CONNECTION}, S.FULFILLED),
}
CASES = [(action, status) for action in RULES for status in ALL]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "status"), CASES)
def test_transition_from_each_status(
    action, status, make_demand, cast, django_capture_on_commit_callbacks
):
    actor_name, allowed_from, to = RULES[action]
    demand = make_demand(status=status)
    if status in allowed_from:
        with django_capture_on_commit_callbacks() as callbacks:
            result = do(action, demand, cast(actor_name))
        assert result.status == to
        event = DemandEvent.objects.filter(demand=demand).latest("id")
        assert (event.from_status, event.to_status, event.actor) == (status, to, cast(actor_name))
        queued = " ".join(repr(c) for c in callbacks)  # emails are queued too
        assert ("matching.match_demand" in queued) == (action == "publish")  # only publishing
        assert ("matching.embed_record" in queued) == (action == "submit")  # embedded for review
    else:
        with pytest.raises((PermissionDenied, ValidationError)):
            do(action, demand, cast(actor_name))
        demand.refresh_from_db()
        assert demand.status == status
        assert not DemandEvent.objects.filter(demand=demand).exists()


OUTSIDERS = [
    "enterprise_bn",
    "enterprise_tn_colleague",
    "staff_tn",
    "staff_bn",
    "rep_jp",
    "coordinator",
    "superuser",
]


OTHER_ACTOR_CASES = [
    (action, who)
    for action in RULES
    for who in OUTSIDERS
    if who != RULES[action][0]
    and not (who == "enterprise_tn_colleague" and RULES[action][0] == "enterprise_tn")
]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "who"), OTHER_ACTOR_CASES)
def test_transition_refused_to_other_actors(action, who, make_demand, cast):
    _actor_name, allowed_from, _to = RULES[action]
    status = sorted(allowed_from)[0]
    demand = make_demand(status=status)
    with pytest.raises(PermissionDenied):
        do(action, demand, cast(who))
    demand.refresh_from_db()
    assert demand.status == status


@pytest.mark.django_db
def test_colleague_of_the_same_firm_may_submit(make_demand, enterprise_tn_colleague):
    demand = make_demand(status=S.DRAFT)
    assert do("submit", demand, enterprise_tn_colleague).status == S.SUBMITTED


@pytest.mark.django_db
def test_return_requires_a_note_and_keeps_it(make_demand, staff_tn):
    demand = make_demand(status=S.SUBMITTED)
    with pytest.raises(ValidationError):
        services.demand_return(demand=demand, by=staff_tn, note="  ")
    returned = services.demand_return(demand=demand, by=staff_tn, note="Thêm ngân sách")
    assert returned.review_note == "Thêm ngân sách"
    assert returned.events.last().note == "Thêm ngân sách"


@pytest.mark.django_db
def test_full_story_records_every_step(make_demand, enterprise_tn, staff_tn):
    demand = make_demand(status=S.DRAFT)
    demand = services.demand_submit(demand=demand, by=enterprise_tn)
    demand = services.demand_return(demand=demand, by=staff_tn, note="Thiếu thông số")
    demand = services.demand_update(
        demand=demand,
        by=enterprise_tn,
        data={"expected_result": "Công suất 3 tấn chè búp tươi mỗi ngày, độ ẩm thành phẩm dưới 5%"},
    )
    demand = services.demand_submit(demand=demand, by=enterprise_tn)
    demand = services.demand_publish(demand=demand, by=staff_tn)
    demand = services.demand_mark_in_connection(demand=demand, by=None)
    demand = services.demand_fulfil(demand=demand, by=staff_tn, note="Đã ký hợp đồng")
    steps = list(demand.events.values_list("from_status", "to_status"))
    assert steps == [
        ("draft", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
        ("submitted", "published"),
        ("published", "in_connection"),
        ("in_connection", "fulfilled"),
    ]
    assert demand.published_at is not None and demand.review_note == ""


@pytest.mark.django_db
def test_mark_in_connection_only_from_published(make_demand, staff_tn, staff_bn):
    with pytest.raises(ValidationError):
        services.demand_mark_in_connection(demand=make_demand(status=S.SUBMITTED), by=None)
    with pytest.raises(PermissionDenied):
        services.demand_mark_in_connection(demand=make_demand(status=S.PUBLISHED), by=staff_bn)
    assert (
        services.demand_mark_in_connection(
            demand=make_demand(status=S.PUBLISHED), by=staff_tn
        ).status
        == S.IN_CONNECTION
    )


@pytest.mark.django_db
@pytest.mark.parametrize("status", ALL)
def test_edit_only_in_draft_or_returned_by_the_firm(
    status, make_demand, enterprise_tn, enterprise_bn, staff_tn
):
    demand = make_demand(status=status)
    for outsider in (enterprise_bn, staff_tn):
        with pytest.raises(PermissionDenied):
            services.demand_update(demand=demand, by=outsider, data={"title": "Đổi tên"})
    if status in (S.DRAFT, S.RETURNED):
        updated = services.demand_update(demand=demand, by=enterprise_tn, data={"title": "Đổi tên"})
        assert updated.title == "Đổi tên"
    else:
        with pytest.raises(PermissionDenied):
            services.demand_update(demand=demand, by=enterprise_tn, data={"title": "Đổi tên"})


@pytest.mark.django_db
def test_submit_refuses_an_incomplete_demand_and_lists_what_is_missing(make_demand, enterprise_tn):
    demand = make_demand(
        status=S.DRAFT, expected_result="", budget_min_vnd=None, budget_max_vnd=None, fields=[]
    )
    with pytest.raises(services.IncompleteDemand) as refused:
        services.demand_submit(demand=demand, by=enterprise_tn, accept_warnings=True)
    fields = {issue.field for issue in refused.value.issues}
    assert {"expected_result", "fields", "budget_max_vnd"} <= fields
    demand.refresh_from_db()
    assert demand.status == S.DRAFT


@pytest.mark.django_db
def test_submit_with_warnings_needs_confirmation(make_demand, enterprise_tn):
    demand = make_demand(status=S.DRAFT, budget_min_vnd=None, budget_max_vnd=None)
    with pytest.raises(services.IncompleteDemand) as refused:
        services.demand_submit(demand=demand, by=enterprise_tn)
    assert [i.field for i in refused.value.issues] == ["budget_max_vnd"]
    assert (
        services.demand_submit(demand=demand, by=enterprise_tn, accept_warnings=True).status
        == S.SUBMITTED
    )


@pytest.mark.django_db
def test_unaccented_vietnamese_is_flagged(make_demand, enterprise_tn):
    demand = make_demand(
        status=S.DRAFT,
        problem="Cong ty can cong nghe xu ly nuoc thai cho nha may che bien che xanh va dong goi san pham de xuat khau sang chau Au trong nam toi.",
    )
    with pytest.raises(services.IncompleteDemand) as refused:
        services.demand_submit(demand=demand, by=enterprise_tn)
    with translation.override("en"):
        assert any(
            i.field == "problem" and "diacritics" in str(i.message) for i in refused.value.issues
        )


@pytest.mark.django_db
def test_create_normalises_text_and_fills_search_and_language(enterprise_tn):
    # NFD grave + old-style tone placement "hoà thuỷ".
    decomposed = "Che\u0300 xanh ho\u00e0 thu\u1ef7"
    demand = services.demand_create(
        by=enterprise_tn,
        data={"title": decomposed, "problem": "Dòng 1\nDòng   2", "keywords": "chè;  chè, trà"},
    )
    assert demand.title == "Chè xanh hòa thủy"
    assert demand.problem == "Dòng 1\nDòng 2"
    assert demand.keywords == "chè, trà"
    assert demand.language == "vi" and "che xanh" in demand.search_text
    assert demand.province == enterprise_tn.organization.province
    assert demand.events.get().to_status == S.DRAFT


@pytest.mark.django_db
def test_create_refused_to_non_enterprises(cast):
    for who in ("staff_tn", "rep_jp", "coordinator", "pending_enterprise_tn"):
        with pytest.raises(PermissionDenied):
            services.demand_create(by=cast(who), data={"title": "x"})


@pytest.mark.django_db
def test_editing_a_published_demand_queues_matching_only_when_published(
    make_demand, enterprise_tn, django_capture_on_commit_callbacks
):
    draft = make_demand(status=S.DRAFT)
    with django_capture_on_commit_callbacks() as callbacks:
        services.demand_update(demand=draft, by=enterprise_tn, data={"title": "Mới"})
    assert callbacks == []


@pytest.mark.django_db
def test_submitted_demand_joins_the_running_campaign(
    make_demand, enterprise_tn, thai_nguyen, bac_ninh
):
    CampaignFactory(province=bac_ninh)  # another province's survey is not ours
    closed = CampaignFactory(
        province=thai_nguyen,
        opens_on=datetime.date(2020, 1, 1),
        closes_on=datetime.date(2020, 12, 31),
    )
    running = CampaignFactory(province=thai_nguyen)
    demand = services.demand_submit(demand=make_demand(status=S.DRAFT), by=enterprise_tn)
    assert demand.campaign == running != closed


@pytest.mark.django_db
def test_expire_overdue_is_idempotent_and_leaves_finished_demands(make_demand):
    past = datetime.date.today() - datetime.timedelta(days=1)
    overdue = [make_demand(status=s, wanted_by=past) for s in Demand.OPEN_STATUSES]
    finished = make_demand(status=S.FULFILLED, wanted_by=past)
    future = make_demand(status=S.PUBLISHED)
    assert expire_overdue() == len(overdue)
    assert expire_overdue() == 0
    for demand in overdue:
        demand.refresh_from_db()
        assert demand.status == S.EXPIRED
        assert demand.events.get().from_status != "" and demand.events.get().actor is None
    finished.refresh_from_db()
    future.refresh_from_db()
    assert (finished.status, future.status) == (S.FULFILLED, S.PUBLISHED)


@pytest.mark.django_db
def test_a_submitted_demand_is_embedded_while_staff_review_it(
    make_demand, enterprise_tn, django_capture_on_commit_callbacks
):
    from matching import corpus
    from matching.engine.embedder import text_hash
    from matching.models import Embedding

    draft = make_demand(status=S.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        services.demand_submit(demand=draft, by=enterprise_tn, accept_warnings=True)
    stored = Embedding.objects.get(kind="demand", object_id=draft.id)
    # Publishing will find this vector for the same text, so it ranks without embedding.
    assert stored.text_hash == text_hash(corpus.demand_profile(draft).full_text)
