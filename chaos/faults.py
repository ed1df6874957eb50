"""The faults, each a function of the running ``Chaos`` returning its figures (see docs/operations.md)."""

from __future__ import annotations

import random
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import psycopg

from chaos.platform import Platform, iso, json_answer

PAGE = 40


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {message}", flush=True)


def wait_until(predicate, timeout: float, step: float = 0.25) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


# --- Fixtures ---------------------------------------------------------------------------------------


def make_org(slug: str):
    from mesm.models import Organization

    return Organization.objects.create(name=f"Chaos {slug}", slug=f"chaos-{slug}", language="es")


def tag_source(org, platform: Platform, tag: str, *, interval: int = 1, due_in: float | None = None, **extra):
    from django.utils import timezone

    from listening.models import Source

    due = timezone.now() + timedelta(seconds=due_in) if due_in is not None else timezone.now() + timedelta(days=1)
    return Source.objects.create(
        org=org, name=tag, platform="mastodon", kind="hashtag", target=tag, base_url=platform.url,
        cursor={"min_id": "0"}, interval_minutes=interval, next_poll_at=due, **extra,
    )  # fmt: skip


def disable(org) -> None:
    from listening.models import Source

    Source.objects.filter(org=org).update(enabled=False)


def queued(chaos) -> int:
    import redis

    return redis.Redis.from_url(chaos.redis.url(), socket_timeout=5).llen("celery")


def poll(source_id: int) -> None:
    from listening.tasks import poll_source

    poll_source.delay(source_id)


def stored_ids(org) -> list[str]:
    from listening.models import Mention

    return list(Mention.objects.filter(org=org).values_list("external_id", flat=True))


def caught_up(source, platform: Platform) -> bool:
    source.refresh_from_db()
    return source.cursor.get("min_id") == (platform.newest(source.target) or "0")


def drain(chaos, org, sources_by_platform: list[tuple[object, Platform]], timeout: float = 90) -> bool:
    """Poll (as "Poll now" does) until every source's stored cursor is the platform's newest post."""

    def done() -> bool:
        behind = [s for s, p in sources_by_platform if not caught_up(s, p)]
        if behind and queued(chaos) < 2:
            for source in behind:
                poll(source.pk)
        return not behind and queued(chaos) == 0

    return wait_until(done, timeout, step=1.0)


def consistency(org, platforms: list[Platform]) -> dict:
    """lost / duplicated against what the platforms served, and the counters that must agree."""
    from django.db.models import Sum

    from listening.models import MentionDaily, Source

    ids = stored_ids(org)
    served = set().union(*(set().union(*p.served.values()) for p in platforms if p.served))
    rollup = MentionDaily.objects.filter(org=org, query_id=-1).aggregate(total=Sum("count"))["total"] or 0
    counted = Source.objects.filter(org=org).aggregate(total=Sum("mentions_count"))["total"] or 0
    return {
        "served": len(served),
        "stored": len(ids),
        "lost": len(served - set(ids)),
        "duplicated": len(ids) - len(set(ids)),
        "count_drift": abs(counted - len(ids)) + abs(rollup - len(ids)),
    }


class Holder:
    """A second connection that holds a row lock, so a worker's commit waits at a known point."""

    def __init__(self, chaos):
        self.chaos = chaos
        self.conn: psycopg.Connection | None = None

    def lock(self, table: str, column: str, value) -> None:
        self.conn = psycopg.connect(self.chaos.pg.url(self.chaos.db), autocommit=False)
        self.conn.execute(f"SELECT 1 FROM {table} WHERE {column} = %s FOR UPDATE", [value])  # noqa: S608

    def waiters(self) -> int:
        with psycopg.connect(self.chaos.pg.url(self.chaos.db), autocommit=True) as conn:
            return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'").fetchone()[0]

    def release(self) -> None:
        if self.conn is not None:
            try:
                self.conn.rollback()
                self.conn.close()
            except psycopg.Error:
                pass
            self.conn = None


# --- 1. Workers killed mid-batch -------------------------------------------------------------------------


def worker_killed(chaos, kills: int = 20, timeout: float = 150) -> dict:
    org = make_org("kills")
    platforms = [Platform().start() for _ in range(3)]
    pairs = []
    for number in range(6):
        platform = platforms[number % len(platforms)]
        tag = f"kill{number}"
        platform.add(tag, 90)
        pairs.append((tag_source(org, platform, tag), platform))
    state = {"kills": 0, "last": 0.0, "before": 0, "after": 0}
    lock = threading.Lock()
    signalled_before = chaos.kills

    def hook(request) -> None:
        if request.kind != "timeline":
            return
        with lock:
            if state["kills"] >= kills or time.monotonic() - state["last"] < 1.0 or random.random() > 0.35:
                return
            pid = chaos.pid_of_client(request.client_port)
            if pid is None:
                return
            state["kills"] += 1
            state["last"] = time.monotonic()
            if random.random() < 0.4:
                state["before"] += 1  # the worker is waiting for this page (earlier pages committed)
                chaos.kill(pid)
            else:
                state["after"] += 1  # the page reaches it: killed while storing it, or on the next page
                threading.Timer(random.uniform(0.01, 0.8), chaos.kill, [pid]).start()

    for platform in platforms:
        platform.before_reply.append(hook)
    stop = threading.Event()

    def grow() -> None:
        while not stop.wait(0.3):
            tag_number = random.randrange(len(pairs))
            pairs[tag_number][1].add(f"kill{tag_number}", random.randint(1, 6))

    grower = threading.Thread(target=grow, daemon=True)
    grower.start()
    started = time.monotonic()
    while state["kills"] < kills and time.monotonic() - started < timeout:
        if queued(chaos) < 2:
            poll(random.choice(pairs)[0].pk)
        time.sleep(0.2)
    stop.set()
    grower.join()
    for platform in platforms:
        platform.before_reply.remove(hook)
    log(f"  {state['kills']} kills ({state['before']} before a page, {state['after']} after); draining")
    drained = drain(chaos, org, pairs)
    figures = consistency(org, platforms)
    total = sum(len(p.timelines[f"kill{n}"]) for n, (_s, p) in enumerate(pairs))
    figures.update(
        kills=chaos.kills - signalled_before, drained=drained, unread=total - figures["stored"],
        redelivered=chaos.redelivered("listening.tasks.poll_source"),
    )  # fmt: skip
    disable(org)
    for platform in platforms:
        platform.stop()
    return figures


# --- 2. Redis down for 30 s -------------------------------------------------------------------------------


def redis_outage(chaos, seconds: float = 30) -> dict:
    from django.utils import timezone

    from listening.models import Source

    org = make_org("redis")
    platform = Platform().start()
    pairs = []
    for number in range(5):
        platform.add(f"redis{number}", 30)
        # Staggered so some sources fall due during the outage: the beats must catch up by themselves.
        pairs.append((tag_source(org, platform, f"redis{number}", due_in=number * 6), platform))
    wait_until(lambda: Source.objects.filter(org=org, last_success_at__isnull=False).exists(), 30)
    web = {"pages": 0, "page_errors": 0, "health_said_down": 0, "health_checks": 0}

    def browse() -> None:
        for path, key in (("/accounts/login/", "pages"), ("/healthz", "health_checks")):
            try:
                response = httpx.get(f"{chaos.web_url}{path}", timeout=10)
            except httpx.HTTPError:
                web["page_errors" if key == "pages" else "health_checks"] += 1
                continue
            web[key] += 1
            if key == "pages" and response.status_code != 200:
                web["page_errors"] += 1
            if key == "health_checks" and response.status_code == 503 and "down" in response.json().get("redis", ""):
                web["health_said_down"] += 1

    log("  Redis stopped")
    chaos.redis.stop()
    down_at = time.monotonic()
    while time.monotonic() - down_at < seconds:
        platform.add(f"redis{random.randrange(5)}", 2)
        browse()
        time.sleep(1)
    chaos.redis.start()
    up_at, up_wall = time.monotonic(), timezone.now()
    log("  Redis back")
    recovered = wait_until(lambda: Source.objects.filter(org=org, last_success_at__gt=up_wall).exists(), 90, 0.2)
    recovered_s = round(time.monotonic() - up_at, 1) if recovered else None
    # The interval passes (moved forward rather than waited for): every source is polled again.
    Source.objects.filter(org=org).update(next_poll_at=timezone.now())
    wait_until(lambda: all(caught_up(s, p) for s, p in pairs), 60, 1.0)
    figures = consistency(org, [platform])
    figures.update(recovered_s=recovered_s, **web)
    disable(org)
    platform.stop()
    return figures


# --- 3. PostgreSQL restarted mid-batch ------------------------------------------------------------------


def _cursor_matches_rows(org, source, platform: Platform) -> bool:
    """No partial batch: the stored mentions are exactly the posts up to the stored cursor."""
    source.refresh_from_db()
    cursor = int(source.cursor.get("min_id") or 0)
    expected = {f"https://chaos.example/users/{source.target}/statuses/{i}" for i, _c in platform.timelines[source.target]
                if i <= cursor}  # fmt: skip
    return set(stored_ids(org)) == expected


def _restart_while_storing(chaos, page: int, figures: dict) -> None:
    """Hold the source's row so the worker waits inside page ``page``'s transaction, then restart."""
    from django.db import connections

    org = make_org(f"pg{page}")
    platform = Platform().start()
    platform.add(f"pg{page}", PAGE * 2 + 5)
    source = tag_source(org, platform, f"pg{page}")
    holder = Holder(chaos)
    held = threading.Event()

    def hook(request) -> None:
        if request.kind == "timeline" and not held.is_set() and len(platform.requests("timeline")) == page:
            holder.lock("listening_source", "id", source.pk)  # the page's commit waits on this row
            held.set()

    platform.before_reply.append(hook)
    poll(source.pk)
    in_batch = held.wait(60) and wait_until(lambda: holder.waiters() > 0, 30)
    log(f"  restarting PostgreSQL while page {page} is being stored (worker waiting: {in_batch})")
    chaos.pg.restart()
    figures["restarts"] += 1
    holder.release()
    platform.before_reply.remove(hook)
    restarted = time.monotonic()
    connections.close_all()
    if not _cursor_matches_rows(org, source, platform):
        figures["partial_batches"] += 1
    if wait_until(lambda: caught_up(source, platform), 45, 0.5):
        figures["retried"] += 1
        figures["retry_s"].append(round(time.monotonic() - restarted, 1))
    if not _cursor_matches_rows(org, source, platform):
        figures["partial_batches"] += 1
    figures["lost"] += consistency(org, [platform])["lost"]
    disable(org)
    platform.stop()


def postgres_restart(chaos) -> dict:
    figures = {"restarts": 0, "partial_batches": 0, "retried": 0, "retry_s": [], "lost": 0}
    for page in (1, 2):  # while storing the first page, then the second (the first committed)
        _restart_while_storing(chaos, page, figures)
    return figures


# --- 4. The platform misbehaves ----------------------------------------------------------------------------


def _first_then_ok(answer):
    """Misbehave on the first request only."""
    state = {"done": False}

    def rule(request):
        if state["done"]:
            return None
        state["done"] = True
        return answer(request)

    return rule


def platform_misbehaving(chaos, min_interval: float) -> dict:
    from listening.models import Source
    from listening.services.poll import MAX_BACKOFF

    org = make_org("platform")
    limits = {}  # platform → not before (epoch seconds)

    def blocked_for(seconds: float, build):
        def answer(request):
            until = datetime.now(UTC) + timedelta(seconds=seconds)
            until = until.replace(microsecond=until.microsecond // 1000 * 1000)  # what the headers can say
            limits[request.key.rstrip("0123456789")] = (request.at, until.timestamp())
            return build(until)

        return answer

    kinds = {
        # 429 with Retry-After in seconds (rounded up by the platform, so "not before" is the wall second).
        "retryafter": lambda until: json_answer(429, {"Retry-After": "3"}),
        # Mastodon: 429 with only X-RateLimit-Reset (ISO 8601).
        "mastoreset": lambda until: json_answer(429, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": iso(until)}),
        # Mastodon: a good page, but the quota is spent until X-RateLimit-Reset.
        "remaining": lambda until: (200, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": iso(until)}, b"[]"),
    }
    limited, pairs = {}, []
    for name, build in kinds.items():
        platform = Platform().start()
        limited[name] = platform
        for number in range(2):  # two sources on one host, polled by two workers: the limit is shared
            platform.add(f"{name}{number}", 5)
            pairs.append((tag_source(org, platform, f"{name}{number}"), platform))
        platform.misbehave[f"{name}0"] = _first_then_ok(blocked_for(3, build))
    started = time.monotonic()
    while time.monotonic() - started < 10:
        if queued(chaos) < 3:
            poll(random.choice(pairs)[0].pk)
        time.sleep(0.3)
    wait_until(lambda: queued(chaos) == 0, 20)
    time.sleep(2)
    early = 0
    for name, platform in limited.items():
        if name not in limits:
            continue
        # Requests sent after the limit was answered (50 ms for ones already on their way) and before it ends.
        answered_at, not_before = limits[name]
        early += sum(1 for r in platform.log if answered_at + 0.05 < r.at < not_before)
    gaps = []
    for platform in limited.values():
        arrivals = sorted(r.at for r in platform.log)
        gaps += [b - a for a, b in zip(arrivals, arrivals[1:], strict=False)]
    # Arrivals, not acquisitions, are measured: allow 100 ms for a busy machine between the two.
    spacing_violations = sum(1 for gap in gaps if gap < min_interval - 0.1)
    disable(org)

    # 5xx and timeouts back off with jitter; a slow platform does not hold up the others.
    failing, slow, fast = Platform().start(), Platform().start(), Platform().start()
    broken = []
    for number in range(3):
        failing.add(f"down{number}", 5)
        failing.misbehave[f"down{number}"] = lambda request: json_answer(503)
        broken.append(tag_source(org, failing, f"down{number}", interval=15, consecutive_failures=number * 4))
    slow.add("slow", 5)

    def hang(request):
        time.sleep(22)  # longer than the connectors' 20 s read timeout
        return json_answer(200, body=[])

    slow.misbehave["slow"] = hang
    broken.append(tag_source(org, slow, "slow", interval=15))
    quick = []
    for number in range(3):
        fast.add(f"fast{number}", 3)
        quick.append(tag_source(org, fast, f"fast{number}"))
    for source in broken:
        poll(source.pk)
    hang_started = time.monotonic()
    wait_until(lambda: len(slow.log) > 0, 20, 0.1)
    done_at = []
    while time.monotonic() - hang_started < 20:
        if queued(chaos) < 1:
            poll(random.choice(quick).pk)
        count = len(fast.log)
        time.sleep(0.5)
        if len(fast.log) > count:
            done_at.append(time.monotonic())
    wait_until(lambda: Source.objects.filter(pk__in=[s.pk for s in broken], status="error").count() == len(broken), 30)
    from listening.tasks import dispatch_due_sources

    for _ in range(3):  # beat ticks: nothing failing is due yet
        dispatch_due_sources.delay()
    wait_until(lambda: queued(chaos) == 0, 20)
    time.sleep(2)
    out_of_bounds, delays, ratios = 0, [], []
    for source in Source.objects.filter(pk__in=[s.pk for s in broken]):
        delay = (source.next_poll_at - source.last_polled_at).total_seconds()
        steps = min(source.consecutive_failures, 8)
        expected = min(timedelta(minutes=source.interval_minutes) * 2**steps, MAX_BACKOFF).total_seconds()
        delays.append(delay)
        ratios.append(delay / expected)
        if not (0.8 * expected - 1 <= delay <= 1.2 * expected + 1):
            out_of_bounds += 1
    during_backoff = sum(max(0, len(failing.requests("timeline", f"down{n}")) - 1) for n in range(3))
    during_backoff += max(0, len(slow.requests("timeline", "slow")) - 1)
    stalls = [b - a for a, b in zip([hang_started, *done_at], done_at, strict=False)]
    figures = {
        "requests_before_retry_after": early,
        "spacing_violations": spacing_violations,
        "min_gap_s": round(min(gaps), 3) if gaps else None,
        "backoff_out_of_bounds": out_of_bounds,
        # Jitter: some delay is off its plain interval × 2ⁿ by more than 1 % (each may be off by up to
        # 20 %). Comparing the delays with each other instead fails whenever two random ones round
        # to the same second.
        "backoff_jittered": any(abs(ratio - 1) > 0.01 for ratio in ratios),
        "requests_during_backoff": during_backoff,
        "polls_while_slow": len(done_at),
        "slow_server_stall_s": round(max(stalls), 1) if stalls else None,
        "backoff_max_h": round(max(delays) / 3600, 2),
        "cap_h": MAX_BACKOFF.total_seconds() / 3600,
    }
    disable(org)
    for platform in (*limited.values(), failing, slow, fast):
        platform.stop()
    return figures


# --- 5. Two beats and two dispatchers ------------------------------------------------------------------


def two_beats(chaos, seconds: float = 20) -> dict:
    from django.utils import timezone

    from listening.models import Source

    org = make_org("beats")
    platform = Platform().start()
    for number in range(8):
        Source.objects.create(
            org=org, name=f"feed {number}", platform="rss", kind="feed", target=f"{platform.url}/rss/feed{number}.xml",
            interval_minutes=1, next_poll_at=timezone.now() + timedelta(seconds=number),
        )  # fmt: skip
    started = time.monotonic()
    wait_until(lambda: time.monotonic() - started > seconds and not Source.objects.filter(
        org=org, last_polled_at__isnull=True).exists(), seconds + 40, 0.5)  # fmt: skip
    polls = [len(platform.requests("rss", f"feed{number}")) for number in range(8)]
    disable(org)
    platform.stop()
    return {"double_polls": sum(max(0, n - 1) for n in polls), "missed": sum(1 for n in polls if n == 0),
            "window_s": round(time.monotonic() - started)}  # fmt: skip


# --- 6. Publishing retried after a crash between the platform's reply and our commit -------------------------


def publishing(chaos) -> dict:
    from django.utils import timezone

    from strategy.models import PlannedPost, PostStatus, Profile
    from strategy.publishing.base import post_rkey
    from strategy.tasks import publish_due_posts

    org = make_org("publish")
    platform = Platform().start()
    mastodon = Profile.objects.create(org=org, platform="mastodon", handle="@chaos", api_base_url=platform.url)
    mastodon.credentials = {"access_token": "chaos-token"}
    mastodon.save()
    bluesky = Profile.objects.create(
        org=org, platform="bluesky", handle="chaos.bsky.example", api_base_url=platform.url
    )
    bluesky.credentials = {"identifier": "chaos.bsky.example", "app_password": "chaos-pass"}
    bluesky.save()
    posts, modes = {}, {}
    for number in range(6):
        profile = mastodon if number % 2 == 0 else bluesky
        post = PlannedPost.objects.create(
            org=org, profile=profile, text=f"Chaos {number} {uuid.uuid4().hex[:8]}", status=PostStatus.SCHEDULED,
            scheduled_at=timezone.now() - timedelta(minutes=1),
        )  # fmt: skip
        key = str(post.idempotency_key) if profile == mastodon else post_rkey(post)
        posts[key] = post
        modes[key] = "after" if number < 4 else "before"
    crashes = {"after": 0, "before": 0}
    crashed = set()
    holders = []

    def hook(request) -> None:
        post = posts.get(request.key)
        if post is None or request.key in crashed:
            return
        crashed.add(request.key)
        pid = chaos.pid_of_client(request.client_port)
        if pid is None:
            return
        crashes[modes[request.key]] += 1
        if modes[request.key] == "before":
            chaos.kill(pid)  # created on the platform; the reply never arrives
            return
        holder = Holder(chaos)
        holder.lock("strategy_plannedpost", "id", post.pk)  # the reply arrives; our commit waits on the row
        holders.append(holder)

        def crash() -> None:
            wait_until(lambda: holder.waiters() > 0, 10, 0.05)
            chaos.kill(pid)
            holder.release()

        threading.Thread(target=crash, daemon=True).start()

    platform.before_reply.append(hook)
    publish_due_posts.delay()
    wait_until(lambda: len(crashed) == len(posts) or not PlannedPost.objects.filter(
        org=org, external_id="").exists(), 60, 0.5)  # fmt: skip
    wait_until(lambda: queued(chaos) == 0, 20)
    time.sleep(3)
    for holder in holders:
        holder.release()
    # The claims of the killed attempts go stale after CLAIM_TTL (moved back rather than waited for);
    # then beat's next tick publishes them again.
    for _round in range(4):
        PlannedPost.objects.filter(org=org, external_id="", publish_claimed_at__isnull=False).update(
            publish_claimed_at=timezone.now() - timedelta(minutes=11)
        )
        publish_due_posts.delay()
        if wait_until(lambda: not PlannedPost.objects.filter(org=org, external_id="").exists(), 20, 0.5):
            break
    created = {
        "statuses": len(platform.statuses),
        "records": len(platform.records),
        "create_requests": sum(platform.status_creates.values()) + sum(platform.record_creates.values()),
    }
    unpublished = PlannedPost.objects.filter(org=org).exclude(status=PostStatus.PUBLISHED).count()
    mismatched = 0
    for key, post in posts.items():
        post.refresh_from_db()
        if post.profile_id == mastodon.pk:
            expected = platform.statuses.get(("Bearer chaos-token", key))
            mismatched += post.external_id != expected
        else:
            mismatched += not post.external_id.endswith("/" + key)
    platform.stop()
    return {
        "posts": len(posts),
        "crashes": crashes["after"] + crashes["before"],
        "crashes_after_reply": crashes["after"],
        "double_publishes": created["statuses"] + created["records"] - len(posts),
        "create_requests": created["create_requests"],
        "unpublished": unpublished,
        "mismatched": mismatched,
    }
