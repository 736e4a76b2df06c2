"""Leases through the real gateway, in Debian's Chromium: the task page's heartbeat reaches the
gateway through the host widget, the assignment's deadline moves in the store, and the timer in
the gateway's chrome follows it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

import pytest
from playwright.sync_api import Browser, Frame, Page, expect

from hostile import Arena, open_arena

pytestmark = pytest.mark.e2e

TASK_PAGE = """<!doctype html><meta charset="utf-8"><title>A long read</title>
<h1>Read this, then answer</h1><p id="state">connecting</p>
<script src="{gateway}/widgets/crowdframe-task.js"></script>
<script>
  Crowdframe.connect().then((task) => {{
    window.task = task;
    document.getElementById('state').textContent = 'connected';
  }});
</script>"""


@pytest.fixture(scope="module")
def arena(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Arena]:
    with open_arena(tmp_path_factory.mktemp("leases")) as arena:
        yield arena


def connected(page: Page) -> Frame:
    element = page.wait_for_selector("#cf-task-frame")
    frame = element.content_frame() if element else None
    assert frame is not None
    expect(frame.locator("#state")).to_have_text("connected")
    return frame


def deadline_of(arena: Arena, assignment_id: str) -> datetime:
    with arena.api() as api:
        return datetime.fromisoformat(api.get_assignment(assignment_id).deadline)


def test_a_heartbeat_keeps_the_task_longer_in_a_project_that_extends_leases(
    arena: Arena, browser: Browser
) -> None:
    title = "Long read"
    page_html = TASK_PAGE.format(gateway=arena.gateway.origin)
    arena.project(title, page_html, assignment_duration=60, lease_extension_seconds=900)
    page = arena.worker(browser.new_context())
    assignment_id = arena.accept(page, title)
    frame = connected(page)
    expect(page.locator("#cf-timer")).to_have_text(re.compile(r"^0[01]:\d\d left$"))
    claimed = deadline_of(arena, assignment_id)

    frame.evaluate("task.heartbeat()")  # as the page does by itself every 30 s

    expect(page.locator("#cf-timer")).to_have_text(re.compile(r"^1[45]:\d\d left$"))
    assert (deadline_of(arena, assignment_id) - claimed).total_seconds() > 800


def test_a_heartbeat_changes_nothing_in_a_project_that_does_not(
    arena: Arena, browser: Browser
) -> None:
    title = "Short read"
    arena.project(title, TASK_PAGE.format(gateway=arena.gateway.origin), assignment_duration=60)
    page = arena.worker(browser.new_context())
    assignment_id = arena.accept(page, title)
    frame = connected(page)
    claimed = deadline_of(arena, assignment_id)

    frame.evaluate("task.heartbeat(); task.progress(1, 1)")
    expect(page.locator("#cf-progress")).to_have_text("1 / 1")  # the heartbeat came before

    expect(page.locator("#cf-timer")).to_have_text(re.compile(r"^0[01]:\d\d left$"))
    assert deadline_of(arena, assignment_id) == claimed
