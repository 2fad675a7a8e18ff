"""A feature joins the shared pages by answering their signals, without changing them:
its menu item, its panel on a resident's page and its section of a resident's copy of
their data appear where their order puts them."""

from __future__ import annotations

import json
import re
from contextlib import contextmanager

from markupsafe import Markup

from inclusion import signals
from inclusion.core.access import Role
from inclusion.core.navigation import NavItem


@contextmanager
def answering(signal, receiver):
    signal.connect(receiver, weak=False)
    try:
        yield
    finally:
        signal.disconnect(receiver)


def test_a_features_menu_item_goes_where_its_order_puts_it(login_as):
    def menu_items(_sender, **_ignored):
        return [NavItem("reports.index", "Extra", ("reports.index",), order=15)]

    with answering(signals.menu_items, menu_items):
        page = login_as(Role.COORDINATOR).get("/").get_data(as_text=True)
    labels = re.findall(r'<li><a href="[^"]+"(?: aria-current="page")?>([^<]+)</a></li>', page)
    assert labels[:3] == ["Start", "Extra", "Nytt samtal"]


def test_a_features_item_shows_only_to_roles_its_page_allows(login_as):
    def menu_items(_sender, **_ignored):
        return [NavItem("reports.index", "Extra", ("reports.index",), order=15)]

    with answering(signals.menu_items, menu_items):
        page = login_as(Role.VOLUNTEER).get("/").get_data(as_text=True)
    assert ">Extra<" not in page


def test_a_features_panel_goes_where_its_order_puts_it(coordinator, make_resident):
    resident_id = make_resident(phone="070-123 45 67")

    def resident_panel(resident, **_ignored):
        return signals.Panel(35, Markup(f'<section id="extra">{resident.id}</section>'))

    with answering(signals.resident_panels, resident_panel):
        page = coordinator.get(f"/residents/{resident_id}").get_data(as_text=True)
    assert f'<section id="extra">{resident_id}</section>' in page
    assert page.index('id="messages-heading"') < page.index('id="extra"') < page.index("Visa loggen")


def test_a_features_section_of_the_export_goes_where_its_order_puts_it(coordinator, make_resident):
    resident_id = make_resident(phone="070-123 45 67")

    def resident_export(resident, **_ignored):
        return [signals.ExportSection(45, "extra", [resident.id])]

    with answering(signals.resident_exported, resident_export):
        data = json.loads(coordinator.get(f"/privacy/residents/{resident_id}/export.json").get_data())
    assert data["extra"] == [resident_id]
    keys = list(data)
    assert keys.index("bookings") < keys.index("extra") < keys.index("requests")
    assert keys[-1] == "audit_events"
