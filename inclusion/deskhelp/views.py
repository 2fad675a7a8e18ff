"""The desk-help log: a tiny form reachable from every staff page."""

from __future__ import annotations

from flask import Blueprint

from . import models  # noqa: F401  (the blueprint owns the desk-help tables)

bp = Blueprint("deskhelp", __name__, url_prefix="/desk-help")
