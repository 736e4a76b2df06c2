"""Steps of the worker's journey that several e2e modules take, through the real gateway."""

from __future__ import annotations

import importlib.util
import re
import time
from collections.abc import Callable
from types import ModuleType

from playwright.sync_api import Locator, Page, expect

from services import ROOT, World

__all__ = [
    "ANSWERS",
    "SENTIMENT",
    "answer_a_task",
    "answer_the_test",
    "expect_the_next_task",
    "sentiment_offer",
    "sign_up",
    "wait_for_results",
]

SENTIMENT = "Sentiment of short reviews"  # the sentiment example's project


def sign_up(page: Page, gateway_origin: str, email: str, *, country: str = "DE") -> None:
    """Create a worker account in the browser (English-speaking); ends on the task list."""
    page.goto(gateway_origin + "/signup")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("a long password")
    page.get_by_label("Country you live in").select_option(country)
    page.get_by_label("English").check()
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Available tasks")).to_be_visible()


def sentiment_offer(page: Page, world: World, email: str) -> Locator:
    """A new worker signs up; the sentiment example's offer on their task list."""
    sign_up(page, world.gateway.origin, email)
    return page.get_by_role("listitem").filter(has_text=SENTIMENT)


def expect_the_next_task(page: Page, after: str) -> None:
    """Straight on to the next task: another assignment than ``after``, its page connected."""
    page.wait_for_url(re.compile(r"/work/assignments/(?!" + re.escape(after) + ")"))
    submit = page.frame_locator("#cf-task-frame").get_by_role("button", name="Submit")
    expect(submit).to_be_enabled()


def answer_a_task(page: Page, project_title: str, sentiment: str) -> str:
    """From the task list, accept a task of the project (or continue the one in progress there:
    a submit hands the worker the project's next task) and answer it on the example's page
    (``sentiment``: "Positive", "Neutral" or "Negative"); the answered assignment's id."""
    # by the controls' own names: a review project's title ("Review: ...") holds the project's
    accept = page.get_by_role("button", name=f"Accept a task: {project_title}", exact=True)
    resume = page.get_by_role("link", name=f"Continue your task: {project_title}", exact=True)
    accept.or_(resume).click()
    page.wait_for_url(re.compile(r"/work/assignments/"))
    assignment_id = page.url.rsplit("/", 1)[1]
    task = page.frame_locator("#cf-task-frame")
    expect(task.get_by_role("button", name="Submit")).to_be_enabled()
    task.get_by_label(sentiment).check()
    task.get_by_role("button", name="Submit").click()
    page.wait_for_url(lambda url: assignment_id not in url)
    return assignment_id


def wait_for_results(world: World, count: int) -> dict[str, list[dict[str, object]]]:
    """What the sentiment example has received by webhook, once it has ``count`` results."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        seen = world.example_json("/results.json")
        if len(seen["results"]) >= count:
            return seen  # type: ignore[no-any-return]
        time.sleep(0.1)
    raise AssertionError(f"the example received {seen}")


def _reading_test() -> ModuleType:
    path = ROOT / "examples" / "sentiment" / "assessment.py"
    spec = importlib.util.spec_from_file_location("e2e_reading_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ANSWERS: dict[str, str] = dict(_reading_test().READING_TEST)  # the reading test's answers
WRONG = {"positive": "Negative", "negative": "Positive", "neutral": "Positive"}


def answer_the_test(
    page: Page, *, right: bool, progress: Callable[[int], str] | None = None
) -> list[str]:
    """Answer each question of the attempt in the frame; the review texts asked, in order.
    ``progress``: what the task bar says at the n-th question (from 1), checked at each."""
    asked: list[str] = []
    while "/work/assignments/" in page.url:
        if progress is not None:
            expect(page.locator(".question-number")).to_have_text(progress(len(asked) + 1))
        task = page.frame_locator("#cf-task-frame")
        submit = task.get_by_role("button", name="Submit")
        expect(submit).to_be_enabled()
        text = task.locator("#review").inner_text()
        asked.append(text)
        correct = ANSWERS[text]
        task.get_by_label(correct.capitalize() if right else WRONG[correct]).check()
        before = page.url
        submit.click()
        page.wait_for_url(lambda url, before=before: url != before)
    return asked
