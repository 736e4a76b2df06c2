"""CROWDFRAME_CONTENT_ORIGIN, where HTMLQuestion pages are served, is never the gateway's own."""

from __future__ import annotations

import pytest

from crowdframe_gateway.settings import Settings, SettingsError

GATEWAY = {"CROWDFRAME_PUBLIC_ORIGIN": "https://gateway.example"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("https://gateway.example/", r"another host \(or port\)"),
        ("http://gateway.example", r"another host \(or port\)"),  # the same host: the same cookies
        ("gateway", r"must be an http\(s\) origin"),
    ],
)
def test_a_content_origin_that_could_act_as_the_gateway_is_refused(
    content: str, message: str
) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({**GATEWAY, "CROWDFRAME_CONTENT_ORIGIN": content})


def test_a_content_origin_of_its_own_is_kept_and_production_wants_https() -> None:
    kept = Settings.from_env({**GATEWAY, "CROWDFRAME_CONTENT_ORIGIN": "https://pages.example/"})
    assert kept.content_origin == "https://pages.example"
    assert Settings.from_env(GATEWAY).content_origin == ""
    production = {
        **GATEWAY,
        "CROWDFRAME_ENV": "production",
        "CROWDFRAME_SECRET_KEY": "s" * 40,
        "CROWDFRAME_CONTENT_ORIGIN": "http://pages.example",
    }
    with pytest.raises(SettingsError, match="https CROWDFRAME_CONTENT_ORIGIN"):
        Settings.from_env(production)
