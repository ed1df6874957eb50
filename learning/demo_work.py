"""Demo data of the work half of stage 5, for ``seed_demo``: safe to run twice.

``seed_work(org, users)`` with users keyed by demo username ("ana" admin, "luis" editor,
"carmen" viewer) creates an activities catalogue (one piloted), two trusted feeds on the local
demo platform server, a case-study library, an executive programme half-way through its steps,
and lessons from several sources.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from learning.models import (
    Activity,
    ActivityComment,
    ActivityPilot,
    CaseStudy,
    Executive,
    ExecutiveKPI,
    ExecutiveMetric,
    ExecutivePlatform,
    ExecutiveSource,
    Lesson,
    RecurringNote,
    RecurringSession,
    TrainingSession,
    TrustedFeed,
)
from learning.services.cases import case_study_to_lesson
from learning.services.executives import recurring_save, session_save, session_to_lesson
from learning.services.lessons import lesson_record

ACTIVITIES = [
    # name, purpose, today, platform, how, changes, gains, losses, status, proposer
    (
        "Organizar reuniones de trabajo",
        "Reunir al equipo con el orden del día y los documentos a mano.",
        "Correo a los asistentes y reserva de sala en la intranet",
        "Grupo privado en Mastodon + calendario compartido",
        "Se crea un hilo por reunión con el orden del día; los asistentes confirman respondiendo y los "
        "documentos se enlazan en el hilo. Después, el acta se publica como respuesta.",
        "La convocatoria deja de ser un correo más: la conversación previa y el acta quedan juntas.",
        "Todos ven las aportaciones antes de la reunión; las reuniones son más cortas.",
        "Quien no entra en el grupo se queda fuera; la reserva de sala sigue en la intranet.",
        "accepted",
        "luis",
    ),
    (
        "Compartir documentos de trabajo",
        "Que todos trabajen sobre la última versión.",
        "Carpeta compartida y adjuntos por correo",
        "Documento colaborativo enlazado desde el grupo",
        "El documento vive en un solo sitio y el grupo recibe un aviso con cada cambio importante.",
        "Se acaban las versiones «final_final2».",
        "Comentarios en el propio texto; historial de cambios.",
        "Los permisos hay que cuidarlos más.",
        "accepted",
        "ana",
    ),
    (
        "Anunciar novedades internas",
        "Que el personal sepa qué cambia (horarios, servicios, obras).",
        "Boletín interno mensual en PDF",
        "Canal interno con publicaciones breves",
        "Cada novedad se publica cuando ocurre, con una imagen; el boletín pasa a ser un resumen.",
        "Las noticias llegan a tiempo.",
        "Se puede preguntar y comentar; se ve quién lo ha leído.",
        "Sin resumen mensual, alguien puede perderse algo.",
        "accepted",
        "luis",
    ),
    (
        "Pedir ayuda a informática",
        "Resolver incidencias técnicas rápido.",
        "Formulario de incidencias de la intranet",
        "Sala de chat con el equipo de sistemas",
        "Las dudas rápidas van al chat; las incidencias siguen en el formulario.",
        "Respuesta en minutos para lo pequeño.",
        "Las soluciones quedan visibles para otros.",
        "Riesgo de que las incidencias serias no se registren.",
        "accepted",
        "ana",
    ),
    (
        "Recoger ideas para la programación cultural",
        "Que todo el personal pueda proponer actividades.",
        "Buzón de sugerencias por correo",
        "Tablero de ideas con votos",
        "Cada idea es una publicación; los compañeros votan y comentan.",
        "Las ideas dejan de perderse en el buzón.",
        "Se ve qué ideas tienen apoyo.",
        "Puede haber menos ideas de quien no usa redes.",
        "proposed",
        "carmen",
    ),
]

CASES = [
    # title, organisation, platform, did, results, adapt, relations, tags, url
    (
        "Hilos de historia local con fotos antiguas",
        "Biblioteca Municipal de Getafe",
        "Mastodon",
        "Cada viernes publican un hilo de cinco fotos del archivo con preguntas a los vecinos: ¿reconoces esta calle?",
        "Los hilos triplican las respuestas de una publicación normal; varios vecinos aportaron fotos propias.",
        "Nuestra colección digital de historia local tiene 10.000 imágenes: un hilo semanal con preguntas.",
        ["allies"],
        ["historia local", "hilos"],
        "https://example.org/getafe-hilos",
    ),
    (
        "Club de lectura en directo",
        "Biblioteca Regional de Murcia",
        "YouTube",
        "Emiten en directo la sesión mensual del club de lectura y responden preguntas del chat.",
        "Unas 300 personas por directo, la mitad de fuera de la ciudad.",
        "Probar un directo del club de lectura juvenil, con moderación del chat.",
        ["allies"],
        ["vídeo", "club de lectura"],
        "https://example.org/murcia-directo",
    ),
    (
        "Respuestas con humor a las quejas",
        "Librería La Central",
        "Instagram",
        "Responden a las quejas con humor y una solución concreta, siempre en menos de una hora.",
        "Varias quejas acabaron en mensajes de agradecimiento compartidos por los propios usuarios.",
        "Responder rápido y con una solución concreta; el humor, solo cuando el tono lo permita.",
        ["competitors"],
        ["atención", "quejas"],
        "https://example.org/central-quejas",
    ),
    (
        "Guía de lectura fácil en formato carrusel",
        "Asociación Lectura Fácil",
        "Instagram",
        "Publican guías de libros en lectura fácil en carruseles de cinco imágenes con texto grande.",
        "Es su contenido más guardado y compartido.",
        "",
        ["field"],
        ["accesibilidad", "lectura fácil"],
        "https://example.org/lectura-facil",
    ),
    (
        "Bibliotecarios que recomiendan en vídeos de un minuto",
        "Biblioteca Pública de Valencia",
        "TikTok",
        "Cada semana un bibliotecario recomienda un libro en un vídeo vertical de un minuto.",
        "Llegan a un público de 16 a 24 años que no seguía a la biblioteca en ninguna red.",
        "Un piloto de vídeos cortos para la campaña «Verano joven», grabados por el propio personal.",
        ["allies"],
        ["vídeo", "jóvenes"],
        "https://example.org/valencia-videos",
    ),
    (
        "El ayuntamiento publica las obras en un mapa",
        "Ayuntamiento de Villaverde",
        "Bluesky",
        "Anuncian cortes y obras con un mapa y una fecha de fin, y actualizan el hilo cuando cambia algo.",
        "Menos preguntas repetidas en las redes municipales.",
        "Avisar del cierre de la segunda planta con un hilo que se actualiza.",
        ["field"],
        ["avisos"],
        "https://example.org/villaverde-obras",
    ),
]

NOTES = [
    (
        "Las publicaciones con foto de la sala de estudio tienen más respuestas",
        "Con foto, las preguntas sobre horarios se responden solas en los comentarios entre usuarios.",
        "luis",
        ["imágenes", "sala de estudio"],
    ),
    (
        "Contestar en el mismo hilo, no por mensaje privado",
        "Cuando respondemos en público, otros con la misma duda dejan de preguntar.",
        "carmen",
        ["atención"],
    ),
    (
        "Threads work better in the evening",
        "Local-history threads posted after 18:00 got twice the replies of morning ones.",
        "ana",
        ["hilos", "horario"],
    ),
]


def _aware(day: date, at: time, org) -> datetime:
    return datetime.combine(day, at, tzinfo=org.zoneinfo)


@transaction.atomic
def seed_work(org, users: dict) -> None:
    """Create (or leave as they are) the work half's demo rows for ``org``."""
    # Titles the services write (e.g. "Training with …") come out in the organisation's language.
    with translation.override(org.language):
        _activities(org, users)
        _feeds(org)
        _cases(org, users)
        _executive(org, users)
        _notes(org, users)


def _activities(org, users):
    for name, purpose, today, platform, how, changes, gains, losses, status, proposer in ACTIVITIES:
        activity, created = Activity.objects.get_or_create(
            org=org,
            name=name,
            defaults={
                "purpose": purpose,
                "current_tool": today,
                "social_platform": platform,
                "social_way": how,
                "changes": changes,
                "gains": gains,
                "losses": losses,
                "status": status,
                "proposed_by": users.get(proposer),
            },
        )
        if created and status == "accepted":
            Activity.objects.filter(pk=activity.pk).update(reviewed_by=users.get("luis"), reviewed_at=timezone.now())
    meeting = Activity.objects.get(org=org, name=ACTIVITIES[0][0])
    if not meeting.pilots.exists():
        today = timezone.localdate()
        ActivityPilot.objects.create(
            org=org,
            activity=meeting,
            owner=users.get("luis"),
            start=today - timedelta(days=21),
            end=today + timedelta(days=21),
            status=ActivityPilot.Status.RUNNING,
            outcome="Tres reuniones convocadas en el grupo: todas con el orden del día comentado antes.",
        )
        ActivityComment.objects.create(
            activity=meeting,
            author=users.get("carmen"),
            text="En la de ayer llegamos todos con los documentos leídos. ¡Se nota!",
        )


def _feeds(org):
    demo = settings.DEMO_PLATFORM_URL.rstrip("/")
    for name, url, category, description in [
        (
            "Noticias de Villaverde",
            f"{demo}/rss/noticias.xml",
            TrustedFeed.Category.NEWS,
            "Lo que la prensa local cuenta de la biblioteca y de otras instituciones culturales.",
        ),
        (
            "Cultura local (sección)",
            f"{demo}/rss/noticias.xml?seccion=cultura",
            TrustedFeed.Category.PEER,
            "La sección de cultura: otras bibliotecas y centros culturales de la zona.",
        ),
    ]:
        TrustedFeed.objects.get_or_create(
            org=org,
            url=url,
            defaults={"name": name, "category": category, "description": description, "interval_minutes": 30},
        )


def _cases(org, users):
    for title, organisation, platform, did, results, adapt, relations, tags, url in CASES:
        case, created = CaseStudy.objects.get_or_create(
            org=org,
            title=title,
            defaults={
                "organisation": organisation,
                "platform": platform,
                "what_they_did": did,
                "results": results,
                "adapt": adapt,
                "relations": relations,
                "tags": tags,
                "url": url,
                "saved_by": users.get("luis"),
            },
        )
        if created and title in (CASES[0][0], CASES[4][0]):
            case_study_to_lesson(case, author=users.get("luis"))


def _executive(org, users):
    from metrics.models import InstitutionalKPI

    director, created = Executive.objects.get_or_create(
        org=org,
        name="Elena Martín",
        defaults={
            "position": "Directora de la red de bibliotecas",
            "how_they_decide": "Lee la prensa local y los informes del ministerio antes de cada pleno; pregunta "
            "a otros directores de la red y a la concejala de cultura.",
            "notes": "Prefiere reuniones cortas a primera hora. Le convencen los datos comparados con otras redes.",
        },
    )
    if not created:
        return
    press = ExecutiveSource.objects.create(
        org=org, executive=director, kind="source", name="Diario de Villaverde", url="https://example.org/diario"
    )
    ExecutiveSource.objects.create(
        org=org, executive=director, kind="source", name="Informes del Observatorio de la Lectura"
    )
    councillor = ExecutiveSource.objects.create(
        org=org, executive=director, kind="referent", name="Marta Ríos, concejala de Cultura"
    )
    ExecutivePlatform.objects.create(
        org=org, executive=director, platform="bluesky", source=councillor, where="@martarios.bsky.social"
    )
    ExecutivePlatform.objects.create(
        org=org, executive=director, platform="mastodon", source=press, where="@diariovillaverde@masto.es"
    )
    kpis = {kpi.name: kpi for kpi in InstitutionalKPI.objects.filter(org=org)}
    for name, judged_by in [("Visitas presenciales", "Concejalía de Cultura"), ("Nuevos carnés", "Pleno municipal")]:
        if name in kpis:
            ExecutiveKPI.objects.create(org=org, executive=director, institutional_kpi=kpis[name], judged_by=judged_by)
    ExecutiveMetric.objects.create(
        org=org,
        executive=director,
        metric_key="followers",
        institutional_kpi=kpis.get("Nuevos carnés"),
        note="Quien nos sigue conoce los servicios; comparamos la curva de seguidores con la de carnés nuevos.",
    )
    ExecutiveMetric.objects.create(
        org=org,
        executive=director,
        metric_key="mention_volume",
        institutional_kpi=kpis.get("Visitas presenciales"),
        note="Los picos de menciones coinciden con las semanas de más visitas.",
    )
    today = timezone.localdate()
    held = session_save(
        TrainingSession(
            org=org,
            executive=director,
            title="Sus fuentes, en las redes",
            starts_at=_aware(today - timedelta(days=12), time(9, 0), org),
            duration_minutes=30,
            agenda="1. Dónde publican el Diario y la concejala.\n2. Qué dicen de la biblioteca esta semana.\n"
            "3. Seguidores frente a carnés nuevos.",
            status=TrainingSession.Status.HELD,
            notes="Le sorprendió que la concejala publique a diario en Bluesky. Pidió ver cada mes las menciones "
            "junto a las visitas: comparar con sus propios indicadores funciona mejor que hablar de «me gusta».",
        )
    )
    session_to_lesson(held, author=users.get("luis"), tags="directivos, formación")
    session_save(
        TrainingSession(
            org=org,
            executive=director,
            title="Su primer perfil",
            starts_at=_aware(today + timedelta(days=9), time(9, 0), org),
            duration_minutes=30,
            agenda="Crear su perfil en Bluesky, seguir a sus referentes y a la biblioteca.",
        )
    )
    first = today.replace(day=1) + timedelta(days=32)
    monthly = recurring_save(
        RecurringSession(
            org=org,
            executive=director,
            title="Café mensual de redes con Elena",
            frequency=RecurringSession.Frequency.MONTHLY,
            interval=1,
            weekday=RecurringSession.Weekday.TUESDAY,
            week_of_month=1,
            start_date=first.replace(day=1),
            time=time(10, 0),
            count=10,
            duration_minutes=20,
        )
    )
    RecurringNote.objects.create(
        org=org,
        recurring=monthly,
        date=today - timedelta(days=12),
        text="Acordado el formato: 20 minutos, tres gráficos y una pregunta suya.",
        author=users.get("luis"),
    )


def _notes(org, users):
    for title, body, author, tags in NOTES:
        if not Lesson.objects.filter(org=org, title=title).exists():
            lesson_record(
                org,
                title=title,
                body=body,
                source_kind=Lesson.SourceKind.NOTE,
                source_label="Nota rápida",
                author=users.get(author),
                tags=tags,
            )
    title = "El piloto de reuniones en el grupo acorta las reuniones"
    if not Lesson.objects.filter(org=org, title=title).exists():
        meeting = Activity.objects.filter(org=org, name=ACTIVITIES[0][0]).first()
        lesson_record(
            org,
            title=title,
            body="Con el orden del día comentado en el hilo, las reuniones bajaron de una hora a cuarenta minutos.",
            source_kind=Lesson.SourceKind.OTHER,
            source_label="Piloto: " + ACTIVITIES[0][0],
            source_url=f"/o/{org.slug}/learning/activities/{meeting.pk}/" if meeting else "",
            author=users.get("luis"),
            tags="intranet, reuniones",
        )
