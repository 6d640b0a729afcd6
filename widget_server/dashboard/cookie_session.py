"""The dashboard's signed cookie session, opened only when a request brings one."""

from flask import Flask, Request, Response, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin


class CookieSession(SecureCookieSessionInterface):
    """Flask's signed cookie session, with no work for the requests that carry no cookie."""

    # Clicks, the API and the widget script never carry it (its path is /dashboard), and
    # parsing cookies and building the signer for each of them cost the click link a tenth of
    # its time (bench/click.py).
    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """Return an empty session for a request without the cookie, else Flask's own."""
        if app.secret_key and self.get_cookie_name(app) not in request.headers.get("Cookie", ""):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Leave a response alone when its session stayed empty, as Flask does, only sooner."""
        if not session and not session.modified:
            # Only a response the cookie could have been sent with depends on it.
            if session.accessed and request.path.startswith(self.get_cookie_path(app)):
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)
