"""The sentiment example as a client developer runs it: next to a real gateway, over real HTTP.

The gateway runs as ``crowdframe gateway`` in a subprocess, the client account comes from
``crowdframe create-client``, and the example (loaded by file path, as ``crowdframe demo`` loads
it) runs in a thread under uvicorn. Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from html import unescape
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import uvicorn
from standardwebhooks.webhooks import Webhook as ReferenceWebhook

import crowdframe
from crowdframe._token import secret_kid, sign_task_token
from task_tokens import work_claims

ROOT = Path(__file__).resolve().parents[2]
APP_PATH = ROOT / "examples" / "sentiment" / "app.py"
BIN = Path(sys.executable).parent
TITLE = "Sentiment of short reviews"


def load_example() -> ModuleType:
    name = "sentiment_example_under_test"
    spec = importlib.util.spec_from_file_location(name, APP_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


sentiment = load_example()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check: Any, what: str, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


# -- the three parties: gateway, client account, example -------------------------------------


@dataclasses.dataclass
class Gateway:
    origin: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    log: Path


@dataclasses.dataclass
class Account:
    api_key: str
    signing_secret: str


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    data_dir = tmp_path_factory.mktemp("gateway")
    port = free_port()
    log = data_dir / "gateway.log"
    env = {**os.environ, "CROWDFRAME_RETRY_SCHEDULE": "0.2,0.5,1", "PYTHONUNBUFFERED": "1"}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [BIN / "crowdframe", "gateway", "--port", str(port), "--data-dir", data_dir],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    origin = f"http://127.0.0.1:{port}"

    def answering() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"the gateway exited:\n{log.read_text()}")
        try:
            return httpx.get(origin + "/signin", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until(answering, "the gateway to answer", timeout=15)
        yield Gateway(origin, data_dir, process, log)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def account(gateway: Gateway) -> Account:
    made = subprocess.run(
        [
            BIN / "crowdframe",
            "create-client",
            "Sentiment Labs",
            "--data-dir",
            gateway.data_dir,
            "--json",
        ],
        check=True,
        capture_output=True,
    )
    info = json.loads(made.stdout)
    return Account(info["api_key"], info["signing_secret"])


@pytest.fixture(scope="module")
def api(gateway: Gateway, account: Account) -> Iterator[crowdframe.Client]:
    with crowdframe.Client(account.api_key, base_url=gateway.origin) as client:
        yield client


class Example:
    """The example app on a fixed port and data dir, so it can be stopped and started again."""

    def __init__(self, config: Any, port: int) -> None:
        self.config = config
        self.port = port
        self.origin = config.public_origin
        self.db = Path(config.data_dir) / "sentiment.db"
        self.server: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        config = uvicorn.Config(
            sentiment.create_app(self.config), log_level="warning", ws="none", lifespan="on"
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        self.server, self.thread = server, thread
        wait_until(lambda: server.started or not thread.is_alive(), "the example to start")
        assert server.started, "the example did not start"

    def stop(self) -> None:
        if self.server is not None and self.thread is not None:
            self.server.should_exit = True
            self.thread.join(10)
            assert not self.thread.is_alive()
        self.server = self.thread = None

    def get(self, path: str, **params: str) -> httpx.Response:
        return httpx.get(self.origin + path, params=params)

    def webhook_secret(self) -> str:
        store = sentiment.SentimentStore(self.db)
        try:
            secret = store.get("webhook_secret")
        finally:
            store.close()
        assert isinstance(secret, str)
        return secret

    def task_ids(self) -> dict[str, str]:
        """external_id → task id, as the example remembered them from the batch answer."""
        with self._db() as db:
            return dict(db.execute("SELECT external_id, task_id FROM texts").fetchall())

    def _db(self) -> closing[sqlite3.Connection]:
        return closing(sqlite3.connect(self.db))


@pytest.fixture(scope="module")
def example_site(
    gateway: Gateway, account: Account, tmp_path_factory: pytest.TempPathFactory
) -> Example:
    port = free_port()
    config = sentiment.SentimentConfig(
        gateway_url=gateway.origin,
        api_key=account.api_key,
        signing_secret=account.signing_secret,
        public_origin=f"http://127.0.0.1:{port}",
        data_dir=tmp_path_factory.mktemp("example"),
    )
    return Example(config, port)


@pytest.fixture
def example(example_site: Example) -> Iterator[Example]:
    example_site.start()
    try:
        yield example_site
    finally:
        example_site.stop()


def mint(gateway: Gateway, account: Account, example: Example, task_id: str, **changes: Any) -> str:
    """A launch token as the gateway would sign it for this client's task page."""
    claims = work_claims(
        kid=secret_kid(account.signing_secret),
        iss=gateway.origin,
        aud=example.origin,
        tid=task_id,
        jti=secrets.token_urlsafe(9),
    )
    return sign_task_token(dataclasses.replace(claims, **changes), [account.signing_secret])


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def sign_up_and_accept(browser: httpx.Client, project_id: str, api: crowdframe.Client) -> str:
    """A new English-speaking worker in ``browser`` finds the project locked, passes its
    reading test and accepts a task; the frame page's path."""
    form = browser.get("/signup")
    signed_up = browser.post(
        "/signup",
        data={
            "csrf": CSRF.findall(form.text)[0],
            "email": f"worker-{secrets.token_hex(4)}@example.org",
            "password": "a long password",
            "country": "DE",
            "languages": ["en"],
        },
    )
    assert signed_up.status_code == 303, signed_up.text
    assert "Take the qualification test" in browser.get("/work").text
    [test] = reading_tests(api)
    pass_the_reading_test(browser, test.id, CSRF)
    task_list = browser.get("/work")
    accepted = browser.post(
        f"/work/projects/{project_id}/accept", data={"csrf": CSRF.findall(task_list.text)[0]}
    )
    return str(accepted.headers["location"])


def sentiment_projects(api: crowdframe.Client) -> list[crowdframe.Project]:
    return [p for p in api.iter_projects() if p.title == TITLE]


def reading_tests(api: crowdframe.Client) -> list[crowdframe.Project]:
    return [p for p in api.iter_projects() if p.title == sentiment.assessment.TITLE]


def pass_the_reading_test(browser: httpx.Client, test_id: str, csrf: re.Pattern[str]) -> None:
    """Answer the reading test's five questions right, each on the example's task page."""
    answers = dict(sentiment.assessment.READING_TEST)
    page = browser.get(f"/work/tests/{test_id}")
    assert "Start the test" in page.text
    location = browser.post(
        f"/work/projects/{test_id}/accept", data={"csrf": csrf.findall(page.text)[0]}
    ).headers["location"]
    while location.startswith("/work/assignments/"):
        frame = browser.get(location)
        src = unescape(re.findall(r'<iframe id="cf-task-frame"\s+src="([^"]+)"', frame.text)[0])
        text = unescape(re.findall(r'id="review">(.*?)<', httpx.get(src).text)[0])
        submitted = browser.post(
            f"{location}/submit",
            json={"result": {"sentiment": answers[text]}},
            headers={"x-csrf-token": csrf.findall(frame.text)[0]},
        )
        location = submitted.json()["next_url"]
    assert location == f"/work/tests/{test_id}"
    assert "You passed" in browser.get(location).text


# -- the stories ----------------------------------------------------------------------------


def test_on_startup_the_example_registers_its_project_tasks_and_webhook_endpoint(
    api: crowdframe.Client, example: Example
) -> None:
    [project] = sentiment_projects(api)
    assert project.task_url == example.origin + "/task"
    assert (project.reward_cents, project.estimated_seconds) == (10, 20)
    assert project.assignments_per_task == 3, "three workers per task"
    assert project.languages == ["en"] and project.gold_ratio == 0.1, "a tenth of claims gold"
    assert project.instructions
    assert project.counts["tasks"] == len(sentiment.review_tasks())

    tasks = example.task_ids()
    reading = sentiment.assessment.reading_questions()
    expected = sentiment.review_tasks() + reading
    assert sorted(tasks) == sorted(t["external_id"] for t in expected)
    task = api.get_task(tasks["review-3"])
    assert task.project_id == project.id
    assert task.input == {"text": sentiment.REVIEWS[2]}

    endpoints = [e for e in api.list_webhook_endpoints() if e.url == example.origin + "/webhooks"]
    assert len(endpoints) == 1

    assert project.crowd_review is not None and project.review_project_id is not None
    assert project.crowd_review.task_url == example.origin + "/review"
    assert project.crowd_review.reviewers == 3, "an odd number: no ties"
    reviews = api.get_project(project.review_project_id)
    assert (reviews.kind, reviews.parent_project_id) == ("review", project.id)


def test_the_project_requires_the_english_reading_test(
    api: crowdframe.Client, example: Example
) -> None:
    [project] = sentiment_projects(api)
    [test] = reading_tests(api)
    assert project.qualifications == [test.id]
    assert (test.kind, test.test_size, test.pass_score, test.reward_cents) == (
        "assessment", 5, 0.8, 0,
    )  # fmt: skip
    assert test.task_url == project.task_url, "the test is shown on the same task page"
    assert test.counts["tasks"] == 10 and test.languages == ["en"]
    question = api.get_task(example.task_ids()["reading-1"])
    assert question.project_id == test.id


def test_restarting_the_example_creates_nothing_twice(
    api: crowdframe.Client, example: Example
) -> None:
    before = sentiment_projects(api)
    example.stop()
    example.start()
    example.stop()
    example.start()

    after = sentiment_projects(api)
    assert [p.id for p in after] == [p.id for p in before]
    assert len(reading_tests(api)) == 1
    assert after[0].counts["tasks"] == len(sentiment.review_tasks())
    endpoints = [e for e in api.list_webhook_endpoints() if e.url == example.origin + "/webhooks"]
    assert len(endpoints) == 1


@pytest.mark.parametrize("kind", ["missing", "garbage", "tampered", "expired", "other-site"])
def test_the_task_page_refuses_a_bad_launch_token(
    gateway: Gateway, account: Account, example: Example, kind: str
) -> None:
    good = mint(gateway, account, example, example.task_ids()["review-1"])
    payload, rest = good.split(".", 1)
    tokens = {
        "missing": None,
        "garbage": "<script>alert(1)</script>",
        "tampered": payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1] + "." + rest,
        "expired": mint(
            gateway,
            account,
            example,
            "tsk_x",
            iat=int(time.time()) - 600,
            exp=int(time.time()) - 300,
        ),
        "other-site": mint(gateway, account, example, "tsk_x", aud="http://127.0.0.1:1"),
    }
    token = tokens[kind]
    page = example.get("/task", **({} if token is None else {"cf_token": token}))

    assert page.status_code == 403
    assert "This task page cannot be shown" in page.text
    assert "<script>alert" not in page.text
    assert sentiment.REVIEWS[0] not in page.text
    assert page.headers["cache-control"] == "no-store"


def test_the_task_page_shows_the_review_escaped_with_the_gateway_widget(
    gateway: Gateway, account: Account, example: Example
) -> None:
    task_id = example.task_ids()["review-6"]
    text = sentiment.REVIEWS[5]
    assert "<b>" in text and "&" in text and '"' in text

    page = example.get(
        "/task",
        cf_token=mint(gateway, account, example, task_id),
        cf_mode="work",
        cf_origin="http://evil.example",  # never trusted: the verified iss is
    )

    assert page.status_code == 200, page.text
    review = re.search(r'<blockquote id="review">(.*?)</blockquote>', page.text, re.S)
    assert review is not None
    assert "<b>" not in review.group(1) and "&lt;b&gt;" in review.group(1)
    assert unescape(review.group(1)) == text
    scripts = re.findall(r'<script src="([^"]+)"', page.text)
    assert scripts == [gateway.origin + "/widgets/crowdframe-task.js", "/static/answer.js"]
    assert "evil.example" not in page.text
    for value in ("Positive", "Neutral", "Negative"):
        assert re.search(rf'<label[^>]*for="sentiment-{value.lower()}"[^>]*>', page.text)
    assert 'role="status"' in page.text
    assert "Preview: accept the task to answer" not in page.text
    assert page.headers["content-security-policy"] == (
        f"frame-ancestors {gateway.origin}; default-src 'self'; "
        f"script-src 'self' {gateway.origin}; style-src 'self' 'unsafe-inline'"
    )
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    assert example.get("/static/answer.js").status_code == 200


def test_a_preview_shows_the_review_but_no_way_to_submit(
    gateway: Gateway, account: Account, example: Example
) -> None:
    token = mint(gateway, account, example, example.task_ids()["review-2"], mode="preview", aid="")
    page = example.get("/task", cf_token=token, cf_mode="preview")

    assert page.status_code == 200
    assert sentiment.REVIEWS[1] in page.text
    assert "Preview: accept the task to answer" in page.text
    assert re.search(r'<button type="submit" id="submit" disabled>Submit</button>', page.text)


def test_a_test_webhook_sent_through_the_gateway_arrives_verified(
    api: crowdframe.Client, example: Example
) -> None:
    [endpoint] = [e for e in api.list_webhook_endpoints() if e.url == example.origin + "/webhooks"]
    message_id = api.send_test_event(endpoint.id)

    def delivered() -> dict[str, Any] | None:
        deliveries = example.get("/results.json").json()["deliveries"]
        return next((d for d in deliveries if d["headers"]["webhook-id"] == message_id), None)

    delivery = wait_until(delivered, "the test webhook")
    assert set(delivery["headers"]) == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    ReferenceWebhook(example.webhook_secret()).verify(delivery["body"], delivery["headers"])
    assert json.loads(delivery["body"])["type"] == "endpoint.test"


def test_forged_and_repeated_webhooks(example: Example) -> None:
    secret = example.webhook_secret()
    body = json.dumps(
        {
            "type": "assignment.submitted",
            "timestamp": "2026-01-01T00:00:00Z",
            "data": {
                "task_id": example.task_ids()["review-6"],
                "external_id": "review-6",
                "worker_id": "wkr_<i>pseudonym</i>",
                "submitted_at": "2026-01-01T00:00:00Z",
                "result": {"sentiment": "neutral", "text_id": "review-6"},
            },
        }
    )
    message_id = "msg_" + secrets.token_hex(8)
    headers = crowdframe.Webhook(secret).headers(message_id, int(time.time()), body)
    forged = {**headers, "webhook-signature": "v1," + "A" * 44}

    assert httpx.post(example.origin + "/webhooks", content=body, headers=forged).status_code == 400
    for _ in range(2):  # a retry of the same message is acknowledged and stored once
        sent = httpx.post(example.origin + "/webhooks", content=body, headers=headers)
        assert sent.status_code == 204

    seen = example.get("/results.json").json()
    mine = [r for r in seen["results"] if r["event_id"] == message_id]
    assert len(mine) == 1
    assert mine[0]["text"] == sentiment.REVIEWS[5] and mine[0]["sentiment"] == "neutral"
    assert [d["headers"]["webhook-id"] for d in seen["deliveries"]].count(message_id) == 1
    table = example.get("/results").text
    assert "wkr_&lt;i&gt;pseudonym&lt;/i&gt;" in table and "<i>pseudonym" not in table
    assert "&lt;b&gt;old&lt;/b&gt;" in table


def test_a_worker_answers_through_the_gateway_and_the_result_arrives(
    gateway: Gateway, api: crowdframe.Client, example: Example
) -> None:
    [project] = sentiment_projects(api)
    with httpx.Client(base_url=gateway.origin) as browser:
        frame_url = sign_up_and_accept(browser, project.id, api)
        frame = browser.get(frame_url)
        src = unescape(re.findall(r'<iframe id="cf-task-frame"\s+src="([^"]+)"', frame.text)[0])
        assert src.startswith(example.origin + "/task?")

        # the page the worker's browser loads in the frame, with the gateway's own token
        page = httpx.get(src)
        assert page.status_code == 200
        text_id = re.findall(r'data-text-id="([^"]+)"', page.text)[0]
        token = parse_qs(urlsplit(src).query)["cf_token"][0]
        claims = crowdframe.verify_task_token(
            token, example.config.signing_secret, audience=example.origin
        )
        texts = {t["external_id"]: t["input"]["text"] for t in sentiment.review_tasks()}
        assert unescape(re.findall(r'id="review">(.*?)<', page.text)[0]) == texts[text_id]

        # what crowdframe-host.js posts when the task page calls task.submit(...)
        submitted = browser.post(
            f"{frame_url}/submit",
            json={"result": {"sentiment": "positive", "text_id": text_id}},
            headers={"x-csrf-token": CSRF.findall(frame.text)[0]},
        )
        assert submitted.status_code == 200, submitted.text

    def arrived() -> dict[str, Any] | None:
        results = example.get("/results.json").json()["results"]
        return next((r for r in results if r["task_id"] == claims.tid), None)

    result = wait_until(arrived, "the submitted result")
    assert result["sentiment"] == "positive" and result["text_id"] == text_id
    assert result["worker_id"] == claims.wid
    assert result["text"] == texts[text_id]
    secret = example.webhook_secret()
    for delivery in example.get("/results.json").json()["deliveries"]:
        ReferenceWebhook(secret).verify(delivery["body"], delivery["headers"])


def test_the_review_page_shows_another_workers_answer_to_check(
    gateway: Gateway, account: Account, api: crowdframe.Client, example: Example
) -> None:
    [project] = sentiment_projects(api)
    with httpx.Client(base_url=gateway.origin) as browser:
        frame_url = sign_up_and_accept(browser, project.id, api)
        while True:  # a gold answer is graded, not reviewed: answer until a real review is
            assignment = api.get_assignment(frame_url.rsplit("/", 1)[1])
            frame = browser.get(frame_url)
            submitted = browser.post(
                f"{frame_url}/submit",
                json={"result": {"sentiment": "negative", "text_id": assignment.external_id}},
                headers={"x-csrf-token": CSRF.findall(frame.text)[0]},
            )
            assert submitted.status_code == 200, submitted.text
            if assignment.external_id.startswith("review-"):
                break
            frame_url = submitted.json()["next_url"]
    crowd = api.get_assignment(assignment.id).crowd_review
    assert crowd is not None and crowd.status == "pending" and crowd.review_task_id
    task = api.get_task(crowd.review_task_id)
    texts = {t["external_id"]: t["input"]["text"] for t in sentiment.review_tasks()}
    assert task.input["task"] == {"text": texts[assignment.external_id]}

    page = example.get("/review", cf_token=mint(gateway, account, example, task.id))
    assert page.status_code == 200, page.text
    shown = re.search(r'<blockquote id="review">(.*?)</blockquote>', page.text, re.S)
    assert shown is not None and unescape(shown.group(1)) == texts[assignment.external_id]
    assert re.search(r'id="answer-given">Negative<', page.text)
    for verdict in ("approve", "reject"):
        assert f'id="verdict-{verdict}"' in page.text
    scripts = re.findall(r'<script src="([^"]+)"', page.text)
    assert scripts == [gateway.origin + "/widgets/crowdframe-task.js", "/static/answer.js"]

    not_a_review = mint(gateway, account, example, example.task_ids()["review-1"])
    refused = example.get("/review", cf_token=not_a_review)
    assert refused.status_code == 404 and "not an answer to review" in refused.text
    assert example.get("/review", cf_token="forged").status_code == 403


def answer_current(
    browser: httpx.Client, frame_url: str, sentiment_of: Callable[[str], str]
) -> str | None:
    """Answer the assignment at ``frame_url`` on the example's page; the next one's, if any."""
    frame = browser.get(frame_url)
    src = unescape(re.findall(r'<iframe id="cf-task-frame"\s+src="([^"]+)"', frame.text)[0])
    text = unescape(re.findall(r'id="review">(.*?)<', httpx.get(src).text)[0])
    submitted = browser.post(
        f"{frame_url}/submit",
        json={"result": {"sentiment": sentiment_of(text)}},
        headers={"x-csrf-token": CSRF.findall(frame.text)[0]},
    )
    assert submitted.status_code == 200, submitted.text
    next_url = str(submitted.json()["next_url"])
    return next_url if next_url.startswith("/work/assignments/") else None


def completed_deliveries(example: Example) -> list[dict[str, Any]]:
    return [
        {**d, "event": json.loads(d["body"])}
        for d in example.get("/results.json").json()["deliveries"]
        if json.loads(d["body"])["type"] == "task.completed"
    ]


def test_workers_whose_answer_matches_the_agreed_one_get_a_bonus_once(
    gateway: Gateway, api: crowdframe.Client, example: Example
) -> None:
    [project] = sentiment_projects(api)
    gold = dict(sentiment.registration.GOLD_REVIEWS)
    says = ("positive", "positive", "negative")  # the third worker disagrees
    browsers = [httpx.Client(base_url=gateway.origin) for _ in says]
    try:
        at: list[str | None] = [sign_up_and_accept(b, project.id, api) for b in browsers]
        first = [api.get_assignment(str(url).rsplit("/", 1)[1]) for url in at]
        answered: set[str] = set()
        for _ in range(3):  # workers take the oldest open task: they meet on the same ones
            for i, browser in enumerate(browsers):
                url = at[i]
                if url is not None:
                    answered.add(url.rsplit("/", 1)[1])
                    at[i] = answer_current(browser, url, lambda t, i=i: gold.get(t, says[i]))
        tasks = {api.get_assignment(a).task_id for a in answered}
        done = {t for t in tasks if api.get_task(t).status == "completed"}
        assert done, "the three workers completed a task together"

        def all_completed() -> list[dict[str, Any]] | None:
            found = completed_deliveries(example)
            arrived = {d["event"]["data"]["task_id"] for d in found}
            return found if done <= arrived else None

        completed = wait_until(all_completed, "a task.completed webhook for each completed task")

        # the agreed answer's workers got the bonus, the others none
        matched: dict[str, bool] = {}
        for delivery in completed:
            data = delivery["event"]["data"]
            agreed = data["aggregate"]["sentiment"]["value"]
            for s in data["submissions"]:
                matched[s["assignment_id"]] = s["result"]["sentiment"] == agreed
        assert any(matched.values()) and not all(matched.values())

        def bonuses() -> dict[str, int] | None:
            rows = example.get("/results.json").json()["results"]
            paid = {r["assignment_id"]: r["bonus_cents"] for r in rows if r["assignment_id"]}
            return paid if all(paid.get(a) == 2 for a, m in matched.items() if m) else None

        paid = wait_until(bonuses, "the bonuses")
        assert all(paid.get(a, 0) == 0 for a, m in matched.items() if not m)

        def bonus_lines(browser: httpx.Client) -> int:
            return unescape(browser.get("/earnings").text).count(sentiment.results.BONUS_REASON)

        agreeing = browsers[0]
        mine = {a for a, m in matched.items() if m and api.get_assignment(a).worker_id == (
            first[0].worker_id)}  # fmt: skip
        assert mine and bonus_lines(agreeing) == len(mine)
        assert bonus_lines(browsers[2]) == 0, "the disagreeing worker has no bonus"

        # a redelivered task.completed pays nothing more (one idempotency key per assignment)
        for delivery in completed:
            again = httpx.post(
                example.origin + "/webhooks", content=delivery["body"], headers=delivery["headers"]
            )
            assert again.status_code == 204
        assert bonus_lines(agreeing) == len(mine)
    finally:
        for browser in browsers:
            browser.close()


def test_the_results_page_shows_signals_and_crowd_review_and_blocks_a_worker(
    gateway: Gateway, api: crowdframe.Client, example: Example
) -> None:
    [project] = sentiment_projects(api)
    with httpx.Client(base_url=gateway.origin) as browser:
        frame_url = sign_up_and_accept(browser, project.id, api)
        assignment = api.get_assignment(frame_url.rsplit("/", 1)[1])
        answer_current(browser, frame_url, lambda text: "neutral")  # in well under 4 s

        def row() -> str | None:
            page = example.get("/results").text
            found = re.search(rf'<tr data-assignment-id="{assignment.id}">(.*?)</tr>', page, re.S)
            return found.group(1) if found else None

        shown = wait_until(row, "the answer on the results page")
        assert re.search(r'class="signals">[^<]*too_fast', shown), "submitted too fast"
        review_status = re.findall(r'class="crowd-review">([^<]*)<', shown)[0]
        is_gold = assignment.external_id.startswith("gold-")
        assert review_status == ("gold: graded, not reviewed" if is_gold else "pending")
        assert assignment.worker_id in shown

        page = example.get("/results").text
        token = re.findall(r'name="csrf" value="([^"]+)"', page)[0]
        form = {"csrf": token, "worker_id": assignment.worker_id}
        block = example.origin + "/results/block"
        # another site's form, or one without the page's token, blocks no one
        cross = httpx.post(block, data=form, headers={"origin": "http://evil.example"})
        assert cross.status_code == 403 and cross.json()["error"]["field"] == "origin"
        fetched = httpx.post(block, data=form, headers={"sec-fetch-site": "cross-site"})
        assert fetched.status_code == 403 and fetched.json()["error"]["field"] == "origin"
        forged = httpx.post(block, data={**form, "csrf": "guess"})
        assert forged.status_code == 403 and forged.json()["error"]["field"] == "csrf"
        bad = httpx.post(block, data={**form, "worker_id": "<script>"})
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "worker_id"
        assert assignment.worker_id not in {b.worker_id for b in api.list_blocks()}

        blocked = httpx.post(block, data=form, headers={"origin": example.origin})
        assert blocked.status_code == 303
        assert [b.project_id for b in api.list_blocks() if b.worker_id == assignment.worker_id] == [
            None
        ], "blocked from all the client's projects"
        after = httpx.get(example.origin + blocked.headers["location"]).text
        assert f"Blocked {assignment.worker_id}." in after
        listed = browser.get("/work").text  # (it may still confirm their last answer)
        assert f"/work/projects/{project.id}/" not in listed, "the worker no longer sees it"


@pytest.mark.parametrize("workers", [2, 3])
def test_a_project_registered_by_an_older_example_gets_todays_quality_settings(
    gateway: Gateway, tmp_path: Path, workers: int
) -> None:
    made = subprocess.run(
        [BIN / "crowdframe", "create-client", "Older Labs", "--data-dir", gateway.data_dir,
         "--json"],
        check=True, capture_output=True,
    )  # fmt: skip
    info = json.loads(made.stdout)
    port = free_port()
    config = sentiment.SentimentConfig(
        gateway_url=gateway.origin,
        api_key=info["api_key"],
        signing_secret=info["signing_secret"],
        public_origin=f"http://127.0.0.1:{port}",
        data_dir=tmp_path,
        reading_test=False,
    )
    with crowdframe.Client(info["api_key"], base_url=gateway.origin) as api:
        # what an older version of the example registered: other redundancy and gold, no review
        old = api.create_project(
            title=TITLE, task_url=config.public_origin + "/task", reward_cents=10,
            estimated_seconds=20, assignments_per_task=workers, gold_ratio=0.2,
        )  # fmt: skip
        store = sentiment.SentimentStore(tmp_path / "sentiment.db")
        store.put(gateway=gateway.origin, task_url=old.task_url, project_id=old.id)
        store.close()
        example = Example(config, port)
        example.start()
        example.stop()

        projects = {p.id: p for p in sentiment_projects(api)}
        current = [p for p in projects.values() if p.status == "active"]
        assert len(current) == 1
        [project] = current
        assert (project.assignments_per_task, project.gold_ratio) == (3, 0.1)
        assert project.crowd_review is not None
        if workers == 3:  # brought up to date in place
            assert project.id == old.id
        else:  # each task keeps the redundancy it was added with: a new project replaces it
            assert project.id != old.id and projects[old.id].status == "paused"
            assert project.counts["tasks"] == len(sentiment.review_tasks())
