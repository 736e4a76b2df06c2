"""Worker accounts: sign-up with a profile, sign-in with a password."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..core.errors import InvalidInput, Unauthorized
from ..core.records import Worker, new_id, now
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
    "sign_up",
    "update_profile",
]

# The choices the sign-up form offers (ISO 3166-1 alpha-2 and ISO 639-1).
COUNTRIES = {
    "AR": "Argentina", "AT": "Austria", "AU": "Australia", "BD": "Bangladesh", "BE": "Belgium",
    "BR": "Brazil", "CA": "Canada", "CH": "Switzerland", "CL": "Chile", "CO": "Colombia",
    "CZ": "Czechia", "DE": "Germany", "DK": "Denmark", "EG": "Egypt", "ES": "Spain",
    "FI": "Finland", "FR": "France", "GB": "United Kingdom", "GH": "Ghana", "GR": "Greece",
    "ID": "Indonesia", "IE": "Ireland", "IN": "India", "IT": "Italy", "JP": "Japan",
    "KE": "Kenya", "KR": "South Korea", "MX": "Mexico", "NG": "Nigeria", "NL": "Netherlands",
    "NO": "Norway", "NZ": "New Zealand", "PE": "Peru", "PH": "Philippines", "PK": "Pakistan",
    "PL": "Poland", "PT": "Portugal", "RO": "Romania", "SE": "Sweden", "TR": "Türkiye",
    "UA": "Ukraine", "US": "United States", "VE": "Venezuela", "VN": "Viet Nam",
    "ZA": "South Africa",
}  # fmt: skip
LANGUAGES = {
    "ar": "Arabic", "bn": "Bengali", "de": "German", "en": "English", "es": "Spanish",
    "fr": "French", "hi": "Hindi", "it": "Italian", "ja": "Japanese", "ko": "Korean",
    "nl": "Dutch", "pl": "Polish", "pt": "Portuguese", "ru": "Russian", "sw": "Swahili",
    "tr": "Turkish", "uk": "Ukrainian", "zh": "Chinese",
}  # fmt: skip
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
            f"{bad[0]!r} is not a skill: use lowercase words joined by hyphens,"
            " like translation-de-en",
            field="skills",
        )
    if len(found) > MAX_SKILLS:
        raise InvalidInput(f"list at most {MAX_SKILLS} skills", field="skills")
    return found


def checked_email(email: str) -> str:
    """The email as accounts keep it (trimmed, lowercase); ``InvalidInput`` if it is not one."""
    email = email.strip().lower()
    if not _EMAIL.match(email) or len(email) > 254:
        raise InvalidInput("enter a valid email address", field="email")
    return email


def checked_password(password: str, *, field: str = "password") -> None:
    """A password an account may have (every kind of account: workers', client users')."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"choose a password of at least {MIN_PASSWORD} characters", field=field)
    if len(password) > 1000:
        raise InvalidInput("that password is too long", field=field)


async def matching_password(password: str, stored: str | None) -> bool:
    """Whether ``password`` matches the ``stored`` hash; ``None`` (no such account) hashes a
    dummy all the same, so the answer time does not tell which emails exist."""
    ok = await asyncio.to_thread(verify_password, password, stored or _DUMMY_HASH)
    return stored is not None and ok


def _language_levels(languages: Sequence[str], native: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(languages))
    if any(code not in LANGUAGES for code in chosen) or not (chosen or native):
        raise InvalidInput("choose at least one language you work in", field="languages")
    if native and native not in LANGUAGES:
        raise InvalidInput("choose your native language from the list", field="native")
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
        raise InvalidInput("choose your country", field="country")
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
        raise Unauthorized("wrong email or password", field="email")
    return worker


_DUMMY_HASH = hash_password("not a real password")
