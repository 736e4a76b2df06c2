"""The rules of workers' accounts, case by case, without a store or a server: where a sign-in
may land (paths on this site only), when an emailed link still works (once, until it expires),
what an attempt to send an email leads to, and which SMTP URLs name a server."""

from __future__ import annotations

import pytest

from crowdframe_gateway.core.errors import Conflict, NotFound
from crowdframe_gateway.identity import rules
from crowdframe_gateway.identity.records import AccountLink
from crowdframe_gateway.mail.rules import after_attempt
from crowdframe_gateway.mail.transport import SmtpServer, parse_smtp_url
from crowdframe_gateway.settings import Settings, SettingsError


@pytest.mark.parametrize(
    ("asked", "lands"),
    [
        ("/earnings", "/earnings"),
        ("/work/projects/prj_1/preview?x=1#top", "/work/projects/prj_1/preview?x=1#top"),
        ("/inbox/threads/thr_9", "/inbox/threads/thr_9"),
        ("/%2F%2Fevil.example", "/%2F%2Fevil.example"),  # encoded: a path here, not a host
        ("", None),
        (None, None),
        ("earnings", None),  # relative
        ("//evil.example", None),  # protocol-relative: another site
        ("//evil.example/work", None),
        ("///evil.example", None),
        ("/\\evil.example", None),  # browsers read \ as /
        ("\\\\evil.example", None),
        ("/work\\..\\evil", None),
        ("http://evil.example/", None),
        ("https://127.0.0.1:8000/work", None),  # even our own origin: a path is enough
        ("javascript:alert(1)", None),
        ("/\t/evil.example", None),  # browsers drop the tab: //evil.example
        ("/\n/evil.example", None),
        ("/work\r\nSet-Cookie: x=1", None),
        ("/ work", None),
        ("/" + "a" * 2001, None),
        ("/signin", None),  # the account pages themselves: back to the default
        ("/signin?next=/earnings", None),
        ("/signup/", None),
        ("/password/reset/cfl_x", None),
        ("/verify/cfl_x", None),
    ],
)
def test_a_sign_in_lands_only_on_a_path_of_this_site(asked: str | None, lands: str | None) -> None:
    assert rules.landing_path(asked) == lands


@pytest.mark.parametrize(
    ("asked", "back"),
    [("/signup", "/signup"), ("/work", "/work"), ("//evil.example", None), ("/\\x", None)],
)
def test_the_language_switch_goes_back_to_any_page_of_this_site(
    asked: str, back: str | None
) -> None:
    assert rules.same_site_path(asked) == back


MADE = 1_000_000.0
HOUR = 3600.0


def link(purpose: str = "reset", *, used_at: float | None = None) -> AccountLink:
    return AccountLink(
        "lnk_1", "wrk_1", purpose, "ada@example.org", MADE,  # type: ignore[arg-type]
        MADE + rules.LINK_SECONDS[purpose], used_at,  # type: ignore[index]
    )  # fmt: skip


@pytest.mark.parametrize(
    ("found", "purpose", "at", "refused"),
    [
        (link(), "reset", MADE, None),
        (link(), "reset", MADE + HOUR - 0.001, None),
        (link(), "reset", MADE + HOUR, "link_expired"),  # a reset link lasts one hour
        (link(), "reset", MADE + 30 * 86400, "link_expired"),
        (link("verify"), "verify", MADE + 7 * 86400 - 1, None),  # a verification link, a week
        (link("verify"), "verify", MADE + 7 * 86400, "link_expired"),
        (link(used_at=MADE + 1), "reset", MADE + 2, "link_used"),  # once
        (link(used_at=MADE + 1), "reset", MADE + 2 * HOUR, "link_used"),  # used says more
        (link("verify"), "reset", MADE, "link_unknown"),  # a link of another kind
        (link("reset"), "verify", MADE, "link_unknown"),
        (None, "reset", MADE, "link_unknown"),
    ],
)
def test_an_emailed_link_works_once_until_it_expires(
    found: AccountLink | None, purpose: str, at: float, refused: str | None
) -> None:
    if refused is None:
        rules.check_link_open(found, purpose=purpose, now=at)  # type: ignore[arg-type]
        return
    error = NotFound if refused == "link_unknown" else Conflict
    with pytest.raises(error) as caught:
        rules.check_link_open(found, purpose=purpose, now=at)  # type: ignore[arg-type]
    assert caught.value.code == refused


SCHEDULE = (30.0, 120.0)


@pytest.mark.parametrize(
    ("attempts_done", "error", "code", "status", "delay"),
    [
        (1, None, None, "sent", None),
        (3, None, None, "sent", None),  # sent on a retry
        (1, "ConnectionRefusedError", None, "pending", 30.0),  # the server is down: later
        (1, "451 try later", 451, "pending", 30.0),  # a temporary refusal: later
        (2, "421 closing", 421, "pending", 120.0),
        (3, "ConnectionRefusedError", None, "failed", None),  # the schedule is spent
        (1, "550 no such user", 550, "failed", None),  # refused for good: no retry
        (1, "554 rejected", 554, "failed", None),
    ],
)
def test_an_email_is_tried_again_unless_refused_for_good_or_out_of_time(
    attempts_done: int, error: str | None, code: int | None, status: str, delay: float | None
) -> None:
    result = after_attempt(
        "eml_1", attempts_done=attempts_done, at=MADE, error=error, smtp_code=code,
        schedule=SCHEDULE,
    )  # fmt: skip
    assert (result.status, result.error) == (status, error)
    if delay is None:
        assert result.next_attempt_at is None
    else:  # ±10 % jitter
        assert result.next_attempt_at is not None
        assert MADE + delay * 0.9 <= result.next_attempt_at <= MADE + delay * 1.1


@pytest.mark.parametrize(
    ("url", "server"),
    [
        ("smtp://mail.example.org", SmtpServer("smtp", "mail.example.org", 25)),
        ("smtp://127.0.0.1:2525", SmtpServer("smtp", "127.0.0.1", 2525)),
        (
            "smtp+starttls://u%40x:p%3Aw@mx.example.org",
            SmtpServer("smtp+starttls", "mx.example.org", 587, "u@x", "p:w"),
        ),
        ("smtps://mx.example.org", SmtpServer("smtps", "mx.example.org", 465)),
    ],
)
def test_an_smtp_url_names_the_server_its_security_and_login(url: str, server: SmtpServer) -> None:
    assert parse_smtp_url(url) == server


@pytest.mark.parametrize(
    ("env", "refusal"),
    [
        ({"CROWDFRAME_SMTP_URL": "mail.example.org"}, "must be smtp://"),
        ({"CROWDFRAME_SMTP_URL": "http://mail.example.org"}, "must be smtp://"),
        ({"CROWDFRAME_SMTP_URL": "smtp://"}, "names no host"),
        ({"CROWDFRAME_MAIL_RETRY_SCHEDULE": "soon"}, "CROWDFRAME_MAIL_RETRY_SCHEDULE is comma"),
        (
            {**(prod := {"CROWDFRAME_ENV": "production", "CROWDFRAME_SECRET_KEY": "k" * 40,
                         "CROWDFRAME_PUBLIC_ORIGIN": "https://cf.example"}),
             "CROWDFRAME_SMTP_URL": "smtp://u:secret@mx.example.org"},
            "over TLS only",
        ),
        ({**prod, "CROWDFRAME_SMTP_URL": "terminal:"}, "needs an SMTP server"),
    ],
)  # fmt: skip
def test_a_wrong_smtp_setting_is_refused_at_start_saying_why(
    env: dict[str, str], refusal: str
) -> None:
    with pytest.raises(SettingsError, match=refusal):
        Settings.from_env(env)


def test_the_older_smtp_host_and_port_still_name_a_server() -> None:
    settings = Settings.from_env({"CROWDFRAME_SMTP_HOST": "relay", "CROWDFRAME_SMTP_PORT": "26"})
    assert settings.smtp_url == "smtp://relay:26"
    assert Settings.from_env({}).smtp_url == ""  # no email at all
    assert Settings.from_env({"CROWDFRAME_SMTP_URL": "terminal:"}).smtp_url == "terminal:"
