"""The SDK's results export against a real gateway app: rows as they stream, and a download
to a file with progress; the blocking client reads the same bytes cut into tiny chunks."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

import crowdframe
from crowdframe_gateway.catalog.export import PAGE
from crowdframe_gateway.core.params import Claim, Submission
from crowdframe_gateway.core.records import Worker, new_id, now
from harness import ON_BOTH_STORES, ApiClient, Gateway


@pytest.fixture
async def sdk(gateway: Gateway, api: ApiClient) -> AsyncIterator[crowdframe.AsyncClient]:
    transport = httpx.ASGITransport(app=gateway.app)
    async with crowdframe.AsyncClient(
        api.made.api_key, "http://127.0.0.1:8000", transport=transport
    ) as client:
        yield client


async def answered_project(gateway: Gateway, sdk: crowdframe.AsyncClient, count: int) -> str:
    project = await sdk.create_project(
        title="Label it", task_url="http://localhost:8001/task", reward_cents=30
    )
    tasks = [
        {"external_id": f"t{n}", "input": {"text": f'a "quote",\nline {n}'}} for n in range(count)
    ]
    await sdk.add_tasks(project.id, tasks)
    store = gateway.rt.store
    worker = Worker(new_id("wrk"), "w@example.org", "x", "DE", ("de",), now())
    await store.create_worker(worker)
    for n in range(count):
        assignment = await store.claim(Claim(project.id, worker.id, "wid_1"), now=now())
        assert assignment is not None
        await store.submit(
            assignment.id, Submission({"label": "=cmd" if n == 0 else "cat"}), now=now()
        )
    return project.id


@ON_BOTH_STORES
async def test_a_client_reads_every_row_of_a_long_export_and_downloads_it_with_progress(
    gateway: Gateway, sdk: crowdframe.AsyncClient, tmp_path: Path
) -> None:
    project_id = await answered_project(gateway, sdk, PAGE + 3)

    rows = [row async for row in sdk.export_results(project_id)]
    table = [row async for row in sdk.export_results(project_id, format="csv")]
    seen: list[int] = []
    written = await sdk.download_results(
        project_id, tmp_path / "results.csv", format="csv", progress=seen.append
    )

    assert [r["external_id"] for r in rows] == [f"t{n}" for n in range(PAGE + 3)]
    assert rows[0]["result"] == {"label": "=cmd"} and rows[1]["input"]["text"].endswith("line 1")
    assert [r["assignment_id"] for r in table] == [r["assignment_id"] for r in rows]
    assert table[0]["result_label"] == "'=cmd" and table[2]["input_text"] == 'a "quote",\nline 2'
    assert seen[-1] == written  # in-process ASGI sends it in one piece; see below for more
    assert (tmp_path / "results.csv").stat().st_size == written
    assert [r async for r in sdk.export_results(project_id, status="approved")] == []


async def test_export_errors_are_the_sdks_errors(
    gateway: Gateway, sdk: crowdframe.AsyncClient
) -> None:
    project = await sdk.create_project(
        title="Label it", task_url="http://localhost:8001/task", reward_cents=30
    )
    with pytest.raises(crowdframe.ValidationError) as bad:
        [r async for r in sdk.export_results(project.id, since="yesterday")]
    assert bad.value.field == "since"
    with pytest.raises(crowdframe.NotFoundError):
        [r async for r in sdk.export_results("prj_unknown")]


async def test_the_blocking_client_parses_rows_cut_anywhere_by_the_network(
    gateway: Gateway, api: ApiClient, sdk: crowdframe.AsyncClient
) -> None:
    project_id = await answered_project(gateway, sdk, 5)
    bodies = {
        fmt: (await api.call("GET", f"/projects/{project_id}/results?format={fmt}")).content
        for fmt in ("jsonl", "csv")
    }

    def tiny_chunks(body: bytes) -> Iterator[bytes]:
        for start in range(0, len(body), 7):
            yield body[start : start + 7]

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=tiny_chunks(bodies[request.url.params["format"]]))

    with crowdframe.Client("cfk_x", transport=httpx.MockTransport(handle)) as client:
        rows = list(client.export_results(project_id))
        table = list(client.export_results(project_id, format="csv"))
        seen: list[int] = []
        out = io.BytesIO()
        written = client.download_results(project_id, out, format="csv", progress=seen.append)

    assert out.getvalue() == bodies["csv"] and written == len(bodies["csv"])
    assert seen == [*range(7, written, 7), written]

    assert [r["external_id"] for r in rows] == [f"t{n}" for n in range(5)]
    assert [r["input_text"] for r in table] == [r["input"]["text"] for r in rows]
    assert table[0]["result_label"] == "'=cmd"
