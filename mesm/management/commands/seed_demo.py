"""Create the demo library with a complete stage-1 plan. Running it again changes nothing."""

from datetime import date

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from mesm.models import Membership, Organization, Role
from strategy import services as strategy_services
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
