"""Fake parties for the e2e tests: loopback web servers and the pages they serve. The fixed
values the widget tests' fake gateway answers with (assignment, CSRF, token, URLs) are in
``widget_harness.parties``."""

from .parties import World, open_world, page_html
from .sites import Request, Site, html, json_answer

__all__ = ["Request", "Site", "World", "html", "json_answer", "open_world", "page_html"]
