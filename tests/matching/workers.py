"""Real `celery worker` subprocesses on the local Redis and the test database, for the tests
that start one (marked `worker`), and a bounded wait."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def wait_for(condition, timeout: float, what: str, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Worker:
    """One worker (main process + one prefork child). With `own_group` it leads a process
    group of its own, so a test can kill -9 the whole worker without hitting pytest."""

    def __init__(
        self,
        log_path: Path,
        *,
        settings_module: str = "portal.settings_test",
        env: dict | None = None,
        own_group: bool = False,
    ):
        db = connection.settings_dict
        self.log_path = log_path
        env = {
            # Not an xdist worker itself: its settings must not shift the Redis database again.
            **{k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"},
            "DJANGO_SETTINGS_MODULE": settings_module,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}",
            "REDIS_URL": settings.REDIS_URL,
            **(env or {}),
        }
        self.log = open(log_path, "w")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--loglevel=INFO",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=own_group,
        )
        wait_for(lambda: "ready." in self.output(), 60, "the worker to start")

    def output(self) -> str:
        return self.log_path.read_text()

    def child_pid(self) -> int:
        children = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        )
        return int(children.stdout.split()[0])

    def signal_group(self, signum: int) -> None:
        """Signal the main process and its children at once (needs `own_group`)."""
        os.killpg(self.process.pid, signum)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()
