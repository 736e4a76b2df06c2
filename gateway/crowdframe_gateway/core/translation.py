"""The gettext core every text a worker reads goes through, pages and emails alike: the
languages offered, the current one, its catalog, and money as that language writes it.

It lives in ``core`` because emails are rendered outside a request, by contexts below the web
edge (``identity``'s account links, ``conversations``' notices); ``web/i18n.py`` builds the
pages' side (negotiation, Jinja, dates, CLDR names) on it. The catalogs stay where ``make
translations`` writes them, ``web/locales/``: one catalog for pages and emails.
"""

from __future__ import annotations

import gettext as stdlib_gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency
from babel.support import Translations

from .errors import GatewayError
from .text import Text

__all__ = [
    "CATALOGS",
    "DEFAULT",
    "LOCALES",
    "current",
    "gettext",
    "money",
    "ngettext",
    "say",
    "use",
]

LOCALES = ("en", "de")  # the first is the source language
DEFAULT = LOCALES[0]
CATALOGS = Path(__file__).parent.parent / "web" / "locales"
_current: ContextVar[str] = ContextVar("cf_locale", default=DEFAULT)


@cache
def _catalog(locale: str) -> stdlib_gettext.NullTranslations:
    if locale == DEFAULT:
        return stdlib_gettext.NullTranslations()
    with (CATALOGS / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=locale)
    compiled = BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out: they show in English
    compiled.seek(0)
    return Translations(compiled)


def current() -> str:
    """The language of what is being rendered now."""
    return _current.get()


@contextmanager
def use(locale: str | None) -> Iterator[None]:
    """Render in ``locale`` while inside (English for None or a language not offered)."""
    token = _current.set(locale if locale in LOCALES else DEFAULT)
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    """``message`` (English) in the current language; itself where the catalog lacks it."""
    return _catalog(current()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _catalog(current()).ngettext(singular, plural, n)


def money(cents: int, currency: str) -> str:
    """``0,10 €`` in German, ``€0.10`` in English."""
    return _money(cents, currency, current())


@lru_cache(maxsize=4096)  # pages show the same few amounts again and again; CLDR is slow
def _money(cents: int, currency: str, locale: str) -> str:
    return format_currency(Decimal(cents) / 100, currency, locale=locale)


def say(what: GatewayError | Text | str) -> str:
    """An English message (an error, a ``Text``, or a text marked with ``N_``) in the current
    language, with its values put in after."""
    if isinstance(what, str):
        return gettext(what)
    said = gettext(what.template) % what.params if what.params else gettext(what.template)
    return _sentence(said) if isinstance(what, GatewayError) else said


def _sentence(text: str) -> str:
    """An error as a sentence (the API writes them as phrases: "choose your country")."""
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
