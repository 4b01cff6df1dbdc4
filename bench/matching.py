"""Matching benchmark: python -m bench.matching --offers N --demands M

Builds a corpus of N published offers and M published demands in a PostgreSQL database of its
own (BENCH_DATABASE_URL, default postgres://postgres@localhost:5432/portal_bench), then
measures the real service path the Celery tasks run, writes included, and prints one JSON line.

Texts derive from the evaluation files (../shared/eval/dev) and the field taxonomy. Embedding
100,000 texts would take over an hour here, so stored vectors of the large corpus derive from
real embeddings of the base texts (plus a little noise); every *new* record in the timed part
is embedded for real.

    python -m bench.matching --offers 100000 --demands 20000 --corpus-only   # ~2 minutes
    python -m bench.matching --offers 100000 --demands 20000 --reuse         # ~10 minutes

Keep the two runs' code at the same text hashing and model version: a corpus loaded by older code looks stale
to newer code, and matching would then embed all 100,000 offers (hours).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL_DIR = ROOT.parent / "shared" / "eval" / "dev"


def setup_django(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["DATABASE_URL"] = database_url
    os.environ.pop("REDIS_URL", None)
    # Tasks in-process: the benchmark times the work itself.
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    os.environ.setdefault("HTTPS", "0")
    # The demo seeding sends its notifications: not onto the benchmark's output.
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()


def ensure_database(database_url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    name = database_url.rsplit("/", 1)[-1]
    admin = psycopg2.connect(database_url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()


def read_jsonl(path: Path) -> list[dict]:
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def first_tokens(text: str, n: int = 100) -> str:
    return " ".join(text.split()[:n])


def jitter(vectors, rng, scale: float = 0.02):
    import numpy as np

    noisy = vectors + rng.normal(0, scale, vectors.shape).astype(np.float32)
    return noisy / np.linalg.norm(noisy, axis=1, keepdims=True)


def clear_corpus() -> None:
    """Empty the benchmark database's records, matches and vectors (organisations stay).

    TRUNCATE, not the ORM's delete(): that collects every cascade in Python and took over 20
    minutes over an earlier corpus with its 400k matches. Also before the demo is seeded,
    which matches each demo record against whatever pool is there."""
    from django.db import connection

    from demands.models import Demand
    from matching.models import Embedding, Match, MatchedRecord, MatchingRun
    from offers.models import Offer

    models = (Match, MatchedRecord, MatchingRun, Embedding, Demand, Offer)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(m._meta.db_table for m in models)} CASCADE")


def build_corpus(n_offers: int, n_demands: int, seed: int = 7) -> dict:
    """Bulk-insert the corpus with its embeddings; returns the base records for timed runs."""
    import numpy as np
    from django.db import connection, transaction

    from accounts.models import Organization
    from demands.models import Demand
    from matching import corpus
    from matching.engine.embedder import record_vectors, text_hash
    from matching.models import Embedding
    from offers.models import Offer
    from portal.models import Field

    rng = np.random.default_rng(seed)
    base_offers = read_jsonl(EVAL_DIR / "offers.jsonl")
    base_demands = read_jsonl(EVAL_DIR / "demands.jsonl")
    field_names = dict(Field.objects.filter(parent__isnull=False).values_list("code", "name_en"))
    model = corpus.embedder()

    clear_corpus()
    with transaction.atomic():
        reps = list(Organization.objects.filter(kind="representation"))
        firms = list(Organization.objects.filter(kind="enterprise"))

    def offer_profile_text(row, i):
        extra = f" {field_names.get((row.get('fields') or ['2.02'])[0], '')} {i}"
        return row["title"] + extra, row["description"]

    # Base vectors: the real model on the real texts (as the portal would embed them).
    from matching.engine.profiles import DemandProfile, OfferProfile

    offer_base_vectors = record_vectors(
        model,
        "offer",
        [r["title"] for r in base_offers],
        [
            OfferProfile(id=0, title=r["title"], text=r["description"]).full_text
            for r in base_offers
        ],
    )
    demand_base_vectors = record_vectors(
        model,
        "demand",
        [r["title"] for r in base_demands],
        [
            DemandProfile(id=0, title=r["title"], text=r["description"]).full_text
            for r in base_demands
        ],
    )

    batch = 5000
    fields_through = Offer.fields.through
    for start in range(0, n_offers, batch):
        stop = min(n_offers, start + batch)
        rows, picks = [], []
        for i in range(start, stop):
            pick = i % len(base_offers)
            base = base_offers[pick]
            title, description = offer_profile_text(base, i)
            rows.append(
                Offer(
                    representation=reps[i % len(reps)],
                    provider_name=f"Provider {i}",
                    provider_country=base.get("country") or "JP",
                    title=title,
                    summary=description,
                    language=base["language"],
                    trl_id=base.get("trl"),
                    status=Offer.Status.PUBLISHED,
                    external_ref=f"bench-{i}",
                    search_text="",
                )
            )
            picks.append(pick)
        created = Offer.objects.bulk_create(rows, batch_size=1000)
        fields_through.objects.bulk_create(
            [
                fields_through(offer_id=o.id, field_id=f)
                for o, p in zip(created, picks, strict=True)
                for f in (base_offers[p].get("fields") or [])[:3]
            ],
            batch_size=5000,
            ignore_conflicts=True,
        )
        vectors = jitter(offer_base_vectors[picks], rng)
        Embedding.objects.bulk_create(
            [
                Embedding(
                    kind="offer",
                    object_id=o.id,
                    model_version=model.model_version,
                    text_hash=text_hash(
                        OfferProfile(id=o.id, title=o.title, text=corpus.offer_text(o)).full_text
                    ),
                    language=o.language,
                    vector=vectors[k].astype("<f4").tobytes(),
                )
                for k, o in enumerate(created)
            ],
            batch_size=2000,
        )

    firm_fields = Demand.fields.through
    rows, picks = [], []
    for i in range(n_demands):
        pick = i % len(base_demands)
        base = base_demands[pick]
        firm = firms[i % len(firms)]
        rows.append(
            Demand(
                organization=firm,
                province_id=firm.province_id,
                title=f"{base['title']} ({i})",
                problem=base["description"],
                language=base["language"],
                status=Demand.Status.PUBLISHED,
                trl_min_id=base.get("trl_min"),
                budget_max_vnd=base.get("budget_vnd"),
            )
        )
        picks.append(pick)
    created = Demand.objects.bulk_create(rows, batch_size=2000)
    firm_fields.objects.bulk_create(
        [
            firm_fields(demand_id=d.id, field_id=f)
            for d, p in zip(created, picks, strict=True)
            for f in (base_demands[p].get("fields") or [])[:3]
        ],
        batch_size=5000,
        ignore_conflicts=True,
    )
    vectors = jitter(demand_base_vectors[picks], rng)
    Embedding.objects.bulk_create(
        [
            Embedding(
                kind="demand",
                object_id=d.id,
                model_version=model.model_version,
                text_hash=text_hash(
                    DemandProfile(id=d.id, title=d.title, text=corpus.demand_text(d)).full_text
                ),
                language=d.language,
                vector=vectors[k].astype("<f4").tobytes(),
            )
            for k, d in enumerate(created)
        ],
        batch_size=2000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"base_offers": base_offers, "base_demands": base_demands, "firms": firms, "reps": reps}


def progress(what: str, *values) -> None:
    print(what, *(round(v, 1) for v in values), file=sys.stderr, flush=True)


def reuse_corpus() -> dict:
    from django.db import connection

    from accounts.models import Organization
    from matching.models import Match, MatchedRecord

    # TRUNCATE, not .delete(): Django's delete would load the 400,000 matches of the last
    # run into memory, and this process's peak memory is one of the figures.
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Match._meta.db_table}, {MatchedRecord._meta.db_table} CASCADE")
    return {
        "base_offers": read_jsonl(EVAL_DIR / "offers.jsonl"),
        "base_demands": read_jsonl(EVAL_DIR / "demands.jsonl"),
        "firms": list(Organization.objects.filter(kind="enterprise")),
        "reps": list(Organization.objects.filter(kind="representation")),
    }


def measure_embedding(base: dict) -> tuple[float, float]:
    """Texts per second on real offer texts cut to ~100 model tokens, and their mean length."""
    from matching import corpus

    # ~64 words make ~100 XLM-R tokens in these English and Vietnamese texts.
    texts = [first_tokens(r["title"] + ". " + r["description"], 64) for r in base["base_offers"]][
        :64
    ]
    model = corpus.embedder()
    model.embed_passages(texts[:4])  # warm
    started = time.perf_counter()
    model.embed_passages(texts)
    rate = len(texts) / (time.perf_counter() - started)
    mean_tokens = statistics.mean(model.model.token_count(t) for t in texts)
    return rate, mean_tokens


def timed_new_demands(base: dict, count: int) -> tuple[list[float], list[float]]:
    """Per new demand: ms of the whole match (embedding and writes included), and ms of
    embedding its text alone (measured apart, so the figure can be split)."""
    from demands.models import Demand
    from matching import corpus, services
    from matching.engine.embedder import record_vectors

    timings, embeddings = [], []
    for i in range(count):
        source = base["base_demands"][i % len(base["base_demands"])]
        firm = base["firms"][i % len(base["firms"])]
        # A new text each time, so the embedding is computed inside the timed call.
        demand = Demand.objects.create(
            organization=firm,
            province_id=firm.province_id,
            title=f"{source['title']} - mới {i}",
            problem=source["description"],
            language=source["language"],
            status=Demand.Status.PUBLISHED,
        )
        started = time.perf_counter()
        services.match_demand(demand_id=demand.id)
        timings.append((time.perf_counter() - started) * 1000)
        profile = corpus.demand_profile(demand)
        started = time.perf_counter()
        record_vectors(corpus.embedder(), "demand", [profile.title], [profile.full_text])
        embeddings.append((time.perf_counter() - started) * 1000)
    return timings, embeddings


def timed_submitted_demands(base: dict, count: int) -> list[float]:
    """ms to match a new demand whose text was embedded when it was submitted for review
    (what the portal does), i.e. the publish-time cost: ranking and writes."""
    from demands.models import Demand
    from matching import services

    timings = []
    for i in range(count):
        source = base["base_demands"][(i + 7) % len(base["base_demands"])]
        firm = base["firms"][i % len(base["firms"])]
        demand = Demand.objects.create(
            organization=firm,
            province_id=firm.province_id,
            title=f"{source['title']} - đã gửi {i}",
            problem=source["description"],
            language=source["language"],
            status=Demand.Status.PUBLISHED,
        )
        services.embed_record(kind="demand", object_id=demand.id)  # at submission, untimed
        started = time.perf_counter()
        services.match_demand(demand_id=demand.id)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def timed_new_offers(base: dict, count: int) -> tuple[list[float], list[float]]:
    from matching import corpus, services
    from matching.engine.embedder import record_vectors
    from offers.models import Offer

    timings, embeddings = [], []
    for i in range(count):
        source = base["base_offers"][i % len(base["base_offers"])]
        offer = Offer.objects.create(
            representation=base["reps"][i % len(base["reps"])],
            provider_name=f"New provider {i}",
            provider_country=source.get("country") or "JP",
            title=f"{source['title']} v{i}",
            summary=source["description"],
            language=source["language"],
            status=Offer.Status.PUBLISHED,
        )
        started = time.perf_counter()
        services.match_offer(offer_id=offer.id)
        timings.append((time.perf_counter() - started) * 1000)
        profile = corpus.offer_profile(offer)
        started = time.perf_counter()
        record_vectors(corpus.embedder(), "offer", [profile.title], [profile.full_text])
        embeddings.append((time.perf_counter() - started) * 1000)
    return timings, embeddings


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=10_000)
    parser.add_argument("--demands", type=int, default=2_000)
    parser.add_argument("--samples", type=int, default=30, help="timed new demands and offers")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the corpus already loaded in the benchmark database",
    )
    parser.add_argument(
        "--corpus-only",
        action="store_true",
        help="build the corpus and stop (then time it with --reuse)",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@localhost:5432/portal_bench"
        ),
    )
    args = parser.parse_args()

    ensure_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if not args.reuse:  # organisations and logins for the corpus, on an emptied database
        clear_corpus()
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    from matching import corpus, services

    random.seed(7)
    started = time.perf_counter()
    base = reuse_corpus() if args.reuse else build_corpus(args.offers, args.demands)
    load_s = time.perf_counter() - started
    progress("corpus ready", load_s)
    if args.corpus_only:
        return

    weights, _version = corpus.current_weights()
    started = time.perf_counter()
    corpus.offer_index(weights)
    offer_index_s = time.perf_counter() - started
    started = time.perf_counter()
    corpus.demand_index(weights)
    demand_index_s = time.perf_counter() - started

    progress("indexes built", offer_index_s, demand_index_s)
    embed_rate, embed_tokens = measure_embedding(base)
    progress("embed texts/s", embed_rate)
    demand_ms, demand_embed_ms = timed_new_demands(base, args.samples)
    submitted_ms = timed_submitted_demands(base, args.samples)
    progress("match one demand ms p50/p95", statistics.median(demand_ms), p(demand_ms, 0.95))
    corpus.demand_index(weights)  # the new demands join the demand index once, untimed
    offer_ms, offer_embed_ms = timed_new_offers(base, args.samples)
    progress("match one offer ms p50/p95", statistics.median(offer_ms), p(offer_ms, 0.95))

    from accounts.models import User

    coordinator = User.objects.get(email="coordinator@demo.local")
    corpus.offer_index(weights)  # the new offers join the offer index once, untimed
    started = time.perf_counter()
    from matching.models import MatchingRun

    MatchingRun.objects.all().delete()
    run = services.rebuild_start(by=coordinator)
    while services.rebuild_chunk(run_id=run.id):
        pass
        progress("rebuild", MatchingRun.objects.get(pk=run.id).processed)
    rebuild_s = time.perf_counter() - started

    print(
        json.dumps(
            {
                "offers": args.offers,
                "demands": args.demands,
                "embed_texts_per_s": round(embed_rate, 1),
                "embed_mean_tokens": round(embed_tokens),
                "match_one_demand_ms_p50": round(statistics.median(demand_ms), 1),
                "match_one_demand_ms_p95": round(p(demand_ms, 0.95), 1),
                "match_one_demand_embed_ms_p50": round(statistics.median(demand_embed_ms), 1),
                "match_submitted_demand_ms_p50": round(statistics.median(submitted_ms), 1),
                "match_submitted_demand_ms_p95": round(p(submitted_ms, 0.95), 1),
                "match_one_offer_ms_p50": round(statistics.median(offer_ms), 1),
                "match_one_offer_ms_p95": round(p(offer_ms, 0.95), 1),
                "match_one_offer_embed_ms_p50": round(statistics.median(offer_embed_ms), 1),
                "rebuild_s": round(rebuild_s, 1),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "offer_index_build_s": round(offer_index_s, 1),
                "demand_index_build_s": round(demand_index_s, 1),
                "corpus_load_s": round(load_s, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
