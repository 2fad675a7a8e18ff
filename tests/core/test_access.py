"""Every URL rule declares who may use it; nothing is reachable by accident."""

from inclusion.core.access import ACCESS_ATTRIBUTE


def test_every_route_declares_its_roles(app):
    undeclared = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        and getattr(app.view_functions[rule.endpoint], ACCESS_ATTRIBUTE, None) is None
    ]
    assert undeclared == []


def test_a_route_without_declaration_is_refused(app, coordinator):
    app.view_functions["main.home"], original = (lambda: "open"), app.view_functions["main.home"]
    try:
        assert coordinator.get("/").status_code == 403
    finally:
        app.view_functions["main.home"] = original
