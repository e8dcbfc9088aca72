"""Debian's haproxy in front of the worker processes: finding it and writing its config.

The config balances new browsers round-robin and keeps each one on its worker with a cookie
(``AUDIT_WORKER``): a Streamlit session, its uploads and its media live in one process's
memory. The cookie names a worker and nothing more, so it needs no Secure flag; haproxy here
speaks plain HTTP (a TLS terminator in front keeps its own). A worker that fails its health
checks is taken out, and a browser stuck to it is sent to another (``option redispatch``):
its log-in holds there too, as sessions live in the database.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from audit_app.i18n import _
from audit_app.serving.refusal import ServingCode, ServingRefused

HEALTH_PATH = "/_stcore/health"
WORKER_COOKIE = "AUDIT_WORKER"
WORKER_HEADER = "X-Audit-Worker"
"""Names the worker that answered (``w1``...): for tests and for whoever reads a trace."""
CLIENT_ADDRESS_HEADER = "X-Audit-Client-Address"
"""The browser's address as haproxy's socket saw it, set (never appended) on every request:
behind the proxy every worker sees only 127.0.0.1, and log-in throttling counts by address."""
SYSTEM_DIRS = "/usr/sbin:/sbin"
"""Where Debian installs haproxy; not on an ordinary user's PATH."""
_ADDRESS = re.compile(r"[A-Za-z0-9._:\-]*")


def find_haproxy(name: str) -> str:
    """The haproxy executable ``name`` names (a path, or a command looked up on PATH and in
    /usr/sbin); refuses in one sentence when there is none."""
    if "/" in name:
        found = name if Path(name).is_file() and os.access(name, os.X_OK) else None
    else:
        found = shutil.which(name) or shutil.which(name, path=SYSTEM_DIRS)
    if found is None:
        raise ServingRefused(
            ServingCode.NO_HAPROXY,
            _(
                "Serving with several processes needs haproxy, and {name} was not found: "
                "install it (apt-get install haproxy) or serve with --processes 1."
            ).format(name=name),
        )
    return found


def bind_line(address: str, port: int) -> str:
    """haproxy's ``bind`` for what ``--address`` accepts (a name, IPv4, IPv6, or empty for
    every interface); anything else is refused before it reaches the config."""
    if not _ADDRESS.fullmatch(address):
        raise ServingRefused(
            ServingCode.BAD_ADDRESS,
            _("{address} is not an address to listen on.").format(address=repr(address)),
        )
    if not address:
        return f"bind :{port}"
    if ":" in address:
        return f"bind ipv6@{address}:{port}"
    return f"bind {address}:{port}"


def haproxy_config(address: str, port: int, worker_ports: Sequence[int]) -> str:
    """The whole config: ``address:port`` in front, one ``server`` per worker port."""
    servers = "\n".join(
        f"    server w{number} 127.0.0.1:{worker} cookie w{number}"
        for number, worker in enumerate(worker_ports, start=1)
    )
    return f"""\
# Written by `audit-app serve --processes {len(worker_ports)}`, removed when it stops.
global
    maxconn 4096

defaults
    mode http
    option redispatch
    retries 2
    # a worker just gone: its idle pooled connections answer nothing, so try another
    retry-on conn-failure empty-response
    timeout connect 5s
    timeout http-request 30s
    timeout http-keep-alive 15s
    timeout queue 60s
    timeout client 60s
    # an upload, a health check, a media file; pages come over the websocket (tunnel)
    timeout server 300s
    # a websocket may stay quiet between clicks; Streamlit pings it meanwhile
    timeout tunnel 1h
    timeout client-fin 30s

frontend audit_app
    {bind_line(address, port)}
    http-request set-header {CLIENT_ADDRESS_HEADER} %[src]
    default_backend streamlit

backend streamlit
    balance roundrobin
    cookie {WORKER_COOKIE} insert indirect nocache httponly attr "SameSite=Lax"
    option httpchk GET {HEALTH_PATH}
    http-check expect status 200
    http-response set-header {WORKER_HEADER} %[srv_name]
    default-server check inter 2s fall 3 rise 2
{servers}
"""


def write_config(folder: Path, text: str) -> Path:
    """The config in ``folder`` (private to this user), readable by this user only."""
    path = folder / "haproxy.cfg"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)
    return path


def check_config(haproxy: str, config: Path) -> None:
    """haproxy's own check of the config (``-c``): a refusal carries its first complaint."""
    checked = subprocess.run(
        [haproxy, "-c", "-q", "-f", str(config)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if checked.returncode != 0:
        lines = (checked.stderr or checked.stdout).strip().splitlines()
        raise ServingRefused(
            ServingCode.PROXY_FAILED,
            _("haproxy refused its config: {reason}").format(
                reason=lines[0] if lines else checked.returncode
            ),
        )


def haproxy_command(haproxy: str, config: Path) -> list[str]:
    """haproxy in the foreground (``-db``), stopped by SIGTERM like the workers."""
    return [haproxy, "-db", "-f", str(config)]
