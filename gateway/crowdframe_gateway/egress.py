"""Outbound HTTP for webhooks, guarded against server-side request forgery.

A webhook URL is the client's choice, so a request to it must not reach the gateway's own
network: loopback, private, link-local (cloud metadata at 169.254.169.254), carrier-grade NAT,
multicast and reserved addresses are refused unless the operator allows private webhooks
(development). The check happens when a connection is opened, on the addresses the name
resolves to then, and the connection goes to the very address that was checked: a name that
resolves to a public address when checked and to 127.0.0.1 a moment later (DNS rebinding) gets
no second lookup. TLS still verifies the certificate against the URL's hostname (httpcore starts
TLS with ``server_hostname`` set to it). Proxies from the environment are not used.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import typing
from collections.abc import Awaitable, Callable

import httpcore
import httpx

__all__ = ["AddressRefused", "Resolver", "guarded_transport", "refusal"]

# host, port -> the addresses it resolves to
Resolver = Callable[[str, int], Awaitable[list[str]]]

_METADATA = (ipaddress.ip_network("169.254.0.0/16"), ipaddress.ip_network("fd00:ec2::/32"))


class AddressRefused(httpcore.ConnectError):
    """Every address the webhook host resolved to is one the gateway may not call."""


def refusal(address: str) -> str | None:
    """Why a webhook may not connect to ``address``, or None when it is a public address."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in net for net in _METADATA):
        return f"{address} is link-local (cloud metadata)"
    if ip.is_loopback:
        return f"{address} is a loopback address"
    if ip.is_link_local:
        return f"{address} is a link-local address"
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


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolve, check, then connect to a checked address (never resolving twice)."""

    def __init__(self, *, allow_private: bool, resolve: Resolver) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._allow_private = allow_private
        self._resolve = resolve

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = [str(ipaddress.ip_address(host.strip("[]")))]
        except ValueError:
            try:
                async with asyncio.timeout(timeout):
                    addresses = await self._resolve(host, port)
            except (OSError, TimeoutError) as exc:
                raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        reasons = []
        last_error: Exception | None = None
        for address in addresses:
            reason = None if self._allow_private else refusal(address)
            if reason is not None:
                reasons.append(reason)
                continue
            try:
                return await self._inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        if last_error is not None:
            raise last_error
        raise AddressRefused(f"refused to connect to {host}: {'; '.join(reasons) or 'no address'}")

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise AddressRefused("webhooks do not go to unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _GuardedTransport(httpx.AsyncHTTPTransport):
    def __init__(
        self,
        *,
        allow_private: bool,
        resolve: Resolver,
        ssl_context: ssl.SSLContext,
        limits: httpx.Limits,
    ) -> None:
        super().__init__(verify=ssl_context, trust_env=False, limits=limits)
        # the same pool httpx builds, with the guarded network backend
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_GuardedBackend(allow_private=allow_private, resolve=resolve),
        )


def guarded_transport(
    *,
    allow_private: bool,
    resolve: Resolver | None = None,
    ssl_context: ssl.SSLContext | None = None,
    max_connections: int = 512,
) -> httpx.AsyncBaseTransport:
    """The transport webhook deliveries use (``resolve`` and ``ssl_context`` for tests)."""
    return _GuardedTransport(
        allow_private=allow_private,
        resolve=resolve or system_resolver,
        ssl_context=ssl_context or httpx.create_ssl_context(),
        limits=httpx.Limits(
            max_connections=max_connections,
            max_keepalive_connections=min(max_connections, 256),
        ),
    )
