"""SQL queries per page/endpoint, counted with Django's CaptureQueriesContext."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count(client, targets: dict[str, tuple[str, dict]]) -> dict[str, int]:
    counts = {}
    for name, (path, headers) in targets.items():
        client.get(path, **headers)  # caches (sessions, content types) warm, as in steady state
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path, **headers)
        if response.status_code != 200:
            raise RuntimeError(f"{name}: GET {path} answered {response.status_code}")
        counts[name] = len(captured.captured_queries)
    return counts
