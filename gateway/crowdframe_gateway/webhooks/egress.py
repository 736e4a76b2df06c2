"""Outbound connections for webhooks, guarded against server-side request forgery.

A webhook URL is the client's choice, so a request to it must not reach the gateway's own
network: loopback, private, carrier-grade NAT, multicast and reserved addresses are refused
unless the operator allows private webhooks (development). Link-local addresses
(169.254.0.0/16, fe80::/10: where clouds serve instance metadata, credentials included) and the
metadata services' names are refused in every mode, development included. The check happens
when a connection is opened, on the addresses the name resolves to then, and the connection
goes to the very address that was checked: a name that resolves to a public address when
checked and to 127.0.0.1 a moment later (DNS rebinding) gets no second lookup. TLS still
verifies the certificate against the URL's hostname (``server_hostname``), whichever address
was dialled. Proxies from the environment are not used.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Awaitable, Callable

import httpx

from .transport import MAX_HEAD_BYTES, RequestFailed, Streams, WebhookTransport

__all__ = [
    "AddressRefused",
    "GuardedConnector",
    "Resolver",
    "always_refused",
    "guarded_transport",
    "refusal",
    "refused_name",
]

# host, port -> the addresses it resolves to
Resolver = Callable[[str, int], Awaitable[list[str]]]

_METADATA = (ipaddress.ip_network("169.254.0.0/16"), ipaddress.ip_network("fd00:ec2::/32"))
# cloud metadata services by name (GCP, AWS, Azure, Alibaba, Oracle): they resolve to link-local
# addresses, which the connector refuses too; the names are refused before any lookup
_METADATA_NAMES = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "instance-data",
        "instance-data.ec2.internal",
        "metadata.azure.internal",
        "metadata.tencentyun.com",
        "100-100-100-200.alibaba",
        "metadata.oraclecloud.com",
    }
)


class AddressRefused(RequestFailed):
    """Every address the webhook host resolved to is one the gateway may not call."""


def _ip(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def refused_name(host: str) -> str | None:
    """Why a webhook may never name ``host``, in any mode: a cloud metadata service."""
    name = host.lower().strip("[]").rstrip(".")
    if name in _METADATA_NAMES:
        return f"{host} is a cloud metadata service"
    return None


def always_refused(address: str) -> str | None:
    """Why a webhook may never connect to ``address``, even where private webhooks are allowed
    (development): a link-local address (cloud metadata)."""
    ip = _ip(address)
    if any(ip in net for net in _METADATA):
        return f"{address} is link-local (cloud metadata)"
    if ip.is_link_local:
        return f"{address} is a link-local address"
    return None


def refusal(address: str) -> str | None:
    """Why a webhook may not connect to ``address``, or None when it is a public address."""
    if reason := always_refused(address):
        return reason
    ip = _ip(address)
    if ip.is_loopback:
        return f"{address} is a loopback address"
    if ip.is_multicast or ip.is_unspecified or ip.is_reserved:
        return f"{address} is not a unicast address"
    if not ip.is_global:
        return f"{address} is a private address"
    return None


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class GuardedConnector:
    """Resolve, check, then connect to a checked address (never resolving twice)."""

    def __init__(
        self, *, allow_private: bool, resolve: Resolver, ssl_context: ssl.SSLContext
    ) -> None:
        self._allow_private = allow_private
        self._resolve = resolve
        self._tls = ssl_context

    async def connect(self, scheme: str, host: str, port: int) -> Streams:
        """Streams to ``host:port``; https verifies the certificate against ``host``."""
        if reason := refused_name(host):
            raise AddressRefused(f"refused to connect to {host}: {reason}")
        check = always_refused if self._allow_private else refusal
        try:
            addresses = [str(ipaddress.ip_address(host))]
        except ValueError:
            try:
                addresses = await self._resolve(host, port)
            except OSError as exc:
                raise RequestFailed(f"cannot resolve {host}: {exc}") from exc
        tls = self._tls if scheme == "https" else None
        reasons = []
        last_error: OSError | None = None
        for address in addresses:
            reason = check(address)
            if reason is not None:
                reasons.append(reason)
                continue
            try:
                return await asyncio.open_connection(
                    address,
                    port,
                    ssl=tls,
                    server_hostname=host if tls is not None else None,
                    limit=MAX_HEAD_BYTES,
                )
            except OSError as exc:  # ssl.SSLError (a certificate refused) is an OSError too
                last_error = exc
        if last_error is not None:
            raise RequestFailed(f"cannot connect to {host}:{port}: {last_error}") from last_error
        raise AddressRefused(f"refused to connect to {host}: {'; '.join(reasons) or 'no address'}")


def guarded_transport(
    *,
    allow_private: bool,
    resolve: Resolver | None = None,
    ssl_context: ssl.SSLContext | None = None,
    keep_per_origin: int = 16,
) -> WebhookTransport:
    """What webhook deliveries are sent with (``resolve`` and ``ssl_context`` for tests)."""
    connector = GuardedConnector(
        allow_private=allow_private,
        resolve=resolve or system_resolver,
        ssl_context=ssl_context or httpx.create_ssl_context(),  # certifi's CAs
    )
    return WebhookTransport(connector.connect, keep_per_origin=keep_per_origin)
