"""The national dataset of the page benchmark (bench.pages): 34 provinces, 100k offers, 20k
demands, the matches of the portal's own rebuild and ~1,700 connections in every state.

Built on bench.matching's corpus (texts from ../shared/eval/dev, vectors derived from real
embeddings) with organisations added first: a provincial department with one staff member in
every province and enterprises in every province, Thái Nguyên holding about a tenth of them
(~2,000 demands), each with a member who answers introductions. The matches come from
`manage.py rebuild_matches`; staff decisions and the pipeline go through the workflow's own
services (notifications and events included), then their dates are spread over the last year.
"""

from __future__ import annotations

import random
import sys
import time

# Of the demands' best matches, what staff did with them (counts; ~1,700 introduced or later).
STAGES = {
    "rejected": 2400,
    "shortlisted": 600,
    "introduced": 250,  # both sides still silent
    "introduced_one": 150,  # one side said interested, the other is silent
    "consented": 150,
    "meeting": 250,
    "negotiating": 150,
    "agreement": 300,
    "not_interested": 300,  # dropped by a party's answer
    "dropped": 150,  # dropped after a meeting
}
THAI_NGUYEN_FIRMS = 33  # + the demo's 4: ~10 % of the firms, ~2,000 of 20,000 demands
FIRMS_PER_PROVINCE = 10
STAFF_EMAIL = "staff.{slug}@bench.local"
FIRM_EMAIL = "firm.{slug}.{n}@bench.local"


def progress(what: str, *values) -> None:
    print(what, *values, file=sys.stderr, flush=True)


def clear_all() -> None:
    """Records, matches, the pipeline and notifications, by TRUNCATE (organisations stay)."""
    from django.db import connection

    from bench.matching import clear_corpus
    from notifications.models import Notification

    clear_corpus()
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Notification._meta.db_table} CASCADE")


def add_organisations(password_hash: str) -> None:
    """A department with a staff member in each province; enterprises with a member each."""
    from accounts.models import Organization, User
    from portal.models import Province

    Kind = Organization.Kind
    for province in Province.objects.order_by("slug"):
        department = Organization.objects.filter(
            kind=Kind.PROVINCIAL_DEPARTMENT, province=province
        ).first() or Organization.objects.create(
            kind=Kind.PROVINCIAL_DEPARTMENT,
            name=f"Sở Khoa học và Công nghệ {province.name_vi}",
            province=province,
        )
        if not department.members.exists():
            User.objects.create(
                email=STAFF_EMAIL.format(slug=province.slug),
                full_name=f"Cán bộ {province.name_vi}",
                organization=department,
                password=password_hash,
            )
        count = THAI_NGUYEN_FIRMS if province.slug == "thai-nguyen" else FIRMS_PER_PROVINCE
        if province.slug == "bac-ninh":
            count -= 1  # the demo's firm is the tenth
        for n in range(count):
            firm, _created = Organization.objects.get_or_create(
                kind=Kind.ENTERPRISE,
                name=f"Công ty TNHH Công nghệ {province.name_vi} số {n + 1}",
                defaults={
                    "province": province,
                    "size": Organization.Size.SMALL,
                    "contact_email": f"contact.{province.slug}.{n}@bench.local",
                    "contact_phone": "+84 24 3800 0000",
                },
            )
            if not firm.members.exists():
                User.objects.create(
                    email=FIRM_EMAIL.format(slug=province.slug, n=n),
                    full_name=f"Giám đốc {firm.name}",
                    organization=firm,
                    password=password_hash,
                )


def fill_derived(seed: int) -> None:
    """What bulk_create skipped: folded search texts and publication dates over two years."""
    from django.db import connection
    from psycopg2.extras import execute_values

    from portal.text import search_blob

    rng = random.Random(seed)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        for table, columns in (
            ("offers_offer", "title, summary, provider_name"),
            ("demands_demand", "title, problem"),
        ):
            cursor.execute(f"SELECT id, {columns} FROM {table}")
            rows = [(row[0], search_blob(*row[1:]), rng.uniform(1, 730)) for row in cursor]
            cursor.execute(f"CREATE TEMP TABLE derived_{table} (id bigint, s text, age float)")
            execute_values(raw, f"INSERT INTO derived_{table} VALUES %s", rows, page_size=5000)
            published = "now() - d.age * interval '1 day'"
            cursor.execute(
                f"UPDATE {table} t SET search_text = d.s, published_at = {published}, "
                f"created_at = {published} - interval '3 days' "
                f"FROM derived_{table} d WHERE t.id = d.id"
            )
            cursor.execute(f"DROP TABLE derived_{table}")
        cursor.execute("UPDATE demands_demand SET submitted_at = published_at - interval '2 days'")
        cursor.execute("ANALYZE")


def rebuild() -> None:
    """The portal's own full rebuild (`manage.py rebuild_matches`), as a coordinator runs it."""
    import os

    from django.core.management import call_command

    with open(os.devnull, "w") as quiet:
        call_command("rebuild_matches", user="coordinator@demo.local", stdout=quiet)


def walk_pipeline(seed: int) -> dict[str, int]:
    """Staff decisions and connections through the workflow's services, on the best match of
    randomly chosen demands; returns the count per stage."""
    import datetime

    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Organization, User
    from connections import services as workflow
    from matching.models import Answer, Match

    staff = {
        u.organization.province_id: u
        for u in User.objects.filter(
            organization__kind=Organization.Kind.PROVINCIAL_DEPARTMENT, is_active=True
        ).select_related("organization")
    }
    member = {}
    for user in User.objects.filter(is_active=True, organization__isnull=False).order_by("id"):
        member.setdefault(user.organization_id, user)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT ON (demand_id) id FROM matching_match "
            "ORDER BY demand_id, score DESC, id"
        )
        best = [row[0] for row in cursor]
    random.Random(seed).shuffle(best)
    scale = min(1.0, len(best) / sum(STAGES.values()))  # a small dataset: the same shares
    plan, start = [], 0
    for stage, count in STAGES.items():
        count = max(1, round(count * scale))
        plan += [(stage, match_id) for match_id in best[start : start + count]]
        start += count
    done: dict[str, int] = {}
    started = time.perf_counter()
    for k, (stage, match_id) in enumerate(plan):
        match = Match.objects.select_related("demand", "offer").get(pk=match_id)
        by = staff[match.demand.province_id]
        firm = member[match.demand.organization_id]
        rep = member[match.offer.representation_id]
        with transaction.atomic():
            if stage == "rejected":
                reason = random.Random(match_id).choice(
                    ["wrong_field", "trl_too_early", "over_budget", "duplicate"]
                )
                workflow.match_reject(match=match, by=by, reason=reason)
            elif stage == "shortlisted":
                workflow.match_shortlist(match=match, by=by)
            else:
                workflow.match_introduce(match=match, by=by)
                if stage == "introduced_one":
                    workflow.match_answer(match=match, by=firm, answer=Answer.INTERESTED)
                elif stage == "not_interested":
                    side = firm if match_id % 2 else rep
                    workflow.match_answer(
                        match=match, by=side, answer=Answer.NOT_INTERESTED, message="Chưa phù hợp"
                    )
                elif stage != "introduced":
                    workflow.match_answer(match=match, by=firm, answer=Answer.INTERESTED)
                    workflow.match_answer(match=match, by=rep, answer=Answer.INTERESTED)
                    if stage != "consented":
                        workflow.match_schedule_meeting(
                            match=match,
                            by=by,
                            data={
                                "starts_at": timezone.now() + datetime.timedelta(days=7),
                                "timezone": "Asia/Ho_Chi_Minh",
                                "mode": "online",
                            },
                        )
                    if stage == "dropped":
                        workflow.match_drop(match=match, by=by, reason="Hai bên không thống nhất")
                    elif stage in ("negotiating", "agreement"):
                        workflow.match_start_negotiation(match=match, by=by)
                    if stage == "agreement":
                        workflow.match_record_agreement(
                            match=match,
                            by=by,
                            kind="technology_transfer_contract",
                            value_vnd=random.Random(match_id).randrange(2, 200) * 100_000_000,
                            signed_on=timezone.localdate(),
                        )
        done[stage] = done.get(stage, 0) + 1
        if k % 500 == 499:
            progress("pipeline", k + 1, "of", len(plan), round(time.perf_counter() - started), "s")
    return done


def spread_dates(seed: int) -> None:
    """The pipeline happened over the last year, not in the last minutes: each connection is
    moved back by its own age, its steps a few days apart."""
    from django.db import connection
    from psycopg2.extras import execute_values

    from connections.models import Agreement, MatchEvent, Meeting

    events, meetings, agreements = (m._meta.db_table for m in (MatchEvent, Meeting, Agreement))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT match_id FROM {events}")
        ids = [row[0] for row in cursor]
        rng = random.Random(seed)
        cursor.execute("CREATE TEMP TABLE ages (match_id bigint PRIMARY KEY, age float)")
        execute_values(
            cursor.cursor,
            "INSERT INTO ages VALUES %s",
            [(i, rng.uniform(30, 395)) for i in ids],
            page_size=5000,
        )
        back = "a.age * interval '1 day'"
        cursor.execute(
            f"UPDATE {events} e SET created_at = e.created_at - "
            f"{back} + r.n * interval '5 days' FROM ages a, (SELECT id, row_number() OVER "
            f"(PARTITION BY match_id ORDER BY created_at, id) - 1 AS n FROM {events}) r "
            "WHERE e.match_id = a.match_id AND r.id = e.id"
        )
        cursor.execute(
            f"UPDATE matching_match m SET introduced_at = m.introduced_at - {back}, "
            f"enterprise_answered_at = m.enterprise_answered_at - {back} + interval '5 days', "
            "representation_answered_at = m.representation_answered_at - "
            f"{back} + interval '6 days', updated_at = m.updated_at - {back} + interval '20 days' "
            "FROM ages a WHERE m.id = a.match_id"
        )
        cursor.execute(
            f"UPDATE {meetings} t SET starts_at = t.starts_at - {back} + interval '5 days', "
            f"created_at = t.created_at - {back} + interval '10 days' "
            "FROM ages a WHERE t.match_id = a.match_id"
        )
        cursor.execute(
            f"UPDATE {agreements} t SET signed_on = "
            f"(t.signed_on - {back} + interval '20 days')::date, "
            f"created_at = t.created_at - {back} + interval '20 days' "
            "FROM ages a WHERE t.match_id = a.match_id"
        )
        cursor.execute("DROP TABLE ages")
        # What autovacuum (off on these machines) does in production after such a load: the
        # rebuild and the pipeline rewrote every offer once, and without the visibility map an
        # index-only scan reads the heap (deep catalogue page 58 -> 184 ms).
        cursor.execute("VACUUM ANALYZE")


def build(n_offers: int, n_demands: int, seed: int = 7) -> dict:
    """The whole dataset, from an emptied benchmark database; returns its figures."""
    import os

    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from bench.matching import build_corpus

    figures: dict = {}
    started = time.perf_counter()
    clear_all()
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", stdout=quiet)
    add_organisations(make_password("bench-password-2026"))
    build_corpus(n_offers, n_demands, seed=seed)  # clears the demo's records, ANALYZE at the end
    fill_derived(seed)
    figures["corpus_s"] = round(time.perf_counter() - started)
    progress("corpus ready", figures["corpus_s"], "s")
    started = time.perf_counter()
    rebuild()
    figures["rebuild_s"] = round(time.perf_counter() - started)
    progress("rebuild done", figures["rebuild_s"], "s")
    started = time.perf_counter()
    figures["stages"] = walk_pipeline(seed)
    spread_dates(seed)
    figures["pipeline_s"] = round(time.perf_counter() - started)
    progress("pipeline done", figures["pipeline_s"], "s")
    return figures
