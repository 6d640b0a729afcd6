"""The dashboard's signed cookie session, opened only when a request brings one."""

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin


class CookieSession(SecureCookieSessionInterface):
    """Flask's signed cookie session, without a signer built for requests that carry none."""

    # Clicks, the API and the widget script never carry the cookie, and building the signer
    # for each of them cost the click link a tenth of its time (bench/click.py).
    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """Return an empty session for a request without the cookie, else Flask's own."""
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Leave a response alone when its session stayed empty, as Flask does, only sooner."""
        if not session and not session.modified:
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)
