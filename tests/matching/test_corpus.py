"""Rows to engine profiles: what text the model reads for each record."""

import pytest

from matching import corpus

from .conftest import make_offer

pytestmark = pytest.mark.django_db


def test_a_foreign_offer_is_read_in_its_own_language(rep_jp):
    # Its Vietnamese title and summary are for readers (and search): embedded with the text,
    # they lifted offers that have them above equally good offers that do not (on the demo,
    # an English tea dryer without them fell from 3rd to 6th for the Vietnamese tea demand).
    offer = make_offer(rep_jp.organization, title="Heat-pump dryer for green tea leaves",
                       summary="Closed-loop humidity control dries tea at low temperature.")
    offer.title_vi = "Máy sấy chè xanh bằng bơm nhiệt"
    offer.summary_vi = "Kiểm soát độ ẩm khép kín, sấy chè ở nhiệt độ thấp."
    offer.save()

    one = corpus.offer_profile(offer)
    assert "Máy sấy chè xanh bằng bơm nhiệt" not in one.full_text
    assert "Heat-pump dryer" in one.full_text
    # the index build reads plain rows: it must read the same text, or every offer re-embeds
    (built,) = corpus.all_offer_profiles([offer.id])
    assert built.full_text == one.full_text


def test_a_vietnamese_offer_is_read_once(rep_jp):
    offer = make_offer(rep_jp.organization, title="Máy vò chè", summary="Vò liên tục, tự điều chỉnh áp lực.",
                       language="vi")
    offer.title_vi = "Máy vò chè"
    offer.save()
    assert corpus.offer_profile(offer).full_text.count("Máy vò chè") == 1
