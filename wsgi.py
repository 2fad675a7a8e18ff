"""Entry point for gunicorn (``wsgi:app``) and ``flask --app wsgi``."""

import os

from config import CONFIGS
from inclusion import create_app

app = create_app(CONFIGS[os.environ.get("INCLUSION_CONFIG", "development")])
