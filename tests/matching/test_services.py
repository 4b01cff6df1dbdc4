import pytest
from django.utils import timezone

from matching import corpus, services
from matching.models import Match, MatchingRun
from offers.models import Offer

from .conftest import TEA_DEMAND, make_demand, make_offer

# `sqlite`: make test runs these again on SQLite (bulk_create upserts there, not execute_values).
pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def test_published_demand_gets_explained_matches_across_languages(tea_demand, offers):
    services.match_demand(demand_id=tea_demand.id)
    matches = list(Match.objects.filter(demand=tea_demand).order_by("-score", "id"))
    assert len(matches) == len(offers)
    # The Vietnamese tea demand finds both tea offers, the English one included, ahead of the rest.
    assert {m.offer.title for m in matches[:2]} == {
        "Automated green tea processing line",
        "Máy sấy chè bằng bơm nhiệt",
    }
    best = matches[0]
    assert 0 < best.score <= 1
    codes = {r["code"] for r in best.reasons}
    assert "same_field" in codes and not codes & {"text_similarity", "keywords"}
    assert {"dense", "lexical", "structured"} <= set(best.components)
    assert matches[-1].score < best.score / 2  # PCB and tungsten are far behind


def test_matching_twice_gives_the_same_rows(tea_demand, offers):
    services.match_demand(demand_id=tea_demand.id)
    first = list(Match.objects.order_by("id").values("id", "offer_id", "score", "reasons"))
    services.match_demand(demand_id=tea_demand.id)
    assert list(Match.objects.order_by("id").values("id", "offer_id", "score", "reasons")) == first


def test_a_staff_decision_survives_rematching_and_rebuild(
    tea_demand, offers, coordinator, staff_tn, django_capture_on_commit_callbacks
):
    services.match_demand(demand_id=tea_demand.id)
    match = Match.objects.get(demand=tea_demand, offer=offers[0])
    Match.objects.filter(pk=match.pk).update(
        status=Match.Status.SHORTLISTED, notes="Gọi điện cho đối tác", reviewer=staff_tn
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = services.rebuild_start(by=coordinator)  # tasks run in-process in these tests
    run.refresh_from_db()
    assert run.state == MatchingRun.State.DONE and run.processed == run.total == 1
    match.refresh_from_db()
    assert (match.status, match.notes, match.reviewer_id) == (
        Match.Status.SHORTLISTED,
        "Gọi điện cho đối tác",
        staff_tn.id,
    )


def test_withdrawn_demand_loses_proposals_but_keeps_acted_on_matches(tea_demand, offers):
    services.match_demand(demand_id=tea_demand.id)
    Match.objects.filter(demand=tea_demand, offer=offers[0]).update(status=Match.Status.INTRODUCED)
    tea_demand.status = "withdrawn"
    tea_demand.save()
    services.match_demand(demand_id=tea_demand.id)
    assert list(Match.objects.filter(demand=tea_demand).values_list("offer_id", "status")) == [
        (offers[0].id, Match.Status.INTRODUCED)
    ]


def test_new_offer_is_matched_to_the_demands_it_serves(tea_demand, offers, rep_de):
    services.match_demand(demand_id=tea_demand.id)
    offer = make_offer(
        rep_de.organization,
        title="Tea leaf withering and rolling machines",
        summary="Machines that wither, roll and dry fresh tea leaves for green tea.",
        fields=("4.01",),
        country="DE",
    )
    services.match_offer(offer_id=offer.id)
    match = Match.objects.get(demand=tea_demand, offer=offer)
    assert match.in_offer_top


def test_archived_offer_drops_out_of_proposals(tea_demand, offers):
    services.match_demand(demand_id=tea_demand.id)
    # As offers_archive_expired does it: one UPDATE that stamps updated_at.
    Offer.objects.filter(pk=offers[2].pk).update(
        status=Offer.Status.ARCHIVED, updated_at=timezone.now()
    )
    services.match_demand(demand_id=tea_demand.id)
    services.match_offer(offer_id=offers[2].id)
    assert not Match.objects.filter(offer=offers[2]).exists()


def test_repair_sweep_finds_unmatched_and_edited_records(tea_demand, offers):
    demands, found_offers = services.stale_records()
    assert demands == [tea_demand.id]
    assert set(found_offers) == {o.id for o in offers}
    services.match_demand(demand_id=tea_demand.id)
    assert services.stale_records()[0] == []
    tea_demand.problem += " Thêm yêu cầu về bao bì."
    tea_demand.save()  # edited after matching, and its task was lost
    assert services.stale_records()[0] == [tea_demand.id]


def test_rebuild_stops_and_resumes_from_its_cursor(tea_demand, offers, coordinator, monkeypatch):
    from matching import tasks

    monkeypatch.setattr(
        tasks.rebuild_matches, "delay_on_commit", lambda *args: None
    )  # drive chunks by hand
    run = services.rebuild_start(by=coordinator)
    services.rebuild_stop(run=run, by=coordinator)
    assert services.rebuild_chunk(run_id=run.id) is False
    run.refresh_from_db()
    assert run.state == MatchingRun.State.STOPPED and run.processed == 0
    services.rebuild_resume(run=run, by=coordinator)
    assert services.rebuild_chunk(run_id=run.id) is False
    run.refresh_from_db()
    assert (run.state, run.processed, run.cursor) == (MatchingRun.State.DONE, 1, tea_demand.id)
    assert Match.objects.filter(demand=tea_demand).count() == len(offers)


@pytest.mark.parametrize("who", ["enterprise_tn", "staff_tn", "rep_jp"])
def test_only_coordinators_start_a_rebuild(cast, who):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.rebuild_start(by=cast(who))


def test_the_offer_side_run_keeps_the_demand_side_score_and_reasons(tea_demand, offers):
    services.match_demand(demand_id=tea_demand.id)
    before = {m.offer_id: (m.score, m.reasons) for m in Match.objects.filter(demand=tea_demand)}
    services.match_offer(offer_id=offers[0].id)
    match = Match.objects.get(demand=tea_demand, offer=offers[0])
    assert match.in_offer_top and match.in_demand_top
    assert (match.score, match.reasons) == before[offers[0].id]


def test_index_builds_read_the_same_profiles_as_single_records(enterprise_tn, offers):
    # The index reads plain rows for speed; a match of one record reads the model instance.
    # Both must describe a record identically, or the two paths would rank differently.
    make_demand(
        enterprise_tn.organization,
        **TEA_DEMAND,
        trl_min=6,
        countries="JP,KR",
        cooperation=("technology_transfer", "training"),
    )
    make_demand(
        enterprise_tn.organization,
        title="Xử lý nước thải",
        problem="Nước thải chăn nuôi",
        fields=(),
        cooperation=(),
    )
    demands = corpus.matchable_demands().order_by("id")
    assert corpus.all_demand_profiles() == [corpus.demand_profile(d) for d in demands]
    assert corpus.all_demand_profiles()[0].preferred_countries == ("JP", "KR")
    offers_in_index = corpus.matchable_offers().order_by("id")
    assert corpus.all_offer_profiles() == [corpus.offer_profile(o) for o in offers_in_index]


def test_the_offer_index_follows_published_offers_but_not_drafts(tea_demand, offers, rep_jp):
    weights, _version = corpus.current_weights()
    first = corpus.offer_index(weights)
    assert corpus.offer_index(weights) is first  # nothing changed: the same index is reused

    draft = make_offer(
        rep_jp.organization,
        title="Draft being written",
        summary="Not yet public",
        status=Offer.Status.DRAFT,
    )
    draft.title = "Draft, second attempt"
    draft.save()
    assert corpus.offer_index(weights) is first  # drafts are not in the index

    offers[2].title = "Tea leaf rolling robot"
    offers[2].save()
    refreshed = corpus.offer_index(weights)
    assert refreshed is not first
    assert refreshed.profiles[refreshed.position[offers[2].id]].title == "Tea leaf rolling robot"

    draft.status = Offer.Status.PUBLISHED
    draft.save()
    assert draft.id in corpus.offer_index(weights).ids


def test_an_offer_deleted_behind_the_index_is_not_matched(tea_demand, offers):
    weights, _version = corpus.current_weights()
    corpus.offer_index(weights)
    Offer.objects.filter(pk=offers[0].pk).delete()  # as the admin's delete does: no updated_at
    services.match_demand(demand_id=tea_demand.id)
    assert Match.objects.filter(demand=tea_demand).exists()
    assert not Match.objects.filter(offer_id=offers[0].pk).exists()
    assert offers[0].pk not in corpus.offer_index(weights).ids


def test_after_many_changes_the_offer_index_is_built_afresh(tea_demand, offers, monkeypatch):
    monkeypatch.setattr(corpus, "MAX_CHANGES", 1)
    weights, _version = corpus.current_weights()
    corpus.offer_index(weights)
    offers[0].title = "Green tea steaming line"
    offers[0].save()
    folded_in = corpus.offer_index(weights)
    assert folded_in.live_size == folded_in.size - 1  # the old version, dead
    offers[1].title = "Heat-pump tea dryer"
    offers[1].save()
    rebuilt = corpus.offer_index(weights)
    assert rebuilt.live_size == rebuilt.size == len(offers)
    services.match_demand(demand_id=tea_demand.id)
    titles = set(Match.objects.filter(demand=tea_demand).values_list("offer__title", flat=True))
    assert {"Green tea steaming line", "Heat-pump tea dryer"} <= titles


def test_rows_written_while_the_next_block_is_ranked_are_the_same(
    tea_demand, offers, enterprise_tn, monkeypatch
):
    others = [
        make_demand(
            enterprise_tn.organization,
            title=f"Máy sấy chè loại {i}",
            problem="Sấy chè xanh bằng bơm nhiệt, giữ màu và hương",
        )
        for i in range(3)
    ]
    ids = [tea_demand.id, *(d.id for d in others)]

    def rows():
        return list(
            Match.objects.order_by("demand_id", "offer_id").values_list(
                "demand_id", "offer_id", "score", "reasons", "in_demand_top"
            )
        )

    services.match_demands(demand_ids=ids)  # one block: written after ranking
    at_once = rows()
    Match.objects.all().delete()
    monkeypatch.setattr(services, "WRITE_BLOCK", 1)  # four blocks, written by the writer thread
    assert services.match_demands(demand_ids=ids) == len(at_once)
    blocked = rows()
    # Cosines from a 1-row and a 4-row matrix product may differ in the last float bits.
    assert [r[:2] + r[3:] for r in blocked] == [r[:2] + r[3:] for r in at_once]
    assert [r[2] for r in blocked] == pytest.approx([r[2] for r in at_once], abs=1e-5)
    assert len({r[0] for r in at_once}) == 4
