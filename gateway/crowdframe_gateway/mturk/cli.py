"""``crowdframe create-mturk-credentials`` and ``revoke-mturk-credentials``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..core.errors import InvalidInput
from ..settings import Settings, SettingsError

if TYPE_CHECKING:
    from ..runtime import Store

StoreAction = Callable[[Settings, "Store"], Awaitable[None]]
ShowOnce = Callable[[dict[str, Any], bool, str], None]

__all__ = ["register"]


def register(
    commands: Any,
    store_options: Callable[[argparse.ArgumentParser], None],
    with_store: Callable[[argparse.Namespace, StoreAction], int],
    show_once: ShowOnce,
) -> None:
    """Add the MTurk commands; ``with_store`` (the command line's) runs each on the store,
    ``show_once`` prints the credentials made."""
    create = commands.add_parser(
        "create-mturk-credentials",
        help="create AWS-style credentials for a client's boto3 mturk scripts; printed once",
        description=(
            "Create an access key id and secret access key for CLIENT_ID's boto3 scripts"
            " (boto3.client('mturk', endpoint_url='<gateway>/mturk', ...)). The secret is"
            " printed once and kept encrypted with the gateway's secret key."
        ),
    )
    create.add_argument("client_id", metavar="CLIENT_ID", help="the client, e.g. cli_…")
    create.add_argument("--json", action="store_true", help="print JSON")
    create.add_argument(
        "--public-origin",
        help="the gateway's public origin, as `crowdframe gateway` was given it"
        " (CROWDFRAME_PUBLIC_ORIGIN): the endpoint_url printed is <origin>/mturk",
    )
    store_options(create)
    create.set_defaults(
        run=lambda args: with_store(args, lambda s, st: _create(args, s, st, show_once))
    )

    revoke = commands.add_parser(
        "revoke-mturk-credentials",
        help="revoke a client's boto3 credentials at once",
        description="Revoke an access key id; requests signed with it are refused from now on.",
    )
    revoke.add_argument("access_key_id", metavar="ACCESS_KEY_ID")
    store_options(revoke)
    revoke.set_defaults(run=lambda args: with_store(args, lambda s, st: _revoke(args, s, st)))


async def _create(
    args: argparse.Namespace, settings: Settings, store: Store, show_once: ShowOnce
) -> None:
    from .credentials import create_credential

    origin = settings.public_origin
    if args.public_origin:
        try:
            origin = replace(settings, public_origin=args.public_origin).checked().public_origin
        except SettingsError as exc:
            raise InvalidInput(str(exc), field="public_origin") from None
    elif not os.environ.get("CROWDFRAME_PUBLIC_ORIGIN"):
        print(
            f"crowdframe: no public origin configured; the endpoint_url assumes {origin}"
            " (set CROWDFRAME_PUBLIC_ORIGIN or --public-origin as for the gateway)",
            file=sys.stderr,
        )
    made = await create_credential(store, settings.resolved_secret_key(), args.client_id)
    info = {
        "client_id": made.client_id,
        "aws_access_key_id": made.access_key_id,
        "aws_secret_access_key": made.secret_access_key,
        "endpoint_url": f"{origin}/mturk",
        "region_name": "us-east-1",
    }
    show_once(info, args.json, "Keep the secret access key safe: it is not shown again.")


async def _revoke(args: argparse.Namespace, settings: Settings, store: Store) -> None:
    from .credentials import revoke_credential

    await revoke_credential(store, args.access_key_id)
    print(f"revoked {args.access_key_id}")
