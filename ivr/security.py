"""Twilio request signatures, checked against the public URL Twilio actually requested."""

from __future__ import annotations

import hmac

from flask import Request
from twilio.request_validator import RequestValidator


def public_request_url(request: Request, public_base_url: str) -> str:
    """The URL Twilio signed: our public base URL + path + the query string exactly as sent.

    Behind a TLS-terminating proxy the app sees http://internal-host/…; Twilio signed
    https://public-host/…, which PUBLIC_BASE_URL names.
    """
    url = public_base_url.rstrip("/") + request.path
    query = request.query_string.decode("latin-1")
    return f"{url}?{query}" if query else url


def has_valid_signature(request: Request, auth_token: str, public_base_url: str) -> bool:
    """True when X-Twilio-Signature matches the request (form parameters and public URL)."""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature or not auth_token:
        return False
    validator = RequestValidator(auth_token)
    url = public_request_url(request, public_base_url)
    # One HMAC for the URL as configured (the usual case); twilio's own validate() then tries the
    # variants with and without an explicit port, as Twilio's signing is inconsistent about it.
    expected = validator.compute_signature(url, request.form).encode()
    if hmac.compare_digest(expected, signature.encode("utf-8", "replace")):
        return True
    return bool(validator.validate(url, request.form, signature))
