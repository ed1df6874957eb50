"""Helpers for the publishing tests: the demo platform server as the outside world, connected
Mastodon/Bluesky profiles, scheduled posts and their images. Test modules wrap ``serve_demo_platforms``
and ``configure_publishing`` in their own fixtures (importing fixtures would shadow names)."""

import io
import threading
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from listening.demo_server import make_server
from listening.http import HttpClient
from strategy.models import PostMedia, PostStatus
from tests.factories import ProfileFactory
from tests.strategy.calendar_factories import PlannedPostFactory


def serve_demo_platforms():
    """The demo platform server (``make run``'s) on a free port, with its in-memory publishing store."""
    server = make_server("127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    server.base_url = f"http://{host}:{port}"
    yield server
    server.shutdown()
    server.server_close()


def configure_publishing(settings, tmp_path):
    """No spacing between requests to one host (the limiter is tested in listening) and media on a temp disk."""
    settings.LISTENING_HOST_MIN_INTERVAL = 0
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.BLUESKY_WEB_URL = "https://bsky.app"
    return settings


def http() -> HttpClient:
    return HttpClient(limiter=None)


def mastodon_profile(org, base_url: str, token: str = "demo-token", **kwargs):
    profile = ProfileFactory(org=org, platform="mastodon", handle="@bibliotecademo@demo.example", **kwargs)
    profile.api_base_url = base_url
    profile.credentials = {"access_token": token} if token else {}
    profile.save()
    return profile


def bluesky_profile(org, base_url: str, identifier: str = "bibliotecademo.bsky.social", password: str = "app-pass"):
    profile = ProfileFactory(org=org, platform="bluesky", handle=f"@{identifier}")
    profile.api_base_url = base_url
    profile.credentials = {"identifier": identifier, "app_password": password} if identifier else {}
    profile.save()
    return profile


def scheduled_post(profile, *, minutes_ago: int = 1, **kwargs):
    """A scheduled post whose time came ``minutes_ago`` minutes ago."""
    defaults = {
        "org": profile.org,
        "profile": profile,
        "status": PostStatus.SCHEDULED,
        "scheduled_at": timezone.now() - timedelta(minutes=minutes_ago),
    }
    return PlannedPostFactory(**{**defaults, **kwargs})


def png_bytes(width: int = 40, height: int = 30) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def add_media(post, name: str = "cartel.png", alt: str = "Cartel del club de lectura", content: bytes | None = None):
    media = PostMedia(post=post, alt_text=alt, position=post.media.count())
    media.file.save(name, ContentFile(png_bytes() if content is None else content), save=False)
    media.save()
    return media
