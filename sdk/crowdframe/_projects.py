"""The project methods of ``Client`` and ``AsyncClient`` (``/projects``, ``docs/api.md``).

Each call is described once as a ``_Call`` (``_ProjectCalls``); ``SyncProjects`` and
``AsyncProjects`` run them through the client's own ``_run`` and ``_iterate``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any, Unpack

from ._call import _AsyncRunner, _Call, _page_call, _segment, _SyncRunner
from ._models import Page, Project, ProjectCreateParams, ProjectUpdateParams

__all__: list[str] = []


class _ProjectCalls:
    def _create_project(self, fields: Mapping[str, Any]) -> _Call[Project]:
        return _Call("POST", "/projects", Project.from_json, body=dict(fields))

    def _list_projects(self, limit: int | None, cursor: str | None) -> _Call[Page[Project]]:
        return _page_call("/projects", Project.from_json, limit=limit, cursor=cursor)

    def _get_project(self, project_id: str) -> _Call[Project]:
        return _Call("GET", f"/projects/{_segment(project_id)}", Project.from_json)

    def _update_project(self, project_id: str, fields: Mapping[str, Any]) -> _Call[Project]:
        path = f"/projects/{_segment(project_id)}"
        return _Call("PATCH", path, Project.from_json, body=dict(fields))


class SyncProjects(_ProjectCalls, _SyncRunner):
    """The project methods of ``Client``."""

    def create_project(self, **fields: Unpack[ProjectCreateParams]) -> Project:
        """Create a project (``title``, ``task_url`` and ``reward_cents`` are required)."""
        return self._run(self._create_project(fields))

    def list_projects(self, limit: int | None = None, cursor: str | None = None) -> Page[Project]:
        """One page of the client's projects; pass ``cursor=page.next_cursor`` for the next."""
        return self._run(self._list_projects(limit, cursor))

    def iter_projects(self, *, limit: int | None = None) -> Iterator[Project]:
        """Every project, fetching page after page (``limit`` per page) as the loop goes."""
        return self._iterate(lambda cursor: self._list_projects(limit, cursor))

    def get_project(self, project_id: str) -> Project:
        """The project with this id (``NotFoundError`` if it is not the client's)."""
        return self._run(self._get_project(project_id))

    def update_project(self, project_id: str, **fields: Unpack[ProjectUpdateParams]) -> Project:
        """Change some of a project's fields; ``status="paused"`` stops new assignments."""
        return self._run(self._update_project(project_id, fields))


class AsyncProjects(_ProjectCalls, _AsyncRunner):
    """The project methods of ``AsyncClient``."""

    async def create_project(self, **fields: Unpack[ProjectCreateParams]) -> Project:
        """Create a project; see ``Client.create_project``."""
        return await self._run(self._create_project(fields))

    async def list_projects(
        self, limit: int | None = None, cursor: str | None = None
    ) -> Page[Project]:
        """One page of projects; see ``Client.list_projects``."""
        return await self._run(self._list_projects(limit, cursor))

    def iter_projects(self, *, limit: int | None = None) -> AsyncIterator[Project]:
        """Every project, page after page (``async for``); see ``Client.iter_projects``."""
        return self._iterate(lambda cursor: self._list_projects(limit, cursor))

    async def get_project(self, project_id: str) -> Project:
        """The project with this id; see ``Client.get_project``."""
        return await self._run(self._get_project(project_id))

    async def update_project(
        self, project_id: str, **fields: Unpack[ProjectUpdateParams]
    ) -> Project:
        """Change some of a project's fields; see ``Client.update_project``."""
        return await self._run(self._update_project(project_id, fields))
