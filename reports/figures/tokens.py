"""API bearer tokens: creation (the only write) and lookup by hash."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from reports.figures.models import ApiToken

TOKEN_PREFIX = "zf_"


def hash_token(raw):
    """SHA-256 hex of a token; tokens are 256 random bits, so a fast hash is enough."""
    return hashlib.sha256(raw.encode()).hexdigest()


def issue(api_token, raw=None):
    """Give an unsaved ApiToken a fresh secret; returns the raw token (shown once, never stored)."""
    raw = raw or TOKEN_PREFIX + secrets.token_urlsafe(32)
    api_token.prefix, api_token.key_hash = raw[:10], hash_token(raw)
    return raw


@transaction.atomic
def create_api_token(*, user, name, token=None):
    """Create a token for `user`; returns (ApiToken, the raw token)."""
    api_token = ApiToken(user=user, name=name)
    raw = issue(api_token, token)
    api_token.save()
    return api_token, raw


def user_for_token(raw):
    """The active user an active token acts as, or None; records when the token was last used."""
    if not raw:
        return None
    api_token = ApiToken.objects.usable().select_related("user").filter(key_hash=hash_token(raw)).first()
    if api_token is None:
        return None
    ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
    return api_token.user
