"""The accessibility statement the law (DOS-lagen) requires, generated from the results
of the automatic checks the browser tests run on every page."""

from .views import bp

__all__ = [
    "bp",
]
