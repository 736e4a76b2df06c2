"""The languages the pages speak: which one a request gets, its catalog, and money, dates,
numbers and the names of countries and languages as that language writes them (Babel, CLDR).

English is the source language; every other one has a gettext catalog in ``locales/`` (made by
``make translations``), read once when first used. A request's language is the one the visitor
chose on a page (the ``cf_locale`` cookie), else the best of ``Accept-Language``, else English;
``use`` makes it the current one for what the request renders, so templates and code call
``gettext`` without passing it along. The gettext core itself (the catalogs, ``use``, ``say``,
``money``) is ``core/translation.py``, shared with the emails; it is re-exported here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from datetime import date as date_type
from functools import lru_cache

import jinja2
from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent
from starlette.requests import Request
from starlette.responses import RedirectResponse

from ..core.translation import (
    CATALOGS,
    DEFAULT,
    LOCALES,
    current,
    gettext,
    money,
    ngettext,
    say,
    use,
)
from ..identity.rules import same_site_path

__all__ = [
    "CATALOGS",
    "COOKIE",
    "DEFAULT",
    "LOCALES",
    "country_name",
    "country_names",
    "current",
    "date",
    "gettext",
    "install",
    "language_names",
    "locale_of",
    "money",
    "negotiate",
    "ngettext",
    "number",
    "own_name",
    "percent",
    "say",
    "switched",
    "time_of_day",
    "use",
]

COOKIE = "cf_locale"  # the language a visitor chose on a page (the workplace's and console's)
COOKIE_SECONDS = 365 * 24 * 3600


def locale_of(request: Request, preferred: str | None = None) -> str:
    """The language of a request's pages: ``preferred`` (a signed-in person's choice), else
    the one chosen in this browser (the cookie), else its ``Accept-Language``."""
    chosen = preferred or request.cookies.get(COOKIE)
    return negotiate(chosen, request.headers.get("accept-language"))


def negotiate(chosen: str | None, accept_language: str | None) -> str:
    """The language a request gets: the one chosen, else the first of ``Accept-Language`` (by
    its q-values) that is offered, by language or language-region (``de-AT`` gets ``de``)."""
    if chosen in LOCALES:
        return chosen
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and q > 0:
            ranked.append((-q, i, tag.strip().lower()))
    for _, _, tag in sorted(ranked):
        language = tag.split("-")[0]
        if language in LOCALES:
            return language
    return DEFAULT


def number(value: float) -> str:
    return format_decimal(value, locale=current())


def percent(share: float) -> str:
    """A share (0.8) as the current language writes it: ``80%``, ``80 %``."""
    return format_percent(share, locale=current())


def date(at: float) -> str:
    """``1. Dezember 2026`` in German, ``December 1, 2026`` in English (UTC)."""
    return _long_date(datetime.fromtimestamp(at, UTC).date(), current())


@lru_cache(maxsize=4096)  # a page's dates are a few days, written again on every page
def _long_date(day: date_type, locale: str) -> str:
    return format_date(day, format="long", locale=locale)


def time_of_day(at: float, *, with_date: bool = False) -> str:
    """The time (UTC), as the current language writes it, with the date if asked."""
    moment = datetime.fromtimestamp(at, UTC)
    if with_date:
        return format_datetime(moment, format="medium", tzinfo=UTC, locale=current()) + " UTC"
    return format_datetime(moment, format="HH:mm:ss", tzinfo=UTC, locale=current()) + " UTC"


def country_names(codes: frozenset[str]) -> list[tuple[str, str]]:
    """``(code, name)`` of each country, named and sorted in the current language."""
    names = Locale.parse(current()).territories
    return sorted(((c, names.get(c, c)) for c in codes), key=lambda item: _sort_key(item[1]))


def language_names(codes: frozenset[str]) -> list[tuple[str, str]]:
    """``(code, name)`` of each language, in the current language and, where that differs, in
    its own (``Deutsch`` in English: ``German (Deutsch)``), sorted."""
    here = Locale.parse(current()).languages
    named = []
    for code in codes:
        name = here.get(code, code)
        own = Locale.parse(code).get_language_name(code) or name
        named.append((code, name if own.casefold() == name.casefold() else f"{name} ({own})"))
    return sorted(named, key=lambda item: _sort_key(item[1]))


def _sort_key(name: str) -> str:
    return name.casefold()


def country_name(code: str) -> str:
    """A country (ISO 3166 code) as the current language names it."""
    return str(Locale.parse(current()).territories.get(code, code))


def own_name(locale: str) -> str:
    """A language as it names itself (``Deutsch``), for the switch."""
    name = Locale.parse(locale).get_display_name(locale) or locale
    return name[:1].upper() + name[1:]


def switched(request: Request, chosen: str, back: str, *, home: str = "/") -> RedirectResponse:
    """The answer to a page's language switch: back to ``back`` (``home`` unless it is a path of
    this site), with ``chosen`` (if offered) kept in this browser for a year, for every page of
    the site (workplace and console)."""
    response = RedirectResponse(same_site_path(back) or home, status_code=303)
    if chosen in LOCALES:
        secure = request.url.scheme == "https"
        response.set_cookie(
            COOKIE, chosen, max_age=COOKIE_SECONDS, samesite="lax", secure=secure, httponly=True
        )
    return response


def install(env: jinja2.Environment) -> None:
    """Give an environment's templates ``_``/``gettext``/``ngettext`` in the current language
    (escaped, with ``%(name)s`` arguments), the ``money``, ``date`` and ``number`` filters, and
    ``locale`` (the current language, e.g. for ``<html lang>``)."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["money"] = money
    env.filters["date"] = date
    env.filters["number"] = number
    env.filters["percent"] = percent
    env.globals["locale"] = current
    env.globals["locales"] = LOCALES
    env.globals["own_name"] = own_name
    env.globals["country_name"] = country_name
    env.globals["say"] = say
