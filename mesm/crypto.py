"""Encryption at rest for platform credentials and secrets (Fernet: AES-128-CBC + HMAC-SHA256).

The key comes from ``CREDENTIALS_KEY`` (a Fernet key) or, when unset, is derived from
``SECRET_KEY``; changing either makes stored credentials unreadable, so set
``CREDENTIALS_KEY`` explicitly in production and keep it with the database backups' secrets.
"""

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models


def _fernet() -> Fernet:
    key = getattr(settings, "CREDENTIALS_KEY", "") or ""
    if not key:
        digest = hashlib.sha256(("mesm-credentials:" + settings.SECRET_KEY).encode()).digest()
        key = base64.urlsafe_b64encode(digest).decode()
    return Fernet(key.encode() if isinstance(key, str) else key)


def encrypt_json(data: dict) -> str:
    if not data:
        return ""
    return _fernet().encrypt(json.dumps(data).encode()).decode()


def decrypt_json(token: str) -> dict:
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except (InvalidToken, ValueError):
        # Unreadable (key changed): behave as "no credentials", which the source health shows.
        return {}


def encrypt_text(text: str) -> str:
    if not text:
        return ""
    return _fernet().encrypt(text.encode()).decode()


def decrypt_text(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return ""


class EncryptedTextField(models.TextField):
    """Text stored encrypted (a secret the app must send back, e.g. a webhook's signing secret).

    Python code reads and writes plain text; the column holds a Fernet token. ``max_length`` only
    limits forms (a token is longer than its text).
    """

    def from_db_value(self, value, expression, connection):
        return decrypt_text(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt_text(value) if value else value


class SessionJSONField(models.JSONField):
    """JSON whose ``"session"`` entry (a platform's access and refresh tokens) is stored encrypted.

    A connector's cursor keeps its login session so each poll reuses it; the tokens in it are
    credentials, so only their Fernet token reaches the database.
    """

    SECRET_KEY = "session"

    def from_db_value(self, value, expression, connection):
        value = super().from_db_value(value, expression, connection)
        if isinstance(value, dict) and isinstance(value.get(self.SECRET_KEY), str):
            session = decrypt_json(value[self.SECRET_KEY])
            value = {**value, self.SECRET_KEY: session} if session else _without(value, self.SECRET_KEY)
        return value

    def get_prep_value(self, value):
        if isinstance(value, dict) and isinstance(value.get(self.SECRET_KEY), dict):
            value = {**value, self.SECRET_KEY: encrypt_json(value[self.SECRET_KEY])}
        return super().get_prep_value(value)


def _without(data: dict, key: str) -> dict:
    return {k: v for k, v in data.items() if k != key}
