"""The console with a client's real volumes (issue 14): a 10,000-row file published from the
browser, against the REST API creating the same tasks, and how long the console's pages take to
answer while the file is being published.

One gateway process on the embedded default (SQLite, ``synchronous=FULL``), driven over HTTP as
a browser and as an API client would:

- **API**: ``POST /projects/{id}/tasks`` in batches of 1,000 (the most a call takes), one after
  the other: the time to create every task.
- **console**: upload the file (CSV), check it with the chosen columns, then publish it as the
  page does (htmx: one part a request, each answer asking for the next) — the same tasks into
  another project. The ratio console / API is what the browser costs over the API.
- **responsive**: while the console publishes, another signed-in person loads the projects
  list over and over; the median and the slowest answer, against the same page on an idle
  gateway.
- **results**: every published task answered once (through the store, by 200 workers), then
  the results table's first page and a page deep in it against the API's list of the same 50
  answers, the CSV download of all of them against the API's export, and approving everything
  (the console's "approve everything filtered", one request without JavaScript) against the
  API's bulk approve of the same answers, a page of 200 ids a call.

    .venv/bin/python bench/console.py [--rows 10000] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import os
import re
import statistics
import tempfile
import time
from collections.abc import Awaitable
from urllib.parse import unquote, urlsplit

import httpx

from _common import BIN, SECRET, free_port, processes, run, spawn, wait_http
from crowdframe_gateway.core.params import Claim, Submission
from crowdframe_gateway.core.records import now
from crowdframe_gateway.runtime import open_store

API_BATCH = 1000  # tasks a call, the API's most
API_BULK = 200  # ids a bulk review is given: the most one page of the list gives
WORKERS = 200  # who answer the published tasks
TIMED = 30  # loads of each page timed
PASSWORD = "bench password 0123"


def the_file(rows: int) -> bytes:
    lines = ["id,text,gold_label"]
    for n in range(rows):
        lines.append(f's{n},"Sentence {n}, with a comma",{"pos" if n % 10 == 0 else ""}')
    return ("\n".join(lines) + "\n").encode()


def csrf_of(text: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', text)
    assert found, "no CSRF field on the page"
    return found.group(1)


async def signed_in(origin: str, invitation: str) -> tuple[httpx.AsyncClient, str]:
    """A browser that accepted the owner's invitation: signed in to the console."""
    browser = httpx.AsyncClient(base_url=origin, timeout=120)
    path = urlsplit(invitation).path
    page = await browser.get(path)
    form = {"csrf": csrf_of(page.text), "password": PASSWORD, "repeated": PASSWORD}
    accepted = await browser.post(path, data=form)
    assert accepted.status_code == 303, accepted.text
    listing = await browser.get("/console/projects")
    return browser, csrf_of(listing.text)


async def by_api(api: httpx.AsyncClient, project_id: str, rows: int) -> float:
    started = time.perf_counter()
    for start in range(0, rows, API_BATCH):
        batch = [
            {"external_id": f"s{n}", "input": {"text": f"Sentence {n}, with a comma"}}
            for n in range(start, min(rows, start + API_BATCH))
        ]
        answer = await api.post(f"/projects/{project_id}/tasks", json={"tasks": batch})
        assert answer.status_code in (200, 201), answer.text
    return time.perf_counter() - started


async def by_console(
    browser: httpx.AsyncClient, csrf: str, project_id: str, raw: bytes
) -> tuple[float, float, int]:
    """(seconds for upload + check + publish, seconds of the upload alone, parts published)."""
    started = time.perf_counter()
    uploaded = await browser.post(
        f"/console/projects/{project_id}/batches",
        data={"csrf": csrf},
        files={"file": ("tasks.csv", raw, "text/csv")},
    )
    assert uploaded.status_code == 303, uploaded.text
    upload_seconds = time.perf_counter() - started
    base = uploaded.headers["location"]
    choices = {"external_id": "id", "input": ["text"], "gold": "gold_label"}
    checked = await browser.post(f"{base}/check", data={"csrf": csrf, **choices})
    assert "rows are valid tasks" in checked.text, checked.text[-2000:]
    data: dict[str, object] = {"csrf": csrf, **choices, "part": "0", "created": "0"}
    parts = 0
    while True:
        answer = await browser.post(f"{base}/publish", data=data, headers={"hx-request": "true"})
        assert answer.status_code == 200, answer.text
        parts += 1
        following = re.findall(r'name="(part|created)" value="(\d+)"', answer.text)
        if not following:
            assert "Done:" in answer.text, answer.text
            return time.perf_counter() - started, upload_seconds, parts
        data.update(dict(following))


async def page_times(
    browser: httpx.AsyncClient, until: asyncio.Event | None, count: int
) -> list[float]:
    """Load the projects list ``count`` times, or until ``until`` is set: each answer's ms."""
    times: list[float] = []
    while (until is None and len(times) < count) or (until is not None and not until.is_set()):
        started = time.perf_counter()
        answer = await browser.get("/console/projects")
        assert answer.status_code == 200
        times.append((time.perf_counter() - started) * 1000)
    return times


async def answer_all(store_url: str, project_id: str, count: int) -> int:
    """One answer to each task but the gold questions (at most ``count``), through the store
    (as a gateway's submit): how many."""
    store = open_store(store_url)
    await store.open()
    try:
        for n in range(count):
            worker = f"bench-worker-{n % WORKERS}"
            got = await store.claim(Claim(project_id, worker, "p-" + worker), now=now())
            if got is None:
                return n
            await store.submit(got.id, Submission({"label": "pos" if n % 3 else "neg"}), now=now())
            if n % 500 == 0:
                await asyncio.sleep(0)
    finally:
        await store.close()
    return count


async def median_ms(client: httpx.AsyncClient, url: str, **kwargs: object) -> float:
    times = []
    for _ in range(TIMED):
        started = time.perf_counter()
        answer = await client.get(url, **kwargs)  # type: ignore[arg-type]
        assert answer.status_code == 200, answer.text[-500:]
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def timed(work: Awaitable[httpx.Response]) -> float:
    started = time.perf_counter()
    answer = await work
    assert answer.status_code == 200, answer.text[-500:]
    return time.perf_counter() - started


async def results(
    api: httpx.AsyncClient, owner: httpx.AsyncClient, csrf: str, project_id: str, rows: int
) -> list[tuple[str, float, float]]:
    """(what, console, API) for the results table of ``rows`` answers."""
    base = f"/console/projects/{project_id}/results"
    found = []
    first_api = await median_ms(api, "/assignments", params={"project_id": project_id, "limit": 50})
    found.append(("first page of 50 answers, ms", await median_ms(owner, base), first_api))
    cursor, api_cursor = None, None
    for _ in range(rows // 100):  # halfway in, by the cursors each side gives
        page = await owner.get(base, params={"cursor": cursor} if cursor else None)
        found_cursor = re.search(r'[?&]cursor=([^"&]+)"', page.text)
        cursor = unquote(html.unescape(found_cursor.group(1))) if found_cursor else None
        listed = await api.get(
            "/assignments", params={"project_id": project_id, "limit": 50, "cursor": api_cursor}
        )
        api_cursor = listed.json()["next_cursor"]
    deep_console = await median_ms(owner, base, params={"cursor": cursor})
    deep_api = await median_ms(
        api, "/assignments", params={"project_id": project_id, "limit": 50, "cursor": api_cursor}
    )
    found.append((f"page {rows // 100 + 1} of 50 answers, ms", deep_console, deep_api))
    download = await timed(owner.get(f"{base}/export", params={"format": "csv"}))
    export = await timed(api.get(f"/projects/{project_id}/results", params={"format": "csv"}))
    found.append((f"CSV of {rows} answers, s", download, export))
    return found


async def approve_all(
    api: httpx.AsyncClient,
    owner: httpx.AsyncClient,
    csrf: str,
    console_project: str,
    api_project: str,
) -> tuple[float, float]:
    """Seconds to approve every answer: the console's one request, the API's bulk calls."""
    form = {"csrf": csrf, "action": "approve", "status": "submitted"}
    started = time.perf_counter()
    done = await owner.post(f"/console/projects/{console_project}/results/review-all", data=form)
    assert done.status_code == 303, done.text[-500:]
    console_seconds = time.perf_counter() - started
    started = time.perf_counter()
    cursor = None
    while True:
        params = {"project_id": api_project, "status": "submitted", "limit": API_BULK}
        listed = (await api.get("/assignments", params=params)).json()
        ids = [a["id"] for a in listed["data"]]
        if not ids:
            break
        approved = await api.post("/assignments/approve", json={"ids": ids})
        assert approved.status_code == 200 and not approved.json()["refused"], approved.text
        cursor = listed["next_cursor"]
        if cursor is None:
            break
    return console_seconds, time.perf_counter() - started


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="1,000 rows")
    args = parser.parse_args()
    rows = 1000 if args.quick else args.rows
    raw = the_file(rows)
    env = {**os.environ, "CROWDFRAME_SECRET_KEY": SECRET}
    with tempfile.TemporaryDirectory(prefix="cf-console-") as data, processes() as started:
        store = f"sqlite:///{data}/console.db"
        create = [str(BIN / "crowdframe"), "create-client", "bench", "--store", store,
                  "--owner-email", "owner@bench.example", "--json"]  # fmt: skip
        made = json.loads(run(create, env))
        port = free_port()
        origin = f"http://127.0.0.1:{port}"
        argv = [str(BIN / "crowdframe"), "gateway", "--port", str(port), "--store", store,
                "--data-dir", f"{data}/gw", "--public-origin", origin]  # fmt: skip
        started.append(spawn(argv, env))
        wait_http(f"{origin}/healthz", started[-1])
        headers = {"authorization": f"Bearer {made['api_key']}"}
        api_origin = f"{origin}/api/v1"
        async with httpx.AsyncClient(base_url=api_origin, headers=headers, timeout=120) as api:
            spec = {"title": "bench", "task_url": "http://localhost:9/t", "reward_cents": 30}
            first, second = [(await api.post("/projects", json=spec)).json()["id"] for _ in "ab"]
            owner, csrf = await signed_in(origin, made["console_invitation"])
            watcher = httpx.AsyncClient(base_url=origin, timeout=120, cookies=owner.cookies)
            idle = await page_times(watcher, None, 50)
            api_seconds = await by_api(api, first, rows)
            done = asyncio.Event()
            watching = asyncio.create_task(page_times(watcher, done, 0))
            console_seconds, upload_seconds, parts = await by_console(owner, csrf, second, raw)
            done.set()
            busy = await watching
            counts = (await api.get(f"/projects/{second}")).json()["counts"]
            assert int(counts.get("tasks", 0)) == rows, counts
            answered = [await answer_all(store, project_id, rows) for project_id in (first, second)]
            table = await results(api, owner, csrf, second, answered[1])
            approving = await approve_all(api, owner, csrf, second, first)
            await owner.aclose()
            await watcher.aclose()
    print(f"{rows} rows, one gateway process on SQLite (FULL), {os.cpu_count()} cores")
    print(f"  API, {API_BATCH} a call:                  {api_seconds:6.2f} s")
    ratio = console_seconds / api_seconds
    print(f"  console, upload + check + publish:  {console_seconds:6.2f} s "
          f"(upload {upload_seconds:.2f} s, {parts} parts) = {ratio:.2f}x the API")  # fmt: skip
    print(
        f"  projects page while idle:   median {statistics.median(idle):6.1f} ms, "
        f"slowest {max(idle):6.1f} ms ({len(idle)} loads)"
    )
    print(f"  projects page while publishing: median {statistics.median(busy):6.1f} ms, "
          f"slowest {max(busy):6.1f} ms ({len(busy)} loads)"
          f" = {statistics.median(busy) / statistics.median(idle):.1f}x idle")  # fmt: skip
    print(f"results of {answered[1]} answers (the file's gold questions unanswered): console / API")
    for what, console, by_api_ in (*table, ("approve everything, s", *approving)):
        print(f"  {what:34} {console:8.3f} / {by_api_:8.3f} = {console / by_api_:.2f}x")


if __name__ == "__main__":
    asyncio.run(main())
