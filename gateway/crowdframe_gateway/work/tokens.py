"""Issuing task tokens, and checking them on the gateway's side (server-side submit, verify)."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from crowdframe import TokenError
from crowdframe._token import (
    TaskTokenClaims,
    TokenMode,
    decode_task_token,
    origin_of,
    secret_kid,
    sign_task_token,
)

from ..core.errors import TokenRejected
from ..core.records import Assignment, Client, Project, Task, now

if TYPE_CHECKING:
    from ..runtime import Store


__all__ = ["TokenIssuer", "token_error_code"]


def token_error_code(error: TokenError) -> str:
    """``TokenExpiredError`` → ``token_expired``: the API's code for each failed check."""
    name = type(error).__name__.removeprefix("Token").removesuffix("Error").lower()
    return f"token_{name}"


class TokenIssuer:
    def __init__(self, issuer_origin: str, lifetime: int) -> None:
        self.issuer = issuer_origin
        self.lifetime = lifetime

    def issue(
        self,
        client: Client,
        project: Project,
        task: Task,
        *,
        mode: TokenMode,
        worker_pseudonym: str,
        assignment: Assignment | None = None,
    ) -> str:
        """A token for one worker on one task; a work token never outlives its assignment."""
        issued = int(now())
        expires = issued + self.lifetime
        if assignment is not None:
            expires = min(expires, int(assignment.deadline))
        claims = TaskTokenClaims(
            v=1,
            kid=secret_kid(client.signing_secrets[-1]),
            iss=self.issuer,
            aud=origin_of(project.spec.task_url),
            cid=client.id,
            pid=project.id,
            tid=task.id,
            aid=assignment.id if assignment is not None else "",
            wid=worker_pseudonym,
            mode=mode,
            iat=issued,
            exp=expires,
            jti=secrets.token_urlsafe(9),
        )
        return sign_task_token(claims, client.signing_secrets)

    async def verify(
        self,
        store: Store,
        client: Client,
        token: str,
        *,
        mode: TokenMode | None = None,
        assignment_id: str | None = None,
    ) -> TaskTokenClaims:
        """Check a token presented by ``client``: only that client's secrets can verify it,
        its audience must be its project's task origin, and (when given) mode and assignment
        must match."""
        try:
            claims = decode_task_token(token, client.signing_secrets)
        except TokenError as exc:
            raise TokenRejected(str(exc), code=token_error_code(exc)) from None
        project = await store.get_project(claims.pid)
        if project is None or project.client_id != client.id:
            raise TokenRejected("token names an unknown project", code="token_malformed")
        if claims.aud != origin_of(project.spec.task_url):
            raise TokenRejected(
                "token audience is not this project's task origin", code="token_audience"
            )
        if mode is not None and claims.mode != mode:
            raise TokenRejected(f"a {mode} token is required", code="token_mode")
        if assignment_id is not None and claims.aid != assignment_id:
            raise TokenRejected("token is for another assignment", code="token_assignment")
        return claims
