"""Platform connectors. ``get_connector_class(platform)`` maps a source's platform to its class."""

from listening.connectors.base import Connector

REGISTRY: dict[str, type[Connector]] = {}


def register(cls: type[Connector]) -> type[Connector]:
    REGISTRY[cls.platform] = cls
    return cls


def get_connector_class(platform: str) -> type[Connector]:
    _load()
    return REGISTRY[platform]


def _load() -> None:
    # Importing the modules registers their classes; done lazily to keep imports one-way.
    from listening.connectors import bluesky, lemmy, mastodon, reddit, rss, youtube  # noqa: F401
