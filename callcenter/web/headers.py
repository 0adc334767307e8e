"""Security headers on every response (Flask-Talisman), and no caching of what a login or a caller shows.

- Content-Security-Policy: scripts, styles and everything else from this site only (no inline script:
  the pages' data travels in `<script type="application/json">` blocks, which are not run); the
  softphone's Voice SDK may talk to Twilio (`*.twilio.com` over https/wss) and play Twilio's media
  (ring tones, a voicemail's recording); no plugins; forms post only here; no page may be framed
  (`frame-ancestors 'none'` and X-Frame-Options DENY: no clickjacking of the announcement switch or
  the ticket actions).
- X-Content-Type-Options: nosniff; Referrer-Policy: no-referrer (a ticket's address never leaves).
- Strict-Transport-Security in production (sent on https requests, i.e. behind the TLS proxy with
  PROXY_FIX_HOPS set). HTTPS itself is the proxy's job: nothing here redirects.
- Cache-Control: no-store on everything but static files: pages, JSON, CSV and TwiML may carry what a
  login or a caller shows, and must not stay in a browser's or a proxy's cache.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_talisman import Talisman

TWILIO = "*.twilio.com"
CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'", f"https://{TWILIO}", f"wss://{TWILIO}"],
    "media-src": ["'self'", "blob:", f"https://{TWILIO}", "https://media.twiliocdn.com"],
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
STATIC_ENDPOINTS = ("static", "voice_sdk")  # files that may be cached (pages.static, sandbox.static, the SDK)


def install(app: Flask) -> None:
    """Headers on every response of `app`."""
    Talisman(
        app,
        force_https=False,  # the TLS proxy in front terminates https; the tests and the demo speak http
        frame_options="DENY",
        strict_transport_security=app.config.get("ENV_NAME") == "production",
        content_security_policy=CSP,
        referrer_policy="no-referrer",
        # Talisman would force these; the app's config decides (Secure in production only).
        session_cookie_secure=bool(app.config.get("SESSION_COOKIE_SECURE")),
        session_cookie_http_only=True,
        session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE", "Lax"),
    )

    @app.after_request
    def no_store(response: Response) -> Response:
        endpoint = request.endpoint or ""
        if not endpoint.endswith(STATIC_ENDPOINTS):
            response.headers["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
        return response
