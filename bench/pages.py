"""Page benchmark: python -m bench.pages [--reuse] [--pages NAME,...]

Builds the national dataset (bench/national.py: 100,000 offers, 20,000 demands over 34
provinces, the matches of the portal's own rebuild, ~1,700 connections in every state) in a
PostgreSQL database of its own (BENCH_PAGES_DATABASE_URL, default portal_pagebench), serves it
with gunicorn as production does (2 workers, DEBUG off, Redis cache) and prints one JSON line
per page, signed in as the role that uses it:

    {"page": ..., "role": ..., "path": ..., "p50_ms": <1 user>, "p95_ms": <20 users>,
     "p50_20_ms": ..., "req_per_s": <20 users>, "queries": ..., "top_query_ms": ...,
     "bytes": ..., "ratio": ...}

`ratio` is the page's 1-user p50 over a bare Django view's (bench/urls.py), measured in the
same run; `queries` counts the queries of one warm request, in this process, through Django's
test client on the same database and cache, and `top_query_ms` is the slowest of them (its
plan with --explain). A page that fails or times out says "error" and is not loaded further.
Figures only: nothing here asserts a speed.

    python -m bench.pages                    # build (~15-20 minutes here), then measure
    python -m bench.pages --reuse            # measure the dataset already built
    python -m bench.pages --reuse --pages dashboard,xlsx --explain
    python -m bench.pages --demo > demo.jsonl  # the same pages on the seeded demo
    python -m bench.pages --reuse --against-demo demo.jsonl  # adds x_demo: p50 over the demo's
    python -m bench.pages --demo --database-url sqlite:////tmp/demo.sqlite3  # the embedded demo
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECRET_KEY = "bench-pages-only"
# Another Redis db with BENCH_PAGES_CACHE_URL (two benchmarks at once must not share cached figures).
CACHE_URL = os.environ.get("BENCH_PAGES_CACHE_URL", "redis://localhost:6379/12")
SLOW_MS = 2000  # a page slower than this at 1 user is not loaded with 20 users

# Who looks at the pages: the demo's logins (bench.national keeps them).
ROLES = {
    "coordinator": "coordinator@demo.local",
    "staff": "staff.thainguyen@demo.local",
    "representative": "rep.japan@demo.local",
    "enterprise": "enterprise.tea@demo.local",
}


@dataclass(frozen=True)
class Page:
    name: str  # short; spreadsheets say xlsx
    role: str
    path: str  # a path, not a URL name; {placeholders} come from targets()


# Addressed by path so the list survives renamed views; `{...}` are ids from targets().
PAGES = [
    Page("home", "enterprise", "/"),
    Page("catalogue", "staff", "/offers/"),
    Page(
        "catalogue search accents",
        "staff",
        "/offers/?q=x%E1%BB%AD+l%C3%BD+n%C6%B0%E1%BB%9Bc+th%E1%BA%A3i",
    ),
    Page("catalogue search no accents", "staff", "/offers/?q=xu+ly+nuoc+thai"),
    Page("catalogue field filter", "staff", "/offers/?field={field}"),
    Page("catalogue deep page", "staff", "/offers/?page=2000"),
    Page("offer detail", "representative", "/offers/{offer}/"),
    Page("own offers", "representative", "/offers/mine/"),
    Page("demand list staff", "staff", "/demands/"),
    Page("demand list coordinator", "coordinator", "/demands/"),
    Page("demand list enterprise", "enterprise", "/demands/"),
    Page("demand search", "staff", "/demands/?q=nuoc+thai"),
    Page("demand detail staff", "staff", "/demands/{demand}/"),
    Page("demand detail enterprise", "enterprise", "/demands/{own_demand}/"),
    Page("review queue", "staff", "/matching/review/"),
    Page("board staff", "staff", "/matching/board/"),
    Page("board coordinator", "coordinator", "/matching/board/"),
    Page("introductions enterprise", "enterprise", "/matching/introductions/"),
    Page("introductions representative", "representative", "/matching/introductions/"),
    Page("connection detail", "staff", "/matching/{connection}/"),
    Page("dashboard enterprise", "enterprise", "/dashboard/enterprise/"),
    Page("dashboard staff", "staff", "/dashboard/staff/"),
    Page("dashboard representative", "representative", "/dashboard/representative/"),
    Page("dashboard coordinator", "coordinator", "/dashboard/coordinator/"),
    Page("pipeline xlsx staff", "staff", "/reports/pipeline.xlsx"),
    Page("pipeline xlsx coordinator", "coordinator", "/reports/pipeline.xlsx"),
    Page("yearly xlsx", "coordinator", "/reports/yearly.xlsx?year={year}"),
    Page("demand export csv staff", "staff", "/demands/export.csv"),
    Page("demand export xlsx staff", "staff", "/demands/export.xlsx"),
    Page("demand export xlsx coordinator", "coordinator", "/demands/export.xlsx"),
    Page("campaigns", "staff", "/demands/campaigns/"),
    Page("registrations", "staff", "/accounts/registrations/"),
    Page("notifications", "enterprise", "/notifications/"),
    Page("rebuild runs", "coordinator", "/matching/runs/"),
    Page("api offers", "representative", "/api/offers/"),
    Page("api demands", "representative", "/api/demands/"),
    Page("api matches", "representative", "/api/matches/"),
]
BARE = Page("bare", "staff", "/bench/bare/")


def targets() -> dict:
    """The ids the paths need, picked the same way on any dataset (the demo's too)."""
    from django.db.models import Count
    from django.utils import timezone

    from accounts.models import User
    from demands.models import Demand
    from matching.models import Match
    from offers.models import Offer

    staff = User.objects.get(email=ROLES["staff"])
    firm = User.objects.get(email=ROLES["enterprise"])
    rep = User.objects.get(email=ROLES["representative"])
    connected = ["meeting", "negotiating", "agreement", "consented", "introduced"]
    in_province = Match.objects.filter(
        demand__province_id=staff.organization.province_id, status__in=connected
    ).order_by("id")
    connection = in_province.first()
    own = Offer.objects.filter(representation_id=rep.organization_id)
    offer = (
        own.filter(matches__status__in=connected).order_by("id").first()
        or own.order_by("id").first()
    )
    field = (
        Offer.fields.through.objects.values("field_id")
        .annotate(n=Count("id"))
        .order_by("-n", "field_id")
        .first()
    )
    return {
        "connection": connection.pk,
        "demand": connection.demand_id,
        "own_demand": Demand.objects.filter(organization_id=firm.organization_id)
        .order_by("id")
        .values_list("pk", flat=True)
        .first(),
        "offer": offer.pk,
        "field": field["field_id"],
        "year": timezone.localdate().year,
    }


def chosen(names: str | None) -> list[Page]:
    """Pages whose name contains any of the comma-separated words (all when None)."""
    if not names:
        return list(PAGES)
    words = [w.strip() for w in names.split(",") if w.strip()]
    return [p for p in PAGES if any(w in p.name for w in words)]


# --- serving ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(database_url: str) -> dict:
    """Production as docker-compose runs it, on this machine: DEBUG off, plain HTTP."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=database_url,
        SECRET_KEY=SECRET_KEY,
        DEBUG="0",
        HTTPS="0",
        REDIS_URL=CACHE_URL,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
        # The API throttle (1,000/hour a user) would answer the benchmark's loops 429.
        API_THROTTLE_RATE="100000000/hour",
    )
    if database_url.startswith("sqlite:"):  # as `make run` serves the demo: no Redis at all
        del env["REDIS_URL"]
        env.pop("CACHE_URL", None)
    return env


@contextlib.contextmanager
def gunicorn(database_url: str, workers: int = 2):
    port = free_port()
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--chdir",
            str(ROOT),
            "--log-level",
            "warning",
        ],
        env=server_env(database_url),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        import requests

        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(base + "/bench/bare/", timeout=5)
                break
            except requests.RequestException:  # not listening yet, or still loading
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()


def drop_database(database_url: str) -> None:
    if database_url.startswith("sqlite:"):
        path = Path(database_url.removeprefix("sqlite://"))
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        return
    import psycopg2
    from psycopg2 import sql

    admin = psycopg2.connect(database_url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        name = sql.Identifier(database_url.rsplit("/", 1)[-1])
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))
    admin.close()


def session_cookies() -> dict[str, str]:
    """A signed-in session per role, stored in the database the server reads."""
    from django.conf import settings
    from django.test import Client

    from accounts.models import User

    cookies = {}
    for role, email in ROLES.items():
        client = Client()
        client.force_login(User.objects.get(email=email))
        cookies[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return cookies


# --- measuring --------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _session(cookie: str):
    import requests

    session = requests.Session()
    session.cookies.set("sessionid", cookie)
    return session


def one_user(url: str, cookie: str, seconds: float, most: int, timeout: float):
    """Sequential requests for `seconds` (at least 3, at most `most`): times in ms, errors."""
    import requests

    session, times, errors = _session(cookie), [], []
    deadline = time.monotonic() + seconds
    while len(times) < most and (len(times) < 3 or time.monotonic() < deadline):
        started = time.perf_counter()
        try:
            response = session.get(url, timeout=timeout)
        except requests.RequestException as error:
            errors.append(type(error).__name__)
            break  # a page that does not answer is not asked again
        if response.status_code != 200:
            errors.append(response.status_code)
            break
        times.append((time.perf_counter() - started) * 1000)
    return times, errors, len(response.content) if times else 0


def many_users(url: str, cookie: str, users: int, seconds: float, timeout: float):
    """`users` threads in a closed loop for `seconds` (each makes at least one request)."""
    import requests

    times, errors, lock = [], [], threading.Lock()
    deadline = time.monotonic() + seconds

    def user():
        session, done = _session(cookie), 0
        while done == 0 or time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                response = session.get(url, timeout=timeout)
                status = response.status_code
            except requests.RequestException as error:
                status = type(error).__name__
            elapsed = (time.perf_counter() - started) * 1000
            done += 1
            with lock:
                (times.append(elapsed) if status == 200 else errors.append(status))
            if status != 200:
                return

    started = time.perf_counter()
    threads = [threading.Thread(target=user) for _ in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times, errors, len(times) / (time.perf_counter() - started)


def query_count(path: str, role: str) -> tuple[int | None, int, dict]:
    """Queries of one warm request (the second), in this process; its status; its slowest
    query ({"ms", "sql"})."""
    from django.db import OperationalError, connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=ROLES[role]))
    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cursor:  # a page that never answers is not waited for
            cursor.execute("SET statement_timeout = '60s'")
    try:
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
    except OperationalError:
        return None, 0, {}
    finally:
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("SET statement_timeout = 0")
    slowest = max(queries.captured_queries, key=lambda q: float(q["time"]), default=None)
    top = {"ms": round(float(slowest["time"]) * 1000, 1), "sql": slowest["sql"]} if slowest else {}
    return len(queries), response.status_code, top


def explain(sql: str) -> str:
    """EXPLAIN ANALYZE of a captured query (printed with --explain, for the later fixes)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = '60s'")
        try:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            return "\n".join(row[0] for row in cursor.fetchall())
        except Exception as error:  # a plan is a hint; never the reason a run stops
            return f"(no plan: {error})"
        finally:
            cursor.execute("SET statement_timeout = 0")


def settle(base: str, cookie: str, most: float = 120) -> bool:
    """Wait until the server answers the bare view at once again (queued requests drained)."""
    import requests

    session, deadline = _session(cookie), time.monotonic() + most
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            answered = session.get(base + BARE.path, timeout=10).status_code == 200
            if answered and time.perf_counter() - started < 0.5:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.5)
    return False


def measure(base: str, page: Page, path: str, cookie: str, args) -> dict:
    url = base + path
    _warm, warm_errors, size = one_user(url, cookie, 0, 1, args.timeout)  # fills caches
    row = {"page": page.name, "role": page.role, "path": path}
    if warm_errors:
        return {**row, "error": warm_errors[0]}
    times, errors, size = one_user(url, cookie, args.seconds, args.samples, args.timeout)
    row.update(p50_ms=round(statistics.median(times), 1) if times else None, bytes=size)
    if errors:
        return {**row, "error": errors[0]}
    if args.users and row["p50_ms"] > SLOW_MS:
        # 20 queued requests of seconds each would only measure the queue (and trip
        # gunicorn's 30 s timeout): such a page is reported at 1 user only.
        row["note"] = f"{args.users} users not run: over {SLOW_MS} ms at 1 user"
    elif args.users:
        load, load_errors, rate = many_users(url, cookie, args.users, args.seconds, args.timeout)
        row.update(
            p95_ms=round(percentile(load, 0.95), 1) if load else None,
            p50_20_ms=round(statistics.median(load), 1) if load else None,
            req_per_s=round(rate, 1),
        )
        if load_errors:
            row["errors_20"] = len(load_errors)
        settle(base, cookie)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="keep the dataset already built")
    parser.add_argument("--pages", help="only pages whose name contains one of these words")
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--demands", type=int, default=20_000)
    parser.add_argument("--users", type=int, default=20, help="concurrent users (0: none)")
    parser.add_argument("--seconds", type=float, default=5.0, help="per page and phase")
    parser.add_argument("--samples", type=int, default=30, help="most 1-user requests a page")
    parser.add_argument("--timeout", type=float, default=40.0, help="seconds for one request")
    parser.add_argument(
        "--explain",
        action="store_true",
        help="print each page's slowest query and its EXPLAIN ANALYZE to stderr",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_PAGES_DATABASE_URL"),
        help="default portal_pagebench (portal_pagebench_demo with --demo) on local PostgreSQL",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="measure the seeded demo instead (database portal_pagebench_demo, seeded afresh)",
    )
    parser.add_argument(
        "--against-demo",
        type=Path,
        help="JSON lines of a --demo run: each page also gets x_demo, its p50 over the demo's",
    )
    args = parser.parse_args()
    if not args.database_url:
        name = "portal_pagebench_demo" if args.demo else "portal_pagebench"
        args.database_url = f"postgres://postgres@localhost:5432/{name}"
    demo_p50 = {}
    if args.against_demo:
        rows = [json.loads(line) for line in args.against_demo.read_text().splitlines() if line]
        demo_p50 = {(r["page"], r.get("role")): r["p50_ms"] for r in rows if r.get("p50_ms")}

    from bench.matching import ensure_database, setup_django

    # This process counts queries through the same cache as the server, signed as it signs.
    os.environ["SECRET_KEY"] = SECRET_KEY
    sqlite = args.database_url.startswith("sqlite:")  # the embedded demo's database (--demo)
    if not sqlite:
        os.environ["CACHE_URL"] = CACHE_URL
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    if args.demo and not args.reuse:
        drop_database(args.database_url)
    if not sqlite:
        ensure_database(args.database_url)
    setup_django(args.database_url)
    from django.core.cache import cache
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if args.demo and not args.reuse:
        call_command("seed_demo", verbosity=0, stdout=io.StringIO())  # not into the JSON lines
    elif not args.reuse:
        from bench import national

        print(json.dumps(national.build(args.offers, args.demands)), file=sys.stderr)
    call_command("collectstatic", interactive=False, verbosity=0)  # the manifest of this code
    cache.clear()

    ids = targets()
    pages = chosen(args.pages)
    cookies = session_cookies()
    with gunicorn(args.database_url) as base:
        bare = measure(base, BARE, BARE.path, cookies[BARE.role], args)
        print(json.dumps({**bare, "queries": 0, "ratio": 1.0}), flush=True)
        for page in pages:
            if not settle(base, cookies[BARE.role]):
                print(json.dumps({"page": page.name, "error": "server not answering"}), flush=True)
                continue
            path = page.path.format(**ids)
            row = measure(base, page, path, cookies[page.role], args)
            row["queries"], _status, top = query_count(path, page.role)
            if top:
                row["top_query_ms"] = top["ms"]
                if args.explain:
                    print(f"--- {page.name}: {top['sql'][:2000]}", file=sys.stderr)
                    print(explain(top["sql"]), file=sys.stderr, flush=True)
            if row.get("p50_ms") and bare.get("p50_ms"):
                row["ratio"] = round(row["p50_ms"] / bare["p50_ms"], 1)
            if row.get("p50_ms") and demo_p50.get((page.name, page.role)):
                row["x_demo"] = round(row["p50_ms"] / demo_p50[(page.name, page.role)], 1)
            print(json.dumps(row, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
