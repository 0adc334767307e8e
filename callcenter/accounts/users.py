"""Users: creation, password reset, API tokens, and checking credentials."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from callcenter.accounts.sessions import SessionStore
from callcenter.common.clock import Clock
from models import Role, User

MIN_PASSWORD_LENGTH = 10
# A real hash to compare against when the user does not exist, so timing does not tell.
_DUMMY_HASH = generate_password_hash("not-a-real-password-" + secrets.token_hex(8))


class UserError(ValueError):
    """A user operation that cannot be done as asked (message says why)."""


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class UserService:
    """Creates users and checks their credentials; passwords hashed with scrypt."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self.session = session
        self.clock = clock

    def find(self, username: str) -> User | None:
        """The user named `username`, or None."""
        return self.session.scalars(select(User).where(User.username == username)).first()

    def create(self, username: str, password: str, role: str) -> User:
        """Create a user; the username must be new and the password long enough."""
        username = username.strip()
        if not username or len(username) > 64:
            raise UserError(_("A username of 1 to 64 characters is required."))
        if role not in {r.value for r in Role}:
            raise UserError(_("Role must be one of: %(roles)s.", roles=", ".join(r.value for r in Role)))
        if self.find(username) is not None:
            raise UserError(_("The user %(name)s already exists.", name=repr(username)))
        _check_password(password)
        user = User(
            username=username,
            password_hash=generate_password_hash(password, method="scrypt"),
            role=role,
            created_at=self.clock.now(),
        )
        self.session.add(user)
        self.session.flush()
        return user

    def set_password(self, username: str, password: str) -> User:
        """Reset a user's password; every page session of theirs ends (a stolen cookie with it)."""
        user = self._require(username)
        _check_password(password)
        user.password_hash = generate_password_hash(password, method="scrypt")
        SessionStore(self.session, self.clock).end_all(user.id, "password_changed")
        return user

    def issue_token(self, username: str) -> str:
        """Issue a new API token for the user (replacing any old one); only its hash is stored."""
        user = self._require(username)
        token = secrets.token_urlsafe(32)
        user.token_hash = _token_digest(token)
        return token

    def authenticate_password(self, username: str, password: str) -> User | None:
        """The active user with these credentials, or None."""
        user = self.find(username)
        if user is None:
            check_password_hash(_DUMMY_HASH, password)
            return None
        password_ok = check_password_hash(user.password_hash, password)  # always hashed: timing tells nothing
        return user if password_ok and user.active else None

    def authenticate_token(self, token: str) -> User | None:
        """The active user owning this API token, or None."""
        digest = _token_digest(token)
        user = self.session.scalars(select(User).where(User.token_hash == digest)).first()
        if user is None or not user.active or not hmac.compare_digest(user.token_hash or "", digest):
            return None
        return user

    def _require(self, username: str) -> User:
        user = self.find(username)
        if user is None:
            raise UserError(_("There is no user %(name)s.", name=repr(username)))
        return user


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise UserError(_("The password must have at least %(count)s characters.", count=MIN_PASSWORD_LENGTH))
