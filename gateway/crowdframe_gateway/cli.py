"""The gateway's subcommands of ``crowdframe``: gateway, create-client, demo, migrate,
disputes."""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .core.errors import GatewayError
from .settings import Settings, SettingsError

if TYPE_CHECKING:
    from .runtime import Store

__all__ = ["register"]

SWITCH_INTERVAL = 0.0005  # seconds a thread waits at most for the interpreter lock (run_gateway)


def _store_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir", type=Path, help="where the SQLite store lives (CROWDFRAME_DATA_DIR; ./data)"
    )
    parser.add_argument("--store", help="store URL, e.g. sqlite:///path.db (CROWDFRAME_STORE)")


def register(commands: Any) -> None:
    gateway = commands.add_parser("gateway", help="run the gateway", description="Run the gateway.")
    gateway.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    gateway.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    gateway.add_argument(
        "--public-origin",
        help="origin workers' browsers use (CROWDFRAME_PUBLIC_ORIGIN; default http://HOST:PORT)",
    )
    _store_options(gateway)
    gateway.set_defaults(run=run_gateway)

    create = commands.add_parser(
        "create-client",
        help="create a client account and print its API key and signing secret once",
        description="Create a client; its API key and token signing secret are printed once.",
    )
    create.add_argument("name", help="the client's name, e.g. the company")
    create.add_argument("--json", action="store_true", help="print JSON")
    create.add_argument(
        "--platform",
        action="store_true",
        help="a platform client: any client's project may require its assessments",
    )
    create.add_argument(
        "--owner-email",
        help="invite the client's first console owner: prints a one-time link (7 days)",
    )
    create.add_argument(
        "--public-origin",
        help="the gateway's origin, for the invitation link (CROWDFRAME_PUBLIC_ORIGIN)",
    )
    _store_options(create)
    create.set_defaults(run=run_create_client)

    demo = commands.add_parser(
        "demo",
        help="run the gateway with the sentiment example client and a demo worker",
        description="Run the gateway and the sentiment example side by side.",
    )
    demo.add_argument("--port", type=int, default=8000, help="gateway port (default 8000)")
    demo.add_argument("--example-port", type=int, default=8001, help="example port (8001)")
    _store_options(demo)
    demo.set_defaults(run=run_demo)

    migrate = commands.add_parser(
        "migrate",
        help="copy a SQLite store into an empty Redis store",
        description="Copy everything from a SQLite store into an empty Redis store (stop the"
        " gateway first). Refuses a Redis database that holds any key.",
    )
    migrate.add_argument("--from", dest="source", required=True, help="sqlite:///PATH")
    migrate.add_argument("--to", dest="target", required=True, help="redis://HOST:PORT/DB")
    migrate.set_defaults(run=run_migrate)

    disputes = commands.add_parser(
        "disputes",
        help="list the disputes nobody answered in time",
        description="Print every dispute of a rejection that its client left unanswered past"
        " the dispute window (CROWDFRAME_DISPUTE_WINDOW), oldest due first; each is reported"
        " once as a dispute.overdue event.",
    )
    _store_options(disputes)
    disputes.add_argument("--json", action="store_true", help="one JSON object per line")
    disputes.set_defaults(run=run_disputes)

    from .mturk.cli import register as register_mturk

    register_mturk(commands, _store_options, with_store, show_once)


def _extras_missing() -> str | None:
    """The gateway needs the ``gateway`` extra; a plain ``pip install crowdframe`` lacks it."""
    try:
        import jinja2  # noqa: F401
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        return f"{exc.name} is missing: pip install 'crowdframe[gateway]'"
    return None


def settings_from(args: argparse.Namespace, **extra: Any) -> Settings:
    return Settings.from_env(data_dir=args.data_dir, store_url=args.store, **extra)


def run_gateway(args: argparse.Namespace) -> int:
    if missing := _extras_missing():
        print(f"crowdframe: {missing}", file=sys.stderr)
        return 2
    import uvicorn

    from .app import create_app

    try:
        settings = settings_from(
            args,
            public_origin=args.public_origin,
            fallbacks={"public_origin": f"http://{args.host}:{args.port}"},
        )
    except SettingsError as exc:
        print(f"crowdframe: {exc}", file=sys.stderr)
        return 2
    from .logs import configure_logging, uvicorn_log_config

    configure_logging(settings.log_format)

    app = create_app(settings)
    # what was made while starting (modules, classes, settings) lives as long as the process:
    # out of the collector's sight, so its full collections walk only what requests made since
    gc.collect()
    gc.freeze()
    # a thread that ends a blocking call (the SQLite log's flush, a DNS lookup) waits for the
    # interpreter lock, which a busy event loop keeps for the switch interval (5 ms by
    # default): every answer waiting on that flush waited with it (measured in `make bench`'s
    # work cycle on the default store, synchronous=FULL)
    sys.setswitchinterval(SWITCH_INTERVAL)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level="info",
        log_config=uvicorn_log_config(settings.log_format),
    )
    return 0


def with_store(
    args: argparse.Namespace,
    action: Callable[[Settings, Store], Awaitable[None]],
    **extra: Any,
) -> int:
    """Run one command's work on the configured store, opened for it and closed after; a bad
    setting or a refused request is one line on stderr and exit status 2."""
    from .runtime import opened_store

    try:
        settings = settings_from(args, **extra)
    except SettingsError as exc:
        print(f"crowdframe: {exc}", file=sys.stderr)
        return 2

    async def run() -> None:
        async with opened_store(settings) as store:
            await action(settings, store)

    try:
        asyncio.run(run())
    except GatewayError as exc:
        print(f"crowdframe: {exc.message}", file=sys.stderr)
        return 2
    return 0


def show_once(info: dict[str, Any], as_json: bool, keep_safe: str) -> None:
    """Print secrets shown this once: as JSON, or one aligned line each and then ``keep_safe``."""
    if as_json:
        print(json.dumps(info, indent=2))
        return
    width = max(map(len, info)) + 1
    for key, value in info.items():
        print(f"{key:{width}} {value}")
    print(f"\n{keep_safe}")


def run_create_client(args: argparse.Namespace) -> int:
    from .core.records import iso
    from .identity.accounts import checked_email
    from .identity.clients import create_client
    from .identity.members import invite_owner

    async def create(settings: Settings, store: Store) -> None:
        owner = None if args.owner_email is None else checked_email(args.owner_email)
        made = await create_client(store, args.name, platform=args.platform)
        info: dict[str, Any] = {
            "client_id": made.client.id,
            "name": made.client.name,
            "platform": made.client.platform,
            "api_key": made.api_key,
            "signing_secret": made.signing_secret,
        }
        keep_safe = "Keep the API key and signing secret safe: they are not shown again."
        if owner is not None:
            invited = await invite_owner(store, settings.public_origin, made.client, owner)
            info["console_invitation"] = invited.link
            info["invitation_expires_at"] = iso(invited.invitation.expires_at)
            keep_safe += (
                f"\nGive the console invitation to {owner} only: it works once, until"
                f" {info['invitation_expires_at']}."
            )
        show_once(info, args.json, keep_safe)

    return with_store(args, create, public_origin=getattr(args, "public_origin", None))


def run_demo(args: argparse.Namespace) -> int:
    if missing := _extras_missing():
        print(f"crowdframe: {missing}", file=sys.stderr)
        return 2
    from .demo import run_demo as demo

    try:
        # HTMLQuestion pages on another site of the same port (localhost is not 127.0.0.1)
        fallbacks = {
            "public_origin": f"http://127.0.0.1:{args.port}",
            "content_origin": f"http://localhost:{args.port}",
        }
        settings = settings_from(args, fallbacks=fallbacks)
    except SettingsError as exc:
        print(f"crowdframe: {exc}", file=sys.stderr)
        return 2
    from .logs import configure_logging

    configure_logging(settings.log_format)
    return demo(settings, port=args.port, example_port=args.example_port)


def run_migrate(args: argparse.Namespace) -> int:
    from .migration.copy import MigrationError, migrate_sqlite_to_redis

    if not args.target.startswith(("redis://", "rediss://", "unix://")):
        print("crowdframe: --to must be a redis:// URL", file=sys.stderr)
        return 2
    try:
        asyncio.run(migrate_sqlite_to_redis(args.source, args.target, report=_progress))
    except MigrationError as exc:
        print(f"crowdframe: {exc}", file=sys.stderr)
        return 2
    return 0


def run_disputes(args: argparse.Namespace) -> int:
    from .conversations import report_overdue
    from .conversations.disputes import dispute_data
    from .core.records import iso, now

    async def show(settings: Settings, store: Store) -> None:
        found = await report_overdue(store, at=now())
        for dispute in found:
            if args.json:
                print(json.dumps({**dispute_data(dispute), "client_id": dispute.client_id}))
                continue
            print(
                f"{dispute.id}  due {iso(dispute.due_at)}  client {dispute.client_id}"
                f"  assignment {dispute.assignment_id}  worker {dispute.worker_pseudonym}"
            )
        if not found and not args.json:
            print("no dispute is overdue")

    return with_store(args, show)


def _progress(line: str) -> None:
    print(line, flush=True)
