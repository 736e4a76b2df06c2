"""MTurk's errors, as boto3 reads them: ``{"__type": "RequestError", "Message", "TurkErrorCode"}``.

botocore turns any such answer into ``botocore.exceptions.ClientError`` whose
``response["Error"]["Code"]`` is the ``__type``: ``RequestError`` (HTTP 400, the request is
wrong), ``ServiceFault`` (HTTP 500, the gateway failed; botocore retries it), and the AWS-wide
authentication codes (``UnrecognizedClientException``, ``InvalidSignatureException`` ...).
"""

from __future__ import annotations

import secrets

from starlette.responses import JSONResponse

from ..core.errors import Conflict, GatewayError, InvalidInput, NotFound, TokenRejected

__all__ = ["CONTENT_TYPE", "MTurkFault", "fault_response", "from_gateway_error", "request_error"]

CONTENT_TYPE = "application/x-amz-json-1.1"


class MTurkFault(Exception):
    def __init__(
        self, message: str, *, code: str = "RequestError", turk_code: str = "", status: int = 400
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.turk_code = turk_code
        self.status = status


def request_error(message: str, turk_code: str = "AWS.ParameterOutOfRange") -> MTurkFault:
    return MTurkFault(message, turk_code=turk_code)


def from_gateway_error(error: GatewayError) -> MTurkFault:
    """A native service's refusal, told the way MTurk told it."""
    if isinstance(error, NotFound):
        turk = "AWS.MechanicalTurk.ResourceDoesNotExist"
    elif isinstance(error, Conflict):
        turk = "AWS.MechanicalTurk.InvalidState"
    elif isinstance(error, InvalidInput | TokenRejected):
        turk = "AWS.ParameterOutOfRange"
    else:
        turk = "AWS.MechanicalTurk.RequestRefused"
    return MTurkFault(error.message, turk_code=turk)


def fault_response(fault: MTurkFault) -> JSONResponse:
    body = {"__type": fault.code, "Message": fault.message}
    if fault.turk_code:
        body["TurkErrorCode"] = fault.turk_code
    return JSONResponse(
        body,
        status_code=fault.status,
        media_type=CONTENT_TYPE,
        headers={"x-amzn-requestid": secrets.token_hex(16), "x-amzn-errortype": fault.code},
    )
