"""``make chaos``: fault injection against real PostgreSQL, Redis and Celery worker processes.

The suite starts its own PostgreSQL cluster and its own Redis (so it may stop and restart them
without touching anyone else's), a web process, Celery workers and beats as subprocesses, and
local HTTP servers standing in for the platforms. ``python -m chaos.run``; see docs/operations.md.
"""
