"""What a reader sees under a match: words, in the reader's language, for old rows too."""

import re
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import translation

from matching import reasons, services
from matching.models import Match

from .conftest import make_demand, make_offer

pytestmark = pytest.mark.django_db

OLD_ROW = [  # as an earlier engine stored them
    {"code": "text_similarity", "params": {"percentile_top": 3}},
    {"code": "keywords", "params": {"terms": ["đa", "đều", "bị xử", "110"]}},
    {"code": "same_field", "params": {"code": "2.07"}},
    {"code": "trl_fit", "params": {"trl": 9, "min": 7}},
    {"code": "country", "params": {"country": "JP"}},
    {"code": "cooperation", "params": {"types": ["equipment_sale"]}},
    {"code": "something_new", "params": {"x": 1}},
]


def chips_of(match, language):
    with translation.override(language):
        return reasons.match_chips(match)


def test_old_rows_read_in_words_without_codes_or_percentiles():
    match = Match(score=0.8, reasons=OLD_ROW)
    for language in ("vi", "en"):
        chips = chips_of(match, language)
        text = " | ".join(chips)
        assert "top" not in text.lower() and "%" not in text
        assert not any(word in text for word in ("đa,", "bị xử", "110", "something_new", "2.07 |"))
        assert "(2.07)" in text  # the field's name, then its code
    vi, en = chips_of(match, "vi"), chips_of(match, "en")
    assert any("Kỹ thuật môi trường (2.07)" in chip for chip in vi)
    assert any("Environmental engineering (2.07)" in chip for chip in en)
    assert any("Nhật Bản" in chip for chip in vi) and any("Japan" in chip for chip in en)
    assert any("vận hành thực tế (TRL 9)" in chip for chip in vi)
    assert "proven in operation (TRL 9) ≥ the required level 7" in en


def test_score_reads_as_a_plain_label():
    labels = {chips_of(Match(score=s, reasons=[]), "en")[0] for s in (0.95, 0.6, 0.35, 0.05)}
    assert labels <= {"Strong match", "Likely answer", "Possibly related", "Weakly related"}
    assert chips_of(Match(score=0.95, reasons=[]), "en")[0] == "Strong match"
    assert chips_of(Match(score=0.01, reasons=[]), "en")[0] == "Weakly related"


def test_demand_page_shows_whole_key_phrases(client, enterprise_tn, rep_jp, staff_tn):
    demand = make_demand(
        enterprise_tn.organization,
        title="Thiết bị xử lý nước thải sinh hoạt cho khu du lịch",
        problem="Cần hệ thống xử lý nước thải sinh hoạt phân tán, đều đặn, đa năng; 110, 60, 40 m3.",
        fields=("2.07",),
    )
    offer = make_offer(
        rep_jp.organization,
        title="Johkasou: xử lý nước thải sinh hoạt phân tán",
        summary="Bể xử lý nước thải sinh hoạt phân tán, lắp đặt nhanh.",
        language="vi",
        fields=("2.07",),
    )
    services.match_demand(demand_id=demand.id)
    assert Match.objects.filter(demand=demand, offer=offer).exists()
    client.force_login(staff_tn)  # staff of the province review its matches
    page = client.get(reverse("demands:detail", args=[demand.pk]), HTTP_ACCEPT_LANGUAGE="vi")
    assert page.status_code == 200
    html = page.content.decode()
    chips = re.findall(
        r"<li>([^<]*)</li>", "".join(re.findall(r'<ul class="reasons">(.*?)</ul>', html))
    )
    assert "xử lý nước thải sinh hoạt phân tán" in chips
    assert (
        "same field: Kỹ thuật môi trường (2.07)" in chips
        or "cùng lĩnh vực: Kỹ thuật môi trường (2.07)" in chips
    )
    for chip in chips:
        assert chip not in ("đa", "đều", "bị xử", "thải sinh") and "%" not in chip
        assert not re.fullmatch(r"[\d., ]+", chip)


def test_confidential_demand_keeps_its_words_from_the_offer_side():
    hidden = SimpleNamespace(
        demand_identity_shown=False, demand=SimpleNamespace(visibility="confidential")
    )
    shown = SimpleNamespace(
        demand_identity_shown=False, demand=SimpleNamespace(visibility="anonymised")
    )
    assert not reasons.phrases_visible(hidden)
    assert reasons.phrases_visible(shown)


def test_tea_farmer_reads_the_english_dryer_in_vietnamese_words(enterprise_tn, rep_jp):
    demand = make_demand(
        enterprise_tn.organization,
        title="Sấy chè xanh bằng bơm nhiệt tiết kiệm năng lượng",
        problem="Hợp tác xã cần máy sấy chè dùng bơm nhiệt thay lò đốt than, giữ màu chè xanh.",
        fields=("2.11",),
    )
    offer = make_offer(
        rep_jp.organization,
        title="Heat-pump dryer for green tea leaves with closed-loop humidity control",
        summary="The dryer recovers heat from exhaust air and keeps the green colour of the leaves.",
        fields=("2.11",),
    )
    offer.title_vi = "Máy sấy chè xanh bằng bơm nhiệt kiểm soát độ ẩm khép kín"
    offer.summary_vi = "Máy sấy thu hồi nhiệt từ khí thải, giữ màu xanh của lá chè."
    offer.save(update_fields=["title_vi", "summary_vi"])
    services.match_demand(demand_id=demand.id)
    match = Match.objects.select_related("demand", "offer").get(demand=demand, offer=offer)
    with translation.override("vi"):
        chips = reasons.attach_chips([match])[0].chips
    phrases = [c for c in chips[1:] if "(" not in c and ":" not in c]
    assert any("bơm nhiệt" in chip for chip in phrases), chips
    assert any("sấy chè" in chip or "chè xanh" in chip for chip in phrases), chips
    for chip in phrases:  # each side whole: the Vietnamese words, then the offer's own
        left, _, right = chip.partition(" ↔ ")
        assert left.lower() in (demand.title + " " + demand.problem).lower()
        assert not right or right.lower() in (offer.title + " " + offer.summary).lower()


def test_chips_cost_no_query_per_match(client, enterprise_tn, rep_jp, staff_tn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    demand = make_demand(
        enterprise_tn.organization,
        title="Xử lý nước thải sinh hoạt",
        problem="Cần thiết bị xử lý nước thải sinh hoạt.",
        fields=("2.07",),
    )
    client.force_login(staff_tn)
    counts = []
    for batch in range(2):
        for k in range(3):
            make_offer(
                rep_jp.organization,
                title=f"Bể xử lý nước thải sinh hoạt {batch}{k}",
                summary="Xử lý nước thải sinh hoạt phân tán.",
                language="vi",
                fields=("2.07",),
            )
        services.match_demand(demand_id=demand.id)
        client.get(reverse("demands:detail", args=[demand.pk]))  # warm caches
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("demands:detail", args=[demand.pk]))
        counts.append(len(queries))
    assert counts[1] == counts[0]
