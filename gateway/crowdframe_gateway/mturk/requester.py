"""The boto3 endpoint: ``POST /mturk/`` with a SigV4 signature and ``X-Amz-Target``."""

from __future__ import annotations

import json
import logging
import secrets
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..core.errors import GatewayError
from ..core.records import Client, now
from . import sigv4
from .call import Call
from .credentials import open_secret
from .faults import CONTENT_TYPE, MTurkFault, fault_response, from_gateway_error
from .operations import OPERATIONS, TARGET_PREFIX, UNSUPPORTED
from .params import Params

if TYPE_CHECKING:
    from ..runtime import Runtime


__all__ = ["requester_endpoint"]

log = logging.getLogger("crowdframe.mturk")
MAX_BODY = 1_000_000


async def _signed_client(rt: Runtime, request: Request, body: bytes) -> Client:
    try:
        auth = sigv4.parse_authorization(request.headers.get("authorization"))
        credential = await rt.store.get_mturk_credential(auth.access_key_id)
        if credential is None or credential.status != "active":
            raise sigv4.SignatureError(
                "the AWS access key id is not a Crowdframe credential, or it was revoked",
                code="UnrecognizedClientException",
            )
        secret = open_secret(rt.secret_key, credential)
        if secret is None:
            raise sigv4.SignatureError(
                "these credentials were sealed under another gateway secret key;"
                " create new ones with `crowdframe create-mturk-credentials`",
                code="UnrecognizedClientException",
            )
        signed = sigv4.SignedRequest(
            method=request.method,
            path=request.url.path,
            query=request.url.query,
            headers=request.headers.getlist,
            body=body,
        )
        sigv4.verify(signed, auth, secret, now=now())
    except sigv4.SignatureError as exc:
        status = 403 if exc.code == "MissingAuthenticationTokenException" else 400
        raise MTurkFault(exc.message, code=exc.code, status=status) from None
    client = await rt.store.get_client(credential.client_id)
    if client is None:
        raise MTurkFault("this credential's client is gone", code="UnrecognizedClientException")
    return client


def _operation(request: Request) -> str:
    target = request.headers.get("x-amz-target", "")
    name = target.removeprefix(TARGET_PREFIX)
    if not target.startswith(TARGET_PREFIX) or not name:
        raise MTurkFault(
            f"X-Amz-Target must be {TARGET_PREFIX}<Operation>",
            code="UnknownOperationException",
        )
    if name in UNSUPPORTED:
        raise MTurkFault(
            f"{name} is not supported by Crowdframe: {UNSUPPORTED[name]}",
            turk_code="AWS.MechanicalTurk.UnsupportedOperation",
        )
    if name not in OPERATIONS:
        raise MTurkFault(f"unknown operation {name}", code="UnknownOperationException")
    return name


async def requester_endpoint(request: Request) -> Response:
    rt: Runtime = request.app.state.runtime
    try:
        body = await request.body()
        if len(body) > MAX_BODY:
            raise MTurkFault(f"the request is larger than {MAX_BODY} bytes")
        client = await _signed_client(rt, request, body)
        name = _operation(request)
        try:
            params = json.loads(body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise MTurkFault("the body is not JSON", code="SerializationException") from None
        if not isinstance(params, dict):
            raise MTurkFault("the body must be a JSON object", code="SerializationException")
        result = await OPERATIONS[name](Call(rt, client, Params(params)))
    except MTurkFault as fault:
        return fault_response(fault)
    except GatewayError as error:
        return fault_response(from_gateway_error(error))
    except Exception:
        log.exception("MTurk operation failed")
        return fault_response(
            MTurkFault("the gateway failed; try again", code="ServiceFault", status=500)
        )
    return JSONResponse(
        result, media_type=CONTENT_TYPE, headers={"x-amzn-requestid": secrets.token_hex(16)}
    )
