"""Encryption at rest for platform credentials (Fernet: AES-128-CBC + HMAC-SHA256).

The key comes from ``CREDENTIALS_KEY`` (a Fernet key) or, when unset, is derived from
``SECRET_KEY``; changing either makes stored credentials unreadable, so set
``CREDENTIALS_KEY`` explicitly in production and keep it with the database backups' secrets.
"""

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


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
