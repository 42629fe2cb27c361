"""Every setting has a default, an environment variable and documentation."""

from __future__ import annotations

from pathlib import Path

import pytest

from paradip_kg import settings

DOC = Path(__file__).resolve().parents[1] / "docs" / "settings.md"


def test_docs_list_every_setting():
    text = DOC.read_text(encoding="utf-8")
    assert settings.markdown_table() in text, "docs/settings.md is stale: run `python -m paradip_kg.settings`"


def test_environment_overrides_default():
    values = settings.load(environ={"PARADIP_PORT": "9000", "PARADIP_ALLOW_SERVICE": "yes"})
    assert values["port"] == 9000 and values["allow_service"] is True


def test_overrides_win_over_environment():
    assert settings.load({"port": 1234}, environ={"PARADIP_PORT": "9000"})["port"] == 1234


def test_bad_environment_value_is_named():
    with pytest.raises(ValueError, match="PARADIP_PORT"):
        settings.load(environ={"PARADIP_PORT": "eighty"})


def test_unknown_override_is_refused():
    with pytest.raises(KeyError):
        settings.load({"no_such_setting": 1})
