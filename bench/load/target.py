"""The only targets the load generator accepts: an http:// address on this machine's loopback.

A load test sends traffic to servers we run here, nowhere else. A host name is resolved and every
address it resolves to must be a loopback address (127.0.0.0/8 or ::1); anything else, private
ranges included, is refused before a single byte is sent.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.parse
from dataclasses import dataclass


class TargetRefused(ValueError):
    """The address is not on the loopback (or is not an http:// address)."""


@dataclass(frozen=True)
class Target:
    host: str  # as given (a name or a literal address)
    port: int
    path: str  # base path, '' or '/prefix' without a trailing slash

    @property
    def http(self) -> str:
        return f"http://{self._netloc}{self.path}"

    @property
    def origin(self) -> str:
        return f"http://{self._netloc}"

    @property
    def ws(self) -> str:
        return f"ws://{self._netloc}{self.path}/_stcore/stream"

    @property
    def _netloc(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def loopback_target(url: str) -> Target:
    """Parse `url` (http://HOST:PORT[/base]) and check that HOST is on the loopback.

    Raises TargetRefused with a one-line reason otherwise (including when the name cannot be
    resolved: an address we cannot check is not used)."""
    parsed = urllib.parse.urlsplit(str(url))
    if parsed.scheme != "http":
        raise TargetRefused(f"endast http:// på loopback stöds, inte {url!r}")
    host = parsed.hostname
    if not host:
        raise TargetRefused(f"ingen värd i {url!r}")
    try:
        port = parsed.port or 80
    except ValueError:
        raise TargetRefused(f"ogiltig port i {url!r}") from None
    if parsed.username or parsed.password or parsed.query or parsed.fragment:
        raise TargetRefused(f"adressen får inte ha användare, frågesträng eller fragment: {url!r}")
    if _is_loopback(host):
        addresses = [host]
    else:
        try:
            infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
        except OSError as exc:
            raise TargetRefused(f"{host} kan inte slås upp ({exc}); endast loopback-adresser används") from None
        addresses = sorted({info[4][0] for info in infos})
    outside = [a for a in addresses if not _is_loopback(a)]
    if outside or not addresses:
        raise TargetRefused(f"{host} är inte en loopback-adress ({', '.join(outside or ['inget svar'])}); "
                            "lasttestet skickar bara trafik till den här maskinen (127.0.0.0/8, ::1)")
    return Target(host=host, port=port, path=parsed.path.rstrip("/"))
