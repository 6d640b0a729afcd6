"""Dashboard users, the sites they belong to, and their passwords (argon2)."""

import re
import secrets
from datetime import datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_login import UserMixin
from sqlalchemy import Boolean, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from widget_server.db import Model, db
from widget_server.errors import OperatorError
from widget_server.models import Site, UTCDateTime, isoformat, utcnow
from widget_server.sites.registry import find_site

EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+")
MIN_PASSWORD = 12
HASHER = PasswordHasher()
# Verified against when the e-mail is unknown, so a miss costs as long as a wrong password.
_DECOY = HASHER.hash(secrets.token_urlsafe(16))

membership = Table(
    "site_member",
    db.metadata,
    Column("user_id", ForeignKey("dashboard_user.id", ondelete="CASCADE"), primary_key=True),
    Column("site_id", ForeignKey("site.id", ondelete="CASCADE"), primary_key=True),
)


class AccountError(OperatorError):
    """A request about accounts that must be corrected, with a one-line reason."""


class User(UserMixin, Model):
    """Someone who signs in to the dashboard: an admin, or a member of some sites."""

    __tablename__ = "dashboard_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the login cookie names instead of the id: a new one ends every open session.
    login_token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sites: Mapped[list[Site]] = relationship(secondary=membership, order_by=Site.id)

    def get_id(self) -> str:
        """Name this user in the session cookie."""
        return self.login_token

    def set_password(self, password: str) -> None:
        """Hash and keep a new password; sessions signed in with the old one end."""
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"the password must be at least {MIN_PASSWORD} characters")
        self.password_hash = HASHER.hash(password)
        self.login_token = secrets.token_urlsafe(32)

    def to_dict(self) -> dict:
        """Describe the user for the CLI and the users page, without the password."""
        return {
            "email": self.email,
            "admin": self.is_admin,
            "sites": [site.key for site in self.sites],
            "created_at": isoformat(self.created_at),
        }


def normal_email(email: str) -> str:
    """Return an e-mail address trimmed and lowercased, or raise AccountError."""
    email = email.strip().lower()
    if len(email) > 254 or not EMAIL.fullmatch(email):
        raise AccountError(f"{email!r} is not an e-mail address")
    return email


def create_user(
    email: str, admin: bool, site_keys: list[str], password: str | None = None
) -> tuple[User, str]:
    """Create a user; return it and its password (drawn when none is given, shown once)."""
    email = normal_email(email)
    if find_user(email) is not None:
        raise AccountError(f"a user {email} exists already")
    sites = [find_site(key) for key in dict.fromkeys(site_keys)]
    password = password if password is not None else secrets.token_urlsafe(12)
    user = User(email=email, is_admin=admin, sites=sites)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user, password


def list_users() -> list[User]:
    """Return every user, oldest first."""
    return list(db.session.scalars(sa.select(User).order_by(User.id)))


def remove_user(email: str) -> None:
    """Delete a user; their open sessions end with them."""
    user = find_user(normal_email(email))
    if user is None:
        raise AccountError(f"no user {email.strip().lower()}")
    db.session.delete(user)
    db.session.commit()


def find_user(email: str) -> User | None:
    """Return the user with this (normalised) e-mail address, if any."""
    return db.session.scalars(sa.select(User).filter_by(email=email)).one_or_none()


def check_password(email: str, password: str) -> User | None:
    """Return the user if the password is theirs; spend the same time either way."""
    try:
        user = find_user(normal_email(email))
    except AccountError:
        user = None
    try:
        HASHER.verify(user.password_hash if user else _DECOY, password)
    except (VerificationError, InvalidHashError):
        return None
    return user


def join(user: User, site: Site) -> None:
    """Make user a member of site."""
    if site not in user.sites:
        user.sites.append(site)
    db.session.commit()
