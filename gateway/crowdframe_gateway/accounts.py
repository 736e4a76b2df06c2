"""Worker accounts: sign-up with a profile, sign-in with a password."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence

from .credentials import hash_password, verify_password
from .errors import InvalidInput, Unauthorized
from .records import Worker, new_id, now
from .runtime import Runtime

__all__ = ["COUNTRIES", "LANGUAGES", "authenticate", "sign_up"]

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


async def sign_up(
    rt: Runtime,
    *,
    email: str,
    password: str,
    country: str,
    languages: Sequence[str],
    native: str = "",
) -> Worker:
    """A new worker account. ``languages`` are the languages they work in fluently, ``native``
    their native language (optional); both ISO 639-1 codes."""
    email = email.strip().lower()
    if not _EMAIL.match(email) or len(email) > 254:
        raise InvalidInput("enter a valid email address", field="email")
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            f"choose a password of at least {MIN_PASSWORD} characters", field="password"
        )
    if len(password) > 1000:
        raise InvalidInput("that password is too long", field="password")
    if country not in COUNTRIES:
        raise InvalidInput("choose your country", field="country")
    chosen = tuple(dict.fromkeys(languages))
    if any(code not in LANGUAGES for code in chosen) or not (chosen or native):
        raise InvalidInput("choose at least one language you work in", field="languages")
    if native and native not in LANGUAGES:
        raise InvalidInput("choose your native language from the list", field="native")
    levels = ((f"{native}:native",) if native else ()) + tuple(
        f"{code}:fluent" for code in chosen if code != native
    )
    worker = Worker(
        id=new_id("wrk"),
        email=email,
        password_hash=await asyncio.to_thread(hash_password, password),
        country=country,
        languages=levels,
        created_at=now(),
    )
    await rt.store.create_worker(worker)
    return worker


async def authenticate(rt: Runtime, email: str, password: str) -> Worker:
    worker = await rt.store.worker_by_email(email.strip().lower())
    # Hash even for an unknown email, so the answer time does not tell which emails exist.
    stored = worker.password_hash if worker else _DUMMY_HASH
    ok = await asyncio.to_thread(verify_password, password, stored)
    if worker is None or not ok:
        raise Unauthorized("wrong email or password", field="email")
    return worker


_DUMMY_HASH = hash_password("not a real password")
