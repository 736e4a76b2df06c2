"""What a worker does in the workplace, as Playwright steps shared by the e2e tests."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from services import World


def sign_up(page: Page, world: World, email: str, *, country: str = "DE") -> None:
    page.goto(world.gateway.origin + "/signup")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("a long password")
    page.get_by_label("Country you live in").select_option(country)
    page.get_by_label("English").check()
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Available tasks")).to_be_visible()
