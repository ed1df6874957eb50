"""``celery -A chaos.beat beat``: the real beat with the dispatchers sent every second, not every minute,
so a few minutes of chaos see many ticks (two of these run at once in the "two beats" fault)."""

from mesm.celery import app

app.conf.beat_schedule = {
    "dispatch-due-sources": {"task": "listening.tasks.dispatch_due_sources", "schedule": 1.0},
    "publish-due-posts": {"task": "strategy.tasks.publish_due_posts", "schedule": 1.0},
}
