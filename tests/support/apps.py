"""Apps from :func:`paradip_kg.web.app.create_app` with the tests' settings, closed after use.

An app starts child processes (the SPARQL and SHACL children) on its first query or
validation; closing it stops them. So every app a test makes is closed: by :class:`Apps` for
the apps of a fixture's lifetime, by :func:`app_on` for one app.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask

from paradip_kg.web.app import create_app
from paradip_kg.web.state import EXTENSION

# What every test app runs with: Flask's testing mode, and a query timeout far above any
# cheap query's time on a loaded 2-core machine (tests of the timeout set their own).
TEST_SETTINGS: dict[str, Any] = {"TESTING": True, "query_timeout": 20.0}

# The headers a reverse proxy adds, for apps with ``trusted_proxies`` set.
FORWARDED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "data.example.org",
             "X-Forwarded-Prefix": "/kg"}


def new_app(store: Path | str | None = None, **settings: Any) -> Flask:
    """An app on ``store`` with :data:`TEST_SETTINGS` and ``settings`` (setting name → value).
    The caller closes it (:func:`close_app`)."""
    config = dict(TEST_SETTINGS)
    if store is not None:
        config["store"] = str(store)
    config.update(settings)
    return create_app(config)


def close_app(app: Flask) -> None:
    """Stop the app's child processes."""
    app.extensions[EXTENSION].close()


class Apps:
    """The apps of one fixture's lifetime: ``apps(result_limit=2)`` makes one with the factory's
    defaults overridden; :meth:`close` closes them all."""

    def __init__(self, **defaults: Any) -> None:
        self.defaults = defaults
        self.made: list[Flask] = []

    def __call__(self, **settings: Any) -> Flask:
        app = new_app(**{**self.defaults, **settings})
        self.made.append(app)
        return app

    def close(self) -> None:
        for app in self.made:
            close_app(app)
        self.made.clear()


@contextmanager
def app_on(store: Path | str | None = None, **settings: Any) -> Iterator[Flask]:
    """One app (:func:`new_app`), closed on leaving."""
    app = new_app(store, **settings)
    try:
        yield app
    finally:
        close_app(app)
