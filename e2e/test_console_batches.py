"""A client publishes a batch from a file in the console, in Debian's Chromium: a 200-row CSV
with a gold column uploaded with a progress bar, its columns chosen, the first row previewed in
the task page as a worker sees it, published with progress and counted on the project's page;
published again, nothing new."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from flows import SENTIMENT
from services import World
from test_console import accept_the_invitation

pytestmark = pytest.mark.e2e

ROWS = 200


def write_csv(path: Path) -> Path:
    lines = ["review_id,text,sentiment,note"]
    for n in range(ROWS):
        gold = "positive" if n % 20 == 0 else ""
        lines.append(f'r{n},"Review number {n}: lovely, really",{gold},internal {n}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def tasks_counted(page: Page) -> int:
    found = re.match(r"(\d+) tasks", page.locator("#task-count").inner_text())
    assert found is not None
    return int(found.group(1))


def upload_and_choose(page: Page, csv: Path) -> None:
    page.get_by_role("link", name="Add tasks from a file").click()
    page.get_by_label("File (CSV or JSON Lines)").set_input_files(str(csv))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#row-count")).to_have_text(f"{ROWS} rows")
    expect(page.get_by_text("Review number 0: lovely, really").first).to_be_visible()
    page.get_by_label("Each task's external_id").select_option("review_id")
    page.get_by_label("sentiment", exact=True).uncheck()
    page.get_by_label("note", exact=True).uncheck()
    page.get_by_label("Gold answers (optional)").select_option("sentiment")
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#checked")).to_contain_text(f"All {ROWS} rows are valid tasks")


def publish(page: Page) -> None:
    page.evaluate("window.notReloaded = true")
    page.get_by_role("button", name=f"Publish {ROWS} tasks").click()
    expect(page.locator("#publish-done")).to_be_visible(timeout=15_000)
    expect(page.get_by_text(f"Published {ROWS} of {ROWS} rows")).to_be_visible()
    assert page.evaluate("window.notReloaded === true"), "the page was reloaded"


def test_a_client_publishes_a_batch_from_a_csv_file_once(
    page: Page, world: World, tmp_path: Path
) -> None:
    csv = write_csv(tmp_path / "reviews.csv")
    accept_the_invitation(page, world)
    page.get_by_role("link", name=SENTIMENT, exact=True).click()
    before = tasks_counted(page)
    project_url = page.url

    upload_and_choose(page, csv)
    link = page.get_by_role("link", name="Preview the first row as a worker sees it")
    preview = page.context.new_page()  # beside the checked file, as a new tab would be
    preview.goto(world.gateway.origin + str(link.get_attribute("href")))
    expect(preview.get_by_text("Preview", exact=True)).to_be_visible()
    frame = preview.frame_locator("#cf-task-frame")
    expect(frame.get_by_text("Review number 0: lovely, really")).to_be_visible(timeout=15_000)
    expect(frame.get_by_label("Positive")).to_be_visible()  # the worker's choices, as shown
    preview.close()

    publish(page)
    expect(page.locator("#publish-done")).to_contain_text(f"Done: {ROWS} new tasks.")
    page.goto(project_url)
    assert tasks_counted(page) == before + ROWS

    upload_and_choose(page, csv)  # the same file again
    publish(page)
    expect(page.locator("#publish-done")).to_contain_text("nothing new")
    page.goto(project_url)
    assert tasks_counted(page) == before + ROWS
