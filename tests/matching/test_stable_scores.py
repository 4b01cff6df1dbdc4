"""A pair's score depends on its two records and the weights: not on the pool, nor on the
order in which records were matched, nor on a rebuild."""

import pytest

from matching import services
from matching.models import Match

from .conftest import make_demand, make_offer

pytestmark = pytest.mark.django_db

# Offers on other topics than the demands below, as a representative would post them.
OTHER_TOPICS = [
    ("Cloud accounting software for small firms", "Invoices, payroll and tax returns online."),
    ("Hotel booking platform", "Room availability, payments and reviews for small hotels."),
    ("Language courses for engineers", "Online English and Japanese courses for technical staff."),
    ("Mobile banking app", "Accounts, transfers and fingerprint login for rural banks."),
    ("Dental implant system", "Titanium implants and surgical guides for dental clinics."),
    ("Hệ thống quản lý bán lẻ", "Phần mềm bán hàng, quản lý kho và khách hàng cho cửa hàng nhỏ."),
    ("Dịch vụ tổ chức sự kiện", "Âm thanh, ánh sáng và sân khấu cho hội nghị, triển lãm."),
    ("Football training analytics", "Player tracking and match video analysis for clubs."),
    ("Furniture e-commerce storefront", "An online shop template for sofa and table makers."),
    ("Children's music school franchise", "Curriculum and brand for piano and guitar schools."),
]


@pytest.fixture
def pool(enterprise_tn, rep_jp):
    demands = [
        make_demand(
            enterprise_tn.organization,
            title="Sấy chè xanh bằng bơm nhiệt tiết kiệm năng lượng",
            problem="Lò sấy chè đốt than tốn nhiên liệu, chè bị khê; cần máy sấy bơm nhiệt "
            "giữ màu và hương chè.",
            fields=("4.01",),
        ),
        make_demand(
            enterprise_tn.organization,
            title="Xử lý nước thải chế biến chè",
            problem="Nước thải từ rửa và chế biến chè cần xử lý đạt quy chuẩn trước khi xả.",
            fields=("2.07",),
        ),
    ]
    offers = [
        make_offer(
            rep_jp.organization,
            title="Heat-pump dryer for green tea leaves",
            summary="Closed-loop humidity control dries tea at low temperature, saving energy.",
            fields=("4.01", "2.11"),
        ),
        make_offer(
            rep_jp.organization,
            title="Compact wastewater treatment unit (Johkasou)",
            summary="Modular biological treatment for small food factories.",
            fields=("2.07",),
        ),
        make_offer(
            rep_jp.organization,
            title="Máy vò chè liên tục",
            language="vi",
            summary="Máy vò chè tự điều chỉnh áp lực cho cơ sở chế biến chè xanh.",
            fields=("4.01",),
        ),
    ]
    return demands, offers


def _scores() -> dict[tuple[int, int], float]:
    return {(d, o): s for d, o, s in Match.objects.values_list("demand_id", "offer_id", "score")}


def _match_all(demands, offers) -> None:
    for offer in offers:  # offers first, then demands: another order than the rebuild's
        services.match_offer(offer_id=offer.id)
    for demand in demands:
        services.match_demand(demand_id=demand.id)


def _rebuild(coordinator, capture) -> None:
    with capture(execute=True):
        services.rebuild_start(by=coordinator)  # chunks run in-process in tests


def test_a_rebuild_without_edits_changes_no_score(
    pool, coordinator, django_capture_on_commit_callbacks
):
    _match_all(*pool)
    before = _scores()
    assert len(before) == 6
    _rebuild(coordinator, django_capture_on_commit_callbacks)
    after = _scores()
    assert after.keys() == before.keys()
    assert max(abs(after[pair] - before[pair]) for pair in before) < 1e-5


def test_unrelated_offers_leave_existing_scores_in_place(
    pool, rep_jp, coordinator, django_capture_on_commit_callbacks
):
    _match_all(*pool)
    before = _scores()
    for i in range(50):
        title, summary = OTHER_TOPICS[i % len(OTHER_TOPICS)]
        offer = make_offer(
            rep_jp.organization,
            title=f"{title} ({i + 1})",
            summary=summary,
            fields=("5.02",),
            language="vi" if "ệ" in title or "ị" in title else "en",
        )
        services.match_offer(offer_id=offer.id)
    _rebuild(coordinator, django_capture_on_commit_callbacks)
    after = _scores()
    moved = {pair: round(100 * abs(after[pair] - before[pair]), 2) for pair in before}
    assert max(moved.values()) <= 2, moved  # points of 100, what the pages show
