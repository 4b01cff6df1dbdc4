"""Settings of the worker a rebuild drill starts: production's task routing (each chunk queues
the next one through Redis, not in-process) and small chunks, so a small corpus has a middle."""

from portal.settings_test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
REBUILD_CHUNK = 2
