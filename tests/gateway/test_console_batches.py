"""The console's batches from a file: a CSV or JSON Lines file read as tasks, its columns
chosen, the whole file checked by the API's rules (a bad row names its line and column, and
nothing is created), previewed, published part by part, and published twice for nothing new;
and nothing of it for another client."""

from __future__ import annotations

import re

import httpx

from console_world import ConsoleUser, console_owner, text_of
from crowdframe.signing import decode_task_token
from crowdframe_gateway.catalog.batch_file import MAX_FILE_BYTES, MAX_ROWS
from harness import ON_BOTH_STORES, ApiClient, Gateway

pytestmark = ON_BOTH_STORES


def sentences(rows: int, *, blank_at: int | None = None) -> bytes:
    lines = ["id,text,gold_sentiment"]
    for n in range(rows):
        ident = "" if n == blank_at else f"s{n}"
        gold = "positive" if n % 10 == 0 else ""
        lines.append(f'{ident},"Sentence {n}, with a comma",{gold}')
    return ("\n".join(lines) + "\n").encode()


async def upload(owner: ConsoleUser, project_id: str, name: str, raw: bytes) -> httpx.Response:
    await owner.browser.get(f"/console/projects/{project_id}/batches/new")
    return await owner.browser.http.post(
        f"/console/projects/{project_id}/batches",
        data={"csrf": owner.browser.csrf},
        files={"file": (name, raw, "text/csv")},
    )


CHOICES = {"external_id": "id", "input": ["text"], "gold": "gold_sentiment"}


async def uploaded(owner: ConsoleUser, project_id: str, raw: bytes, name: str = "s.csv") -> str:
    answer = await upload(owner, project_id, name, raw)
    assert answer.status_code == 303, answer.text
    return str(answer.headers["location"])


async def task_count(api: ApiClient, project_id: str) -> int:
    seen = (await api.call("GET", f"/projects/{project_id}")).json()
    return int(seen["counts"].get("tasks", 0))


async def publish_with_htmx(owner: ConsoleUser, base: str) -> list[str]:
    """Publish as the page does: each answer asks for the next part until it is done."""
    texts, data = [], {**CHOICES, "part": "0", "created": "0"}
    while True:
        answer = await owner.browser.http.post(
            f"{base}/publish", data={"csrf": owner.browser.csrf, **data},
            headers={"hx-request": "true"},
        )  # fmt: skip
        assert answer.status_code == 200, answer.text
        texts.append(text_of(answer))
        following = re.findall(r'name="(part|created)" value="(\d+)"', answer.text)
        if not following:
            return texts
        data.update(dict(following))


async def test_a_file_is_checked_previewed_published_and_published_again_for_nothing(
    gateway: Gateway, api: ApiClient
) -> None:
    owner = await console_owner(api)
    project = await api.project()
    base = await uploaded(owner, project["id"], sentences(2500))

    shown = await owner.browser.get(base)
    assert "2,500 rows" in text_of(shown)  # counts written as the language writes them
    assert "Sentence 0, with a comma" in shown.text  # the first rows as tasks
    checked = await owner.browser.post_form(f"{base}/check", CHOICES)
    assert "All 2,500 rows are valid tasks. Nothing is published yet." in text_of(checked)
    assert await task_count(api, project["id"]) == 0

    preview = await owner.browser.get(
        f"{base}/preview?external_id=id&input=text&gold=gold_sentiment"
    )
    assert preview.status_code == 200
    src = re.search(r'src="([^"]+)"', preview.text.split('id="cf-task-frame"', 1)[1])
    assert src is not None and "cf_mode=preview" in src.group(1)
    assert "Sentence 0, with a comma" in preview.text

    progress = await publish_with_htmx(owner, base)
    assert "Published 1,000 of 2,500 rows" in progress[0]
    assert "Published 2,500 of 2,500 rows" in progress[-1]
    assert "Done: 2,500 new tasks." in progress[-1]
    assert await task_count(api, project["id"]) == 2500

    again = await publish_with_htmx(owner, await uploaded(owner, project["id"], sentences(2500)))
    assert "Done: nothing new, these rows were published before." in again[-1]
    assert await task_count(api, project["id"]) == 2500
    page = await owner.browser.get(f"/console/projects/{project['id']}")
    assert "2,500 tasks" in text_of(page)


async def test_without_javascript_publishing_does_every_part_then_shows_the_project(
    gateway: Gateway, api: ApiClient
) -> None:
    owner = await console_owner(api)
    project = await api.project()
    base = await uploaded(
        owner, project["id"], b'{"key": "a", "q": 1}\n{"key": "b", "q": 2}\n', "q.jsonl"
    )
    await owner.browser.get(base)
    done = await owner.browser.post_form(f"{base}/publish", {"external_id": "key", "input": ["q"]})
    assert done.status_code == 303
    assert (
        "Tasks from the file published." in (await owner.browser.get(done.headers["location"])).text
    )
    assert await task_count(api, project["id"]) == 2


async def test_a_bad_row_names_its_line_and_column_and_nothing_is_created(
    gateway: Gateway, api: ApiClient
) -> None:
    owner = await console_owner(api)
    project = await api.project()
    base = await uploaded(owner, project["id"], sentences(1500, blank_at=1200))
    await owner.browser.get(base)

    checked = await owner.browser.post_form(f"{base}/check", CHOICES)
    published = await owner.browser.post_form(f"{base}/publish", CHOICES)

    for answer in (checked, published):
        assert answer.status_code == 422
        # the header is line 1, row 1200 (from 0) is on line 1202
        assert "line 1202, column `id`: empty (must be 1 to 200 characters)" in text_of(answer)
    assert await task_count(api, project["id"]) == 0


async def test_a_row_already_in_the_project_stops_the_publish_at_its_line(
    gateway: Gateway, api: ApiClient
) -> None:
    owner = await console_owner(api)
    project = await api.project()
    await api.call("POST", f"/projects/{project['id']}/tasks",
                   json={"tasks": [{"external_id": "s1500", "input": {}}]})  # fmt: skip
    base = await uploaded(owner, project["id"], sentences(2500))
    await owner.browser.get(base)

    progress = await publish_with_htmx(owner, base)

    assert "Published 1,000 of 2,500 rows" in progress[0]
    assert (
        "Publishing stopped: line 1502: external_id 's1500' already exists in this project"
        in progress[-1].replace("&#39;", "'")
    )
    assert await task_count(api, project["id"]) == 1 + 1000  # the first part stays


async def test_a_malformed_file_and_the_limits_are_refused_with_what_they_are(
    gateway: Gateway, api: ApiClient
) -> None:
    owner = await console_owner(api)
    project = await api.project()
    short = await upload(owner, project["id"], "a.csv", b"id,text\na,b\nc\n")
    not_json = await upload(owner, project["id"], "a.jsonl", b'{"id": "a"}\n{"id": \n')
    too_many = await upload(owner, project["id"], "a.csv", b"id\n" + b"x\n" * (MAX_ROWS + 1))

    assert short.status_code == 422 and "line 3: 1 values for 2 columns" in text_of(short)
    assert "line 2: the line 2 is not valid JSON" in text_of(not_json)
    too_big = await upload(owner, project["id"], "a.csv", b"id\n" + b"x" * MAX_FILE_BYTES)

    assert f"more than {MAX_ROWS} rows" in text_of(too_many)
    assert too_big.status_code == 413 and "the file is larger than 20 MB" in text_of(too_big)
    assert await task_count(api, project["id"]) == 0


async def test_a_preview_token_cannot_submit(gateway: Gateway, api: ApiClient) -> None:
    owner = await console_owner(api)
    project = await api.project(tasks=1)
    worker = await gateway.worker()
    assignment_id = await worker.accept(project["id"])
    base = await uploaded(owner, project["id"], sentences(3))
    preview = await owner.browser.get(f"{base}/preview?external_id=id&input=text")
    token = re.search(r'data-token="([^"]+)"', preview.text)
    assert token is not None

    answer = await api.call(
        "POST", f"/assignments/{assignment_id}/submit",
        json={"token": token.group(1), "result": {"sentiment": "positive"}},
    )  # fmt: skip
    assert answer.status_code in (401, 403, 422) and "token" in answer.text


async def test_the_task_page_reads_the_previewed_row_as_its_task_and_only_its_client_does(
    gateway: Gateway, api: ApiClient
) -> None:
    owner = await console_owner(api)
    project = await api.project()
    base = await uploaded(owner, project["id"], sentences(3))
    preview = await owner.browser.get(f"{base}/preview?external_id=id&input=text")
    token = re.search(r'data-token="([^"]+)"', preview.text)
    assert token is not None
    claims = decode_task_token(token.group(1), api.made.client.signing_secrets)

    seen = await api.call("GET", f"/tasks/{claims.tid}")
    other = await (await gateway.client("globex")).call("GET", f"/tasks/{claims.tid}")

    assert claims.mode == "preview" and claims.aid == ""
    assert seen.status_code == 200
    assert (seen.json()["external_id"], seen.json()["input"]) == (
        "s0",
        {"text": "Sentence 0, with a comma"},
    )
    assert other.status_code == 404
    assert await task_count(api, project["id"]) == 0  # a preview creates nothing


async def test_another_clients_project_and_upload_are_not_found_on_every_batch_route(
    gateway: Gateway, api: ApiClient
) -> None:
    owner = await console_owner(api)
    mine = await api.project()
    base = await uploaded(owner, mine["id"], sentences(3))
    upload_id = base.rsplit("/", 1)[1]
    theirs = await gateway.client("globex")
    their_project = await theirs.project()
    intruder = await console_owner(theirs, "eve@globex.example")
    await intruder.browser.get("/console/projects")
    for project_id in (mine["id"], their_project["id"]):  # mine: not theirs; theirs: not my upload
        root = f"/console/projects/{project_id}/batches"
        for path in (
            f"{root}/new",
            f"{root}/{upload_id}",
            f"{root}/{upload_id}/preview?external_id=id",
        ):
            if project_id == their_project["id"] and path.endswith("/new"):
                continue
            assert (await intruder.browser.get(path)).status_code == 404, path
        for path in (root, f"{root}/{upload_id}/check", f"{root}/{upload_id}/publish"):
            if project_id == their_project["id"] and path == root:
                continue
            answer = await intruder.browser.post_form(path, CHOICES)
            assert answer.status_code == 404, path
    assert await task_count(api, mine["id"]) == 0


async def test_every_batch_post_needs_the_forms_csrf_token(
    gateway: Gateway, api: ApiClient
) -> None:
    owner = await console_owner(api)
    project = await api.project()
    base = await uploaded(owner, project["id"], sentences(3))
    root = f"/console/projects/{project['id']}/batches"
    sent = await owner.browser.http.post(
        root, data={"csrf": "wrong"}, files={"file": ("a.csv", b"id\na\n")}
    )
    assert sent.status_code == 403
    for path in (f"{base}/check", f"{base}/publish"):
        assert (
            await owner.browser.http.post(path, data={**CHOICES, "csrf": "wrong"})
        ).status_code == 403
    assert await task_count(api, project["id"]) == 0


async def test_an_mturk_projects_preview_has_mturks_parameters_as_a_workers_does(
    gateway: Gateway, api: ApiClient
) -> None:
    owner = await console_owner(api)
    project = (await api.post_project(protocol="mturk")).json()
    base = await uploaded(owner, project["id"], sentences(3))

    preview = await owner.browser.get(f"{base}/preview?external_id=id&input=text")

    src = re.search(r'src="([^"]+)"', preview.text.split('id="cf-task-frame"', 1)[1])
    assert src is not None
    assert "assignmentId=ASSIGNMENT_ID_NOT_AVAILABLE" in src.group(1)
    assert re.search(r"hitId=[A-Z0-9]{1,64}(&|$)", src.group(1))  # shaped as MTurk's HITId
