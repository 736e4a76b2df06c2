"""Crowdframe SDK: register work, verify task tokens offline, receive webhooks."""

# Set before the imports below: _transport reads it for the User-Agent header.
__version__ = "0.1.0"

from ._assessments import QualificationAttempt
from ._client import AsyncClient, Client
from ._conversations import Dispute, Message, Thread
from ._events import EVENT_TYPES, WebhookEvent
from ._exceptions import (
    APIError,
    AuthenticationError,
    ConflictError,
    CrowdframeError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TokenAudienceError,
    TokenError,
    TokenExpiredError,
    TokenMalformedError,
    TokenModeError,
    TokenSignatureError,
    TransportError,
    ValidationError,
    WebhookVerificationError,
)
from ._keyring import ApiKey, SigningSecret
from ._models import (
    Assignment,
    CrowdReviewParams,
    CrowdReviewSettings,
    CrowdReviewStatus,
    Page,
    Project,
    ProjectCreateParams,
    ProjectUpdateParams,
    Task,
    TaskBatch,
    WebhookEndpoint,
)
from ._quality import Block, Bonus, BulkReview, GoldRecord
from ._results import ExportFormat, ResultRow
from ._task_page import task_page_headers
from ._token import TaskTokenClaims, origin_of, verify_task_token
from ._webhook import Webhook
from ._webhook_models import WebhookAttempt, WebhookMessage

__all__ = [
    "EVENT_TYPES",
    "APIError",
    "ApiKey",
    "Assignment",
    "AsyncClient",
    "AuthenticationError",
    "Block",
    "Bonus",
    "BulkReview",
    "Client",
    "ConflictError",
    "CrowdReviewParams",
    "CrowdReviewSettings",
    "CrowdReviewStatus",
    "CrowdframeError",
    "Dispute",
    "ExportFormat",
    "GoldRecord",
    "Message",
    "NotFoundError",
    "Page",
    "PermissionDeniedError",
    "Project",
    "ProjectCreateParams",
    "ProjectUpdateParams",
    "QualificationAttempt",
    "RateLimitError",
    "ResultRow",
    "ServerError",
    "SigningSecret",
    "Task",
    "TaskBatch",
    "TaskTokenClaims",
    "Thread",
    "TokenAudienceError",
    "TokenError",
    "TokenExpiredError",
    "TokenMalformedError",
    "TokenModeError",
    "TokenSignatureError",
    "TransportError",
    "ValidationError",
    "Webhook",
    "WebhookAttempt",
    "WebhookEndpoint",
    "WebhookEvent",
    "WebhookMessage",
    "WebhookVerificationError",
    "origin_of",
    "task_page_headers",
    "verify_task_token",
]

for _name in __all__:
    _obj = globals()[_name]
    if hasattr(_obj, "__module__") and getattr(_obj, "__module__", "").startswith("crowdframe._"):
        _obj.__module__ = "crowdframe"
