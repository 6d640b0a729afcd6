"""Google credentials for the Data Manager API: a service-account key or an authorized user."""

import threading
from typing import Any

import google.auth.exceptions
import requests
from google.auth.transport.requests import Request as AuthRequest
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account

SCOPES = ["https://www.googleapis.com/auth/datamanager"]
TOKEN_TIMEOUT = 10.0


class TimedRequest(AuthRequest):
    """google-auth's transport with a short timeout: its default of 120 s would hold the worker."""

    def __call__(
        self,
        url: str,
        method: str = "GET",
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> Any:
        return super().__call__(url, method, body, headers, timeout=TOKEN_TIMEOUT, **kwargs)


class CredentialsError(ValueError):
    """A credentials file that is neither a service-account key nor an authorized user."""


def load(info: dict[str, Any], token_uri: str | None = None) -> Any:
    """Build google-auth credentials from a key file's JSON, with its token endpoint overridden."""
    if token_uri:
        info = {**info, "token_uri": token_uri}
    try:
        if info.get("type") == "service_account":
            return service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
        if info.get("type") == "authorized_user":
            creds = user_credentials.Credentials.from_authorized_user_info(info, scopes=SCOPES)
            # google-auth always puts Google's endpoint here; the file's own token_uri wins.
            return creds.with_token_uri(info.get("token_uri") or creds.token_uri)
    except (ValueError, KeyError) as error:
        raise CredentialsError(f"credentials file: {error}") from None
    raise CredentialsError(
        'credentials file must be a service-account key or an "authorized_user" JSON'
    )


class Tokens:
    """Access tokens per destination, refreshed through the worker's guarded session."""

    def __init__(self, session: requests.Session):
        self.session = session
        self.lock = threading.Lock()
        self.cache: dict[int, Any] = {}

    def header(
        self, destination_id: int, info: dict[str, Any], token_uri: str | None
    ) -> dict[str, str]:
        """Return the Authorization header; raise RefreshError when the endpoint refuses."""
        with self.lock:
            creds = self.cache.get(destination_id)
            if creds is None:
                creds = self.cache[destination_id] = load(info, token_uri)
            if not creds.valid:
                creds.refresh(TimedRequest(self.session))
            return {"Authorization": f"Bearer {creds.token}"}

    def forget(self, destination_id: int) -> None:
        """Drop a token the API refused, so the next attempt asks for a new one."""
        with self.lock:
            self.cache.pop(destination_id, None)


RefreshError = google.auth.exceptions.RefreshError
TransportError = google.auth.exceptions.TransportError
