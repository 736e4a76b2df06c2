"""The request bodies and query strings only the API reads (the services' own are beside them:
``catalog.bodies``, ``webhooks.endpoints.NewEndpoint``, …): the same models validate a request
and describe it in ``/openapi.json``."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field

from ...conversations.disputes import DISPUTE_STATUSES
from ...conversations.records import Author
from ...core.records import ASSIGNMENT_STATUSES, SIGNALS
from ...core.validation import Body, Count, OneOf, Text
from ...webhooks.log import MESSAGE_STATUSES

__all__ = [
    "MAX_BULK",
    "MAX_WORKER_IDS",
    "AssignmentsQuery",
    "BonusesQuery",
    "BulkReview",
    "DisputesQuery",
    "Empty",
    "Letter",
    "MessagesQuery",
    "PageQuery",
    "Query",
    "Reply",
    "TokenBody",
    "UnblockQuery",
    "WebhookMessagesQuery",
]

MAX_BULK = 500
MAX_WORKER_IDS = 100
Id = Annotated[str, Text(1, 100)]
# a query's free text: empty is the same as absent
Named = Annotated[str | None, BeforeValidator(lambda value: value or None)]


class Empty(Body):
    """No member (an empty body, or none)."""


class Query(Body, strict=False, extra="ignore"):
    """A query string's parameters (text, read as their types: ``limit=20``); others are
    ignored."""


class PageQuery(Query):
    """A page of a list: ``cursor`` (the previous page's ``next_cursor``) and ``limit``."""

    cursor: Annotated[Named, Field(description="the next_cursor of the previous page")] = None
    limit: Annotated[int, Count(1, 200), Field(description="1 to 200 (default 50)")] = 50


class AssignmentsQuery(PageQuery):
    project_id: Named = None
    status: Annotated[str, OneOf(ASSIGNMENT_STATUSES)] | None = None
    signal: Annotated[str, OneOf(SIGNALS)] | None = None


class DisputesQuery(PageQuery):
    status: Annotated[str, OneOf(DISPUTE_STATUSES)] | None = None


class MessagesQuery(PageQuery):
    author: Author | None = None


class WebhookMessagesQuery(PageQuery):
    status: Annotated[str, OneOf(MESSAGE_STATUSES)] | None = None


class BonusesQuery(PageQuery):
    task_id: Named = None
    assignment_id: Named = None


class UnblockQuery(Query):
    project_id: Annotated[str, Text(0, 100)] = ""


class TokenBody(Body):
    """``POST /tokens/verify``: a task token as the client's page received it."""

    token: Annotated[str, Text(1, 4000)]


class BulkReview(Body):
    """``POST /assignments/approve`` or ``/reject``: 1 to 500 assignment ids (a rejection
    with its ``reason``)."""

    ids: Annotated[list[Id], Field(min_length=1, max_length=MAX_BULK)]
    reason: Annotated[str, Text(1, 1000)] | None = None


class Letter(Body):
    """``POST /messages``: to the workers named (at most 100), or to every worker of a
    project."""

    subject: str
    body: str
    worker_ids: Annotated[list[Id], Field(max_length=MAX_WORKER_IDS)] = Field(default_factory=list)
    project_id: Id | None = None


class Reply(Body):
    """``POST /threads/{id}/messages``."""

    body: str
