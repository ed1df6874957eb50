import pytest

from listening.services.poll import limiter_prefix, redis_client


@pytest.fixture(autouse=True)
def _fresh_host_limiter(settings):
    """Each test starts with no host blocked or spaced (the local servers share one host name)."""
    settings.LISTENING_HOST_MIN_INTERVAL = 0
    client = redis_client()
    for key in client.scan_iter(f"{limiter_prefix()}:*"):
        client.delete(key)
    yield
    for key in client.scan_iter(f"{limiter_prefix()}:*"):
        client.delete(key)


@pytest.fixture(autouse=True)
def _connector_messages_in_english(request):
    """Connector tests read the error messages in English (the product's default is Spanish)."""
    if "test_connector" not in request.module.__name__:
        yield
        return
    from django.utils import translation

    with translation.override("en"):
        yield
