"""`flask users`: the accounts of the dashboard."""

import sys

import click
from flask.cli import AppGroup

from widget_server.cli.output import CliError, emit, run
from widget_server.dashboard.accounts import create_user, list_users, remove_user


@click.group("users", cls=AppGroup)
def users() -> None:
    """Manage who signs in to the dashboard."""


@users.command("create")
@click.option("--email", required=True, help="The login.")
@click.option("--admin", is_flag=True, help="Sees every site and manages users.")
@click.option("--site", "site_keys", multiple=True, help="A site key the user belongs to; repeat.")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
@click.option("--json", "as_json", is_flag=True, help="Print the user as one JSON object.")
def create(
    email: str, admin: bool, site_keys: tuple[str, ...], password_stdin: bool, as_json: bool
) -> None:
    """Create a user; without --password-stdin a one-time password is drawn and printed once."""
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CliError("no password on stdin")
    user, drawn = run(create_user, email, admin, list(site_keys), password)
    data = user.to_dict()
    if password is None:
        data["password"] = drawn
    text = f"Created user {user.email}" + ("" if password else f"\npassword (shown once): {drawn}")
    emit(data, text, as_json)


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def list_(as_json: bool) -> None:
    """List the users, oldest first."""
    rows = [user.to_dict() for user in run(list_users)]
    lines = [
        f"{row['email']}  {'admin' if row['admin'] else 'member'}  {' '.join(row['sites'])}"
        for row in rows
    ]
    emit(rows, "\n".join(lines) or "No users yet.", as_json)


@users.command("remove")
@click.argument("email")
def remove(email: str) -> None:
    """Remove a user; their open sessions end."""
    run(remove_user, email)
    click.echo(f"Removed user {email.strip().lower()}.")
