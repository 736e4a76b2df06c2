"""``crowdframe.__all__`` is the public API: pinned here so a change is a decision."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

import crowdframe

EXPORTED = [
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
    "ExportFormat",
    "GoldRecord",
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


def test_all_is_pinned() -> None:
    assert crowdframe.__all__ == EXPORTED


def test_every_public_name_is_in_all() -> None:
    public = {name for name in vars(crowdframe) if not name.startswith("_")}

    assert public == set(crowdframe.__all__)


@pytest.mark.parametrize("name", EXPORTED)
def test_exported_objects_present_themselves_as_crowdframe(name: str) -> None:
    member = getattr(crowdframe, name)

    if inspect.isclass(member) or inspect.isfunction(member):
        assert member.__module__ == "crowdframe"


def test_version_is_a_string() -> None:
    assert isinstance(crowdframe.__version__, str)
    assert crowdframe.__version__.count(".") == 2


def test_the_sdk_does_not_pull_in_the_gateway() -> None:
    # `pip install crowdframe` must work without Starlette: the SDK may not import it.
    code = (
        "import sys, crowdframe; "
        "sys.exit(any(m.split('.')[0] in ('starlette', 'crowdframe_gateway', 'redis') "
        "for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
