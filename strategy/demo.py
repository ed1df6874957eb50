"""Demo data of stage 3: conversation ideas and six months of the content calendar.

Called by ``seed_demo``. It builds what a library team would have after half a year of work:
published posts with their performance (likes, reposts, replies refreshed daily), this month's
plan in every workflow status with its history and comments, a balance that is off on one tier
this month (too few proven posts), and one approved post a few minutes ahead on the Mastodon
profile, which the worker publishes to the local demo platform server that ``make run`` starts.
Idempotent: it does nothing when the organisation already has planned posts.
"""

from __future__ import annotations

import calendar
import random
from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from metrics.models import ProfileSnapshot
from strategy.models import (
    ConversationIdea,
    ConversationSettings,
    IdeaStatus,
    PlannedPost,
    PostEvent,
    PostEventKind,
    PostMetric,
    PostStatus,
    Profile,
    Tier,
)

PROVEN = [
    "Novedades de la semana en la sala infantil: {n} cuentos nuevos para leer en familia.",
    "Recuerda: este sábado abrimos de 10:00 a 14:00. ¡Te esperamos!",
    "Club de lectura de adultos: este mes leemos «La ridícula idea de no volver a verte». Plazas libres.",
    "Préstamo de portátiles para estudiantes: pide el tuyo en el mostrador con tu carné.",
    "Agenda cultural de la semana: cuentacuentos, taller de cómic y presentación de libro.",
    "¿Sabías que puedes renovar tus préstamos desde casa? Te contamos cómo en tres pasos.",
    "Nueva exposición en el vestíbulo: carteles de las fiestas del barrio desde 1950.",
    "Sala de estudio ampliada en época de exámenes: abierta hasta las 23:00.",
]
MODERATE = [
    (
        "Hilo: 5 libros que los lectores de la biblioteca recomiendan este mes, con sus propias palabras.",
        "Un hilo con voces de usuarios tendrá más respuestas que una lista hecha por el personal.",
    ),
    (
        "Encuesta rápida: ¿qué taller quieres para enero? Cómic, escritura creativa o robótica.",
        "Preguntar antes de programar aumentará las respuestas y la asistencia al taller elegido.",
    ),
    (
        "Vídeo corto: un minuto en el depósito de la biblioteca, donde nadie entra.",
        "Un vídeo de menos de un minuto obtendrá el doble de impulsos que una foto del mismo tema.",
    ),
]
RADICAL = [
    (
        "La biblioteca responde en directo: una hora de preguntas sobre cualquier libro, con el equipo de referencia.",
        "Una sesión de preguntas en directo atraerá a personas que nunca han escrito a la biblioteca.",
    ),
    (
        "Reto #7DíasLeyendo: publica cada día una foto de lo que lees y la biblioteca comparte las mejores.",
        "Un reto con contenido de los usuarios creará conversación entre ellos, no solo con nosotros.",
    ),
]


def _text(rng: random.Random, tier: str, index: int) -> tuple[str, str]:
    if tier == Tier.PROVEN:
        return PROVEN[index % len(PROVEN)].format(n=rng.randint(5, 20)), ""
    pool = MODERATE if tier == Tier.MODERATE else RADICAL
    return pool[index % len(pool)]


def _at(day, hour: int, zone) -> datetime:
    return datetime.combine(day, time(hour, rng_minute(day)), tzinfo=zone)


def rng_minute(day) -> int:
    return (day.toordinal() * 7) % 4 * 15


def _event(post, actor, kind, when, **fields):
    event = PostEvent.objects.create(post=post, actor=actor, kind=kind, **fields)
    PostEvent.objects.filter(pk=event.pk).update(created_at=when)


def _history(post, users, created_at, final_status):
    """The steps a post went through to reach its status, back-dated."""
    author, reviewer = users["luis"], users["ana"]
    steps = ["draft", "in_review", "approved", "scheduled", "published"]
    _event(post, author, PostEventKind.CREATED, created_at, to_status="draft")
    if final_status in ("idea", "draft"):
        return
    if final_status == "rejected":
        _event(
            post,
            author,
            PostEventKind.STATUS,
            created_at + timedelta(hours=2),
            from_status="draft",
            to_status="in_review",
        )
        _event(
            post,
            reviewer,
            PostEventKind.STATUS,
            created_at + timedelta(hours=5),
            from_status="in_review",
            to_status="rejected",
            message=post.rejection_reason,
        )
        return
    moment = created_at
    for before, after in zip(steps, steps[1:], strict=False):
        moment += timedelta(hours=3)
        actor = author if after == "in_review" else (None if after == "published" else reviewer)
        kind = PostEventKind.PUBLISHED if after == "published" else PostEventKind.STATUS
        _event(post, actor, kind, moment, from_status=before, to_status=after)
        if after == final_status:
            break


def seed_calendar(org, users: dict, *, objectives, audiences, campaign) -> None:
    if PlannedPost.objects.filter(org=org).exists():
        return
    rng = random.Random(20261127)
    zone = org.zoneinfo
    now = timezone.now()
    today = timezone.localdate(now, zone)
    demo = settings.DEMO_PLATFORM_URL.rstrip("/")
    ConversationSettings.for_org(org)

    mastodon = Profile.objects.get(org=org, platform="mastodon")
    bluesky = Profile.objects.get(org=org, platform="bluesky")
    instagram = Profile.objects.get(org=org, platform="instagram")
    # The demo profiles publish to the local demo platform server (port 8765), never to the real ones.
    mastodon.api_base_url = f"{demo}/mastodon"
    mastodon.credentials = {"access_token": "demo-token-biblioteca"}
    bluesky.api_base_url = f"{demo}/bluesky"
    bluesky.credentials = {"identifier": "bibliotecademo.bsky.social", "app_password": "demo-app-password"}
    for profile in (mastodon, bluesky):
        profile.save(update_fields=["api_base_url", "credentials_encrypted", "updated_at"])
    profiles = [mastodon, mastodon, bluesky, instagram]
    latest = {}
    for profile_id, count in (
        ProfileSnapshot.objects.filter(org=org, followers__isnull=False)
        .order_by("date")
        .values_list("profile_id", "followers")
    ):
        latest[profile_id] = count

    def followers(profile) -> int:
        return latest.get(profile.pk, 800)

    ideas = [
        ConversationIdea.objects.create(
            org=org,
            title="Clubes de lectura para jóvenes",
            trend="#ClubDeLectura",
            created_by=users["luis"],
            angle="Mucha gente joven pregunta por clubes de lectura: contar los que ya tenemos y abrir uno nuevo.",
            audience=audiences.get("Estudiantes universitarios"),
            objective=objectives[0],
            status=IdeaStatus.PLANNED,
        ),
        ConversationIdea.objects.create(
            org=org,
            title="Horario ampliado en exámenes",
            trend="horario",
            created_by=users["ana"],
            angle="Las menciones sobre el horario crecen antes de los exámenes: anticiparnos con la información.",
            objective=objectives[-1],
        ),
        ConversationIdea.objects.create(
            org=org,
            title="Historias del depósito",
            created_by=users["luis"],
            angle="Enseñar lo que nadie ve: el depósito, la restauración, los fondos antiguos.",
        ),
    ]

    def make(day, hour, profile, tier, status, index, **extra):
        text, hypothesis = _text(rng, tier, index)
        scheduled = _at(day, hour, zone)
        post = PlannedPost.objects.create(
            org=org,
            profile=profile,
            text=text,
            hypothesis=hypothesis,
            tier=tier,
            status=status,
            scheduled_at=scheduled,
            owner=users["luis"],
            created_by=users["luis"],
            submitted_by=users["luis"] if status not in ("idea", "draft") else None,
            reviewed_by=users["ana"] if status in ("approved", "scheduled", "published", "rejected") else None,
            objective=objectives[index % len(objectives)],
            hashtags="#bibliotecas",
            campaign=campaign if index % 5 == 0 else None,
            **extra,
        )
        created_at = scheduled - timedelta(days=rng.randint(3, 9))
        PlannedPost.objects.filter(pk=post.pk).update(created_at=created_at)
        _history(post, users, created_at, status)
        return post

    # Six months of published posts, about three a week, roughly 70/20/10, with their daily counts.
    start = (today.replace(day=1) - timedelta(days=170)).replace(day=1)
    day, index, metrics = start, 0, []
    while day < today.replace(day=1):
        for hour, weekday in ((10, 0), (18, 2), (12, 4)):
            post_day = day + timedelta(days=weekday)
            if post_day >= today.replace(day=1):
                continue
            roll = rng.random()
            tier = Tier.PROVEN if roll < 0.68 else (Tier.MODERATE if roll < 0.9 else Tier.RADICAL)
            profile = profiles[index % 3]
            post = make(post_day, hour, profile, tier, PostStatus.PUBLISHED, index)
            # Engagement grows over the half year (1.4 % → 2.6 % of followers) and experiments do better.
            boost = {Tier.PROVEN: 1.0, Tier.MODERATE: 1.3, Tier.RADICAL: 1.7}[tier]
            progress = (post_day - start).days / max((today - start).days, 1)
            total = followers(profile) * (0.014 + 0.012 * progress) * boost * rng.uniform(0.7, 1.3)
            likes, reposts, replies = 0, 0, 0
            for age in range(0, 30, 3):
                share = 1 - 0.5 ** ((age + 3) / 3)  # most interactions arrive in the first days
                likes = max(likes, int(total * 0.7 * share))
                reposts = max(reposts, int(total * 0.2 * share))
                replies = max(replies, int(total * 0.1 * share))
                metrics.append(
                    PostMetric(
                        post=post, date=post_day + timedelta(days=age), likes=likes, reposts=reposts, replies=replies
                    )
                )
            external = f"{demo}/@bibliotecademo/{100000 + index}" if profile.platform == "mastodon" else ""
            PlannedPost.objects.filter(pk=post.pk).update(
                published_at=post.scheduled_at,
                likes=likes,
                reposts=reposts,
                replies=replies,
                external_id=str(100000 + index),
                external_url=external or f"https://www.instagram.com/p/demo{index}/",
                metrics_refreshed_at=now,
            )
            index += 1
        day += timedelta(days=7)
    PostMetric.objects.bulk_create(metrics)

    # This month: 23 posts plus the one published at start-up, 14 proven / 7 moderate / 3 radical, so proven
    # posts are 58 % against 70 % — off balance by more than the default 10 points, which the calendar warns about.
    month_start = today.replace(day=1)
    month_days = calendar.monthrange(today.year, today.month)[1]
    next_month = month_start + timedelta(days=month_days)
    this_month = [Tier.PROVEN] * 13 + [Tier.MODERATE] * 7 + [Tier.RADICAL] * 3
    # Next month is being planned in balance: 7 proven, 2 moderate, 1 radical.
    following = [Tier.PROVEN] * 7 + [Tier.MODERATE] * 2 + [Tier.RADICAL]
    rng.shuffle(this_month)
    rng.shuffle(following)
    slots = [
        (month_start + timedelta(days=d), t)
        for d, t in zip(sorted(rng.sample(range(month_days), 23)), this_month, strict=True)
    ]
    slots += [
        (next_month + timedelta(days=d), t) for d, t in zip(sorted(rng.sample(range(28), 10)), following, strict=True)
    ]
    for position, (post_day, tier) in enumerate(slots):
        hour = (10, 12, 18)[position % 3]
        when = _at(post_day, hour, zone)
        if when <= now:
            status = PostStatus.PUBLISHED
        else:
            ahead = (post_day - today).days
            status = (
                PostStatus.SCHEDULED
                if ahead <= 4
                else PostStatus.APPROVED
                if ahead <= 9
                else PostStatus.IN_REVIEW
                if ahead <= 16
                else PostStatus.DRAFT
                if ahead <= 30
                else PostStatus.IDEA
            )
        post = make(
            post_day,
            hour,
            profiles[position % 4],
            tier,
            status,
            index + position,
            idea=ideas[0] if position % 6 == 0 else None,
        )
        if status == PostStatus.PUBLISHED:
            PlannedPost.objects.filter(pk=post.pk).update(
                published_at=post.scheduled_at,
                likes=int(followers(post.profile) * rng.uniform(0.017, 0.026)),
                reposts=int(followers(post.profile) * rng.uniform(0.004, 0.008)),
                replies=int(followers(post.profile) * rng.uniform(0.002, 0.004)),
                external_id=f"demo-{post.pk}",
                external_url=f"https://www.instagram.com/p/demo-{post.pk}/",
            )
        if status == PostStatus.IN_REVIEW and position % 2 == 0:
            PostEvent.objects.create(
                post=post,
                actor=users["carmen"],
                kind=PostEventKind.COMMENT,
                message="¿Podemos añadir el horario del evento? Lo preguntan mucho.",
            )
    # A rejected idea, so the history shows what a rejection looks like.
    rejected = make(
        today + timedelta(days=6),
        17,
        instagram,
        Tier.RADICAL,
        PostStatus.REJECTED,
        1,
        rejection_reason="La foto tiene caras de menores sin autorización; busca otra imagen.",
    )
    PlannedPost.objects.filter(pk=rejected.pk).update(rejection_reason=rejected.rejection_reason)

    # One approved post a few minutes ahead on Mastodon: `make run` publishes it to the demo server.
    soon = now + timedelta(minutes=3)
    post = PlannedPost.objects.create(
        org=org,
        profile=mastodon,
        scheduled_at=soon,
        tier=Tier.PROVEN,
        status=PostStatus.SCHEDULED,
        text="¡Ya está abierta la inscripción al club de lectura juvenil! Primera sesión el jueves a las 18:00 😊",
        link="https://biblioteca.example.org/clubes",
        hashtags="#ClubDeLectura #bibliotecas",
        owner=users["luis"],
        created_by=users["luis"],
        submitted_by=users["luis"],
        reviewed_by=users["ana"],
        reviewed_at=now,
        idea=ideas[0],
        objective=objectives[0],
    )
    _history(post, users, now - timedelta(days=2), PostStatus.SCHEDULED)
