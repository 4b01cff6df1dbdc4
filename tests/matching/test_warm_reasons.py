"""Key phrases are paired by the worker after matching: a page shows them from its first view."""

import pytest
from django.core.cache import cache

from matching import corpus, reasons, tasks
from matching.models import Match

pytestmark = pytest.mark.django_db


def test_the_worker_pairs_phrases_before_the_first_page_view(tea_demand, offers, monkeypatch):
    cache.clear()
    tasks.match_demand.delay(tea_demand.id)  # eager in tests: matching, then warming
    listed = list(Match.objects.filter(demand=tea_demand).select_related("demand", "offer"))
    tea_line = next(m for m in listed if m.offer.title == "Automated green tea processing line")

    def no_embedding(texts):
        raise AssertionError("the page embedded phrases: the worker should have paired them")

    model = corpus.embedder()
    monkeypatch.setattr(model, "embed_passages", no_embedding)
    first_view = reasons.phrase_pairs_for(listed)  # the demand page's own call and budget
    assert any("↔" in reasons.phrase_chip(p) for p in first_view[tea_line.pk])
    assert first_view == reasons.phrase_pairs_for(listed)  # and the same on every view


def test_warming_a_record_without_matches_does_nothing(tea_demand):
    assert reasons.warm_phrases(demand_id=tea_demand.id) == 0
