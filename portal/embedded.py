"""`make run`: honcho runs Procfile.embedded (web, one Celery worker, beat); Ctrl-C stops all.

On Ctrl-C honcho sends SIGTERM to each process group and SIGKILL 5 s later. For a Celery worker
both hurt: SIGTERM also reaches its pool child, which dies mid-task and leaves the main process
waiting on the dead pool; and its warm shutdown takes 4-7 s here even when idle. Killed before
it ends, the messages it has taken from kombu's SQL transport stay marked delivered in the table
and are never run. So, as `docker stop` does, SIGTERM goes to each main process only (the
Procfile `exec`s, so that is the program itself, not a shell), and SIGKILL to the whole group
only after KILL_WAIT.
"""

import errno
import os
import signal
import sys

from honcho import compat, manager
from honcho.command import main

KILL_WAIT = 30  # seconds between SIGTERM and SIGKILL


class MainProcessFirst(compat.ProcessManager):
    def terminate(self, pid):
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError as error:
            if error.errno not in (errno.EPERM, errno.ESRCH):
                raise


if __name__ == "__main__":
    manager.KILL_WAIT = KILL_WAIT
    manager.ProcessManager = MainProcessFirst
    sys.exit(main())
