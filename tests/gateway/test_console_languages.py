"""The console in its user's language: the browser's, or the one chosen on a page (the same
choice as the workplace's), with money and countries as that language writes them; the API's
own messages stay English."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from console_world import UNDERPAID, console_owner, text_of
from crowdframe_gateway.web.console import render
from harness import ApiClient, Gateway

CONSOLE_ENV = render.templates.env
TEMPLATES = Path(render.__file__).parent / "templates"


async def test_the_console_speaks_the_language_the_browser_asks_for(gateway: Gateway) -> None:
    browser = gateway.browser()
    browser.http.headers["accept-language"] = "fr-CH, de-AT;q=0.8, en;q=0.5"
    page = await browser.get("/console/signin")
    assert page.headers["content-language"] == "de"
    assert "<h1>In der Konsole anmelden</h1>" in page.text and ">Anmelden</button>" in page.text

    wrong = await browser.post_form(
        "/console/signin", {"email": "nobody@acme.example", "password": "not the password"}
    )
    assert wrong.status_code == 401 and "E-Mail-Adresse oder Passwort ist falsch." in wrong.text

    english = await gateway.browser().get("/console/signin")
    assert english.headers["content-language"] == "en"
    assert "<h1>Sign in to the console</h1>" in english.text


async def test_a_language_chosen_in_the_console_stays_there_and_in_the_workplace(
    gateway: Gateway, api: ApiClient
) -> None:
    await api.project(tasks=1, reward_cents=25, currency="EUR", estimated_seconds=60)
    owner = await console_owner(api)
    forged = await owner.browser.http.post("/console/language", data={"locale": "de"})
    assert forged.status_code == 403 and "set-cookie" not in forged.headers

    chose = await owner.browser.post_form(
        "/console/language", {"locale": "de", "next": "/console/projects"}
    )

    assert chose.status_code == 303 and chose.headers["location"] == "/console/projects"
    listed = await owner.browser.get("/console/projects")
    assert listed.headers["content-language"] == "de"
    assert '<html lang="de">' in listed.text and 'action="/console/language"' in listed.text
    assert '<a href="/console/projects" aria-current="page">Projekte</a>' in listed.text
    assert "Neues Projekt" in listed.text and "aktiv · 1 Aufgabe · 0,25 € pro Aufgabe" in (
        text_of(listed)
    )
    assert ">Eingereicht</dt>" in listed.text and ">Freigegeben</dt>" in listed.text
    checked = await owner.browser.post_form("/console/projects/pay", UNDERPAID)
    assert (
        "Zahlt 9,00 € pro Stunde; der Mindestlohn in Deutschland beträgt 13,90 €. Zu niedrig"
        in text_of(checked)
    )
    form = await owner.browser.get("/console/projects/new")
    assert "<h2>Bezahlung</h2>" in form.text and "Vergütung pro Aufgabe (Cent)" in form.text
    refused = await owner.browser.post_form("/console/projects", UNDERPAID)
    assert refused.status_code == 422
    assert "Nicht gespeichert: " in text_of(refused), "the console's own words in German"
    assert "below the minimum wage in DE" in text_of(refused), "the API's message as it is"

    away = await owner.browser.post_form(
        "/console/language", {"locale": "en", "next": "https://evil.example/"}
    )
    assert away.headers["location"] == "/console/", "only back to a page of this site"
    assert "<h1>Projects</h1>" in (await owner.browser.get("/console/projects")).text
    await owner.browser.post_form("/console/language", {"locale": "de", "next": "/console/"})
    assert "<h1>Anmelden</h1>" in (await owner.browser.get("/signin")).text, "the workplace too"


async def test_a_file_is_published_in_german_with_its_counts_in_german(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project()
    owner = await console_owner(api)
    owner.browser.http.headers["accept-language"] = "de"
    new = await owner.browser.get(f"/console/projects/{project['id']}/batches/new")
    assert "<h1>Aufgaben aus einer Datei</h1>" in new.text and "20.000 Zeilen" in new.text
    assert 'data-too-large="Die Datei ist größer als 20 MB."' in new.text, "for the script"
    raw = b"id,text\nr1,Eins\nr2,Zwei\nr3,Drei\n"
    sent = await owner.browser.http.post(
        f"/console/projects/{project['id']}/batches",
        data={"csrf": owner.browser.csrf}, files={"file": ("drei.csv", raw, "text/csv")},
    )  # fmt: skip
    base = sent.headers["location"]
    rows = await owner.browser.get(base)
    assert "3 Zeilen · 2 Spalten" in text_of(rows) and "Datei prüfen" in rows.text
    choice = {"external_id": "id", "input": ["text"], "gold": ""}
    checked = await owner.browser.post_form(f"{base}/check", choice)
    assert "Alle 3 Zeilen sind gültige Aufgaben. Noch ist nichts veröffentlicht." in checked.text
    assert "3 Aufgaben veröffentlichen" in checked.text
    published = await owner.browser.http.post(
        f"{base}/publish", data={"csrf": owner.browser.csrf, **choice, "part": "0"},
        headers={"hx-request": "true"},
    )  # fmt: skip
    assert "3 von 3 Zeilen veröffentlicht" in text_of(published)
    assert "Fertig: 3 neue Aufgaben." in text_of(published)
    again = await owner.browser.post_form(f"{base}/publish", choice)
    shown = await owner.browser.get(again.headers["location"])
    assert "Aufgaben aus der Datei veröffentlicht." in shown.text, "the notice, in German"


class _Unmarked(HTMLParser):
    """Text a reader sees (an element's text, or a name or hint given in an attribute) left in
    a template's HTML once its marked texts and its expressions are taken out."""

    SPOKEN = ("aria-label", "title", "alt", "placeholder")

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._quiet = 0  # inside <code>, <script> or <style>: names and code, not words

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._quiet += tag in ("code", "script", "style")
        self.found += [v for k, v in attrs if k in self.SPOKEN and v and _words(v)]

    def handle_endtag(self, tag: str) -> None:
        self._quiet -= tag in ("code", "script", "style")

    def handle_data(self, data: str) -> None:
        if not self._quiet and _words(data):
            self.found.append(data.strip())


def _words(text: str) -> bool:
    """Whether ``text`` has a word (not an identifier like ``wkr_…`` or ``h1``)."""
    return re.search(r"(?<!\w)[^\W\d_]{2,}(?!\w)", text.replace(EXPRESSION, " ")) is not None


EXPRESSION = "\x00"  # where a template has {{ ... }} or {% ... %}
PENDING: set[str] = set()  # templates not marked yet


def _html_left(source: str) -> str:
    """The template's HTML with every expression and statement, and every text inside
    {% trans %}, replaced by EXPRESSION."""
    kept, in_trans, statement = [], False, []
    for _, kind, value in CONSOLE_ENV.lex(source):
        if kind == "block_begin":
            statement = []
        elif kind == "name" and not statement:
            statement.append(value)
            in_trans = value == "trans" or (in_trans and value != "endtrans")
        elif kind == "data" and not in_trans:
            kept.append(value)
            continue
        if not kept or kept[-1] != EXPRESSION:
            kept.append(EXPRESSION)
    return "".join(kept)


def test_no_console_template_has_text_left_unmarked() -> None:
    unmarked = {}
    for template in sorted(TEMPLATES.glob("*.html")):
        if template.name in PENDING:
            continue
        reader = _Unmarked()
        reader.feed(_html_left(template.read_text()))
        if reader.found:
            unmarked[template.name] = reader.found
    assert unmarked == {}, "mark them with _() or {% trans %} (docs/languages.md)"
    assert _words(_html_left("<p>Shown as it is</p>")), "the check sees an unmarked text"
