"""``crowdframe.__all__`` is the public API: pinned here so a change is a decision."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import crowdframe

# One name a line, in the order of ``__all__``.
EXPORTED = Path(__file__).with_name("public_api.txt").read_text(encoding="utf-8").split()


def test_all_is_pinned() -> None:
    assert crowdframe.__all__ == EXPORTED


def test_every_public_name_is_in_all() -> None:
    public = {
        name
        for name, value in vars(crowdframe).items()
        if not name.startswith("_") and not isinstance(value, ModuleType)
    }

    assert public == set(crowdframe.__all__)


def test_the_signing_module_is_the_public_half_the_gateway_shares() -> None:
    import crowdframe.signing

    assert crowdframe.signing.__all__ == [
        "TaskTokenClaims",
        "TokenMode",
        "decode_task_token",
        "new_webhook_secret",
        "origin_of",
        "secret_kid",
        "sign_task_token",
    ]
    # a secret the gateway mints signs what a client's Webhook verifies
    secret = crowdframe.signing.new_webhook_secret()
    hook = crowdframe.Webhook(secret)
    body = '{"type": "task.completed", "timestamp": "2026-12-01T00:00:00Z", "data": {}}'
    headers = hook.headers("msg_1", 1_764_547_200, body)
    assert hook.verify(headers, body, now=1_764_547_200).type == "task.completed"


@pytest.mark.parametrize("name", EXPORTED)
def test_exported_objects_present_themselves_as_crowdframe(name: str) -> None:
    member = getattr(crowdframe, name)

    if inspect.isclass(member) or inspect.isfunction(member):
        assert member.__module__ == "crowdframe"


def test_version_is_a_string() -> None:
    assert isinstance(crowdframe.__version__, str)
    assert crowdframe.__version__.count(".") == 2


def test_the_sdk_does_not_pull_in_the_gateway() -> None:
    # `pip install crowdframe` must work without Starlette: the SDK may not import it.
    code = (
        "import sys, crowdframe; "
        "sys.exit(any(m.split('.')[0] in ('starlette', 'crowdframe_gateway', 'redis') "
        "for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
