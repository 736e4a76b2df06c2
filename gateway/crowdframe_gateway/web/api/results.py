"""``GET /projects/{id}/results``: a project's answers, streamed as JSON Lines or CSV."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import StreamingResponse

from ...catalog import projects
from ...catalog.export import MEDIA, export_chunks, export_query
from .http import client_call

__all__ = ["export_results"]


async def export_results(request: Request) -> StreamingResponse:
    """Stream a project's results (``format=jsonl|csv``, ``status``, ``since``)."""
    call = await client_call(request)
    # everything that can refuse the request is checked before the first byte is sent
    query = export_query(request.query_params)
    project = await projects.owned_project(call.rt, call.client, call.id)
    return StreamingResponse(
        export_chunks(call.rt, call.client, project.id, query),
        media_type=MEDIA[query.format],
        headers={
            "content-disposition": f'attachment; filename="{project.id}-results.{query.format}"',
            "cache-control": "no-store",
        },
    )
