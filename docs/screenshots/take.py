"""Take the screenshots in docs/: the main workplace pages at desktop (1280x800) and phone
(390x844) size, in English and German, and the main console pages, on a gateway the e2e
showcase fills (e2e/showcase.py). Run by hand from the repository's root, after `make test`
has installed everything:

    .venv/bin/python docs/screenshots/take.py

It writes the PNGs beside itself; look at them before committing."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(ROOT / "e2e"), str(ROOT / "tests")]

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from showcase import CONSOLE, WORKPLACE, Showcase, Visit, open_showcase, showing  # noqa: E402

# (file, page, language, size): each main page once at each size, the languages alternating
SHOTS = [
    ("workplace-tasks-desktop-en", "task list", "en", "desktop"),
    ("workplace-tasks-phone-de", "task list", "de", "phone"),
    ("workplace-task-desktop-de", "task", "de", "desktop"),
    ("workplace-task-phone-en", "task", "en", "phone"),
    ("workplace-earnings-desktop-en", "earnings and rejections", "en", "desktop"),
    ("workplace-earnings-phone-de", "earnings and rejections", "de", "phone"),
    ("workplace-signin-desktop-de", "sign-in", "de", "desktop"),
    ("workplace-signin-phone-en", "sign-in", "en", "phone"),
    ("console-projects-desktop", "projects", "en", "desktop"),
    ("console-projects-phone", "projects", "en", "phone"),
    ("console-project-form-desktop", "new project", "en", "desktop"),
    ("console-batch-desktop", "batch rows", "en", "desktop"),
    ("console-batch-preview-phone", "batch preview", "en", "phone"),
]


def find(name: str, surface: str) -> Visit:
    [visit] = [v for v in (CONSOLE if surface == "console" else WORKPLACE) if v.name == name]
    return visit


def take(showcase: Showcase, file: str, name: str, language: str, size: str) -> Path:
    page: Page = showing(showcase, find(name, file.split("-", 1)[0]), language, size)
    page.wait_for_load_state("networkidle")  # the task page in its frame, too
    path = HERE / f"{file}.png"
    page.screenshot(path=path)
    return path


def main() -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        with tempfile.TemporaryDirectory() as tmp, open_showcase(browser, Path(tmp)) as showcase:
            for shot in SHOTS:
                path = take(showcase, *shot)
                print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} kB")
        browser.close()


if __name__ == "__main__":
    main()
