"""Charts drawn on the server by pygal, as SVG without any script.

The page shows each chart with ``<img src>``, so the SVG is a document of its own: its
CSP allows the ``<style>`` pygal writes into it and nothing else (no script, no fetch).
The page's own strict CSP is untouched. The chart's ``<title>`` names it for screen
readers, and the table beside it holds the same numbers.
"""

from __future__ import annotations

import pygal
from flask_babel import format_decimal
from flask_babel import gettext as _
from pygal.style import Style

from .tables import ChartKind, Table, Unit

#: the SVG's own policy: its inline <style>, nothing to run or load
CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"

WIDTH, HEIGHT = 800, 420

#: strong, distinguishable colours that also hold on a black-and-white printer
#: (dark blue, orange, green, purple, brown, grey), with a white background
CHART_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1b1b1b",
    foreground_strong="#1b1b1b",
    foreground_subtle="#4a4a4a",
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
    colors=("#005a8c", "#b35900", "#1d6b2f", "#6a3d9a", "#7f4f24", "#4a4a4a"),
    opacity="1",
    opacity_hover="1",
    label_font_size=16,
    major_label_font_size=16,
    value_font_size=16,
    legend_font_size=17,
    title_font_size=20,
    no_data_font_size=22,
    transition="0ms",
)


def _formatter(unit: Unit):
    def format_value(value) -> str:
        if value is None:
            return ""
        if unit == Unit.PERCENT:
            return format_decimal(value, "#,##0.0") + " %"
        if unit == Unit.HOURS:
            return format_decimal(value, "#,##0.0")
        return format_decimal(value, "#,##0")

    return format_value


def _accessible():
    """An XML filter: the SVG is an image named by its <title>, with nothing to run."""

    def add_roles(root):
        namespace = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
        title_node = root.find(f"{namespace}title")
        root.set("role", "img")
        # pygal writes its settings into a <script> even without its JavaScript: an
        # image needs none, and the chart's policy would refuse it anyway.
        for parent in list(root.iter()):
            for child in list(parent):
                if child.tag == f"{namespace}script":
                    parent.remove(child)
        if title_node is not None:
            # The first child names the image, as screen readers expect of an SVG.
            root.remove(title_node)
            root.insert(0, title_node)
            title_node.set("id", "chart-title")
            root.set("aria-labelledby", "chart-title chart-desc")
        desc = root.makeelement(f"{namespace}desc", {"id": "chart-desc"})
        desc.text = _("Samma siffror finns i tabellen bredvid diagrammet.")
        root.insert(1, desc)
        return root

    return add_roles


def render_chart(table: Table) -> str:
    """The table's chart as an SVG document (no XML declaration, no script)."""
    rows = table.charted_rows
    unit = rows[0].unit if rows else Unit.NUMBER
    options = {
        "title": table.title,
        "js": [],
        "disable_xml_declaration": True,
        "style": CHART_STYLE,
        "width": WIDTH,
        "height": HEIGHT,
        "value_formatter": _formatter(unit),
        "print_values": True,
        "print_zeroes": False,
        "print_values_position": "top",
        "no_data_text": _("Inga uppgifter för perioden"),
        "truncate_label": 40,
        "truncate_legend": 40,
        "legend_at_bottom": True,
        "include_x_axis": True,
    }
    if table.chart == ChartKind.TOTALS:
        chart = pygal.HorizontalBar(show_legend=False, **options)
        chart.x_labels = [row.label for row in rows]
        chart.add(table.last_heading, [table.drawn(row.total, row) for row in rows])
    else:
        many = len(table.buckets) > 8
        chart = pygal.Bar(
            show_legend=len(rows) > 1,
            x_label_rotation=40 if many else 0,
            print_values=not many,
            **{key: value for key, value in options.items() if key != "print_values"},
        )
        chart.x_labels = [bucket.label for bucket in table.buckets]
        for row in rows:
            chart.add(row.label, [table.drawn(value, row) for value in row.values])
    chart.add_xml_filter(_accessible())
    return chart.render(is_unicode=True)
