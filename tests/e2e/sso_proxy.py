"""A single-sign-on proxy for the browser tests, as oauth2-proxy or a corporate gateway is:
it sits in front of ``audit-app serve``, knows the user from its own session cookie, and
sets ``X-Forwarded-User`` on every request it passes on, the websocket's included; a header
sent by the browser itself is dropped.

Why a proxy and not the browser's own extra headers: Chromium does not add those to a
websocket handshake (seen with Chromium 150), and Streamlit reads the user from the
websocket's. Built on what Streamlit already installs (starlette, uvicorn, websockets,
requests); loopback only.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import requests
import uvicorn
import websockets
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

SESSION_COOKIE = "sso_user"
EXTRA_COOKIE = "sso_extra_copy"
"""When set, the proxy also passes on a second ``X-Forwarded-User`` with this cookie's value on
the websocket, as a proxy that appends its header instead of replacing the client's would."""
HEADER = "X-Forwarded-User"
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "upgrade", "host", "content-length"}


def _upstream_headers(headers: dict[str, str], user: str | None) -> dict[str, str]:
    out = {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP | {HEADER.lower()}}
    if user:
        out[HEADER] = user
    return out


def proxy_app(upstream: str) -> Starlette:
    ws_upstream = upstream.replace("http://", "ws://", 1)

    async def http(request: Request) -> Response:
        user = request.cookies.get(SESSION_COOKIE)
        url = f"{upstream}{request.url.path}" + (
            f"?{request.url.query}" if request.url.query else ""
        )
        body = await request.body()
        answer = await run_in_threadpool(
            requests.request,
            request.method,
            url,
            headers=_upstream_headers(dict(request.headers), user),
            data=body,
            allow_redirects=False,
            timeout=60,
        )
        headers = {
            k: v
            for k, v in answer.headers.items()
            if k.lower() not in HOP_BY_HOP | {"content-encoding"}
        }
        return Response(answer.content, answer.status_code, headers=headers)

    async def socket_(client: WebSocket) -> None:
        user = client.cookies.get(SESSION_COOKIE)
        path = client.url.path + (f"?{client.url.query}" if client.url.query else "")
        offered = client.scope.get("subprotocols") or []
        forwarded: list[tuple[str, str]] = list(
            _upstream_headers(
                {
                    k: v
                    for k, v in client.headers.items()
                    if not k.lower().startswith("sec-websocket")
                },
                user,
            ).items()
        )
        extra = client.cookies.get(EXTRA_COOKIE)
        if extra:
            forwarded.append((HEADER, extra))
        async with websockets.connect(
            ws_upstream + path,
            subprotocols=offered or None,
            additional_headers=forwarded,
            max_size=None,
        ) as server:
            await client.accept(subprotocol=server.subprotocol)

            async def to_server() -> None:
                while True:
                    message = await client.receive()
                    if message["type"] == "websocket.disconnect":
                        await server.close()
                        return
                    data = message.get("bytes")
                    await server.send(data if data is not None else message.get("text", ""))

            async def to_client() -> None:
                async for data in server:
                    if isinstance(data, bytes):
                        await client.send_bytes(data)
                    else:
                        await client.send_text(data)

            tasks = [asyncio.create_task(to_server()), asyncio.create_task(to_client())]
            _, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):
            await client.close()

    methods = ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"]
    return Starlette(
        routes=[
            WebSocketRoute("/{path:path}", socket_),
            Route("/{path:path}", http, methods=methods),
        ]
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def sso_proxy(upstream: str) -> Iterator[str]:
    """The proxy in front of ``upstream`` on a free loopback port; yields its base URL."""
    port = _free_port()
    config = uvicorn.Config(proxy_app(upstream), host="127.0.0.1", port=port, log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the single-sign-on proxy did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
