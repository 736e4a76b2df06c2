"""Fake parties for e2e/test_widget_protocol.py: loopback web servers and the pages they serve."""

from .parties import (
    ASSIGNMENT,
    CSRF,
    FRESH_TOKEN,
    SUBMIT_URL,
    TOKEN_URL,
    World,
    open_world,
    page_html,
)
from .sites import Request, Site, html, json_answer

__all__ = [
    "ASSIGNMENT",
    "CSRF",
    "FRESH_TOKEN",
    "SUBMIT_URL",
    "TOKEN_URL",
    "Request",
    "Site",
    "World",
    "html",
    "json_answer",
    "open_world",
    "page_html",
]
