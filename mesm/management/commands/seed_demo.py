"""Create the demo library with a complete stage-1 plan. Running it again changes nothing."""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from learning.demo_people import seed_people
from learning.demo_work import seed_work
from mesm.models import Membership, Organization, Role
from strategy import services as strategy_services
from strategy.demo import seed_calendar
from strategy.models import Audience, Campaign, Objective, Profile, Purpose

DEMO_SLUG = "biblioteca-demo"
DEMO_PASSWORD = "mesm-demo-2026"
DEMO_USERS = [
    # username, first name, last name, e-mail, role
    ("ana", "Ana", "García", "ana@biblioteca-demo.example", Role.ADMIN),
    ("luis", "Luis", "Romero", "luis@biblioteca-demo.example", Role.EDITOR),
    ("carmen", "Carmen", "Ortega", "carmen@biblioteca-demo.example", Role.VIEWER),
]

AUDIENCES = [
    ("Estudiantes universitarios", "Jóvenes de 18 a 25 años que preparan exámenes y trabajos."),
    ("Familias con niños", "Madres, padres y cuidadores que buscan actividades y lectura infantil."),
    ("Investigadores locales", "Historiadores, genealogistas y estudiantes de posgrado que usan el fondo local."),
    ("Personal de la biblioteca", "Compañeros de todas las sedes, que también comunican en redes."),
]

PROFILES = [
    ("mastodon", "@bibliotecademo@mastodon.social", "https://mastodon.social/@bibliotecademo"),
    ("bluesky", "@bibliotecademo.bsky.social", "https://bsky.app/profile/bibliotecademo.bsky.social"),
    ("instagram", "@bibliotecademo", "https://www.instagram.com/bibliotecademo/"),
    ("youtube", "Biblioteca Pública Demo", "https://www.youtube.com/@bibliotecademo"),
]

OBJECTIVES = [
    {
        "title": "Aumentar la asistencia juvenil a las actividades",
        "why": "Los jóvenes de 18 a 25 años apenas vienen a los clubes de lectura y talleres; "
        "en redes podemos llegar a ellos donde ya están.",
        "owner": "luis",
        "deadline": date(2027, 6, 30),
        "audiences": ["Estudiantes universitarios"],
        "kpis": [
            {
                "name": "Participación en publicaciones de eventos",
                "metric_key": "engagement_rate",
                "unit": "%",
                "baseline": "1.8",
                "target": "3.5",
                "direction": "up",
            },
            {
                "name": "Seguidores en Instagram",
                "metric_key": "followers",
                "unit": "seguidores",
                "baseline": "2400",
                "target": "4000",
                "direction": "up",
            },
        ],
    },
    {
        "title": "Escuchar y responder a los usuarios en menos de un día",
        "why": "Las preguntas y quejas que llegan por redes son servicio de referencia: "
        "responder rápido genera confianza.",
        "owner": "ana",
        "deadline": date(2027, 3, 31),
        "audiences": ["Familias con niños", "Estudiantes universitarios"],
        "kpis": [
            {
                "name": "Tiempo mediano de primera respuesta",
                "metric_key": "first_response_time",
                "unit": "horas",
                "baseline": "30",
                "target": "8",
                "direction": "down",
            },
            {
                "name": "Menciones respondidas",
                "metric_key": "response_rate",
                "unit": "%",
                "baseline": "45",
                "target": "90",
                "direction": "up",
            },
        ],
    },
    {
        "title": "Dar a conocer el fondo local digitalizado",
        "why": "La colección de historia local digitalizada es única y casi nadie la conoce fuera de la sala.",
        "owner": "ana",
        "deadline": date(2027, 12, 31),
        "audiences": ["Investigadores locales"],
        "kpis": [
            {
                "name": "Menciones del fondo local",
                "metric_key": "mention_volume",
                "unit": "menciones/mes",
                "baseline": "12",
                "target": "40",
                "direction": "up",
            },
            {
                "name": "Sentimiento neto",
                "metric_key": "net_sentiment",
                "unit": "puntos",
                "baseline": "20",
                "target": "45",
                "direction": "up",
            },
        ],
    },
]


class Command(BaseCommand):
    help = "Create 'Biblioteca Pública Demo' with a purpose, objectives, KPIs, audiences, profiles, a campaign and one user per role."

    @transaction.atomic
    def handle(self, *args, **options):
        users = self._users()
        org, created = Organization.objects.get_or_create(
            slug=DEMO_SLUG,
            defaults={"name": "Biblioteca Pública Demo", "timezone": "Europe/Madrid", "language": "es"},
        )
        for username, *_rest, role in DEMO_USERS:
            Membership.objects.get_or_create(user=users[username], org=org, defaults={"role": role})
        if created or not Purpose.objects.filter(org=org).exists():
            strategy_services.purpose_update(
                org=org,
                by=users["ana"],
                why="Porque la conversación sobre lectura, cultura y conocimiento en nuestra ciudad ya ocurre en "
                "las redes, y la biblioteca pública debe estar donde están sus vecinos, escuchando y aportando.",
                what_for="Para acercar los servicios y las colecciones a quienes no vienen, responder a los usuarios "
                "como un servicio más de referencia y aprender de lo que se dice sobre nosotros.",
            )
        audiences = {
            name: Audience.objects.get_or_create(org=org, name=name, defaults={"description": description})[0]
            for name, description in AUDIENCES
        }
        profiles = [
            Profile.objects.get_or_create(org=org, platform=platform, handle=handle, defaults={"url": url})[0]
            for platform, handle, url in PROFILES
        ]
        objectives = []
        for spec in OBJECTIVES:
            objective = Objective.objects.filter(org=org, title=spec["title"]).first()
            if objective is None:
                objective = strategy_services.objective_create(
                    org=org,
                    title=spec["title"],
                    why=spec["why"],
                    owner=users[spec["owner"]],
                    deadline=spec["deadline"],
                    audiences=[audiences[name] for name in spec["audiences"]],
                    kpis=spec["kpis"],
                )
                # The plan was written five months ago, so the dashboard's progress rule has time to judge.
                started = timezone.now() - timedelta(days=150)
                Objective.objects.filter(pk=objective.pk).update(created_at=started)
                objective.kpis.update(created_at=started)
            objectives.append(objective)
        campaign, campaign_created = Campaign.objects.get_or_create(
            org=org,
            name="Verano joven en la biblioteca",
            defaults={
                "description": "Clubes de lectura, talleres de cómic y noches de juegos para jóvenes, "
                "anunciados en Instagram y Mastodon con contenido creado por los propios participantes.",
                "starts_on": date(2027, 6, 1),
                "ends_on": date(2027, 9, 15),
                "status": "planned",
            },
        )
        if campaign_created:
            campaign.objectives.set([objectives[0]])
            campaign.audiences.set([audiences["Estudiantes universitarios"]])
            campaign.profiles.set([profiles[0], profiles[2]])

        self._listening(org)
        self._history(org)
        self._metrics(org)
        seed_calendar(org, users, objectives=objectives, audiences=audiences, campaign=campaign)
        seed_work(org, users)
        seed_people(org, users)
        self.stdout.write(self.style.SUCCESS(f"Demo organisation: {org.name} (/o/{org.slug}/)"))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, first, _last, _email, role in DEMO_USERS:
            self.stdout.write(f"  {username:<8} {role:<7} {first}")

    def _users(self):
        User = get_user_model()
        users = {}
        for username, first, last, email, _role in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"first_name": first, "last_name": last, "email": email}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                # The demo administrator can also open the Django admin at /admin/.
                user.is_staff = user.is_superuser = username == "ana"
                user.save(update_fields=["password", "is_staff", "is_superuser"])
            users[username] = user
        return users

    def _listening(self, org):
        """Queries, sources on the local demo platform server (`make run` starts it) and alert rules."""
        from django.conf import settings

        from listening.models import AlertRule, Query, Source

        demo = settings.DEMO_PLATFORM_URL.rstrip("/")
        queries = {}
        for name, expression, role in [
            ("La biblioteca", 'biblioteca OR #BibliotecaDemo OR @bibliotecademo OR "Biblioteca Pública Demo"', "own"),
            ("Club de lectura", '"club de lectura" OR #ClubDeLectura OR "book club"', "own"),
            ("Fondo local", '"fondo local" OR "historia local" OR hemeroteca', "own"),
            ("Otras bibliotecas", '"biblioteca municipal" OR "biblioteca regional"', "peer"),
        ]:
            queries[name], _ = Query.objects.get_or_create(
                org=org, name=name, defaults={"expression": expression, "role": role}
            )
        own = [queries["La biblioteca"], queries["Club de lectura"], queries["Fondo local"]]
        for name, platform, kind, target, base_url, credentials in [
            ("Noticias locales (RSS)", "rss", "feed", f"{demo}/rss/noticias.xml", "", {}),
            ("Mastodon #biblioteca", "mastodon", "hashtag", "biblioteca", f"{demo}/mastodon", {}),
            (
                "Bluesky: búsqueda «biblioteca»",
                "bluesky",
                "search",
                "biblioteca",
                f"{demo}/bluesky",
                {"identifier": "bibliotecademo.bsky.social", "app_password": "demo-demo-demo-demo"},
            ),
        ]:
            source = Source.objects.filter(org=org, name=name).first()
            if source is None:
                source = Source(
                    org=org, name=name, platform=platform, kind=kind, target=target, base_url=base_url,
                    interval_minutes=2,
                )  # fmt: skip
                source.credentials = credentials
                source.save()
                source.queries.set(own)
        for name, kind, extra in [
            ("Pico de menciones", "volume_spike", {"threshold": 3.0, "min_mentions": 5}),
            ("Oleada negativa", "negative_surge", {"threshold": 0.5, "min_mentions": 4}),
            ("Cierre o quejas", "keyword", {"keyword": "cerrada OR cerrado OR queja"}),
        ]:
            AlertRule.objects.get_or_create(org=org, name=name, defaults={"kind": kind, **extra})

    def _history(self, org):
        """Past mentions through the real ingest (so rollups match), in two parts, each once: a year
        of the usual mix, then a last week where the book club reading Galdós fills up (more each
        day) and a first board-games night gets talked about, so the trends page has something
        rising against the steady rest."""
        import random
        from datetime import UTC, timedelta

        from django.db import transaction as tx
        from django.utils import timezone

        from listening.connectors.base import FetchedItem
        from listening.models import Mention, Source
        from listening.services.ingest import compile_org_queries, mentions_ingest

        year_prefix, recent_prefix = "https://archivo.demo/mentions/", "https://archivo.demo/recent/"
        archive, created = Source.objects.get_or_create(
            org=org,
            name="Histórico de escucha (importado)",
            defaults={"platform": "mastodon", "kind": "hashtag", "target": "biblioteca", "enabled": False},
        )
        queries = compile_org_queries(org.pk)
        stored = Mention.objects.filter(source=archive)
        if created or not stored.filter(external_id__startswith=year_prefix).exists():
            rng = random.Random(2026)
            texts = [
                ("Qué gozada el club de lectura de la Biblioteca Pública Demo, ¡gracias!", "es"),
                ("La biblioteca ha estado genial hoy con el taller de cómic #BibliotecaDemo", "es"),
                ("Otra vez el wifi de la biblioteca sin funcionar, fatal", "es"),
                ("¿Alguien sabe a qué hora cierra la biblioteca los sábados?", "es"),
                ("Nuevas novedades en la biblioteca: 200 libros de divulgación", "es"),
                ("La biblioteca estaba cerrada por obras y nadie avisó, qué desastre", "es"),
                ("Me encanta el fondo local digitalizado de la biblioteca, una joya", "es"),
                ("La sala de estudio de la biblioteca está llena desde las 9", "es"),
                ("Great storytelling session at the Biblioteca Pública Demo today!", "en"),
                ("The library wifi is down again, really annoying", "en"),
                ("Hoy presentación del club de lectura juvenil en la biblioteca", "es"),
                ("Mucho ruido en la biblioteca esta tarde, imposible concentrarse", "es"),
                ("La biblioteca municipal de Villaverde estrena horario de verano", "es"),
                ("Buen ambiente en la biblioteca regional con la feria del libro", "es"),
            ]
            today = timezone.now().replace(minute=0, second=0, microsecond=0)
            items = []
            for n in range(1500):
                # More conversation in term time, a summer dip and a September peak.
                day = rng.randrange(1, 366)
                moment = today - timedelta(days=day, hours=rng.randrange(0, 14))
                if moment.month in (7, 8) and rng.random() < 0.5:
                    continue
                text, language = rng.choice(texts)
                items.append(
                    FetchedItem(
                        external_id=f"{year_prefix}{n}",
                        url=f"{year_prefix}{n}",
                        text=text,
                        author_handle=f"@vecino{rng.randrange(1, 160)}@mastodon.social",
                        author_name=f"Vecino {n % 160}",
                        author_followers=int(rng.paretovariate(1.2) * 40),
                        published_at=moment.astimezone(UTC),
                        language=language,
                        likes=rng.randrange(0, 30),
                        reposts=rng.randrange(0, 8),
                        replies=rng.randrange(0, 5),
                    )
                )
            with tx.atomic():
                result = mentions_ingest(source=archive, items=items, queries=queries, keep_query_ids=None, cursor={})
            # The team answered most complaints and questions, first within a day or two, faster lately.
            answered = Mention.objects.filter(pk__in=result.inserted_ids).exclude(sentiment="positive")
            for mention in answered:
                if rng.random() < 0.7:
                    age_days = (today - mention.published_at).days
                    hours = rng.uniform(1, 10) + age_days / 12
                    mention.collected_at = mention.published_at
                    mention.first_response_at = mention.published_at + timedelta(hours=hours)
                    mention.status = "answered" if age_days < 20 else "closed"
                    mention.save(update_fields=["collected_at", "first_response_at", "status"])
        if not stored.filter(external_id__startswith=recent_prefix).exists():
            rng = random.Random(2027)
            book_club = [
                ("Esta semana el #ClubDeLectura comenta «Marianela», de Galdós. ¡Quedan plazas!", "es"),
                ("Me he apuntado al club de lectura para leer Marianela, qué ganas #ClubDeLectura", "es"),
                ("¿Alguien más está leyendo Marianela para el club de lectura del jueves? #ClubDeLectura", "es"),
                ("Qué bonita la sesión del club de lectura sobre Galdós en la Biblioteca Pública Demo", "es"),
                ("El #ClubDeLectura se ha llenado: abren un segundo grupo los martes", "es"),
                ("Recomendación del club de lectura: Marianela, de Benito Pérez Galdós. Corta y preciosa.", "es"),
                ("Book club at the Biblioteca Pública Demo: we are reading Galdós' Marianela #ClubDeLectura", "en"),
                ("Mi hija ha vuelto encantada del club de lectura juvenil, ya va por la mitad de Marianela", "es"),
                ("Llorando con el final de Marianela. Gracias, #ClubDeLectura, por recuperar a Galdós", "es"),
                ("Debate intenso en el club de lectura: ¿Pablo quería a Marianela o a su voz?", "es"),
                ("Quien diga que Galdós es aburrido no ha leído Marianela #ClubDeLectura", "es"),
                ("La biblioteca ha comprado más ejemplares de Marianela para el club de lectura, ¡bien!", "es"),
            ]
            games_night = [
                ("Primera #NocheDeJuegos de mesa en la biblioteca este viernes, ¡trae a tu familia!", "es"),
                ("Genial la noche de juegos de mesa, volveremos #NocheDeJuegos", "es"),
                ("¿Hace falta inscribirse para la noche de juegos? #NocheDeJuegos", "es"),
                ("Mis hijos no querían irse de la #NocheDeJuegos, qué buena idea", "es"),
            ]
            now = timezone.now().replace(second=0, microsecond=0)
            plan = [(book_club, 36, 7 * 24), (games_night, 8, 4 * 24)]
            items, n = [], 0
            for texts, count, hours in plan:
                for i in range(count):
                    # Most recent hours are the busiest: the talk is still growing.
                    moment = now - timedelta(hours=rng.triangular(1, hours, 1), minutes=rng.randrange(60))
                    text, language = texts[i % len(texts)]  # each post about as often as the others
                    items.append(
                        FetchedItem(
                            external_id=f"{recent_prefix}{n}",
                            url=f"{recent_prefix}{n}",
                            text=text,
                            author_handle=f"@vecino{rng.randrange(1, 160)}@mastodon.social",
                            author_name=f"Vecino {rng.randrange(1, 160)}",
                            author_followers=int(rng.paretovariate(1.2) * 40),
                            published_at=moment.astimezone(UTC),
                            language=language,
                            likes=rng.randrange(2, 40),
                            reposts=rng.randrange(0, 12),
                            replies=rng.randrange(0, 6),
                        )
                    )
                    n += 1
            with tx.atomic():
                mentions_ingest(source=archive, items=items, queries=queries, keep_query_ids=None, cursor={})

    def _metrics(self, org):
        """A year of daily profile snapshots, institutional KPIs with monthly values, two mappings."""
        import math
        import random
        from datetime import timedelta
        from decimal import Decimal

        from django.utils import timezone

        from metrics.models import InstitutionalKPI, InstitutionalValue, MetricMapping, ProfileSnapshot
        from strategy.models import Profile

        rng = random.Random(7)
        today = timezone.localdate()
        if not ProfileSnapshot.objects.filter(org=org).exists():
            growth = {"mastodon": (820, 1350), "bluesky": (300, 940), "instagram": (2400, 3100), "youtube": (450, 520)}
            rows = []
            for profile in Profile.objects.filter(org=org):
                first, last = growth.get(profile.platform, (100, 150))
                posts = 400
                for back in range(365, -1, -1):
                    progress = (365 - back) / 365
                    followers = first + (last - first) * progress + rng.uniform(-6, 6)
                    posts += rng.choice((0, 0, 1, 1, 2))
                    rows.append(
                        ProfileSnapshot(
                            org=org, profile=profile, date=today - timedelta(days=back), followers=int(followers),
                            following=180 + int(40 * progress), posts=posts, origin=ProfileSnapshot.Origin.POLL,
                        )
                    )  # fmt: skip
            ProfileSnapshot.objects.bulk_create(rows, ignore_conflicts=True)
        kpis = {}
        for name, unit, base, swing in [
            ("Visitas presenciales", "visitas", 10500, 1800),
            ("Préstamos", "préstamos", 7200, 900),
            ("Nuevos carnés", "carnés", 160, 45),
            ("Asistencia a actividades", "personas", 900, 300),
        ]:
            kpi, created = InstitutionalKPI.objects.get_or_create(
                org=org, name=name, defaults={"unit": unit, "frequency": "monthly"}
            )
            kpis[name] = kpi
            if created:
                month = today.replace(day=1)
                for back in range(12, 0, -1):
                    start = month
                    for _ in range(back):
                        start = (start - timedelta(days=1)).replace(day=1)
                    season = math.cos((start.month - 10) / 12 * 2 * math.pi)  # high in autumn, low in August
                    value = base + swing * season + rng.uniform(-0.08, 0.08) * base
                    InstitutionalValue.objects.create(org=org, kpi=kpi, period_start=start, value=Decimal(round(value)))
        for key, kpi_name, hypothesis in [
            (
                "mention_volume",
                "Asistencia a actividades",
                "Si se habla más de la biblioteca en redes, más vecinos se enteran de las actividades y acuden.",
            ),
            (
                "followers",
                "Nuevos carnés",
                "Quien nos sigue conoce los servicios y acaba sacándose el carné.",
            ),
        ]:
            MetricMapping.objects.get_or_create(
                org=org, metric_key=key, institutional_kpi=kpis[kpi_name], defaults={"hypothesis": hypothesis}
            )
