"""Qualification tests: a locked project, attempts of unseen questions, the cool-down, the
qualification that unlocks work; skills on the worker's profile."""

from __future__ import annotations

import re
from typing import Any

from crowdframe_gateway.quality import assessments
from harness import ON_BOTH_STORES, ApiClient, Browser, Gateway

RIGHT, WRONG = {"label": "cat"}, {"label": "dog"}


async def make_assessment(api: ApiClient, questions: int, **fields: Any) -> str:
    settings = {"kind": "assessment", "test_size": 2, "pass_score": 1.0, **fields}
    test = await api.project(title="Cat test", **settings)
    tasks = [{"external_id": f"q{i}", "input": {"n": i}, "gold": RIGHT} for i in range(questions)]
    added = await api.call("POST", f"/projects/{test['id']}/tasks", json={"tasks": tasks})
    assert added.status_code == 201, added.text
    return str(test["id"])


async def locked_project(api: ApiClient, *qualifications: str) -> str:
    project = await api.project(title="Label cats", qualifications=list(qualifications), tasks=3)
    return str(project["id"])


async def sit(
    worker: Browser, test_id: str, answers: list[dict[str, str]]
) -> tuple[list[str], str]:
    """Start (or continue) the test from its page and answer; the questions and where the
    last submission led."""
    page = await worker.get(f"/work/tests/{test_id}")
    assert page.status_code == 200
    assignment_id = await worker.accept(test_id)
    seen, next_url = [], ""
    for answer in answers:
        seen.append(assignment_id)
        next_url = (await worker.submit(assignment_id, answer))["next_url"]
        assignment_id = next_url.rsplit("/", 1)[1]
    return seen, next_url


async def refusal(worker: Browser, project_id: str) -> tuple[int, str]:
    answer = await worker.http.post(
        f"/work/projects/{project_id}/accept", headers={"x-csrf-token": worker.csrf}
    )
    return answer.status_code, answer.json()["error"]["code"]


@ON_BOTH_STORES
async def test_a_worker_fails_waits_retries_with_new_questions_passes_and_gets_work(
    gateway: Gateway, api: ApiClient
) -> None:
    test_id = await make_assessment(api, 4, retry_after_seconds=3600)
    project_id = await locked_project(api, test_id)
    worker = await gateway.worker("ada@example.org")

    listing = await worker.get("/work")
    assert "Locked" in listing.text and "Take the qualification test" in listing.text
    assert f'href="/work/tests/{test_id}"' in listing.text
    assert f"/work/projects/{project_id}/preview" not in listing.text
    preview = await worker.get(f"/work/projects/{project_id}/preview")
    assert preview.status_code == 403 and "qualification" in preview.text
    assert await refusal(worker, project_id) == (403, "not_qualified")
    assert "Start the test" in (await worker.get(f"/work/tests/{test_id}")).text

    first, after = await sit(worker, test_id, [RIGHT, WRONG])
    assert after == f"/work/tests/{test_id}", "the last answer leads to the result"
    result = await worker.get(after)
    assert "You did not pass" in result.text and "1 of 2 right (50%)" in result.text
    assert "You can try again at" in result.text
    assert await refusal(worker, test_id) == (403, "cooling_down")
    assert "you can retry the test at" in (await worker.get("/work")).text

    cooled = await api.call("PATCH", f"/projects/{test_id}", json={"retry_after_seconds": 0})
    assert cooled.status_code == 200 and cooled.json()["retry_after_seconds"] == 0
    second, after = await sit(worker, test_id, [RIGHT, RIGHT])
    tasks = {(await api.call("GET", f"/assignments/{a}")).json()["task_id"] for a in first + second}
    assert len(tasks) == 4, "the retry asked new questions"
    result = await worker.get(after)
    assert "You passed" in result.text and "2 of 2 right (100%)" in result.text
    assert "Find work" in result.text
    listing = await worker.get("/work")
    assert f"/work/projects/{project_id}/preview" in listing.text and "Locked" not in listing.text
    assert await worker.accept(project_id)

    attempts = (await api.call("GET", f"/projects/{test_id}/qualifications?limit=1")).json()
    assert [(a["attempt"], a["score"], a["passed"]) for a in attempts["data"]] == [(1, 0.5, False)]
    rest = await api.call(
        "GET", f"/projects/{test_id}/qualifications?cursor={attempts['next_cursor']}"
    )
    [passed] = rest.json()["data"]
    assert (passed["attempt"], passed["correct"], passed["passed"]) == (2, 2, True)
    assert passed["worker_id"].startswith("wkr_") and rest.json()["next_cursor"] is None
    feed = await gateway.rt.store.read_events(api.made.client.id, after=None, limit=1000)
    told = [(e.type, e.data["attempt"]) for _, e in feed if e.type.startswith("qualification.")]
    assert told == [("qualification.failed", 1), ("qualification.granted", 2)]


async def test_a_revoked_qualification_locks_the_project_again(
    gateway: Gateway, api: ApiClient
) -> None:
    test_id = await make_assessment(api, 4, retry_after_seconds=0)
    project_id = await locked_project(api, test_id)
    worker = await gateway.worker()
    await sit(worker, test_id, [RIGHT, RIGHT])
    [attempt] = (await api.call("GET", f"/projects/{test_id}/qualifications")).json()["data"]
    path = f"/projects/{test_id}/qualifications/{attempt['worker_id']}"
    assert (await api.call("DELETE", path)).status_code == 200
    again = await api.call("DELETE", path)
    assert again.status_code == 404 and again.json()["error"]["field"] == "worker_id"
    assert await refusal(worker, project_id) == (403, "not_qualified")
    not_a_test = await api.call("GET", f"/projects/{project_id}/qualifications")
    assert not_a_test.status_code == 422
    assert not_a_test.json()["error"]["code"] == "not_an_assessment"


async def test_when_too_few_new_questions_remain_no_retry_is_possible(
    gateway: Gateway, api: ApiClient
) -> None:
    test_id = await make_assessment(api, 3, retry_after_seconds=0)
    await locked_project(api, test_id)
    worker = await gateway.worker()
    await sit(worker, test_id, [WRONG, WRONG])
    page = await worker.get(f"/work/tests/{test_id}")
    assert "not enough new questions left" in page.text
    assert await refusal(worker, test_id) == (403, "no_questions_left")
    assert "no new questions left" in (await worker.get("/work")).text


async def test_assessment_settings_and_requirements_are_validated(
    gateway: Gateway, api: ApiClient
) -> None:
    async def refused(body: dict[str, Any]) -> dict[str, Any]:
        base = {"title": "x", "task_url": "http://localhost:8001/t", "reward_cents": 30}
        answer = await api.call("POST", "/projects", json={**base, **body})
        assert answer.status_code == 422, answer.text
        return answer.json()["error"]  # type: ignore[no-any-return]

    assert (await refused({"kind": "review"}))["field"] == "kind"
    assert (await refused({"kind": "assessment", "test_size": 0}))["field"] == "test_size"
    assert (await refused({"kind": "assessment", "pass_score": 1.5}))["field"] == "pass_score"
    assert (await refused({"skills": ["Not A Slug"]}))["field"] == "skills"
    assert (await refused({"qualifications": ["nope"]}))["field"] == "qualifications"
    work = await api.project()
    assert (await refused({"qualifications": [work["id"]]}))["field"] == "qualifications"
    others = await make_assessment(await gateway.client("other"), 2)
    error = await refused({"qualifications": [others]})
    assert error["field"] == "qualifications" and others in error["message"]
    long_unpaid = {
        "kind": "assessment",
        "reward_cents": 0,
        "test_size": 11,
        "estimated_seconds": 60,
    }
    error = await refused(long_unpaid)
    assert (error["field"], error["code"]) == ("reward_cents", "unpaid_test_too_long")
    unpaid = await api.project(
        kind="assessment", reward_cents=0, test_size=10, estimated_seconds=60
    )
    no_gold = await api.call(
        "POST", f"/projects/{unpaid['id']}/tasks", json={"tasks": [{"external_id": "q"}]}
    )
    assert no_gold.status_code == 422 and no_gold.json()["error"]["field"] == "tasks[0].gold"


async def test_a_platform_test_can_be_required_by_any_client(
    gateway: Gateway, api: ApiClient
) -> None:
    platform = await gateway.client("Crowdframe platform", platform=True)
    german = await make_assessment(platform, 2, reward_cents=0, estimated_seconds=60)
    project_id = await locked_project(api, german)
    worker = await gateway.worker()
    listing = await worker.get("/work")
    assert f'href="/work/tests/{german}"' in listing.text, "unpaid, short: shown in Germany too"
    await sit(worker, german, [RIGHT, RIGHT])
    assert await worker.accept(project_id)
    mine = await platform.call("GET", f"/projects/{german}/qualifications")
    assert [a["passed"] for a in mine.json()["data"]] == [True]
    theirs = await api.call("GET", f"/projects/{german}/qualifications")
    assert theirs.status_code == 404, "only the test's owner sees the attempts"
    answers = (await platform.call("GET", f"/assignments?project_id={german}")).json()["data"]
    ids = [a["id"] for a in answers]
    approved = await platform.call("POST", "/assignments/approve", json={"ids": ids})
    assert len(approved.json()["data"]) == 2
    assert "Nothing yet" in (await worker.get("/earnings")).text, "no empty ledger lines"


async def test_skills_from_sign_up_and_the_profile_page_decide_who_sees_a_project(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project(skills=["transcription", "translation-de-en"], tasks=2)
    preview = f"/work/projects/{project['id']}/preview"
    typist = gateway.browser()
    await typist.sign_up("typist@example.org", skills="Transcription")
    assert preview not in (await typist.get("/work")).text
    refused = await typist.get(preview)
    assert refused.status_code == 403 and "translation-de-en" in refused.text
    profile = await typist.get("/profile")
    assert 'value="transcription"' in profile.text
    bad = await typist.post_form("/profile", {"languages": ["de"], "skills": "x_y"})
    assert bad.status_code == 422 and "is not a skill" in bad.text
    saved = await typist.post_form(
        "/profile", {"languages": ["de", "en"], "skills": "transcription, translation-de-en"}
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/profile?saved=1"
    shown = await typist.get("/profile?saved=1")
    assert "Profile saved" in shown.text and re.search(r'value="en"\s+checked', shown.text)
    assert preview in (await typist.get("/work")).text


@ON_BOTH_STORES
async def test_two_tabs_accepting_a_test_at_once_get_the_same_question(
    gateway: Gateway, api: ApiClient
) -> None:
    test_id = await make_assessment(api, 4)
    browser = await gateway.worker("two.tabs@example.org")
    store = gateway.rt.store
    worker = await store.worker_by_email("two.tabs@example.org")
    test = await store.get_project(test_id)
    assert worker is not None and test is not None
    client = await store.get_client(test.client_id)
    assert client is not None
    # both tabs found no live question (accept's first look) before either claimed one
    first = await assessments.claim_question(gateway.rt, worker, client, test)
    second = await assessments.claim_question(gateway.rt, worker, client, test)
    assert first is not None and second is not None and first.id == second.id
    listed = await api.call("GET", f"/assignments?project_id={test_id}")
    assert [a["id"] for a in listed.json()["data"]] == [first.id], "one live question"
    await browser.get(f"/work/assignments/{first.id}")
    next_url = (await browser.submit(first.id, RIGHT))["next_url"]
    assert next_url.startswith("/work/assignments/") and not next_url.endswith(first.id)
