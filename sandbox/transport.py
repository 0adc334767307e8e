"""How the sandbox reaches the webhooks: signed form POSTs, exactly as Twilio sends them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from flask import Flask
from twilio.request_validator import RequestValidator


@dataclass(frozen=True)
class WebhookReply:
    """What our app answered."""

    status: int
    body: str


class Transport(Protocol):
    """Sends one webhook request and returns the reply."""

    def post(self, url: str, params: dict[str, str]) -> WebhookReply: ...


class WsgiTransport:
    """Calls the Flask app in-process through WSGI, signing each request with the auth token."""

    def __init__(self, app: Flask, auth_token: str, public_base_url: str) -> None:
        self.app = app
        self.validator = RequestValidator(auth_token)
        self.public_base_url = public_base_url.rstrip("/")

    def post(self, url: str, params: dict[str, str]) -> WebhookReply:
        """Sign `url` + `params` as Twilio does and POST them to the app."""
        if not url.startswith(self.public_base_url):
            raise ValueError(f"the sandbox only calls this app's own webhooks, not {url}")
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        signature = self.validator.compute_signature(url, params)
        with self.app.test_client() as client:
            response = client.post(path, data=params, headers={"X-Twilio-Signature": signature})
            return WebhookReply(response.status_code, response.get_data(as_text=True))
