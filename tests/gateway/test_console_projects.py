"""The console's projects: created and edited with the API's own rules and messages, the
fair-pay check explained before saving, progress that moves, pause and resume, and nothing of
another client's."""

from __future__ import annotations

import re

import httpx

from console_world import UNDERPAID, ConsoleUser, console_owner, text_of
from crowdframe_gateway.catalog.fairpay import minimum_wage
from crowdframe_gateway.catalog.projects import SPEC_FIELDS
from crowdframe_gateway.web.console import forms
from harness import ON_BOTH_STORES, ApiClient, Gateway


async def create(owner: ConsoleUser, **fields: str) -> httpx.Response:
    await owner.browser.get("/console/projects/new")
    return await owner.browser.post_form("/console/projects", fields)


async def test_the_form_offers_every_setting_the_api_takes() -> None:
    names = {f.name for f in forms.every_field() if not f.name.startswith("crowd_review.")}
    assert names | {forms.CROWD_REVIEW} == set(SPEC_FIELDS)


async def test_the_fair_pay_check_is_explained_before_saving(
    gateway: Gateway, api: ApiClient
) -> None:
    owner = await console_owner(api)
    await owner.browser.get("/console/projects/new")

    checked = await owner.browser.post_form("/console/projects/pay", UNDERPAID)
    raised = await owner.browser.post_form(
        "/console/projects/pay", {**UNDERPAID, "reward_cents": "25"}
    )
    anywhere = await owner.browser.post_form(
        "/console/projects/pay", {**UNDERPAID, "countries": ""}
    )

    assert checked.status_code == 200
    assert "Pays €9.00 an hour; the minimum in Germany is €13.90. Too low" in text_of(checked)
    france = minimum_wage("FR")
    assert france is not None
    assert f"the minimum in France is €{france.hourly:.2f}" in text_of(checked)
    assert "Pays €15.00 an hour; the minimum in Germany is €13.90. Fair pay there." in (
        text_of(raised)
    )
    assert "not to workers in" in text_of(anywhere) and "Germany (€13.90)" in text_of(anywhere)
    assert (await api.call("GET", "/projects")).json()["data"] == []  # nothing saved


async def test_a_refused_project_shows_the_apis_message_by_its_field_and_keeps_the_values(
    gateway: Gateway, api: ApiClient
) -> None:
    owner = await console_owner(api)
    refused = await create(owner, **UNDERPAID, instructions="Read <carefully>")
    by_api = await api.post_project(
        reward_cents=15, currency="EUR", estimated_seconds=60, countries=["DE", "FR"]
    )

    assert refused.status_code == by_api.status_code == 422
    message = by_api.json()["error"]["message"]
    assert "below the minimum wage in DE" in message
    error = re.search(
        r'<p id="reward_cents-error" class="error field-error">([^<]*)</p>', refused.text
    )
    assert error is not None and error.group(1).replace("&#39;", "'") == message
    assert 'id="reward_cents" name="reward_cents" type="text" value="15"' in refused.text
    assert 'aria-invalid="true" aria-describedby="reward_cents-error' in refused.text
    assert 'value="de fr"' in refused.text and "Read &lt;carefully&gt;</textarea>" in refused.text
    assert "Pays €9.00 an hour; the minimum in Germany is €13.90" in text_of(refused)

    not_a_number = await create(owner, **{**UNDERPAID, "reward_cents": "lots"})
    assert 'id="reward_cents-error"' in not_a_number.text
    assert "reward_cents must be an integer" in not_a_number.text


async def test_a_project_is_created_edited_paused_and_resumed_as_the_api_sees_it(
    gateway: Gateway, api: ApiClient
) -> None:
    owner = await console_owner(api)
    created = await create(owner, **{**UNDERPAID, "reward_cents": "25"}, allow="microphone")
    assert created.status_code == 303
    project_id = created.headers["location"].split("/")[3].split("?")[0]
    shown = await owner.browser.get(created.headers["location"])
    assert "Project created." in shown.text and "Label it" in shown.text
    seen = (await api.call("GET", f"/projects/{project_id}")).json()
    assert (seen["reward_cents"], seen["currency"], seen["countries"]) == (25, "EUR", ["DE", "FR"])
    assert seen["allow"] == ["microphone"]

    form = await owner.browser.get(f"/console/projects/{project_id}/edit")
    assert re.search(r'id="currency" name="currency"[^>]*disabled', form.text)  # fixed
    saved = await owner.browser.post_form(
        f"/console/projects/{project_id}/edit",
        {**UNDERPAID, "reward_cents": "30", "title": "Label it well", "currency": "USD"},
    )
    assert saved.headers["location"] == f"/console/projects/{project_id}?notice=saved"
    seen = (await api.call("GET", f"/projects/{project_id}")).json()
    assert (seen["title"], seen["reward_cents"], seen["currency"]) == ("Label it well", 30, "EUR")

    refused = await owner.browser.post_form(
        f"/console/projects/{project_id}/edit", {**UNDERPAID, "reward_cents": "30", "title": ""}
    )
    assert refused.status_code == 422 and 'id="title-error"' in refused.text
    assert "title must be 1 to 200 characters" in refused.text

    await owner.browser.get(f"/console/projects/{project_id}")
    paused = await owner.browser.post_form(f"/console/projects/{project_id}/pause", {})
    assert "Project paused" in (await owner.browser.get(paused.headers["location"])).text
    assert (await api.call("GET", f"/projects/{project_id}")).json()["status"] == "paused"
    await owner.browser.post_form(f"/console/projects/{project_id}/resume", {})
    assert (await api.call("GET", f"/projects/{project_id}")).json()["status"] == "active"


def counts(answer: httpx.Response, project_id: str) -> dict[str, int]:
    block = answer.text.split(f'data-project="{project_id}"', 1)[-1]
    found = re.findall(r'data-count="(\w+)">(\d+)<', block)[:5]
    return {key: int(n) for key, n in found}


@ON_BOTH_STORES
async def test_the_progress_bars_count_tasks_and_answers_as_workers_work(
    gateway: Gateway, api: ApiClient
) -> None:
    owner = await console_owner(api)
    project = await api.project(tasks=3)
    listed = await owner.browser.get("/console/projects")
    assert counts(listed, project["id"]) == {
        "open": 3, "in_progress": 0, "submitted": 0, "approved": 0, "rejected": 0
    }  # fmt: skip
    assert 'hx-get="/console/projects/board" hx-trigger="every 3s"' in listed.text

    worker, first = await gateway.worker_on(project["id"])
    await worker.submit(first, {"label": "cat"})
    second = await worker.accept(project["id"])
    await api.call("POST", f"/assignments/{first}/approve")

    board = await owner.browser.http.get("/console/projects/board", headers={"hx-request": "true"})
    assert "<html" not in board.text  # a fragment, swapped into the page
    # open: tasks still taking answers (the one in progress too); the rest count answers
    assert counts(board, project["id"]) == {
        "open": 2, "in_progress": 1, "submitted": 0, "approved": 1, "rejected": 0
    }  # fmt: skip
    await worker.submit(second, {"label": "dog"})
    progress = await owner.browser.get(f"/console/projects/{project['id']}/progress")
    assert counts(progress, project["id"])["submitted"] == 1
    assert re.search(
        r'<progress max="\d+" value="1" aria-labelledby="bar-[^"]+-approved"', progress.text
    )


@ON_BOTH_STORES
async def test_another_clients_project_is_not_found_on_any_console_route(
    gateway: Gateway, api: ApiClient
) -> None:
    mine = await console_owner(api)
    theirs = await gateway.client("globex")
    project = await theirs.project(tasks=1)
    pid = project["id"]
    gets = [f"/console/projects/{pid}", f"/console/projects/{pid}/progress",
            f"/console/projects/{pid}/edit"]  # fmt: skip
    posts = [f"/console/projects/{pid}/edit", f"/console/projects/{pid}/pause",
             f"/console/projects/{pid}/resume"]  # fmt: skip
    await mine.browser.get("/console/projects")
    for path in gets:
        answer = await mine.browser.get(path)
        assert answer.status_code == 404 and "no such project" in answer.text, path
    for path in posts:
        answer = await mine.browser.post_form(path, {"title": "Mine now", "reward_cents": "99"})
        assert answer.status_code == 404 and "no such project" in answer.text, path
    # exactly as the API answers the same client
    assert (await api.call("GET", f"/projects/{pid}")).status_code == 404
    assert pid not in (await mine.browser.get("/console/projects")).text
    assert pid not in (await mine.browser.get("/console/projects/board")).text
    after = (await theirs.call("GET", f"/projects/{pid}")).json()
    assert (after["title"], after["status"]) == ("Label it", "active")


async def test_signed_out_the_console_sends_to_sign_in_and_a_poll_gets_nothing(
    gateway: Gateway,
) -> None:
    browser = gateway.browser()
    for path in ("/console/", "/console/projects", "/console/projects/new", "/console/members"):
        answer = await browser.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/console/signin"
    poll = await browser.http.get("/console/projects/board", headers={"hx-request": "true"})
    assert poll.status_code == 401 and poll.text == ""


async def test_the_list_shows_fifty_projects_a_page(gateway: Gateway, api: ApiClient) -> None:
    owner = await console_owner(api)
    made = [(await api.project(title=f"Project {n}"))["id"] for n in range(51)]

    first = await owner.browser.get("/console/projects")
    more = re.search(r'href="/console/projects\?cursor=([^"]+)">More projects', first.text)

    assert more is not None
    assert sum(pid in first.text for pid in made) == 50
    second = await owner.browser.get(f"/console/projects?cursor={more.group(1)}")
    shown = [pid for pid in made if pid in second.text]
    assert len(shown) == 1 and shown[0] not in first.text
    assert f'hx-get="/console/projects/board?cursor={more.group(1)}"' in second.text
