"""The dashboard in real Chromium: a new owner sets a site up, sees its clicks, exports them, and
the senders refused a linked session; axe-core finds no serious or critical violation on any page;
the keyboard alone gets around."""

import csv
import io
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from browsing import NUMBER, PHONE, handoff_in_new_tab, open_widget, reference_in, serve_wsgi

from examples.site.serve import ROOT, SiteServer
from widget_server import create_app
from widget_server.dashboard.accounts import create_user
from widget_server.db import db
from widget_server.models import utcnow

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "a browser's long password"
EMAIL = "owner@shop.example"
CORRELATIONS = "/integrations/external/correlations"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Run the widget server with the dashboard over plain http, and a user without a site."""
    database = tmp_path_factory.mktemp("dashboard") / "widget.db"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
                      "DASHBOARD_COOKIE_SECURE": False})  # fmt: skip
    with app.app_context():
        db.create_all()
        create_user(EMAIL, False, [], PASSWORD)
    httpd = serve_wsgi(app)
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


def sign_in(page, server):
    page.goto(server + "/dashboard/")
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/dashboard/(sites/.*)?$"))


def create_site(page, name="Bakery"):
    """Create a site from the dashboard; return its key."""
    page.get_by_role("link", name="+ New site").click()
    page.get_by_label("Name").fill(name)
    page.get_by_label("WhatsApp number").fill(NUMBER)
    page.get_by_role("button", name="Create site").click()
    page.wait_for_url("**/settings")
    return re.search(r"/sites/([^/]+)/settings", page.url).group(1)


def axe_violations(page) -> list[str]:
    """Run axe-core in the page; return its serious and critical violations."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make setup-node` (npm ci)")
    page.evaluate(AXE.read_text() + "\n;0")  # through the devtools protocol, so the CSP allows it
    result = page.evaluate("async () => JSON.stringify((await axe.run()).violations)")
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
            for v in json.loads(result) if v["impact"] in ("serious", "critical")]  # fmt: skip


def test_a_new_owner_sets_up_a_site_and_sees_its_clicks_by_campaign(server, new_context):
    context = new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page = context.new_page()
    sign_in(page, server)
    assert page.url.endswith("/dashboard/sites/new")  # no site yet
    key = create_site(page)
    page.get_by_role("button", name="Copy snippet").click()
    page.get_by_text("Copied.").wait_for()
    snippet = page.evaluate("navigator.clipboard.readText()")
    assert snippet == (f'<script async src="{server}/widget.js" data-site="{key}" '
                       f'data-number="{NUMBER}"></script>')  # fmt: skip

    # The example site embeds that snippet; a visitor from a campaign clicks twice.
    shop = SiteServer(0, server + "/", key, NUMBER, ROOT).start()
    try:
        visitor = new_context().new_page()
        button = open_widget(visitor, shop.url + "/?utm_source=newsletter&utm_campaign=launch")
        first = reference_in(handoff_in_new_tab(visitor, button.click))
        other = new_context().new_page()
        button = open_widget(other, shop.url + "/pricing.html?utm_source=ads&utm_medium=cpc")
        second = reference_in(handoff_in_new_tab(other, button.click))
    finally:
        shop.shutdown()
        shop.server_close()
    assert first and second and first != second

    page.get_by_role("link", name="Overview").click()
    page.get_by_role("link", name="Today").click()
    assert page.locator('[data-step="clicks"]').inner_text() == "2"
    assert page.locator('[data-step="unique-devices"]').inner_text() == "2"
    table = page.locator("table.by")
    assert table.get_by_role("cell", name="launch", exact=True).is_visible()
    assert table.get_by_role("cell", name="newsletter", exact=True).is_visible()

    # The CSV export's totals equal what the attribution API lists for the same range.
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    lines = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert lines[-1]["source"] == "total"
    page.get_by_role("link", name="API keys").click()
    page.get_by_label("attribution:read").check()
    page.get_by_role("button", name="Create key").click()
    api_key = page.get_by_role("textbox", name="API key").input_value()
    today = utcnow().date()
    rows = page.request.get(
        f"{server}/integrations/external/attribution?limit=100&since={today}T00:00:00Z"
        f"&until={today + timedelta(days=1)}T00:00:00Z",
        headers={"Authorization": f"Bearer {api_key}"},
    ).json()["data"]
    assert int(lines[-1]["sessions"]) == len(rows) == 2
    assert int(lines[-1]["conversations"]) == sum(r["correlated_at"] is not None for r in rows)
    assert {r["correlation_id"] for r in rows} == {first, second}


def test_the_message_preview_follows_the_template_as_it_is_typed(server, new_context):
    page = new_context().new_page()
    sign_in(page, server)
    page.goto(server + "/dashboard/")
    page.get_by_role("link", name="Settings").click()
    page.get_by_label("Message template").fill("Hola! Ref {reference} please")
    assert page.locator("#message-preview").inner_text() == "Hola! Ref O-aB3dE9z please"


def test_no_serious_or_critical_accessibility_violation_on_any_page(server, new_context):
    page = new_context().new_page()
    page.goto(server + "/dashboard/login")
    pages = {"login": axe_violations(page)}
    sign_in(page, server)
    page.goto(server + "/dashboard/")
    key = re.search(r"/sites/([^/]+)/", page.url)
    key = key.group(1) if key else create_site(page, "Axe shop")
    base = f"{server}/dashboard/sites/{key}"
    page.goto(base + "/keys")
    page.get_by_label("attribution:read").check()
    page.get_by_role("button", name="Create key").click()  # the key shown once
    pages["keys, new key"] = axe_violations(page)
    page.goto(base + "/webhooks")
    page.get_by_label("Receiver URL").fill("https://hooks.example/in")
    page.get_by_role("button", name="Add endpoint").click()  # the secret shown once
    pages["webhooks, new secret"] = axe_violations(page)
    for name, path in [("overview", "/?range=7d"), ("by landing page", "/?by=landing"),
                       ("sessions", "/sessions"), ("settings", "/settings"), ("keys", "/keys"),
                       ("webhooks", "/webhooks"), ("destinations", "/destinations")]:  # fmt: skip
        page.goto(base + path)
        pages[name] = axe_violations(page)
    page.goto(base + "/sessions")
    reference = page.locator("table th[scope=row] a").first
    if reference.count():
        reference.click()
        pages["one session"] = axe_violations(page)
    page.goto(server + "/dashboard/sites/new")
    pages["new site"] = axe_violations(page)
    page.goto(f"{server}/dashboard/sites/{key}/?range=custom&from=x&to=y")
    pages["bad range"] = axe_violations(page)
    page.goto(f"{server}/dashboard/sites/s_nope/")
    pages["not found"] = axe_violations(page)
    assert {name: found for name, found in pages.items() if found} == {}


def refused_session(page, server) -> tuple[str, str]:
    """Create a site whose one session is linked, then sent by a second sender; return both ids."""
    key = create_site(page, "Refusals shop")
    page.goto(f"{server}/dashboard/sites/{key}/keys")
    page.get_by_label("correlations:write").check()
    page.get_by_role("button", name="Create key").click()
    plugin = {
        "Authorization": "Bearer " + page.get_by_role("textbox", name="API key").input_value()
    }
    visitor = {"Accept": "application/json", "User-Agent": PHONE["user_agent"]}
    click = page.request.get(f"{server}/c/{key}?device_id=dev-refused", headers=visitor)
    reference = click.json()["correlation_id"]
    for sender, message, status in [
        ("15550001111", "wamid.A", 200),
        ("15550002222", "wamid.X", 409),
    ]:
        body = {"correlation_id": reference, "whatsapp_id": sender, "message_id": message}
        answer = page.request.post(f"{server}{CORRELATIONS}", data=body, headers=plugin)
        assert answer.status == status, answer.text()
    return key, reference


def test_a_sessions_refused_sender_is_shown_accessibly_and_reached_by_keyboard(server, new_context):
    page = new_context().new_page()
    sign_in(page, server)
    key, reference = refused_session(page, server)
    page.goto(f"{server}/dashboard/sites/{key}/sessions")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=reference))
    assert row.get_by_role("cell").last.inner_text() == "1"
    found = {"sessions with a refusal": axe_violations(page)}
    page.get_by_role("link", name=reference).focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/sessions/{reference}")
    refused = page.get_by_role("region", name="Refused senders")
    assert refused.get_by_role("cell", name="15550002222").is_visible()
    assert refused.get_by_role("cell", name="wamid.X").is_visible()
    found["session with a refusal"] = axe_violations(page)
    assert {name: violations for name, violations in found.items() if violations} == {}
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('aria-label')") == "Refused senders":
            break
    else:
        raise AssertionError("Tab never reached the refused senders")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"


def test_the_keyboard_alone_signs_in_creates_a_site_and_copies_the_snippet(server, new_context):
    context = new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page = context.new_page()
    page.goto(server + "/dashboard/login")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type(EMAIL)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/dashboard/sites/.*"))

    def tab_to(name: str, limit: int = 60):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent.trim()") == name:
                outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
                assert outline != "none", f"{name} has no visible focus"
                return
        raise AssertionError(f"Tab never reached {name!r}")

    tab_to("+ New site")
    page.keyboard.press("Enter")
    page.wait_for_url("**/sites/new")
    page.keyboard.press("Tab")
    while page.evaluate("document.activeElement.id") != "name":
        page.keyboard.press("Tab")
    page.keyboard.type("Keyboard shop")
    page.keyboard.press("Tab")
    page.keyboard.type(NUMBER)
    tab_to("Create site")
    page.keyboard.press("Enter")
    page.wait_for_url("**/settings")
    tab_to("Copy snippet")
    page.keyboard.press("Enter")
    page.get_by_text("Copied.").wait_for()
    assert "data-site=" in page.evaluate("navigator.clipboard.readText()")
    tab_to("Overview")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/sites/[^/]+/$"))
    tab_to("Export CSV")
