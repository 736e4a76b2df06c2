"""Who may work on a project: its country rules, and the client's blocks."""

from __future__ import annotations

from .credentials import worker_pseudonym
from .records import Client, ProjectSpec, Worker
from .store import Store

__all__ = ["admits", "may_work"]


def admits(spec: ProjectSpec, worker: Worker) -> bool:
    """The project's rules on the worker's profile (country allow- and deny-lists)."""
    if spec.countries and worker.country not in spec.countries:
        return False
    return worker.country not in spec.excluded_countries


async def may_work(store: Store, client: Client, spec: ProjectSpec, worker: Worker) -> bool:
    if not admits(spec, worker):
        return False
    pseudonym = worker_pseudonym(client.pseudonym_key, worker.id)
    return not await store.is_blocked(client.id, pseudonym)
