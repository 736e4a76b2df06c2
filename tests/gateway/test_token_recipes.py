"""docs/tokens.md's recipes for verifying a task token without the SDK, run as written (the
JavaScript with ``node``, the Python with plain itsdangerous) against tokens the gateway issued:
valid, expired, tampered, for another page, a preview."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from crowdframe._token import decode_task_token
from harness import TASK_URL, ApiClient, Gateway

DOC = Path(__file__).parents[2] / "docs" / "tokens.md"
NODE = shutil.which("node") or "/usr/bin/node"
AUDIENCE = "http://localhost:8001"  # the origin of TASK_URL

DRIVER = """
const { verifyTaskToken } = require(process.argv[1]);
const cases = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
const answers = cases.map(({ token, secrets, options }) => {
  try {
    return { jti: verifyTaskToken(token, secrets, options).jti };
  } catch (error) {
    if (!error.code) throw error;
    return { error: error.code };
  }
});
process.stdout.write(JSON.stringify(answers));
"""


def recipe(language: str, mentioning: str) -> str:
    """The one block of ``language`` in docs/tokens.md that mentions ``mentioning``."""
    blocks = re.findall(rf"```{language}\n(.*?)```", DOC.read_text(), re.DOTALL)
    [block] = [b for b in blocks if mentioning in b]
    return block


def run_node(recipe_file: Path, cases: list[dict[str, Any]]) -> Any:
    """The driver's answers for ``cases``, verified by the recipe in ``node``."""
    run = subprocess.run(
        [NODE, "-e", DRIVER, str(recipe_file)],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def tampered(token: str) -> str:
    payload, rest = token.split(".", 1)
    flipped = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1]
    return flipped + "." + rest


async def issued_tokens(gateway: Gateway, api: ApiClient) -> tuple[str, str, str]:
    """A work token and a preview token the gateway issued, and the secret that signs them."""
    project = await api.project(tasks=2, task_url=TASK_URL)
    worker, assignment = await gateway.worker_on(project["id"])
    work_token = await worker.frame_token(assignment)
    preview = await gateway.worker("previewer@example.org")
    page = await preview.get(f"/work/projects/{project['id']}/preview")
    found = re.search(r'data-token="([^"]+)"', page.text)
    assert found, page.text[:500]
    return work_token, found.group(1), api.made.signing_secret


async def test_the_javascript_recipe_verifies_real_tokens(
    gateway: Gateway, api: ApiClient, tmp_path: Path
) -> None:
    token, preview, secret = await issued_tokens(gateway, api)
    claims = decode_task_token(token, secret)
    (tmp_path / "recipe.js").write_text(recipe("js", "verifyTaskToken"))
    options: dict[str, Any] = {"audience": AUDIENCE}
    cases = [
        {"token": token, "secrets": secret, "options": options},
        {"token": token, "secrets": ["cfts_old_x", secret], "options": options},
        {"token": token, "secrets": secret, "options": {**options, "now": claims.exp + 11}},
        {"token": tampered(token), "secrets": secret, "options": options},
        {"token": token, "secrets": "cfts_other_secret", "options": options},
        {"token": token, "secrets": secret, "options": {"audience": "https://elsewhere.example"}},
        {"token": preview, "secrets": secret, "options": options},
        {"token": preview, "secrets": secret, "options": {**options, "mode": None}},
        {"token": "garbage", "secrets": secret, "options": options},
    ]
    assert await asyncio.to_thread(run_node, tmp_path / "recipe.js", cases) == [
        {"jti": claims.jti},
        {"jti": claims.jti},
        {"error": "token_expired"},
        {"error": "token_signature"},
        {"error": "token_signature"},
        {"error": "token_audience"},
        {"error": "token_mode"},
        {"jti": decode_task_token(preview, secret).jti},
        {"error": "token_malformed"},
    ]


async def test_the_itsdangerous_parameters_verify_real_tokens(
    gateway: Gateway, api: ApiClient
) -> None:
    from itsdangerous import BadSignature

    token, _preview, secret = await issued_tokens(gateway, api)
    scope: dict[str, Any] = {"signing_secret": secret, "token": token}
    exec(recipe("python", "URLSafeTimedSerializer"), scope)  # noqa: S102 (the documentation's own example)
    assert scope["claims"] == decode_task_token(token, secret).to_dict()
    with pytest.raises(BadSignature):
        scope["serializer"].loads(tampered(token))
