"""The project's charts: submissions per hour over the last 7 days, time per task and agreement
per task, each checked against a recount of what the API lists, and shown as tables too; the
bucket rules by table; nothing of another client's."""

from __future__ import annotations

import re
import time
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

import pytest
import time_machine

from console_world import console_owner
from crowdframe_gateway.core.agreement import aggregate
from crowdframe_gateway.review.activity import (
    AGREEMENT_EDGES,
    HOURS_SHOWN,
    TIME_EDGES,
    histogram,
    task_agreements,
)
from harness import ON_BOTH_STORES, ApiClient, Gateway

START = 1_800_000_000.0  # a Friday, 08:00 UTC: on the hour


def seconds(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


@pytest.mark.parametrize(
    ("values", "edges", "counts"),
    [
        ([], (10, 20), (0, 0, 0)),
        ([0, 9.99, 10, 19, 20, 5000], (10, 20), (2, 2, 2)),
        ([0.3333, 0.5, 0.6667, 0.7, 1.0, 1.0], AGREEMENT_EDGES, (1, 1, 1, 1, 0, 0, 2)),
        ([5, 45, 3600], TIME_EDGES, (1, 0, 0, 1, 0, 0, 0, 0, 1)),
    ],
)
def test_values_fall_in_the_bucket_from_their_lower_edge(
    values: list[float], edges: tuple[float, ...], counts: tuple[int, ...]
) -> None:
    assert histogram(values, edges) == counts


@pytest.mark.parametrize(
    ("answers", "agreements"),
    [
        ([("t1", {"a": "x"})], []),  # one answer: nothing to agree on
        ([("t1", {"a": "x"}), ("t1", {"a": " X "})], [1.0]),  # compared as the vote compares
        ([("t1", {"a": "x", "b": 1}), ("t1", {"a": "x", "b": 2})], [0.5]),  # the least agreed
        ([("t1", {"tags": ["a"]}), ("t1", {"tags": ["b"]})], []),  # no field to vote on
        ([("t1", {"a": 1}), ("t2", {"a": 1}), ("t1", {"a": 2}), ("t1", {"a": 2})], [0.6667]),
    ],
)
def test_a_tasks_agreement_is_its_least_agreed_fields_majority_share(
    answers: list[tuple[str, Any]], agreements: list[float]
) -> None:
    assert task_agreements(answers) == agreements


async def work(gateway: Gateway, project_id: str, labels: list[str], took: list[float],
               clock: Any) -> None:  # fmt: skip
    """A new worker takes a task, works ``took[i]`` seconds and answers ``labels[i]``, going on
    to the next task as the workplace does, and returns the one it holds after the last."""
    worker = await gateway.worker(f"w{len(gateway.browsers)}@example.org")
    assignment_id = await worker.accept(project_id)
    for label, spent in zip(labels, took, strict=True):
        clock.shift(spent)
        after = await worker.submit(assignment_id, {"label": label})
        assignment_id = after["next_url"].rsplit("/", 1)[-1]
    if after["next_url"].startswith("/work/assignments/"):
        await worker.get(after["next_url"])
        await worker.post_form(f"{after['next_url']}/return", {})


def recount(listed: list[dict[str, Any]], now: float) -> dict[str, Any]:
    """The charts' numbers, counted again from the API's list of the project's assignments."""
    answered = [a for a in listed if a["submitted_at"] is not None]
    first = (int(now // 3600) - HOURS_SHOWN + 1) * 3600
    per_hour = Counter(int((seconds(a["submitted_at"]) - first) // 3600) for a in answered)
    took = [seconds(a["submitted_at"]) - seconds(a["accepted_at"]) for a in answered]
    by_task: dict[str, list[Any]] = defaultdict(list)
    for a in answered:
        by_task[a["task_id"]].append(a["result"])
    agreements = [
        min(f["agreement"] for f in aggregate(results).values())
        for results in by_task.values()
        if len(results) > 1
    ]
    return {
        "hours": [per_hour.get(i, 0) for i in range(HOURS_SHOWN)],
        "times": list(histogram(took, TIME_EDGES)),
        "agreement": list(histogram(agreements, AGREEMENT_EDGES)),
    }


@ON_BOTH_STORES
async def test_the_charts_numbers_are_what_a_recount_of_the_answers_finds(
    gateway: Gateway, api: ApiClient
) -> None:
    with time_machine.travel(START - 3 * 86400, tick=False) as clock:
        project = await api.project(
            tasks=3, assignments_per_task=3, assignment_duration=3600, task_lifetime=30 * 86400
        )
        await work(gateway, project["id"], ["cat", "cat"], [5, 40], clock)  # 3 days ago
        clock.shift(2 * 86400 + 3600 * 5)
        await work(gateway, project["id"], ["cat", "cat", "dog"], [12, 500, 25], clock)
        clock.shift(3600 * 3)
        await work(gateway, project["id"], ["dog", "cat"], [61, 3], clock)
        clock.shift(86400 * 9)  # the first answers are now older than 7 days
        await work(gateway, project["id"], ["dog"], [2000], clock)
        at = time.time()
        owner = await console_owner(api)

        answer = await owner.browser.get(f"/console/projects/{project['id']}/charts.json")
        listed = (await api.call("GET", f"/assignments?project_id={project['id']}")).json()
        page = await owner.browser.get(f"/console/projects/{project['id']}/charts")

    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    data = answer.json()
    counted = recount(listed["data"], at)
    assert len(data["hours"]["y"]) == HOURS_SHOWN
    assert data["hours"]["y"] == counted["hours"]
    assert data["hours"]["total"] == 1, "only the last worker's answer is in the last 7 days"
    assert data["hours"]["x"][-1] == (at // 3600) * 3600, "the current hour is the last"
    assert data["times"]["counts"] == counted["times"]
    assert data["times"]["answers"] == 8 and data["times"]["median_seconds"] == 32.5
    assert data["agreement"]["counts"] == counted["agreement"]
    assert data["agreement"]["tasks"] == 3
    assert data["times"]["labels"][0] == "under 10 s"
    assert data["times"]["labels"][-1] == "30 min or more"
    assert data["agreement"]["labels"][-1] == "all agree"
    assert data["times"]["ticks"] == ["< 10 s", "10 s", "20 s", "30 s", "1 min", "2 min", "5 min",
                                      "10 min", "30 min+"]  # fmt: skip
    assert data["agreement"]["ticks"] == ["< 50 %", "50 %", "60 %", "70 %", "80 %", "90 %", "100 %"]

    # the same numbers as tables, for screen readers and without JavaScript
    assert page.status_code == 200
    times = page.text.split('data-table="times"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td></tr>", times)
    assert [int(n) for _, n in rows] == counted["times"]
    hours = page.text.split('data-table="hours"', 1)[1].split("</table>", 1)[0]
    assert len(re.findall(r"<tr><td>", hours)) == 1
    assert "half took 32.5 s or less" in page.text
    assert 'data-charts="/console/projects/' in page.text
    assert "/console/static/vendor/uplot/uPlot.iife.min.js?v=1.6.32" in page.text


async def test_the_project_page_loads_its_charts_and_the_fragment_is_no_page(
    gateway: Gateway, api: ApiClient
) -> None:
    owner = await console_owner(api)
    project = await api.project(tasks=1)
    shown = await owner.browser.get(f"/console/projects/{project['id']}")
    assert f'hx-get="/console/projects/{project["id"]}/charts" hx-trigger="load"' in shown.text
    fragment = await owner.browser.http.get(
        f"/console/projects/{project['id']}/charts", headers={"hx-request": "true"}
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "No submission in the last 7 days." in fragment.text


@ON_BOTH_STORES
async def test_another_clients_project_has_no_charts_here(gateway: Gateway, api: ApiClient) -> None:
    mine = await console_owner(api)
    theirs = await gateway.client("globex")
    project = await theirs.project(tasks=1)
    for path in (f"/console/projects/{project['id']}/charts",
                 f"/console/projects/{project['id']}/charts.json"):  # fmt: skip
        answer = await mine.browser.get(path)
        assert answer.status_code == 404 and "no such project" in answer.text, path
