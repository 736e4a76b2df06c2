"""`pip install crowdframe` is the SDK alone: no web framework, no Redis client."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_sdk_distribution_depends_only_on_httpx_itsdangerous_and_websockets() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {
        dep.split(">")[0].split("=")[0].split("[")[0].strip() for dep in project["dependencies"]
    }
    assert names == {"httpx", "itsdangerous", "websockets"}
    assert {"gateway", "dev"} <= set(project["optional-dependencies"])


def test_every_cli_command_has_help() -> None:
    for command in ([], ["gateway"], ["create-client"], ["demo"]):
        done = subprocess.run(
            [sys.executable, "-m", "crowdframe._cli", *command, "--help"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert "usage: crowdframe" in done.stdout
