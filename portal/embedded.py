"""`make run`: honcho runs Procfile.embedded (web, one Celery worker, beat); Ctrl-C stops all.

honcho answers Ctrl-C with SIGTERM to each process and SIGKILL 5 s later (its KILL_WAIT, not an
option). A Celery worker's warm shutdown took 4-7 s here even when idle; killed before it ends,
the messages it has taken from kombu's SQL transport stay marked delivered in the table and are
never run. So the worker gets the time it needs.
"""

import sys

from honcho import manager
from honcho.command import main

KILL_WAIT = 30  # seconds between SIGTERM and SIGKILL

if __name__ == "__main__":
    manager.KILL_WAIT = KILL_WAIT
    sys.exit(main())
