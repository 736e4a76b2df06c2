"""``crowdframe demo``: the gateway and the sentiment example client, side by side.

One process, one event loop, two uvicorn servers: the gateway on ``127.0.0.1:PORT`` and the
example on ``localhost:EXAMPLE_PORT``, which is another *site* than the gateway on purpose, as a
real client's task page would be. A demo client (with boto3 ``mturk`` keys, printed with the
``endpoint_url``) and a demo worker are created the first time and reused afterwards.

Emails (a password reset link, an address to confirm, notices) are printed in the terminal the
demo runs in, as the outbox sends them (``CROWDFRAME_SMTP_URL=terminal:``), so no mail server
is needed; a ``CROWDFRAME_SMTP_URL`` given sends them there instead.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import logging
import os
import signal
import socket
import sys
from collections.abc import Generator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from types import ModuleType

import uvicorn

from .core.errors import Conflict, GatewayError
from .core.records import now
from .identity import members
from .identity.accounts import sign_up
from .identity.clients import create_client
from .logs import uvicorn_log_config
from .mturk.credentials import NewCredential, kept_credential
from .runtime import Runtime, Store, opened_store
from .settings import Settings
from .work.tokens import TokenIssuer

__all__ = [
    "DEMO_EMAIL",
    "DEMO_OWNER_EMAIL",
    "DEMO_PASSWORD",
    "demo_settings",
    "example_path",
    "run_demo",
]

DEMO_CLIENT_NAME = "Sentiment demo"
DEMO_EMAIL = "demo@crowdframe.test"
DEMO_PASSWORD = "crowdframe-demo"  # noqa: S105 (a published demo account on a local gateway)
DEMO_OWNER_EMAIL = "owner@crowdframe.test"  # the demo client's console owner, same password
HOST = "127.0.0.1"
HERE = Path(__file__).resolve().parent


@dataclass(frozen=True, slots=True)
class DemoClient:
    client_id: str
    api_key: str
    signing_secret: str
    mturk: NewCredential | None = None  # the boto3 keys the banner shows (prepare makes them)


def example_path() -> Path:
    """The sentiment example: packaged inside the wheel, or in the repository checkout."""
    for candidate in (HERE / "examples", HERE.parent.parent / "examples"):
        path = candidate / "sentiment" / "app.py"
        if path.exists():
            return path
    raise RuntimeError("the sentiment example is missing from this installation")


def load_example() -> ModuleType:
    """Import ``examples/sentiment/app.py`` by file path (it is not a package)."""
    path = example_path()
    name = "crowdframe_demo_sentiment"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


# -- setup: its own store connection, opened and closed before the app opens its own ----------


def _saved_client(path: Path) -> DemoClient | None:
    if not path.exists():
        return None
    saved = json.loads(path.read_text())
    return DemoClient(saved["client_id"], saved["api_key"], saved["signing_secret"])


def _save_secrets(path: Path, secrets: dict[str, str]) -> None:
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # it holds secrets
    with os.fdopen(fd, "w") as out:
        json.dump(secrets, out, indent=2)


def _save_client(path: Path, demo: DemoClient) -> None:
    _save_secrets(
        path,
        {
            "client_id": demo.client_id,
            "api_key": demo.api_key,
            "signing_secret": demo.signing_secret,
        },
    )


def _saved_keys(path: Path) -> NewCredential | None:
    return NewCredential(**json.loads(path.read_text())) if path.exists() else None


async def _demo_mturk_keys(
    store: Store, secret_key: str, client_id: str, path: Path
) -> NewCredential:
    """The demo client's boto3 keys: made once (``crowdframe create-mturk-credentials``'s
    kind), kept in ``path`` and shown on every start."""
    saved = _saved_keys(path)
    keys = await kept_credential(store, secret_key, client_id, saved)
    if keys != saved:
        _save_secrets(path, asdict(keys))
    return keys


async def _demo_client(store: Store, path: Path) -> DemoClient:
    known = _saved_client(path)
    if known is not None and await store.get_client(known.client_id) is not None:
        return known
    # First run, or the store was reset and the saved client no longer exists.
    made = await create_client(store, DEMO_CLIENT_NAME)
    demo = DemoClient(made.client.id, made.api_key, made.signing_secret)
    _save_client(path, demo)
    return demo


def demo_settings(settings: Settings) -> Settings:
    """The demo's settings: emails printed in its terminal unless an SMTP server is given."""
    return replace(settings, smtp_url=settings.smtp_url or "terminal:")


async def _demo_worker(rt: Runtime) -> None:
    if await rt.store.worker_by_email(DEMO_EMAIL) is not None:
        return
    with suppress(Conflict):  # another process created it meanwhile
        worker = await sign_up(
            rt, email=DEMO_EMAIL, password=DEMO_PASSWORD, country="US", languages=["en"]
        )
        # a published address nobody reads: confirmed, so the pages do not ask for it
        await rt.store.set_worker_email_verified(worker.id, at=now())


async def _demo_owner(rt: Runtime, client_id: str) -> None:
    """The demo client's console owner, made as any owner is: invited, and the invitation
    accepted with the demo password."""
    if await rt.store.client_user_by_email(DEMO_OWNER_EMAIL) is not None:
        return
    client = await rt.store.get_client(client_id)
    assert client is not None
    invited = await members.invite_owner(
        rt.store, rt.settings.public_origin, client, DEMO_OWNER_EMAIL
    )
    token = invited.link.rsplit("/", 1)[1]
    with suppress(Conflict):  # another process accepted one meanwhile
        await members.accept(rt, token, password=DEMO_PASSWORD, repeated=DEMO_PASSWORD)


async def prepare(settings: Settings) -> DemoClient:
    """Create (once) the demo client, its console owner and the demo worker; return the
    client's secrets and its boto3 keys."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    async with opened_store(settings) as store:
        rt = Runtime(
            settings=settings,
            store=store,
            tokens=TokenIssuer(settings.public_origin, settings.launch_token_seconds),
            secret_key=settings.resolved_secret_key(),
        )
        demo = await _demo_client(store, settings.data_dir / "demo-client.json")
        await _demo_worker(rt)
        await _demo_owner(rt, demo.client_id)
        keys = await _demo_mturk_keys(
            store, rt.secret_key, demo.client_id, settings.data_dir / "demo-mturk.json"
        )
        return replace(demo, mturk=keys)


# -- serving --------------------------------------------------------------------------------


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signals alone: ``_serve`` stops both servers itself."""

    @contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def _listen(port: int) -> socket.socket:
    """Bind before anything starts, so a busy port is one clear message, not a traceback."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
    except OSError:
        sock.close()
        raise
    return sock


@dataclass
class _Running:
    server: uvicorn.Server
    sock: socket.socket
    task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self.server.serve(sockets=[self.sock]))

    async def started(self) -> bool:
        while not self.server.started:
            if self.task is None or self.task.done():
                return False
            await asyncio.sleep(0.05)
        return True


def _banner(port: int, example_origin: str, mturk: list[str]) -> str:
    gateway = f"http://{HOST}:{port}"
    rule = "=" * 64
    return "\n".join(
        [
            rule,
            "Crowdframe demo is running.",
            "",
            f"  Open           {gateway}/",
            f"  Sign in as     {DEMO_EMAIL}",
            f"  Password       {DEMO_PASSWORD}",
            f"  Results        {example_origin}/results",
            f"  Console        {gateway}/console  (the client's side)",
            f"  Sign in as     {DEMO_OWNER_EMAIL}",
            f"  Password       {DEMO_PASSWORD}",
            *mturk,
            "",
            f"The sentiment example (the client's task pages) runs at {example_origin}.",
            'Emails the gateway sends (try "Forgot your password?") are printed here.',
            "Press Ctrl-C to stop.",
            rule,
        ]
    )


def _mturk_lines(settings: Settings, demo: DemoClient) -> list[str]:
    """What a requester's boto3 script needs (docs/migrate-from-mturk.md): HTMLQuestion pages
    come from the content origin, another site of the same port."""
    if demo.mturk is None:
        return []
    lines = [
        "",
        f"  MTurk (boto3)  endpoint_url={settings.public_origin}/mturk  region_name=us-east-1",
        f"  Access key     {demo.mturk.access_key_id}",
        f"  Secret key     {demo.mturk.secret_access_key}",
    ]
    if settings.content_origin:
        lines.append(f"  HTMLQuestion   pages served from {settings.content_origin}")
    return lines


async def _serve(gateway: _Running, example: _Running, banner: str) -> int:
    loop = asyncio.get_running_loop()
    running: list[_Running] = []
    interrupted = False

    def stop(*, force: bool = False) -> None:
        for each in running:
            each.server.should_exit = True
            each.server.force_exit = each.server.force_exit or force

    def on_signal() -> None:
        nonlocal interrupted
        # A second Ctrl-C stops at once, without waiting for open connections.
        stop(force=interrupted)
        interrupted = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal)
    try:
        # The gateway first: the example registers its work with it while starting.
        for each, name in ((gateway, "the gateway"), (example, "the sentiment example")):
            running.append(each)
            each.start()
            if not await each.started():
                if not interrupted:
                    print(f"crowdframe: {name} could not start", file=sys.stderr)
                return 0 if interrupted else 1
        print(banner, flush=True)
        await asyncio.wait(
            [each.task for each in running if each.task is not None],
            return_when=asyncio.FIRST_COMPLETED,
        )
        return 0 if interrupted else 1
    finally:
        stop()
        for each in running:
            if each.task is not None:
                with suppress(asyncio.CancelledError):
                    await each.task
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def run_demo(settings: Settings, *, port: int, example_port: int) -> int:
    """Run the gateway and the sentiment example until Ctrl-C; returns the exit status."""
    from .app import create_app

    settings = demo_settings(settings)
    # The access log already shows each API call and webhook; httpx's own lines would repeat it.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    sockets: list[socket.socket] = []
    try:
        for each in (port, example_port):
            try:
                sockets.append(_listen(each))
            except OSError as exc:
                print(
                    f"crowdframe: cannot listen on {HOST}:{each}: {exc.strerror}", file=sys.stderr
                )
                return 2
        try:
            demo = asyncio.run(prepare(settings))
        except GatewayError as exc:
            print(f"crowdframe: {exc.message}", file=sys.stderr)
            return 2
        module = load_example()
        example_origin = f"http://localhost:{example_port}"
        config = module.SentimentConfig(
            gateway_url=f"http://{HOST}:{port}",
            api_key=demo.api_key,
            signing_secret=demo.signing_secret,
            # localhost, not 127.0.0.1: the task page is another site than the gateway, as
            # a real client's would be.
            public_origin=example_origin,
            data_dir=settings.data_dir / "sentiment",
        )
        # One process, one logging setup: both servers' lines go through the redaction filter.
        log_config = uvicorn_log_config()
        gateway = _Running(
            _Server(uvicorn.Config(create_app(settings), log_config=log_config)), sockets[0]
        )
        example = _Running(
            _Server(uvicorn.Config(module.create_app(config), log_config=log_config)), sockets[1]
        )
        banner = _banner(port, example_origin, _mturk_lines(settings, demo))
        return asyncio.run(_serve(gateway, example, banner))
    finally:
        for sock in sockets:
            sock.close()
