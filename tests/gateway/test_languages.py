"""The workplace in the worker's language: chosen on any page or taken from Accept-Language,
with money, dates and the names of countries and languages as that language writes them, the
task page told the language, and a German catalog that lacks no text a worker or a client's
people in the console can see (the console's pages: test_console_languages.py)."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from starlette.requests import Request

from crowdframe_gateway.web import i18n
from harness import ApiClient, Gateway

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = ROOT / "gateway" / "crowdframe_gateway" / "web" / "locales"


def test_every_text_a_worker_or_a_console_user_can_see_is_in_the_german_catalog(
    tmp_path: Path,
) -> None:
    template = tmp_path / "messages.pot"
    subprocess.run(  # as make translations collects them (with where each text is written)
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "N_", "-o", str(template), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with template.open("rb") as f:
        collected = [m for m in read_po(f) if m.id]
    wanted = [m.id for m in collected]
    console = [m.id for m in collected if any("/web/console/" in at for at, _ in m.locations)]
    assert len(wanted) > 250 and len(console) > 140, "the workplace's and the console's texts"
    with (CATALOGS / "de" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        german = {(m.id if isinstance(m.id, str) else tuple(m.id)): m for m in read_po(f)}
    missing = []
    for msgid in wanted:
        key = msgid if isinstance(msgid, str) else tuple(msgid)
        found = german.get(key)
        strings = (
            []
            if found is None
            else [found.string]
            if isinstance(found.string, str)
            else list(found.string)
        )
        if found is None or found.fuzzy or not strings or not all(strings):
            missing.append(key)
    assert missing == [], "not translated into German (run make translations, then translate)"


async def test_the_pages_speak_the_language_the_browser_asks_for(gateway: Gateway) -> None:
    browser = gateway.browser()
    browser.http.headers["accept-language"] = "fr-CH, de-AT;q=0.8, en;q=0.5"
    answer = await browser.get("/signin")
    assert '<html lang="de">' in answer.text and answer.headers["content-language"] == "de"
    assert "<h1>Anmelden</h1>" in answer.text and "Konto anlegen" in answer.text
    english = await gateway.browser().get("/signin")
    assert '<html lang="en">' in english.text and "<h1>Sign in</h1>" in english.text


async def test_a_language_chosen_on_a_page_stays_and_errors_follow_it(gateway: Gateway) -> None:
    browser = gateway.browser()
    await browser.get("/signup")
    chose = await browser.post_form("/language", {"locale": "de", "next": "/signup"})
    assert chose.status_code == 303 and chose.headers["location"] == "/signup"
    page = await browser.get("/signup")
    assert "Ihr Konto als Crowdworker anlegen" in page.text
    wrong = await browser.post_form(
        "/signup",
        {"email": "me@example.org", "password": "short", "country": "DE", "languages": ["de"]},
    )
    assert wrong.status_code == 422
    assert "Bitte wählen Sie ein Passwort mit mindestens 10 Zeichen." in wrong.text
    away = await browser.post_form("/language", {"locale": "en", "next": "https://evil.example/"})
    assert away.headers["location"] == "/", "only back to a page of this site"
    assert "Create your worker account" in (await browser.get("/signup")).text


async def test_every_country_is_offered_named_in_the_workers_language(gateway: Gateway) -> None:
    browser = gateway.browser()
    browser.http.headers["accept-language"] = "de"
    page = (await browser.get("/signup")).text
    countries = re.findall(r'<option value="([A-Z]{2})"', page)
    assert len(countries) == 249 and {"DE", "KE", "BR", "VN", "NP"} <= set(countries)
    assert ">Deutschland<" in page and ">Vereinigte Staaten<" in page
    assert ">Deutsch<" in page and ">Englisch (English)<" in page
    english = (await gateway.browser().get("/signup")).text
    assert ">Germany<" in english and ">German (Deutsch)<" in english


async def test_money_is_written_as_the_language_writes_it(gateway: Gateway, api: ApiClient) -> None:
    await api.project(tasks=1, reward_cents=40, currency="EUR", estimated_seconds=60)
    worker = await gateway.worker()
    english = (await worker.get("/work")).text
    assert "€0.40" in english
    await worker.post_form("/language", {"locale": "de", "next": "/work"})
    german = (await worker.get("/work")).text
    assert "0,40\xa0€" in german and "noch 1 Aufgabe" in german


async def test_the_task_page_is_told_the_workers_language(gateway: Gateway, api: ApiClient) -> None:
    project = await api.project(tasks=1)
    worker = await gateway.worker()
    worker.http.headers["accept-language"] = "de-DE,de;q=0.9"
    assignment = await worker.accept(project["id"])
    frame = (await worker.get(f"/work/assignments/{assignment}")).text
    assert 'data-locale="de"' in frame
    src = re.search(r'src="([^"]+)"', frame.split('id="cf-task-frame"')[1]).group(1)  # type: ignore[union-attr]
    assert "cf_locale=de" in src.replace("&amp;", "&")
    texts = re.search(r"data-texts='([^']+)'", frame).group(1)  # type: ignore[union-attr]
    told = json.loads(html.unescape(texts))
    assert told["left"] == "noch {time}" and told["submitted"] == "Gesendet.", (
        "what the host widget writes on the page (the timer, the submit) in German too"
    )


async def test_a_signed_in_workers_choice_follows_them_to_another_browser(
    gateway: Gateway,
) -> None:
    worker = await gateway.worker("polyglot@example.org")
    await worker.post_form("/language", {"locale": "de", "next": "/work"})
    elsewhere = gateway.browser()
    elsewhere.http.headers["accept-language"] = "en"
    await elsewhere.get("/signin")
    signed_in = await elsewhere.post_form(
        "/signin", {"email": "polyglot@example.org", "password": "correct horse"}
    )
    assert signed_in.status_code == 303
    page = await elsewhere.get("/work")
    assert '<html lang="de">' in page.text and "Verfügbare Aufgaben" in page.text


@pytest.mark.parametrize(
    ("back", "lands"),
    [
        ("/signup", "/signup"),
        ("/console/projects?cursor=x", "/console/projects?cursor=x"),
        ("https://evil.example/", "/home"),
        ("//evil.example/", "/home"),
        ("/\\evil.example/", "/home"),
        ("javascript:alert(1)", "/home"),
        ("", "/home"),
    ],
)
def test_a_language_switch_goes_back_only_to_a_page_of_this_site(back: str, lands: str) -> None:
    request = Request({"type": "http", "scheme": "https", "server": ("gateway.example", 443),
                       "headers": [(b"host", b"gateway.example")], "path": "/language",
                       "query_string": b""})  # fmt: skip
    answer = i18n.switched(request, "de", back, home="/home")
    assert answer.status_code == 303 and answer.headers["location"] == lands
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("cf_locale=de;") and "Path=/;" in cookie and "Secure" in cookie
    assert "set-cookie" not in i18n.switched(request, "xx", back).headers, "only a language offered"
