import pytest
from django.urls import reverse

from matching.models import EngineSettings, Match, MatchingRun
from tests.conftest import CAST

pytestmark = pytest.mark.django_db

COORDINATION_PAGES = ["matching:runs", "matching:settings"]


@pytest.mark.parametrize("page", COORDINATION_PAGES)
@pytest.mark.parametrize("who", CAST)
def test_engine_pages_are_for_coordinators_only(client, cast, who, page):
    if who != "anonymous":
        client.force_login(cast(who))
    response = client.get(reverse(page))
    if who == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == (200 if who in ("coordinator", "superuser") else 404)


@pytest.mark.parametrize("who", ["enterprise_tn", "staff_tn", "rep_jp"])
def test_others_cannot_start_a_rebuild(client, cast, who):
    client.force_login(cast(who))
    assert client.post(reverse("matching:run_start")).status_code == 404
    assert not MatchingRun.objects.exists()


def test_coordinator_starts_a_rebuild_and_sees_its_progress(
    client, coordinator, tea_demand, offers, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("matching:run_start"))
    response = client.get(reverse("matching:runs"))
    run = MatchingRun.objects.get()
    assert run.state == MatchingRun.State.DONE
    assert "100%" in response.content.decode()
    progress = client.get(reverse("matching:run_progress", args=[run.pk]))
    assert "<progress" in progress.content.decode()
    assert Match.objects.filter(demand=tea_demand).count() == len(offers)


def test_coordinator_saves_a_new_weights_version(client, coordinator):
    client.force_login(coordinator)
    data = {
        "lexical": 0.2,
        "structured": 0.5,
        "field": 3,
        "trl": 1,
        "cooperation": 1,
        "country": 1,
        "budget": 1,
        "expired_factor": 0.3,
        "note": "more weight on exact terms",
    }
    response = client.post(reverse("matching:settings"), data)
    assert response.status_code == 302
    row = EngineSettings.objects.get()
    assert (row.version, row.weights["lexical"]) == (1, 0.2)


def test_weights_form_keeps_input_and_explains_errors(client, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("matching:settings"), {"lexical": "abc", "structured": 3, "note": ""}
    )
    assert response.status_code == 200
    assert 'value="abc"' in response.content.decode()
    assert not EngineSettings.objects.exists()


def test_evaluate_command_prints_one_json_line(tmp_path, capsys):
    import json

    from django.core.management import call_command

    (tmp_path / "offers.jsonl").write_text(
        '{"id": "o1", "title": "Green tea dryer", "description": "Drying tea leaves", "language": "en"}\n'
        '{"id": "o2", "title": "PCB robot", "description": "Soldering circuit boards", "language": "en"}\n'
    )
    (tmp_path / "demands.jsonl").write_text(
        '{"id": "d1", "title": "Máy sấy chè", "description": "Cần máy sấy chè xanh (tea dryer)", "language": "vi"}\n'
    )
    (tmp_path / "qrels.tsv").write_text("d1\to1\t3\n")
    call_command("evaluate_matching", str(tmp_path), "--engine", "lexical")
    result = json.loads(capsys.readouterr().out)
    assert {
        k: result[k] for k in ("engine", "demands", "offers", "ndcg@10", "recall@20", "mrr")
    } == {
        "engine": "lexical",
        "demands": 1,
        "offers": 2,
        "ndcg@10": 1.0,
        "recall@20": 1.0,
        "mrr": 1.0,
    }
    assert set(result) == {
        "engine",
        "demands",
        "offers",
        "ndcg@10",
        "recall@20",
        "mrr",
        "cross_lingual_recall@20",
        "recall@20_by_language_pair",
        "score_bands",
        "seconds",
    }


def test_a_representative_cannot_read_a_review_row_through_a_failed_reject(
    client, rep_jp, tea_demand, offers
):
    tea_demand.visibility = "confidential"
    tea_demand.save()
    match = Match.objects.create(demand=tea_demand, offer=offers[0], score=0.8, engine_version="t")
    client.force_login(rep_jp)
    response = client.post(
        reverse("connections:act", args=[match.pk, "reject"]),
        {"reason": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 404
    assert tea_demand.organization.name not in response.content.decode()


def test_confidential_demands_stay_out_of_a_representatives_matches_until_introduced(
    client, rep_jp, tea_demand, offers
):
    from matching.selectors import matches_visible_to

    tea_demand.visibility = "confidential"
    tea_demand.save()
    match = Match.objects.create(demand=tea_demand, offer=offers[0], score=0.8, engine_version="t")
    assert not matches_visible_to(rep_jp).filter(pk=match.pk).exists()
    client.force_login(rep_jp)
    page = client.get(offers[0].get_absolute_url()).content.decode()
    assert tea_demand.title not in page
    Match.objects.filter(pk=match.pk).update(status=Match.Status.INTRODUCED)
    assert matches_visible_to(rep_jp).filter(pk=match.pk).exists()
