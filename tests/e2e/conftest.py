"""The browser fixtures (browser, page, screenshot) live in tests/conftest.py, shared by every folder."""

from tests.conftest import ARTIFACTS, CHROMIUM  # noqa: F401  (imported by journeys for extra screenshots)
