"""Worker accounts: sign-up with a profile, sign-in with a password."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..core.errors import InvalidInput, Unauthorized
from ..core.records import Worker, new_id, now
from ..core.text import N_
from ..core.validation import skill_slug
from .credentials import hash_password, verify_password

if TYPE_CHECKING:
    from ..runtime import Runtime


__all__ = [
    "COUNTRIES",
    "LANGUAGES",
    "authenticate",
    "checked_email",
    "checked_password",
    "matching_password",
    "parse_skills",
    "set_locale",
    "sign_up",
    "update_profile",
]

# The choices the sign-up form offers: every country of ISO 3166-1 (alpha-2), and the languages
# (ISO 639-1) work is offered in; pages name them in the worker's language (web/i18n.py).
COUNTRIES = frozenset({
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX",
    "AZ", "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ",
    "BR", "BS", "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK",
    "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM",
    "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR",
    "GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS",
    "GT", "GU", "GW", "GY", "HK", "HM", "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN",
    "IO", "IQ", "IR", "IS", "IT", "JE", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN",
    "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV",
    "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ",
    "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI",
    "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM",
    "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW", "SA", "SB", "SC",
    "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS", "ST", "SV",
    "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR",
    "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
})  # fmt: skip
LANGUAGES = frozenset({
    "ar", "bn", "de", "en", "es", "fr", "hi", "it", "ja", "ko", "nl", "pl", "pt", "ru", "sw",
    "tr", "uk", "zh",
})  # fmt: skip
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
MIN_PASSWORD = 10
MAX_SKILLS = 30


def parse_skills(text: str) -> tuple[str, ...]:
    """Skills as a worker types them, separated by commas or spaces: ``"Transcription,
    translation-de-en"`` → ``("transcription", "translation-de-en")``."""
    found = tuple(dict.fromkeys(s for s in re.split(r"[,\s]+", text.strip().lower()) if s))
    bad = [s for s in found if not skill_slug(s)]
    if bad:
        raise InvalidInput(
            N_(
                "%(skill)s is not a skill: use lowercase words joined by hyphens, like"
                " translation-de-en"
            ),
            field="skills",
            params={"skill": repr(bad[0])},
        )
    if len(found) > MAX_SKILLS:
        raise InvalidInput(
            N_("list at most %(most)s skills"), field="skills", params={"most": MAX_SKILLS}
        )
    return found


def checked_email(email: str) -> str:
    """The email as accounts keep it (trimmed, lowercase); ``InvalidInput`` if it is not one."""
    email = email.strip().lower()
    if not _EMAIL.match(email) or len(email) > 254:
        raise InvalidInput(N_("enter a valid email address"), field="email")
    return email


def checked_password(password: str, *, field: str = "password") -> None:
    """A password an account may have (every kind of account: workers', client users')."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            N_("choose a password of at least %(least)s characters"),
            field=field,
            params={"least": MIN_PASSWORD},
        )
    if len(password) > 1000:
        raise InvalidInput(N_("that password is too long"), field=field)


async def matching_password(password: str, stored: str | None) -> bool:
    """Whether ``password`` matches the ``stored`` hash; ``None`` (no such account) hashes a
    dummy all the same, so the answer time does not tell which emails exist."""
    ok = await asyncio.to_thread(verify_password, password, stored or _DUMMY_HASH)
    return stored is not None and ok


def _language_levels(languages: Sequence[str], native: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(languages))
    if any(code not in LANGUAGES for code in chosen) or not (chosen or native):
        raise InvalidInput(N_("choose at least one language you work in"), field="languages")
    if native and native not in LANGUAGES:
        raise InvalidInput(N_("choose your native language from the list"), field="native")
    return ((f"{native}:native",) if native else ()) + tuple(
        f"{code}:fluent" for code in chosen if code != native
    )


async def sign_up(
    rt: Runtime,
    *,
    email: str,
    password: str,
    country: str,
    languages: Sequence[str],
    native: str = "",
    skills: str = "",
) -> Worker:
    """A new worker account. ``languages`` are the languages they work in fluently, ``native``
    their native language (optional); both ISO 639-1 codes. ``skills`` as typed in the form
    (``parse_skills``)."""
    email = checked_email(email)
    checked_password(password)
    if country not in COUNTRIES:
        raise InvalidInput(N_("choose your country"), field="country")
    levels = _language_levels(languages, native)
    worker = Worker(
        id=new_id("wrk"),
        email=email,
        password_hash=await asyncio.to_thread(hash_password, password),
        country=country,
        languages=levels,
        created_at=now(),
        skills=parse_skills(skills),
    )
    await rt.store.create_worker(worker)
    return worker


async def update_profile(
    rt: Runtime, worker: Worker, *, languages: Sequence[str], native: str, skills: str
) -> Worker:
    """Change the worker's languages and skills (the profile page); the country stays."""
    return await rt.store.update_worker_profile(
        worker.id, languages=_language_levels(languages, native), skills=parse_skills(skills)
    )


async def authenticate(rt: Runtime, email: str, password: str) -> Worker:
    worker = await rt.store.worker_by_email(email.strip().lower())
    ok = await matching_password(password, worker.password_hash if worker else None)
    if worker is None or not ok:
        raise Unauthorized(N_("wrong email or password"), field="email")
    return worker


_DUMMY_HASH = hash_password("not a real password")


async def set_locale(rt: Runtime, worker: Worker, locale: str) -> Worker:
    """The language the worker chose for their pages (one the pages speak: web/i18n.py)."""
    return await rt.store.set_worker_locale(worker.id, locale)
