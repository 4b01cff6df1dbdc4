"""Tasks that could not reach the broker wait here and are sent once it is back.

Call `enqueue_on_commit(task, ...)` instead of `task.delay_on_commit(...)`, and `enqueue(task, ...)`
instead of `task.delay(...)`: see outbox/services.py.
"""
