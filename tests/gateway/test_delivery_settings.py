"""The delivery settings read from the environment, and refused when wrong."""

from __future__ import annotations

import pytest

from crowdframe_gateway.settings import Settings, SettingsError


def test_delivery_settings_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "CROWDFRAME_DELIVERY_CONCURRENCY": "32",
            "CROWDFRAME_ENDPOINT_CONCURRENCY": "4",
            "CROWDFRAME_DISABLE_ENDPOINT_AFTER": "3600",
            "CROWDFRAME_WEBHOOK_SECRET_GRACE": "60",
        }
    )
    assert settings.delivery_concurrency == 32
    assert settings.endpoint_concurrency == 4
    assert settings.disable_after == 3600.0
    assert settings.secret_grace == 60.0


def test_the_defaults_are_the_documented_ones() -> None:
    settings = Settings.from_env({})
    assert settings.disable_after == 5 * 24 * 3600
    assert settings.secret_grace == 24 * 3600


@pytest.mark.parametrize("value", ["many", "0", "2.5"])
def test_a_bad_concurrency_is_refused_naming_the_variable(value: str) -> None:
    with pytest.raises(SettingsError, match="CROWDFRAME_ENDPOINT_CONCURRENCY"):
        Settings.from_env({"CROWDFRAME_ENDPOINT_CONCURRENCY": value})
