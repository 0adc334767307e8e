"""Configuration classes, read from the environment with safe defaults.

`load_config()` picks the class from HOTLINE_ENV (development, test, production).
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """Parse a boolean flag from the environment; reject anything ambiguous."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"{name} must be one of {sorted(TRUE_WORDS | FALSE_WORDS)}, got {raw!r}")


def env_int(name: str, default: int) -> int:
    """Parse an integer setting from the environment."""
    raw = os.environ.get(name)
    return default if raw in (None, "") else int(raw)


def env_list(name: str, default: str) -> list[str]:
    """Parse a comma-separated list from the environment."""
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


class BaseConfig:
    """Settings shared by every environment. Each attribute is documented in the README."""

    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY") or secrets.token_hex(32)
    # Fernet keys for caller data at rest (models/crypto.py), newest first; required in production.
    DATA_KEYS = env_list("DATA_KEYS", "")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "hotline_session"
    # A page login ends at the latest after a 12-hour shift and a margin (the cookie and the server's
    # user_sessions row both), and after SESSION_IDLE_MINUTES without a request (an open softphone or
    # wallboard polls, so only a page left closed goes idle).
    PERMANENT_SESSION_LIFETIME = env_int("SESSION_ABSOLUTE_HOURS", 13) * 3600
    SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 120)
    # Behind a TLS proxy: how many proxies' X-Forwarded-For/-Proto to trust (login throttling per address).
    PROXY_FIX_HOPS = env_int("PROXY_FIX_HOPS", 0)
    # The public answer API's limits per client address, shared by every process (answers/limits.py).
    PUBLIC_ANSWER_SEARCHES = env_int("PUBLIC_ANSWER_SEARCHES", 60)  # a minute
    PUBLIC_ANSWER_FEEDBACK = env_int("PUBLIC_ANSWER_FEEDBACK", 30)  # an hour
    DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{ROOT / 'instance' / 'hotline.db'}"
    MAX_CONTENT_LENGTH = 64 * 1024  # Twilio's webhook bodies are a few KB; anything larger is refused.

    # Twilio. With no credentials the local telephony sandbox is the telephony engine.
    TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
    TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
    TWILIO_API_BASE_URL = os.environ.get("TWILIO_API_BASE_URL", "https://api.twilio.com")
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    SANDBOX_ENABLED = env_bool("SANDBOX_ENABLED", not os.environ.get("TWILIO_AUTH_TOKEN"))

    # The hotline.
    HOTLINE_NUMBERS = env_list("HOTLINE_NUMBERS", "19009299")
    DEFAULT_REGION = os.environ.get("DEFAULT_REGION", "VN")
    DEFAULT_LANGUAGE = os.environ.get("DEFAULT_LANGUAGE", "vi")
    # The staff pages' language for a user who has not picked one (and the login page without a usable
    # Accept-Language): vi or en. Tests run with en, so their English assertions hold (see README, Languages).
    DEFAULT_UI_LANGUAGE = os.environ.get("DEFAULT_UI_LANGUAGE", "vi")
    QUEUE_NAME_BRANCH_1 = os.environ.get("QUEUE_NAME_BRANCH_1", "hotline-branch-1")
    QUEUE_NAME_BRANCH_2 = os.environ.get("QUEUE_NAME_BRANCH_2", "hotline-branch-2")
    QUEUE_MAX_SIZE = env_int("QUEUE_MAX_SIZE", 1000)

    # IVR behaviour.
    GATHER_TIMEOUT_SECONDS = env_int("GATHER_TIMEOUT_SECONDS", 5)
    # Silence after the greeting before going on: short, the caller pays for every second.
    GREETING_TIMEOUT_SECONDS = env_int("GREETING_TIMEOUT_SECONDS", 2)
    MENU_MAX_ATTEMPTS = env_int("MENU_MAX_ATTEMPTS", 3)
    # Where a caller who never presses a valid key goes: branch 2, group "other" (the general desk).
    FALLBACK_BRANCH = env_int("FALLBACK_BRANCH", 2)
    QUEUE_ANNOUNCE_INTERVAL_SECONDS = env_int("QUEUE_ANNOUNCE_INTERVAL_SECONDS", 60)
    HOLD_MUSIC_URL = os.environ.get(
        "HOLD_MUSIC_URL",
        "http://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3",
    )
    HOLD_MUSIC_SECONDS = env_int("HOLD_MUSIC_SECONDS", 30)  # length of one clip; used by the sandbox
    TTS_VOICE_VI = os.environ.get("TTS_VOICE_VI", "Google.vi-VN-Standard-A")
    TTS_VOICE_EN = os.environ.get("TTS_VOICE_EN", "Google.en-US-Standard-C")
    PROMPT_CACHE_SECONDS = env_int("PROMPT_CACHE_SECONDS", 10)

    # Estimated wait: answered calls of the branch within this window give the service rate.
    ETA_WINDOW_MINUTES = env_int("ETA_WINDOW_MINUTES", 120)
    ETA_MIN_SAMPLES = env_int("ETA_MIN_SAMPLES", 3)

    # Agents.
    RING_SECONDS = env_int("RING_SECONDS", 20)  # ring-no-answer after this
    WRAP_UP_SECONDS = env_int("WRAP_UP_SECONDS", 120)
    # How a live caller meets the agent: "client" (<Dial><Client>: answer and hang up only) or
    # "conference" (one conference per call, the agent rung first: hold and the desk's other actions,
    # issue 13). "client" stays the default until the conference bridge has every action.
    DESK_BRIDGE = os.environ.get("DESK_BRIDGE", "client")
    # Central support (the circular's escalation target) per field, "group=number" (groups: accounts,
    # incidents, single_window, other); an agent on the conference bridge consults them before handing over.
    CENTRAL_SUPPORT_NUMBERS = env_list("CENTRAL_SUPPORT_NUMBERS", "")

    # E-mail (issue 15). Intake reads MAIL_IMAP_URL (imaps://user:password@host:993/INBOX, or imap:// with
    # STARTTLS); answers go out through MAIL_SMTP_URL (smtp://user:password@host:587, STARTTLS and AUTH)
    # from MAIL_FROM. MAIL_ADDRESSES: every support address, old ones included (mail to any of them is the
    # desk's); MAIL_DENUNCIATION_ADDRESSES: mail to these is branch 1 (need-to-know). Empty: no mail intake.
    MAIL_IMAP_URL = os.environ.get("MAIL_IMAP_URL", "")
    MAIL_SMTP_URL = os.environ.get("MAIL_SMTP_URL", "")
    MAIL_ADDRESSES = env_list("MAIL_ADDRESSES", "bophanhotro@customs.gov.vn")
    MAIL_DENUNCIATION_ADDRESSES = env_list("MAIL_DENUNCIATION_ADDRESSES", "")
    MAIL_FROM = os.environ.get("MAIL_FROM", "bophanhotro@customs.gov.vn")
    MAIL_MAX_MESSAGE_BYTES = env_int("MAIL_MAX_MESSAGE_BYTES", 25 * 1024 * 1024)  # larger: kept as a stub
    MAIL_MAX_ATTACHMENT_BYTES = env_int("MAIL_MAX_ATTACHMENT_BYTES", 1024 * 1024)  # the circular's 1 MB
    MAIL_ACKS_PER_SENDER_PER_HOUR = env_int("MAIL_ACKS_PER_SENDER_PER_HOUR", 3)
    MAIL_RESPONSE_TARGET_HOURS = env_int("MAIL_RESPONSE_TARGET_HOURS", 8)  # first answer within (reports)
    MAIL_FETCH_SECONDS = env_int("MAIL_FETCH_SECONDS", 30)  # the scheduler's intake round (IDLE: at once)
    WRAP_UP_EXTEND_SECONDS = env_int("WRAP_UP_EXTEND_SECONDS", 60)  # "More time": once per wrap-up
    WRAP_UP_WARNING_SECONDS = env_int("WRAP_UP_WARNING_SECONDS", 30)  # the page warns this long before the end
    # Presence: an agent whose softphone page has not reported for this long (tab closed, connection
    # lost) or whose Voice SDK device is not registered is not offered calls; after PRESENCE_OFFLINE_SECONDS
    # without a report she is logged off (reason softphone_lost, on record).
    PRESENCE_TIMEOUT_SECONDS = env_int("PRESENCE_TIMEOUT_SECONDS", 10)
    PRESENCE_OFFLINE_SECONDS = env_int("PRESENCE_OFFLINE_SECONDS", 60)
    # After a Decline the same caller is not offered to the same agent again for this long.
    DECLINE_REOFFER_SECONDS = env_int("DECLINE_REOFFER_SECONDS", 60)
    MIN_AGENTS_ON_DUTY = env_int("MIN_AGENTS_ON_DUTY", 1)  # fewer in an interval is a coverage gap
    SCHEDULER_IN_PROCESS = env_bool("SCHEDULER_IN_PROCESS", True)  # `python app.py` runs the jobs too
    # Run a dispatch round right after an agent becomes available or a caller queues (in the process
    # that saw it), on top of the scheduler's 2-second sweep.
    DISPATCH_ON_EVENTS = env_bool("DISPATCH_ON_EVENTS", True)

    # The softphone (Twilio Voice JavaScript SDK): an API key for access tokens, and their lifetime.
    TWILIO_API_KEY_SID = os.environ.get("TWILIO_API_KEY_SID", "")
    TWILIO_API_KEY_SECRET = os.environ.get("TWILIO_API_KEY_SECRET", "")
    TWILIO_TWIML_APP_SID = os.environ.get("TWILIO_TWIML_APP_SID", "")  # only for outgoing calls from the browser
    VOICE_TOKEN_TTL_SECONDS = env_int("VOICE_TOKEN_TTL_SECONDS", 3600)

    # While waiting: callback and voicemail. The wait counts as long after QUEUE_MAX_WAIT_SECONDS.
    QUEUE_MAX_WAIT_SECONDS = env_int("QUEUE_MAX_WAIT_SECONDS", 600)
    CALLBACK_MAX_ATTEMPTS = env_int("CALLBACK_MAX_ATTEMPTS", 3)
    CALLBACK_RETRY_MINUTES = env_int("CALLBACK_RETRY_MINUTES", 10)
    CALLBACK_RING_SECONDS = env_int("CALLBACK_RING_SECONDS", 30)  # how long the caller's phone rings
    CALLBACK_CALLER_ID = os.environ.get("CALLBACK_CALLER_ID", "")  # default: the first hotline number
    # Callers are called back only between these Vietnam-time hours (a night request waits till morning).
    CALLBACK_FIRST_HOUR = env_int("CALLBACK_FIRST_HOUR", 7)
    CALLBACK_LAST_HOUR = env_int("CALLBACK_LAST_HOUR", 21)
    VOICEMAIL_MAX_SECONDS = env_int("VOICEMAIL_MAX_SECONDS", 180)

    # Faults of a real line (README: "When something goes wrong").
    TWILIO_TIMEOUT_SECONDS = float(os.environ.get("TWILIO_TIMEOUT_SECONDS", "4"))  # per REST request
    TELEPHONY_BREAKER_THRESHOLD = env_int("TELEPHONY_BREAKER_THRESHOLD", 3)  # failures in a row that open it
    TELEPHONY_BREAKER_COOLDOWN_SECONDS = env_int("TELEPHONY_BREAKER_COOLDOWN_SECONDS", 5)  # first wait, doubled
    TELEPHONY_BREAKER_MAX_COOLDOWN_SECONDS = env_int("TELEPHONY_BREAKER_MAX_COOLDOWN_SECONDS", 120)
    RING_IN_BACKGROUND = env_bool("RING_IN_BACKGROUND", True)  # rings on a thread pool: one hung request stalls nothing
    RING_WORKERS = env_int("RING_WORKERS", 4)
    RECONCILE_LIMIT = env_int("RECONCILE_LIMIT", 200)  # stale calls checked per run at most…
    RECONCILE_BUDGET_SECONDS = env_int("RECONCILE_BUDGET_SECONDS", 20)  # …and for at most this long
    AGENT_CHECK_AFTER_SECONDS = env_int("AGENT_CHECK_AFTER_SECONDS", 120)  # on a call this long: ask about her leg
    AGENT_MAX_CALL_MINUTES = env_int("AGENT_MAX_CALL_MINUTES", 120)  # with no answer from Twilio: released after

    # Reporting thresholds.
    SHORT_ABANDON_SECONDS = env_int("SHORT_ABANDON_SECONDS", 5)
    SERVICE_LEVEL_SECONDS = env_int("SERVICE_LEVEL_SECONDS", 20)
    SERVICE_LEVEL_FORMULA = os.environ.get("SERVICE_LEVEL_FORMULA", "cisco_against")  # see callcenter/metrics.py


def _instance_secret(name: str = "secret_key", make: Callable[[], str] = lambda: secrets.token_hex(32)) -> str:
    """A demo secret kept in instance/ (the session key, the data key), so a restart of `make demo`
    keeps logins and can still read the data it wrote."""
    path = ROOT / "instance" / name
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.write_text(make())
            path.chmod(0o600)
        return path.read_text().strip()
    except OSError:
        return make()


def _fernet_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


class DevelopmentConfig(BaseConfig):
    """Local development and the demo: SQLite, sandbox telephony."""

    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY") or _instance_secret()
    DATA_KEYS = env_list("DATA_KEYS", "") or [_instance_secret("data_key", _fernet_key)]
    # The demo calls back at any hour, so a newcomer can try it whenever they like (production: 07–21).
    CALLBACK_FIRST_HOUR = env_int("CALLBACK_FIRST_HOUR", 0)
    CALLBACK_LAST_HOUR = env_int("CALLBACK_LAST_HOUR", 24)
    # The demo shows the whole desk: hold, back to queue, consult, monitoring (issue 13).
    DESK_BRIDGE = os.environ.get("DESK_BRIDGE", "conference")
    # Made-up numbers: to play central support in the demo, open /sandbox/ in another tab and set
    # "Your number" to one of them; the consult rings there.
    # The demo's support addresses: the current one and a stand-in for the old one (mail still arrives
    # there); set MAIL_ADDRESSES to the department's real list.
    MAIL_ADDRESSES = env_list("MAIL_ADDRESSES", "bophanhotro@customs.gov.vn,hotro.cu@customs.gov.vn")
    CENTRAL_SUPPORT_NUMBERS = env_list(
        "CENTRAL_SUPPORT_NUMBERS",
        "accounts=0243 944 0001,incidents=0243 944 0002,single_window=0243 944 0003,other=0243 944 0004",
    )


class TestConfig(BaseConfig):
    """Test runs: fake Twilio credentials, sandbox on, an in-memory SQLite unless told otherwise."""

    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105 - test only
    DATA_KEYS = ["dGVzdC1kYXRhLWtleS10ZXN0LWRhdGEta2V5LTMyYiE="]  # test only (32 bytes, base64url)
    DATABASE_URL = "sqlite://"
    TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    TWILIO_AUTH_TOKEN = "test-auth-token"  # noqa: S105 - test only
    TWILIO_API_BASE_URL = "http://127.0.0.1:9"  # nothing listens: a test that forgets a double fails
    PUBLIC_BASE_URL = "https://hotline.example.test"
    SANDBOX_ENABLED = True
    PROMPT_CACHE_SECONDS = 0
    DISPATCH_ON_EVENTS = False  # tests run dispatch rounds themselves (and one test turns this on)
    RING_IN_BACKGROUND = False  # tests ring inline (and one test turns the pool on)
    CENTRAL_SUPPORT_NUMBERS = ["accounts=0243 944 0001", "other=0243 944 0004"]
    SCHEDULER_IN_PROCESS = False
    DEFAULT_UI_LANGUAGE = "en"  # the suite's page assertions are English; the vi tests set "vi"


PRODUCTION_SECRETS = (
    "SECRET_KEY",
    "DATA_KEYS",
    "DATABASE_URL",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "PUBLIC_BASE_URL",
)


class ProductionConfig(BaseConfig):
    """Production: refuses to start without its secrets, never with the sandbox."""

    ENV_NAME = "production"
    SANDBOX_ENABLED = False
    SESSION_COOKIE_SECURE = True

    @classmethod
    def check(cls) -> None:
        """Raise if a required secret or setting is missing or unsafe."""
        missing = [name for name in PRODUCTION_SECRETS if not os.environ.get(name)]
        if missing:
            raise RuntimeError(f"production configuration needs {', '.join(missing)}")
        if env_bool("SANDBOX_ENABLED", False):
            raise RuntimeError("the telephony sandbox must never be enabled in production")
        if not cls.PUBLIC_BASE_URL.startswith("https://"):
            raise RuntimeError("PUBLIC_BASE_URL must be https:// in production")


CONFIGS = {"development": DevelopmentConfig, "test": TestConfig, "production": ProductionConfig}


def load_config(name: str | None = None) -> type[BaseConfig]:
    """Return the configuration class named by `name` or HOTLINE_ENV (default development)."""
    key = (name or os.environ.get("HOTLINE_ENV") or "development").lower()
    if key not in CONFIGS:
        raise ValueError(f"HOTLINE_ENV must be one of {sorted(CONFIGS)}, got {key!r}")
    config = CONFIGS[key]
    if config is ProductionConfig:
        ProductionConfig.check()
    return config
