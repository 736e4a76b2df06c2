"""The HTTP headers a client's task page should be served with.

A task page runs inside the gateway's iframe with a launch token in its URL. Three headers keep
that safe: only the gateway may frame the page, the token-bearing URL never leaks through a
``Referer``, and no cache keeps a page rendered for one worker's token.
"""

from __future__ import annotations

import re

from ._token import origin_of

__all__ = ["task_page_headers"]

# What ``origin_of`` may return and still be safe inside a header value: no spaces, ';' or ','
# that would end the CSP directive, no line breaks.
_SAFE_ORIGIN = re.compile(r"https?://(?:[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")


def task_page_headers(gateway_origin: str) -> dict[str, str]:
    """The headers for a task page framed by the gateway at ``gateway_origin``.

    - ``Content-Security-Policy: frame-ancestors <gateway origin>``: no other site may frame the
      page (clickjacking), and nobody may open it in a frame of their own.
    - ``Referrer-Policy: no-referrer``: the page URL carries ``cf_token``; requests the page makes
      (images, scripts, links) must not send it along.
    - ``Cache-Control: no-store``: the page is rendered for one worker's token.

    ``gateway_origin`` may be any URL of the gateway; its origin is used. Add your own
    directives to the policy by appending ``"; script-src 'self' …"`` to the CSP value.

    >>> task_page_headers("https://gateway.example/")["Content-Security-Policy"]
    'frame-ancestors https://gateway.example'

    Raises ``ValueError`` when ``gateway_origin`` is not an http(s) origin.
    """
    origin = origin_of(gateway_origin)
    if not _SAFE_ORIGIN.fullmatch(origin):
        raise ValueError(f"not an origin that can go into a header: {gateway_origin!r}")
    return {
        "Content-Security-Policy": f"frame-ancestors {origin}",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }
