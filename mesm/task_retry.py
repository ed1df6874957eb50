"""Retrying a task whose database went away (PostgreSQL restarted or failed over mid-task)."""

import random

from django.db import InterfaceError, OperationalError, close_old_connections

DATABASE_ERRORS = (OperationalError, InterfaceError)

# Seconds before running again: 5, 10, 20… with jitter, so workers do not all reconnect at once.
DB_RETRY_BASE = 5


def retry_after_database_error(task, error: Exception):
    """Return the ``Retry`` to raise from ``task``.

    The task's transaction rolled back whole, so running it again from what is stored neither
    loses nor repeats work. Without a retry the failed task would be acknowledged and, for a
    "poll now", never run again.
    """
    close_old_connections()  # the broken connection is not reused by the retry
    countdown = DB_RETRY_BASE * (2**task.request.retries) * random.uniform(0.8, 1.2)  # noqa: S311 - jitter
    return task.retry(exc=error, countdown=countdown)
