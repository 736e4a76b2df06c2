"""axe-core finds no serious or critical violation on any page, and no page is wider than its
window: every workplace page and every console page, in English and in German, each at desktop
(1280x800) and phone (390x844) size, in Debian's Chromium. A new page is one line in
showcase.py's ``WORKPLACE`` or ``CONSOLE``.

axe-core is vendored in e2e/vendor/axe-core (README there) and run by e2e/accessibility.py; the
task pages in frames are the clients' own, not checked here."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from accessibility import serious_violations
from showcase import CONSOLE, SIZES, WORKPLACE, Showcase, Visit, open_showcase, showing

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def showcase(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Showcase]:
    with open_showcase(browser, tmp_path_factory.mktemp("showcase")) as showcase:
        yield showcase


def violations(page: Page) -> list[str]:
    """Each serious or critical violation axe-core finds on the page: the rule, the elements."""
    return [
        f"{found['id']} ({found['impact']}) at {', '.join(found['nodes'])}"
        for found in serious_violations(page)
    ]


def overflow(page: Page) -> list[str]:
    """The page wider than the window (a phone's reader would scroll sideways): WCAG's reflow."""
    width = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    return [f"reflow: the page is {width} px wider than the window"] if width > 0 else []


def check(showcase: Showcase, visit: Visit, language: str, size: str) -> None:
    page = showing(showcase, visit, language, size)
    found = violations(page) + overflow(page)
    assert not found, f"{visit.name} ({language}, {size}, {page.url}):\n" + "\n".join(found)


# a language at a time: a signed-in worker's pages switch language once, not at every page
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("visit", WORKPLACE, ids=lambda visit: visit.name)
@pytest.mark.parametrize("language", ["en", "de"])
def test_a_workplace_page_has_no_serious_violation(
    showcase: Showcase, visit: Visit, language: str, size: str
) -> None:
    check(showcase, visit, language, size)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("visit", CONSOLE, ids=lambda visit: visit.name)
@pytest.mark.parametrize("language", ["en", "de"])
def test_a_console_page_has_no_serious_violation(
    showcase: Showcase, visit: Visit, language: str, size: str
) -> None:
    check(showcase, visit, language, size)
