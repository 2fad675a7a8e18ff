"""Signing in is what these tests are about: their ``login_as`` goes through the login
form (the rest of the suite puts the signed-in session into the client directly)."""

from __future__ import annotations

import pytest
from conftest import form_login_as


@pytest.fixture
def login_as(app, world):
    return form_login_as(app, world)
