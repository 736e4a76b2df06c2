"""The console's developers' page: API keys, signing secrets, webhook endpoints and their
delivery log, replays, and how to run ``crowdframe listen`` (docs/console.md, "Developers").

Every change calls the service the REST API's handler calls (``identity.keyring``,
``webhooks.endpoints``, ``webhooks.log``), so the console and the API accept, refuse and explain
the same things; another client's endpoint or message is ``NotFound``, as in the API. Who may
change what is ``identity.rules.check_may_manage_credentials``: owners change keys, secrets and
endpoints; members see them and the log, and may replay. A secret is in the one answer that made
it, never in a URL, a redirect or a log line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from crowdframe import EVENT_TYPES

from ...core.errors import GatewayError
from ...core.events import event_body
from ...core.records import Client, ClientUser, Endpoint, Message, now
from ...core.text import N_
from ...identity import keyring
from ...identity.rules import check_may_manage_credentials, may_manage_credentials
from ...runtime import Runtime
from ...webhooks import endpoints
from ...webhooks import log as webhook_log
from .. import i18n
from ..api.keyring import signing_secrets_view
from .render import page, see_other
from .session import check_csrf, runtime, signed_in_client

__all__ = [
    "add_signing_secret",
    "attempts_fragment",
    "create_api_key",
    "create_endpoint",
    "delete_signing_secret",
    "disable_endpoint",
    "enable_endpoint",
    "endpoint_page",
    "message_page",
    "overview",
    "replay_failed",
    "replay_message",
    "revoke_api_key",
    "rotate_endpoint_secret",
]

MESSAGES_SHOWN = 25  # an endpoint's messages a page
POLL_SECONDS = 3  # how often a pending message's page asks for its attempts
ANSWER_START = 120  # characters of an answer shown in the attempts table (1000 are kept)
REPLAY_WINDOWS = (  # how far back "replay every failed message" reaches
    ("3600", N_("in the last hour")),
    ("86400", N_("in the last 24 hours")),
    ("604800", N_("in the last 7 days")),
    ("2592000", N_("in the last 30 days")),
)
NOTICES = {
    "revoked": N_("API key revoked: it no longer works."),
    "secret_deleted": N_("Signing secret deleted: tokens it signed no longer verify."),
    "disabled": N_("Endpoint disabled: nothing is sent to it until it is enabled again."),
    "enabled": N_("Endpoint enabled: messages are sent to it again."),
    "replayed": N_("Sent again: the message is due now."),
}


@dataclass(frozen=True, slots=True)
class Shown:
    """A secret just made, shown in this answer only."""

    what: str  # its heading, a text marked with N_
    secret: str


def _notice(request: Request) -> str | None:
    return NOTICES.get(request.query_params.get("notice", ""))  # page() shows it translated


def _listen_command(rt: Runtime) -> str:
    return (
        "export CROWDFRAME_API_KEY=cfk_…\n"
        f"crowdframe listen --gateway {rt.settings.public_origin}"
        " --forward-to http://localhost:8000/webhooks"
    )


async def _overview(
    request: Request,
    user: ClientUser,
    client: Client,
    *,
    shown: Shown | None = None,
    error: GatewayError | None = None,
    form: dict[str, Any] | None = None,
) -> Response:
    rt = runtime(request)
    current = await rt.store.get_client(client.id) or client
    context = {
        "keys": await rt.store.list_api_keys(client.id),  # as GET /api-keys lists them
        "secrets": signing_secrets_view(current),  # as GET /signing-secrets
        "endpoints": await rt.store.list_endpoints(client.id),  # as GET /webhook-endpoints
        "may_manage": may_manage_credentials(user),
        "event_types": EVENT_TYPES,
        "listen": _listen_command(rt),
        "shown": shown,
        "form": form or {},
        "error": error.message if error else None,
        "field": error.field if error else None,
        "notice": _notice(request),
    }
    status = error.status if error else 201 if shown else 200
    return page(request, "developers.html", context, user=user, status=status)


async def overview(request: Request) -> Response:
    user, client = await signed_in_client(request)
    return await _overview(request, user, client)


async def _owner_change(request: Request) -> tuple[ClientUser, Client]:
    """The signed-in owner and their client, for a change (CSRF checked); ``Forbidden`` for a
    member (identity/rules.py)."""
    user, client = await signed_in_client(request)
    await check_csrf(request)
    check_may_manage_credentials(user)
    return user, client


async def create_api_key(request: Request) -> Response:
    user, client = await _owner_change(request)
    form = await request.form()
    name = str(form.get("name", ""))
    try:
        made = await keyring.create_api_key(runtime(request), client, {"name": name})
    except GatewayError as exc:
        return await _overview(request, user, client, error=exc, form={"name": name})
    return await _overview(request, user, client, shown=Shown(N_("Your new API key"), made.secret))


async def revoke_api_key(request: Request) -> Response:
    user, client = await _owner_change(request)
    try:
        await keyring.revoke_api_key(runtime(request), client, request.path_params["key_id"])
    except GatewayError as exc:
        return await _overview(request, user, client, error=exc)
    return see_other("/console/developers?notice=revoked")


async def add_signing_secret(request: Request) -> Response:
    user, client = await _owner_change(request)
    try:
        _, secret = await keyring.add_signing_secret(runtime(request), client)
    except GatewayError as exc:
        return await _overview(request, user, client, error=exc)
    return await _overview(
        request, user, client, shown=Shown(N_("Your new signing secret"), secret)
    )


async def delete_signing_secret(request: Request) -> Response:
    user, client = await _owner_change(request)
    try:
        await keyring.remove_signing_secret(runtime(request), client, request.path_params["kid"])
    except GatewayError as exc:
        return await _overview(request, user, client, error=exc)
    return see_other("/console/developers?notice=secret_deleted")


async def create_endpoint(request: Request) -> Response:
    user, client = await _owner_change(request)
    form = await request.form()
    url = str(form.get("url", "")).strip()
    chosen = [str(t) for t in form.getlist("event_types")]
    body = {"url": url, "event_types": chosen or None}  # none chosen: every type
    try:
        endpoint = await endpoints.create_endpoint(runtime(request), client, body)
    except GatewayError as exc:
        form_values = {"url": url, "event_types": chosen}
        return await _overview(request, user, client, error=exc, form=form_values)
    shown = Shown(N_("Your new webhook signing secret"), endpoint.secrets[-1])
    return await _endpoint_page(request, user, client, endpoint, shown=shown)


# -- one endpoint and its delivery log ----------------------------------------------------------


async def _owned_endpoint(request: Request) -> tuple[ClientUser, Client, Endpoint]:
    user, client = await signed_in_client(request)
    endpoint_id = request.path_params["endpoint_id"]
    return user, client, await endpoints.owned_endpoint(runtime(request), client, endpoint_id)


async def _endpoint_page(
    request: Request,
    user: ClientUser,
    client: Client,
    endpoint: Endpoint,
    *,
    shown: Shown | None = None,
    error: GatewayError | None = None,
    notice: str | None = None,
) -> Response:
    status = request.query_params.get("status") or None
    cursor = request.query_params.get("cursor") or None
    found = await webhook_log.list_messages(
        runtime(request), client, endpoint.id, status=status, cursor=cursor, limit=MESSAGES_SHOWN
    )
    more = None
    if found.next_cursor:
        more = "?" + urlencode(
            {k: v for k, v in (("status", status), ("cursor", found.next_cursor)) if v}
        )
    context = {
        "endpoint": endpoint,
        "messages": found.items,
        "more": more,
        "status": status or "",
        "may_manage": may_manage_credentials(user),
        "windows": REPLAY_WINDOWS,
        "shown": shown,
        "error": error.message if error else None,
        "field": error.field if error else None,
        "notice": notice or _notice(request),
    }
    code = error.status if error else 201 if shown else 200
    return page(request, "endpoint.html", context, user=user, status=code)


async def endpoint_page(request: Request) -> Response:
    user, client, endpoint = await _owned_endpoint(request)
    return await _endpoint_page(request, user, client, endpoint)


async def _endpoint_change(request: Request) -> tuple[ClientUser, Client, Endpoint]:
    user, client, endpoint = await _owned_endpoint(request)  # another's: 404 before 403
    await check_csrf(request)
    check_may_manage_credentials(user)
    return user, client, endpoint


async def rotate_endpoint_secret(request: Request) -> Response:
    user, client, endpoint = await _endpoint_change(request)
    rotated = await endpoints.rotate_secret(runtime(request), client, endpoint.id)
    shown = Shown(N_("Your new webhook signing secret"), rotated.secrets[-1])
    return await _endpoint_page(request, user, client, rotated, shown=shown)


async def _set_status(request: Request, status: str) -> Response:
    _, client, endpoint = await _endpoint_change(request)
    # PATCH /webhook-endpoints/{id} {"status": ...}: the API's own service call
    await endpoints.update_endpoint(runtime(request), client, endpoint.id, {"status": status})
    return see_other(f"/console/developers/endpoints/{endpoint.id}?notice={status}")


async def disable_endpoint(request: Request) -> Response:
    return await _set_status(request, "disabled")


async def enable_endpoint(request: Request) -> Response:
    return await _set_status(request, "enabled")


async def replay_failed(request: Request) -> Response:
    """Every failed message of the endpoint since the window chosen, sent again (a member
    may: a replay changes no access)."""
    user, client, endpoint = await _owned_endpoint(request)
    await check_csrf(request)
    form = await request.form()
    window = str(form.get("window", REPLAY_WINDOWS[1][0]))
    seconds = float(window) if window in dict(REPLAY_WINDOWS) else 86400.0
    try:
        count = await webhook_log.replay_failed(
            runtime(request), client, endpoint.id, {"since": max(0.0, now() - seconds)}
        )
    except GatewayError as exc:
        return await _endpoint_page(request, user, client, endpoint, error=exc)
    with i18n.use(i18n.locale_of(request)):  # a plural: said here, in the page's language
        notice = i18n.ngettext(
            "%(num)s failed message sent again.", "%(num)s failed messages sent again.", count
        ) % {"num": count}
    return await _endpoint_page(request, user, client, endpoint, notice=notice)


# -- one message and its attempts ---------------------------------------------------------------


async def _owned_message(request: Request) -> tuple[ClientUser, Client, Message]:
    user, client = await signed_in_client(request)
    message_id = request.path_params["message_id"]
    return user, client, await webhook_log.owned_message(runtime(request), client, message_id)


async def _delivery_context(request: Request, client: Client, message: Message) -> dict[str, Any]:
    event = message.event
    return {
        "message": message,
        "attempts": await webhook_log.attempts(runtime(request), client, message.id),
        "answer_start": ANSWER_START,
        "delivery_notice": None,
        "delivery_error": None,
        "poll": POLL_SECONDS,
        "payload": json.dumps(
            event_body(event.type, event.created_at, event.data), indent=2, ensure_ascii=False
        ),
    }


async def message_page(request: Request) -> Response:
    user, client, message = await _owned_message(request)
    context = await _delivery_context(request, client, message)
    context["notice"] = _notice(request)
    return page(request, "message.html", context, user=user)


async def attempts_fragment(request: Request) -> Response:
    """The message's status and attempts as they are now (htmx, while it is pending)."""
    _, client, message = await _owned_message(request)
    return page(request, "_delivery.html", await _delivery_context(request, client, message))


async def replay_message(request: Request) -> Response:
    user, client, message = await _owned_message(request)
    await check_csrf(request)
    fragment = request.headers.get("hx-request") == "true"
    try:
        replayed = await webhook_log.replay(runtime(request), client, message.id)
    except GatewayError as exc:
        context = await _delivery_context(request, client, message)
        context["delivery_error"] = exc
        name = "_delivery.html" if fragment else "message.html"
        return page(request, name, context, user=user, status=exc.status)
    if fragment:  # the delivery box swapped in place, polling until the new attempt is in
        context = await _delivery_context(request, client, replayed)
        context["delivery_notice"] = NOTICES["replayed"]
        return page(request, "_delivery.html", context)
    return see_other(f"/console/developers/messages/{message.id}?notice=replayed")
