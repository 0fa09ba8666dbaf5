"""Where webhooks may go: http(s) URLs whose host resolves only to global addresses (the SSRF guard)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from prometheus.config import Settings
from prometheus.errors import ValidationFailed

# not global, though some Python versions' `ipaddress` still call them so
_ALSO_LOCAL = [ipaddress.ip_network(n) for n in ("192.0.0.0/24", "100.64.0.0/10")]
_NAT64 = [ipaddress.ip_network(n) for n in ("64:ff9b::/96", "64:ff9b:1::/48")]


def _embedded_v4(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (IPv4-mapped, 6to4, NAT64, Teredo), if any."""
    if ip.version != 6:
        return None
    if ip.ipv4_mapped or ip.sixtofour:
        return ip.ipv4_mapped or ip.sixtofour
    if any(ip in n for n in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.teredo[1] if ip.teredo else None


def is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Global by `ipaddress`'s own judgement, and so is any IPv4 address it carries."""
    inner = _embedded_v4(ip)
    return all(
        a.is_global and not any(a in n for n in _ALSO_LOCAL if n.version == a.version)
        for a in (ip, *([inner] if inner else []))
    )


def check_url(url: str, settings: Settings) -> str | None:
    """Refuse URLs that are not http(s), or that resolve to any address that is not global (SSRF): private,
    loopback, link-local, shared (100.64.0.0/10), reserved, and IPv6 forms carrying such an IPv4 address;
    unless PROMETHEUS_WEBHOOK_ALLOW_PRIVATE is set. The address checked, to connect to (None: any)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ValidationFailed(f"not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationFailed("a webhook URL must be http:// or https:// with a host")
    if settings.webhook_allow_private:
        return None
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, port or 443)}
    except (socket.gaierror, UnicodeError, ValueError):
        raise ValidationFailed(f"cannot resolve {parts.hostname}") from None
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not is_public(ip):
            raise ValidationFailed(
                f"{parts.hostname} resolves to {ip}, a private or local address, where webhooks may not go "
                "(set PROMETHEUS_WEBHOOK_ALLOW_PRIVATE=true to allow it)"
            )
    return sorted(addresses)[0]


def pinned(url: str, settings: Settings) -> tuple[str, dict[str, str], dict[str, str]]:
    """The URL checked and rewritten to the address checked (no second resolution that could lead
    elsewhere: DNS rebinding), with the Host header and TLS server name of the original host."""
    address = check_url(url, settings)
    if address is None:
        return url, {}, {}
    parts = urlsplit(url)
    host = f"[{address}]" if ":" in address else address
    userinfo, _, original = parts.netloc.rpartition("@")
    netloc = (f"{userinfo}@" if userinfo else "") + host + (f":{parts.port}" if parts.port else "")
    extensions = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
    return parts._replace(netloc=netloc).geturl(), {"host": original}, extensions
