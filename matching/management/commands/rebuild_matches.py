"""Full rebuild of the matches from the shell, chunk by chunk, with a progress bar.

The run is the coordinator's: `services.rebuild_start` / `rebuild_resume` create or reopen
the MatchingRun row (so it shows on /matching/runs/ like any other) and `rebuild_chunk`
does each chunk, exactly as the worker's `matching.rebuild_matches` task does; only the
loop is here, in this process, so it needs no broker and no worker. Ctrl-C asks for a stop
after the current chunk (the run stays resumable); a second Ctrl-C abandons the chunk too.
"""

from __future__ import annotations

import signal
import time

from django.core.management.base import BaseCommand, CommandError

from accounts import permissions
from accounts.models import User
from matching import services
from matching.models import MatchingRun

BAR_WIDTH = 30
ACTIVE = (MatchingRun.State.RUNNING, MatchingRun.State.STOPPING)


def progress_line(run: MatchingRun, seconds: float) -> str:
    """'[#####.........] 2,500/20,000 demands, 1,234 matches, 45 s'"""
    done = round(BAR_WIDTH * run.processed / run.total) if run.total else BAR_WIDTH
    bar = "#" * done + "." * (BAR_WIDTH - done)
    return (
        f"[{bar}] {run.processed:,}/{run.total:,} demands, "
        f"{run.matches_written:,} matches, {seconds:.0f} s"
    )


class Command(BaseCommand):
    help = (
        "Rebuild every match in this process (no worker needed), showing progress. "
        "Ctrl-C stops after the current chunk; --resume continues the last stopped run."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--resume", action="store_true", help="continue the most recent stopped or failed run"
        )
        parser.add_argument(
            "--user",
            metavar="EMAIL",
            help="who starts the run (a coordinator or an administrator); "
            "default: the first administrator, else the first coordinator",
        )

    def handle(self, *args, resume: bool, user: str | None, **options):
        by = self._user(user)
        if resume:
            run = MatchingRun.objects.order_by("-started_at", "-id").first()
            if run is None or run.state not in (
                MatchingRun.State.STOPPED,
                MatchingRun.State.FAILED,
            ):
                raise CommandError(
                    "No stopped or failed run to resume: the last run is "
                    f"{run.state if run else 'missing'}."
                )
            run = services.rebuild_resume(run=run, by=by, enqueue=False)
            self.stdout.write(f"Resuming run {run.pk} after demand #{run.cursor}.")
        else:
            active = MatchingRun.objects.filter(state__in=ACTIVE).first()
            if active is not None:
                raise CommandError(
                    f"Run {active.pk} is already {active.state} ({active.processed:,}/"
                    f"{active.total:,} demands); let it finish, or stop it on the runs page "
                    "and continue it here with --resume."
                )
            run = services.rebuild_start(by=by, enqueue=False)
            self.stdout.write(
                f"Run {run.pk}: {run.total:,} demands to match (engine {run.engine_version})."
            )
        self._drive(run, by)

    def _user(self, email: str | None) -> User:
        if email:
            found = User.objects.filter(email=email.strip().lower()).first()
            if found is None or not permissions.can(found, "matching.rebuild"):
                raise CommandError(f"{email} is not a coordinator or an administrator.")
            return found
        candidates = User.objects.select_related("organization").order_by("-is_superuser", "pk")
        for candidate in candidates.filter(is_superuser=True).iterator():
            if permissions.can(candidate, "matching.rebuild"):
                return candidate
        for candidate in candidates.filter(organization__isnull=False).iterator():
            if permissions.can(candidate, "matching.rebuild"):
                return candidate
        raise CommandError("No coordinator or administrator account exists; pass --user.")

    def _drive(self, run: MatchingRun, by: User) -> None:
        interrupts = 0

        def on_interrupt(_signum, _frame):
            nonlocal interrupts
            interrupts += 1
            if interrupts > 1:
                raise KeyboardInterrupt
            self.stdout.write("\nStopping after the current chunk (Ctrl-C again to abandon it)...")

        try:
            previous, installed = signal.signal(signal.SIGINT, on_interrupt), True
        except ValueError:  # not the main thread (called from elsewhere): no Ctrl-C handling
            previous, installed = None, False
        started = time.monotonic()
        tty = hasattr(self.stdout, "isatty") and self.stdout.isatty()
        shown = -1
        ending = "\n"
        try:
            more = run.state == MatchingRun.State.RUNNING
            while more:
                if interrupts:
                    services.rebuild_stop(run=run, by=by)
                more = services.rebuild_chunk(run_id=run.pk)  # a stopping run turns stopped
                run.refresh_from_db()
                if run.processed != shown:  # the last call may find nothing left
                    ending = "\r" if tty and more else "\n"
                    self.stdout.write(progress_line(run, time.monotonic() - started), ending=ending)
                    shown = run.processed
        except KeyboardInterrupt:
            # The chunk's transaction was rolled back; its demands are redone on resume.
            services.rebuild_stop(run=run, by=by)
            services.rebuild_chunk(run_id=run.pk)
            run.refresh_from_db()
        except Exception as error:
            services.rebuild_fail(run_id=run.pk, error=error)
            raise CommandError(
                f"Run {run.pk} failed after {run.processed:,} demands: {error}. "
                "Fix the cause, then: manage.py rebuild_matches --resume"
            ) from error
        finally:
            if installed:
                signal.signal(signal.SIGINT, previous or signal.SIG_DFL)
        seconds = time.monotonic() - started
        if ending == "\r":  # keep the last progress line on screen
            self.stdout.write("")
        if run.state == MatchingRun.State.DONE:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Run {run.pk} done: {run.total:,} demands, {run.matches_written:,} matches "
                    f"written, {seconds:.1f} s."
                )
            )
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"Run {run.pk} {run.state} after {run.processed:,}/{run.total:,} demands "
                    f"({seconds:.1f} s). Continue with: manage.py rebuild_matches --resume"
                )
            )
