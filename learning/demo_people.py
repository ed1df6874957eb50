"""Demo data of the people half of stage 5 for the demo library (in Spanish, its language).

``seed_people(org, users)`` is called by ``seed_demo`` with users "ana" (admin), "luis" (editor) and
"carmen" (viewer). Each part is created only if it is missing, so running it again changes nothing.
"""

import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from learning.models import (
    DiscussionGroup,
    Experiment,
    GroupMeeting,
    PolicyVersion,
    StaffList,
    StaffMember,
    Survey,
    Talk,
    ThinkTankIdea,
    ThinkTankSession,
)
from learning.people import explore as explore_service
from learning.people import staff as staff_service
from learning.people import surveys as survey_service
from strategy.models import PlannedPost, PostStatus, Tier

STAFF = [
    # name, department, e-mail, handles, lists
    ("Luis Romero", "Comunicación", "luis@biblioteca-demo.example",
     {"mastodon": "@luisromero@mastodon.social", "bluesky": "luisromero.bsky.social", "instagram": "luis.lee"},
     ["Embajadores en redes"]),
    ("Marta Vidal", "Sala de referencia", "marta.vidal@biblioteca-demo.example",
     {"mastodon": "@martavidal@masto.es", "linkedin": "martavidal-biblio"}, ["Sala de referencia", "Embajadores en redes"]),
    ("Jorge Santos", "Sala de referencia", "", {"bluesky": "jorgesantos.bsky.social"}, ["Sala de referencia"]),
    ("Elena Martín", "Infantil y juvenil", "elena.martin@biblioteca-demo.example",
     {"instagram": "elena.cuentacuentos", "tiktok": "@elenacuenta"}, ["Infantil y juvenil", "Embajadores en redes"]),
    ("Pablo Ruiz", "Infantil y juvenil", "", {"instagram": "pablo.ilustra"}, ["Infantil y juvenil"]),
    ("Lucía Herrero", "Fondo local", "lucia.herrero@biblioteca-demo.example",
     {"mastodon": "@luciaherrero@fedi.cat", "x": "@luciafondolocal"}, ["Embajadores en redes"]),
    ("Andrés Molina", "Dirección", "direccion@biblioteca-demo.example", {"linkedin": "andres-molina-bibliotecas"},
     ["Dirección y coordinación"]),
    ("Sara Gil", "Sucursal Norte", "", {"instagram": "sara.sucursalnorte", "facebook": "sara.gil.biblio"},
     ["Dirección y coordinación"]),
    ("Tomás Prieto", "Sistemas", "", {"mastodon": "@tprieto@mastodon.social", "youtube": "@tomasprieto"}, []),
    ("Nuria Campos", "Sucursal Sur", "", {}, []),
]  # fmt: skip

LISTS = {
    "Embajadores en redes": "Quienes ya comparten la actividad de la biblioteca: contenido para amplificar.",
    "Sala de referencia": "Consultas, recursos y consejos de búsqueda.",
    "Infantil y juvenil": "Cuentacuentos, clubes y actividades para familias.",
    "Dirección y coordinación": "Resultados y novedades institucionales.",
}

POLICY_V1 = """# Para qué estamos en redes
La biblioteca usa las redes sociales para acercar sus servicios y conversar con quienes la usan.

# Principios
- Habla con respeto y en un tono cercano.
- No publiques datos personales de usuarios.
- Cita siempre la fuente de imágenes y textos.
"""

POLICY_V2 = """# Para qué estamos en redes
La biblioteca usa las redes sociales para acercar sus servicios, conversar con quienes la usan y aprender de ellos.

# Principios
- Habla con **respeto** y en un tono cercano; tutea salvo que te traten de usted.
- No publiques datos personales de usuarios ni fotos de menores sin autorización firmada.
- Cita siempre la fuente de imágenes y textos, y describe las imágenes (texto alternativo).

# Quién responde
1. Las consultas de información las responde la sala de referencia en menos de un día.
2. Las quejas pasan a coordinación, que responde en público y resuelve en privado.
3. En una crisis, solo habla la cuenta institucional; el resto del personal no comenta.

# Cuentas personales
Puedes decir dónde trabajas. Deja claro que tus opiniones son tuyas.
"""


def seed_people(org, users: dict) -> None:
    """Create the demo's staff, survey with results, policy, talks, discussion group, ideas and experiments."""
    rng = random.Random(20260515)
    with transaction.atomic():
        people = _staff(org, users)
        _survey(org, users, rng)
        _policy(org, users, people)
        _talks(org, users)
        _explore(org, users, people)
        _experiments(org, users)


def _staff(org, users) -> dict[str, StaffMember]:
    lists = {}
    for name, description in LISTS.items():
        lists[name], _created = StaffList.objects.get_or_create(
            org=org, name=name, defaults={"description": description}
        )
    people = {}
    for name, department, email, handles, list_names in STAFF:
        person, created = StaffMember.objects.get_or_create(
            org=org, name=name, defaults={"department": department, "email": email, "handles": handles}
        )
        if created:
            if name == "Luis Romero" and "luis" in users:
                person.member = users["luis"]
                person.save(update_fields=["member"])
            person.lists.set([lists[n] for n in list_names])
        people[name] = person
    return people


# Weighted answers so the results tell a story: events and new arrivals first, Instagram ahead.
FREQUENCY = [("A diario", 3), ("Cada semana", 8), ("De vez en cuando", 10), ("Nunca o casi nunca", 4)]
CONTENT = [
    ("Novedades y recomendaciones de lectura", 0.7),
    ("Agenda de actividades y eventos", 0.8),
    ("Servicios y recursos de la biblioteca", 0.4),
    ("El equipo y el trabajo entre bastidores", 0.45),
    ("Fondo local, patrimonio y archivo", 0.3),
    ("Consejos para buscar información", 0.25),
    ("Concursos y retos", 0.2),
]
PLATFORMS = [("Instagram", 0.65), ("Mastodon", 0.3), ("Bluesky", 0.25), ("Facebook", 0.35), ("YouTube", 0.3),
             ("TikTok", 0.15), ("LinkedIn", 0.2)]  # fmt: skip
COMMENTS = [
    "Me gustaría ver más fotos del fondo antiguo.",
    "Que se anuncien los clubes de lectura con más antelación.",
    "Vídeos cortos de cómo usar el catálogo.",
    "Presentar a las personas que trabajamos en cada sucursal.",
    "Recomendaciones por edades para las familias.",
    "Menos carteles y más historias de usuarios.",
    "Avisar de los cambios de horario en verano.",
    "",
]


def _weighted(rng, pairs):
    return rng.choices([value for value, _w in pairs], weights=[w for _v, w in pairs])[0]


def _survey(org, users, rng) -> None:
    title = survey_service.TEMPLATE["es"]["title"]
    if Survey.objects.filter(org=org, title=title).exists():
        return
    now = timezone.now()
    opened = now - timedelta(days=40)
    survey = survey_service.survey_create_from_template(
        org=org, by=users.get("luis"), language="es", opens_at=opened, closes_at=now - timedelta(days=12)
    )
    q = list(survey.questions.order_by("position"))
    for n in range(25):
        picked = [option for option, chance in CONTENT if rng.random() < chance] or ["Agenda de actividades y eventos"]
        platforms = [option for option, chance in PLATFORMS if rng.random() < chance] or ["Ninguna"]
        helpful = rng.choices([1, 2, 3, 4, 5], weights=[1, 3, 7, 9, 5])[0]
        recommend = min(10, max(0, int(rng.gauss(7, 2))))
        raw = {
            q[0].pk: _weighted(rng, FREQUENCY),
            q[1].pk: picked,
            q[2].pk: platforms,
            q[3].pk: str(helpful),
            q[4].pk: str(recommend),
            q[5].pk: rng.choice(["Sí", "Quizá", "Quizá", "No"]),
            q[6].pk: COMMENTS[n % len(COMMENTS)] if rng.random() < 0.6 else "",
        }
        survey_service.survey_answer(survey=survey, raw=raw, now=opened + timedelta(hours=6 + n * 9))
    # A second, still open, for members only: what training colleagues need.
    training = Survey.objects.create(
        org=org,
        title="Formación en redes: ¿qué necesitas?",
        intro="Preparamos las charlas del próximo trimestre. Dinos qué te vendría bien.",
        language="es",
        access="members",
        created_by=users.get("luis"),
    )
    survey_service.question_add(
        survey=training,
        text="¿Qué tema te interesa más?",
        kind="single",
        options=["Empezar en Mastodon", "Fotos y vídeos con el móvil", "Responder quejas", "Medir resultados"],
    )
    survey_service.question_add(
        survey=training,
        text="¿Cuánto te sientes capaz de publicar en nombre de la biblioteca?",
        kind="scale",
        scale_min=1,
        scale_max=5,
        scale_min_label="Nada",
        scale_max_label="Totalmente",
    )
    survey_service.question_add(survey=training, text="¿Algo más?", kind="text", required=False)
    if "ana" in users:
        tq = list(training.questions.order_by("position"))
        survey_service.survey_answer(
            survey=training, raw={tq[0].pk: "Medir resultados", tq[1].pk: "4"}, user=users["ana"]
        )


def _policy(org, users, people) -> None:
    if PolicyVersion.objects.filter(org=org).exists():
        return
    first = staff_service.policy_version_create(
        org=org, by=users.get("ana"), title="Política de redes sociales", label="1.0", body=POLICY_V1,
        effective_on=date(2025, 3, 1),
    )  # fmt: skip
    for username in ("ana", "luis", "carmen"):
        if username in users:
            staff_service.policy_acknowledge(first, user=users[username])
    second = staff_service.policy_version_create(
        org=org, by=users.get("ana"), title="Política de redes sociales", label="2.0", body=POLICY_V2,
        effective_on=date(2026, 2, 1),
        summary_of_changes="Añade quién responde qué, el protocolo de crisis y el uso de cuentas personales.",
    )  # fmt: skip
    for username in ("ana", "luis"):
        if username in users:
            staff_service.policy_acknowledge(second, user=users[username])
    for name in ("Marta Vidal", "Elena Martín", "Lucía Herrero"):
        staff_service.policy_acknowledge(second, staff_member=people[name], by=users.get("ana"))


def _talks(org, users) -> None:
    if Talk.objects.filter(org=org).exists():
        return
    today = timezone.localdate()
    past = Talk.objects.create(
        org=org,
        date=today - timedelta(days=21),
        topic="Mastodon para bibliotecarios: primeros pasos",
        speaker="Luis Romero",
        audience="Toda la plantilla",
        attendance=18,
        notes="Elegir instancia: mejor una generalista o de bibliotecas.\n"
        "Presentarse con la etiqueta #presentación y seguir a otras bibliotecas el primer día.\n"
        "Las listas ayudan a no perderse: una para bibliotecas, otra para la ciudad.",
    )
    staff_service.talk_record_lesson(past, by=users.get("luis"))
    Talk.objects.create(
        org=org,
        date=today + timedelta(days=16),
        topic="Fotos y vídeos con el móvil para redes",
        speaker="Elena Martín",
        audience="Infantil y sucursales",
        notes="",
    )


IDEAS = [
    # title, kind, status, description, votes from
    ("Canal de difusión de WhatsApp para familias", "space", "study",
     "Avisos de cuentacuentos y talleres, una vez por semana, sin conversación.", ["ana", "luis", "carmen"]),
    ("Retos de lectura de verano en Instagram", "use", "adopted",
     "Un reto semanal con una etiqueta propia; las familias comparten lo que leen.", ["luis", "carmen"]),
    ("Duplicar a los jóvenes que nos siguen", "objective", "proposed",
     "Medido en Instagram y TikTok, antes de junio de 2027.", ["carmen"]),
    ("Probar una cuenta en TikTok", "platform", "proposed",
     "Vídeos cortos de recomendaciones hechos por el club juvenil.", ["ana"]),
    ("Canal de Telegram para la sala de investigación", "space", "discarded",
     "Se descartó: el público investigador ya está en la lista de correo.", []),
    ("Hilos del fondo local en Mastodon", "use", "adopted",
     "Una foto antigua cada jueves, con su historia y la signatura.", ["ana", "luis"]),
]  # fmt: skip


def _explore(org, users, people) -> None:
    if DiscussionGroup.objects.filter(org=org).exists():
        return
    today = timezone.localdate()
    group = DiscussionGroup.objects.create(
        org=org,
        name="Laboratorio de redes",
        purpose="Usuarios avanzados que siguen lo que pasa en el ecosistema digital y lo traen a la biblioteca.",
        meeting_place="Sala de formación y sala de Jitsi",
        cadence="Primer martes de cada mes",
    )
    group.members.set(
        [people[n] for n in ("Luis Romero", "Marta Vidal", "Elena Martín", "Lucía Herrero", "Tomás Prieto")]
    )
    GroupMeeting.objects.create(
        org=org,
        group=group,
        date=today - timedelta(days=35),
        topic="Bluesky y el fediverso: ¿dónde están las bibliotecas?",
        attendance=5,
        notes="Muchas bibliotecas universitarias se han movido a Bluesky. Proponemos probar los dos meses.",
    )
    GroupMeeting.objects.create(
        org=org,
        group=group,
        date=today - timedelta(days=7),
        topic="Vídeo vertical",
        attendance=4,
        notes="Los vídeos cortos del club juvenil funcionan. Falta un protocolo de permisos de imagen.",
    )
    session = ThinkTankSession.objects.create(
        org=org,
        title="Nuevos espacios para llegar a familias y jóvenes",
        date=today - timedelta(days=14),
        question="¿Qué espacios, objetivos, plataformas y usos nuevos nos acercarían a familias y jóvenes?",
        group=group,
        notes="Lluvia de ideas de 45 minutos; votación abierta dos semanas.",
    )
    for title, kind, status, description, voters in IDEAS:
        idea = ThinkTankIdea.objects.create(
            org=org, session=session, title=title, kind=kind, status=status, description=description,
            created_by=users.get("luis"),
        )  # fmt: skip
        for username in voters:
            if username in users:
                explore_service.idea_vote(idea, users[username], on=True)
        if title.startswith("Hilos del fondo local"):
            explore_service.idea_to_conversation(idea, by=users.get("luis"))


def _post(org, tier, starts_with):
    """A published post of the calendar of this tier, preferably the one whose text starts so."""
    posts = PlannedPost.objects.filter(org=org, status=PostStatus.PUBLISHED, tier=tier).order_by("-likes", "id")
    return posts.filter(text__startswith=starts_with).first() or posts.first()


def _experiments(org, users) -> None:
    if Experiment.objects.filter(org=org).exists():
        return
    poll = _post(org, Tier.MODERATE, "Encuesta rápida")
    challenge = _post(org, Tier.RADICAL, "Reto #7DíasLeyendo")
    first = Experiment.objects.create(
        org=org,
        title="Preguntar antes de programar un taller",
        tier=Tier.MODERATE,
        post=poll,
        date=timezone.localdate(poll.published_at) if poll and poll.published_at else timezone.localdate(),
        hypothesis="Preguntar antes de programar aumentará las respuestas y la asistencia al taller elegido.",
        what_tried="Una encuesta de tres opciones dos semanas antes de cerrar la programación de enero.",
        result="Más del doble de respuestas que una publicación normal; el taller elegido llenó sus plazas.",
        lesson_learned="Preguntar antes de programar funciona: repetirlo cada trimestre, con tres opciones como máximo.",
        created_by=users.get("luis"),
    )
    explore_service.experiment_record_lesson(first, by=users.get("luis"))
    Experiment.objects.create(
        org=org,
        title="Reto #7DíasLeyendo",
        tier=Tier.RADICAL,
        post=challenge,
        date=timezone.localdate(challenge.published_at)
        if challenge and challenge.published_at
        else timezone.localdate(),
        hypothesis="Un reto con contenido de los usuarios creará conversación entre ellos, no solo con nosotros.",
        what_tried="Cada día compartimos las fotos de lectura que nos mandaban, con su permiso.",
        result="",
        lesson_learned="",
        created_by=users.get("luis"),
    )
