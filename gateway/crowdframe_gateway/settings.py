"""Configuration: ``CROWDFRAME_*`` environment variables, overridable by CLI flags."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from crowdframe.signing import origin_of

__all__ = ["DEFAULT_MAIL_RETRY_SCHEDULE", "DEFAULT_RETRY_SCHEDULE", "Settings", "SettingsError"]

# The schedule Svix runs: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
DEFAULT_RETRY_SCHEDULE = (5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0)
# An email is tried for about a day: 30 s, 2 min, 10 min, 30 min, 2 h, 6 h, 12 h.
DEFAULT_MAIL_RETRY_SCHEDULE = (30.0, 120.0, 600.0, 1800.0, 7200.0, 21600.0, 43200.0)
_SMTP_SCHEMES = ("smtp://", "smtp+starttls://", "smtps://")


class SettingsError(ValueError):
    """A setting is missing or unsafe; the message names the variable."""


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path = Path("data")
    store_url: str = ""  # empty: sqlite:///<data_dir>/crowdframe.db
    public_origin: str = "http://127.0.0.1:8000"
    # where MTurk HTMLQuestion pages are served (mturk/content.py): another origin than
    # public_origin, whose host name reaches this gateway too; empty: HTMLQuestion is refused
    content_origin: str = ""
    secret_key: str = ""  # empty: generated once into <data_dir>/secret.key (development)
    production: bool = False
    launch_token_seconds: int = 120
    retry_schedule: tuple[float, ...] = DEFAULT_RETRY_SCHEDULE
    delivery_timeout: float = 10.0
    allow_private_webhooks: bool = True  # loopback/private webhook URLs; off in production
    sqlite_synchronous: str = "FULL"
    sweep_interval: float = 5.0
    delivery_concurrency: int = 128  # webhook requests in flight in one process, all endpoints
    endpoint_concurrency: int = 16  # in flight to one endpoint, across every process
    disable_after: float = 5 * 24 * 3600.0  # an endpoint failing this long is disabled
    secret_grace: float = 24 * 3600.0  # an old endpoint secret keeps signing this long
    # sign-in attempts allowed per email and per client IP in a window (throttle.py)
    signin_attempts_per_email: int = 10
    signin_attempts_per_ip: int = 100
    signin_window: float = 900.0
    # conversations (docs/configuration.md): a rejection is disputed within this many seconds
    # of it, and a dispute answered within as many of its opening, or reported to the operator
    dispute_window: float = 14 * 24 * 3600.0
    # messages a client may send (each send to one worker or to a project's workers is one)
    messages_per_window: int = 30
    message_window: float = 3600.0
    # replies a worker may write in that window, over all their conversations
    replies_per_window: int = 20
    # email to workers (mail/): where it goes, smtp://, smtp+starttls://, smtps:// or terminal:
    # (printed, for the demo); empty: no email at all (notices in the inbox only). The older
    # CROWDFRAME_SMTP_HOST and _PORT still give smtp://HOST:PORT when no URL is set.
    smtp_url: str = ""
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_from: str = "crowdframe@localhost"
    mail_retry_schedule: tuple[float, ...] = DEFAULT_MAIL_RETRY_SCHEDULE
    # how long a request waits for an unreachable store (a Redis restarting) before its 503
    store_wait: float = 5.0
    # /metrics: the bearer token it asks for (empty: none), or a port of its own (0: none)
    metrics_token: str = ""
    metrics_port: int = 0
    metrics_host: str = "127.0.0.1"  # the interface of that port
    log_format: str = "text"  # or "json": one JSON object a line, with the request id

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        fallbacks: Mapping[str, object] | None = None,
        **overrides: object,
    ) -> Settings:
        """The settings ``env`` (the process environment) gives, ``overrides`` (CLI flags; a
        None is no flag) over them; ``fallbacks`` for what neither sets (a default that
        depends on other flags, as ``http://HOST:PORT``)."""
        env = os.environ if env is None else env
        values: dict[str, object] = dict(fallbacks or {})
        text = {
            "CROWDFRAME_DATA_DIR": "data_dir",
            "CROWDFRAME_STORE": "store_url",
            "CROWDFRAME_PUBLIC_ORIGIN": "public_origin",
            "CROWDFRAME_CONTENT_ORIGIN": "content_origin",
            "CROWDFRAME_SECRET_KEY": "secret_key",
            "CROWDFRAME_SQLITE_SYNCHRONOUS": "sqlite_synchronous",
            "CROWDFRAME_SMTP_URL": "smtp_url",
            "CROWDFRAME_SMTP_HOST": "smtp_host",
            "CROWDFRAME_SMTP_FROM": "smtp_from",
            "CROWDFRAME_METRICS_TOKEN": "metrics_token",
            "CROWDFRAME_METRICS_HOST": "metrics_host",
            "CROWDFRAME_LOG_FORMAT": "log_format",
        }
        for var, name in text.items():
            if env.get(var):
                values[name] = Path(env[var]) if name == "data_dir" else env[var]
        production = env.get("CROWDFRAME_ENV", "development") == "production"
        values["production"] = production
        values["allow_private_webhooks"] = not production
        if "CROWDFRAME_ALLOW_PRIVATE_WEBHOOKS" in env:
            values["allow_private_webhooks"] = _flag(env, "CROWDFRAME_ALLOW_PRIVATE_WEBHOOKS")
        numbers = {
            "CROWDFRAME_LAUNCH_TOKEN_SECONDS": "launch_token_seconds",
            "CROWDFRAME_DELIVERY_TIMEOUT": "delivery_timeout",
            "CROWDFRAME_SWEEP_INTERVAL": "sweep_interval",
            "CROWDFRAME_DELIVERY_CONCURRENCY": "delivery_concurrency",
            "CROWDFRAME_ENDPOINT_CONCURRENCY": "endpoint_concurrency",
            "CROWDFRAME_DISABLE_ENDPOINT_AFTER": "disable_after",
            "CROWDFRAME_WEBHOOK_SECRET_GRACE": "secret_grace",
            "CROWDFRAME_DISPUTE_WINDOW": "dispute_window",
            "CROWDFRAME_MESSAGES_PER_WINDOW": "messages_per_window",
            "CROWDFRAME_MESSAGE_WINDOW": "message_window",
            "CROWDFRAME_REPLIES_PER_WINDOW": "replies_per_window",
            "CROWDFRAME_SMTP_PORT": "smtp_port",
            "CROWDFRAME_STORE_WAIT": "store_wait",
            "CROWDFRAME_METRICS_PORT": "metrics_port",
        }
        integers = (
            "launch_token_seconds",
            "delivery_concurrency",
            "endpoint_concurrency",
            "messages_per_window",
            "replies_per_window",
            "smtp_port",
            "metrics_port",
        )
        for var, name in numbers.items():
            if env.get(var):
                values[name] = _number(env, var, integer=name in integers)
        for var, name in (
            ("CROWDFRAME_RETRY_SCHEDULE", "retry_schedule"),
            ("CROWDFRAME_MAIL_RETRY_SCHEDULE", "mail_retry_schedule"),
        ):
            if env.get(var):
                values[name] = _schedule(env[var], var)
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = replace(cls(), **values)  # type: ignore[arg-type]
        return settings.checked()

    def checked(self) -> Settings:
        if self.log_format not in ("text", "json"):
            raise SettingsError("CROWDFRAME_LOG_FORMAT must be text or json")
        try:
            origin = origin_of(self.public_origin)
        except ValueError:
            raise SettingsError("CROWDFRAME_PUBLIC_ORIGIN must be an http(s) origin") from None
        content = ""
        if self.content_origin:
            try:
                content = origin_of(self.content_origin)
            except ValueError:
                raise SettingsError("CROWDFRAME_CONTENT_ORIGIN must be an http(s) origin") from None
            if urlsplit(content).netloc == urlsplit(origin).netloc:
                raise SettingsError(
                    "CROWDFRAME_CONTENT_ORIGIN must have another host (or port) than the"
                    " gateway's own origin: requesters' HTML served there could act as the gateway"
                )
        if self.production:
            if content and not content.startswith("https://"):
                raise SettingsError("production mode needs an https CROWDFRAME_CONTENT_ORIGIN")
            if not self.secret_key or len(self.secret_key) < 32:
                raise SettingsError(
                    "production mode needs CROWDFRAME_SECRET_KEY (32+ random characters);"
                    " refusing to start with a development secret"
                )
            if not origin.startswith("https://"):
                raise SettingsError("production mode needs an https CROWDFRAME_PUBLIC_ORIGIN")
        return replace(
            self, public_origin=origin, content_origin=content, smtp_url=self._checked_smtp_url()
        )

    def _checked_smtp_url(self) -> str:
        url = self.smtp_url or (
            f"smtp://{self.smtp_host}:{self.smtp_port}" if self.smtp_host else ""
        )
        if url == "terminal:":
            if self.production:
                raise SettingsError(
                    "CROWDFRAME_SMTP_URL=terminal: prints emails (the demo's mailbox); production"
                    " mode needs an SMTP server"
                )
            return url
        if url and not url.startswith(_SMTP_SCHEMES):
            raise SettingsError(
                "CROWDFRAME_SMTP_URL must be smtp://, smtp+starttls:// or smtps://HOST[:PORT]"
                " (or terminal: to print emails)"
            )
        split = urlsplit(url)
        if url and not split.hostname:
            raise SettingsError("CROWDFRAME_SMTP_URL names no host, as in smtp://mail.example.org")
        if self.production and split.scheme == "smtp" and split.password:
            raise SettingsError(
                "production mode sends the SMTP password over TLS only: use smtps:// or"
                " smtp+starttls:// in CROWDFRAME_SMTP_URL"
            )
        return url

    @property
    def store(self) -> str:
        return self.store_url or f"sqlite:///{self.data_dir / 'crowdframe.db'}"

    @property
    def https(self) -> bool:
        return self.public_origin.startswith("https://")

    def resolved_secret_key(self) -> str:
        """The configured secret, or in development one generated once into the data dir."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret.key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(key)
        return key


def _flag(env: Mapping[str, str], var: str) -> bool:
    value = env[var].strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise SettingsError(f"{var} must be true or false, not {env[var]!r}")


def _number(env: Mapping[str, str], var: str, *, integer: bool) -> float:
    try:
        value = int(env[var]) if integer else float(env[var])
    except ValueError:
        raise SettingsError(f"{var} must be a number, not {env[var]!r}") from None
    if value <= 0:
        raise SettingsError(f"{var} must be positive")
    return value


def _schedule(text: str, var: str) -> tuple[float, ...]:
    try:
        schedule = tuple(float(part) for part in text.split(","))
    except ValueError:
        raise SettingsError(f"{var} is comma-separated seconds, e.g. 5,300,1800") from None
    if not schedule or any(s < 0 for s in schedule):
        raise SettingsError(f"{var} needs at least one non-negative delay")
    return schedule
