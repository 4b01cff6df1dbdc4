"""Rows to engine profiles: what text the model reads for each record."""

import pytest

from matching import corpus

from .conftest import make_offer

pytestmark = pytest.mark.django_db


def test_a_foreign_offer_is_read_in_its_own_language(rep_jp):
    # Its Vietnamese title and summary are for readers (and search): embedded with the text,
    # they lifted offers that have them above equally good offers that do not (on the demo,
    # an English tea dryer without them fell from 3rd to 6th for the Vietnamese tea demand).
    offer = make_offer(
        rep_jp.organization,
        title="Heat-pump dryer for green tea leaves",
        summary="Closed-loop humidity control dries tea at low temperature.",
    )
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
    offer = make_offer(
        rep_jp.organization,
        title="Máy vò chè",
        summary="Vò liên tục, tự điều chỉnh áp lực.",
        language="vi",
    )
    offer.title_vi = "Máy vò chè"
    offer.save()
    assert corpus.offer_profile(offer).full_text.count("Máy vò chè") == 1


@pytest.mark.django_db(transaction=True)
def test_an_offer_published_by_a_late_commit_is_still_seen_and_old_writes_are_not_reread(rep_jp):
    """The index's freshness check reaches back to the oldest transaction still open (a
    write stamped before its commit), not a fixed window that re-reads every bulk import."""
    from datetime import timedelta

    import psycopg2
    from django.db import connection
    from django.utils import timezone

    from matching.engine.scoring import DEFAULT_WEIGHTS
    from offers.models import Offer

    make_offer(rep_jp.organization, title="Heat-pump tea dryer", summary="Dries tea leaves.")
    late = make_offer(
        rep_jp.organization,
        title="Tea rolling machine",
        summary="Rolls tea leaves.",
        status=Offer.Status.DRAFT,
    )
    a_minute_ago = timezone.now() - timedelta(minutes=1)
    Offer.objects.filter(pk=late.pk).update(updated_at=a_minute_ago)  # say, a bulk import
    corpus.forget_indexes()
    assert corpus.read_horizon() > a_minute_ago  # nothing open: no need to re-read it
    settings = connection.settings_dict
    other = psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"] or "localhost",
        port=settings["PORT"] or 5432,
    )
    try:
        with other.cursor() as cursor:  # a slow writer: stamps now, commits after the next look
            cursor.execute(
                "UPDATE offers_offer SET status = 'published', updated_at = now() WHERE id = %s",
                [late.id],
            )
        index = corpus.offer_index(DEFAULT_WEIGHTS)
        assert late.id not in index.position  # not committed yet
        other.commit()
    finally:
        other.close()
    assert late.id in corpus.offer_index(DEFAULT_WEIGHTS).position
