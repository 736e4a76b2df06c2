"""The /mturk mount: the boto3 endpoint and externalSubmit."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .external import SUBMIT_PATH, answer_page, external_submit
from .faults import MTurkFault, fault_response
from .requester import requester_endpoint

__all__ = ["mturk_endpoint", "mturk_exception_handlers", "mturk_routes"]

# boto3 posts to the endpoint_url's path exactly: "<gateway>/mturk" arrives as "/mturk".
mturk_endpoint = Route("/mturk", requester_endpoint, methods=["POST"])

mturk_routes = [
    Route("/", requester_endpoint, methods=["POST"]),
    # No CSRF check here, and only here: see external.py's docstring.
    Route("/externalSubmit", external_submit, methods=["POST"]),
]


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if request.url.path == SUBMIT_PATH:
        return answer_page(request, "Submit the task page's form with method POST.", status=405)
    return fault_response(
        MTurkFault(
            "send boto3's requests to POST <gateway>/mturk/ (endpoint_url=<gateway>/mturk)",
            code="UnknownOperationException",
            status=exc.status_code,
        )
    )


mturk_exception_handlers = {HTTPException: _http_error}
