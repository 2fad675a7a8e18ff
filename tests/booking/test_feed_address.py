"""The secret calendar address a helper copies into Outlook is the site's public https
address (``PUBLIC_BASE_URL``), whatever Host, scheme or forwarded headers the request
that showed the page came with."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from conftest import sign_in

from inclusion.core.access import Role
from tests.proxied_app import app_behind_proxies, through_proxy

PUBLIC = "https://inclusion.example.se"
ADDRESS = re.compile(r'id="calendar-address"[^>]*value="([^"]+)"')


def shown_address(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    match = ADDRESS.search(response.get_data(as_text=True))
    assert match, "no calendar address on the page"
    return match.group(1)


def test_the_feed_address_is_the_public_https_address_not_the_requests_host(app, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", PUBLIC)
    client = login_as(Role.STAFF)
    client.set_cookie("session", client.get_cookie("session").value, domain="evil.example")

    address = shown_address(client.get("/calendar", headers={"Host": "evil.example"}))

    assert re.fullmatch(rf"{re.escape(PUBLIC)}/calendar/[\w-]+\.ics", address), address
    feed = client.get(urlsplit(address).path)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"


@pytest.mark.commits  # a second app (behind proxies) with its own connections reads what it commits
def test_behind_the_proxy_forwarded_host_and_scheme_do_not_change_the_feed_address(app, world):
    with app_behind_proxies(app, 1) as proxied:
        proxied.config["PUBLIC_BASE_URL"] = PUBLIC + "/"
        client = proxied.test_client()
        assert sign_in(client, world.ockero.emails[Role.STAFF]).status_code == 302
        forwarded = {
            **through_proxy("198.51.100.20"),
            "HTTP_X_FORWARDED_HOST": "evil.example",
            "HTTP_X_FORWARDED_PROTO": "http",
        }

        address = shown_address(client.get("/calendar", environ_base=forwarded))

    assert address.startswith(PUBLIC + "/calendar/") and address.endswith(".ics"), address
