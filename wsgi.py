"""Entry point for gunicorn (``wsgi:app``) and ``flask --app wsgi``.

Production unless ``INCLUSION_CONFIG`` says otherwise: a server started without it must
never run with the development secret and debugger. ``make run`` sets development.
"""

import os

from config import CONFIGS, ConfigurationError
from inclusion import create_app

_name = os.environ.get("INCLUSION_CONFIG", "production").strip() or "production"
if _name not in CONFIGS:
    raise ConfigurationError(f"INCLUSION_CONFIG must be one of {', '.join(CONFIGS)}, not {_name!r}.")

app = create_app(CONFIGS[_name])
