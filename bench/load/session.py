"""One simulated browser tab: a websocket to ``/_stcore/stream`` that asks for script runs
and reads the elements they draw.

The browser sends a ``BackMsg`` with the page, the query string and the state of every
widget it knows; the server answers with ``ForwardMsg`` deltas and a ``script_finished``.
A run that ends "early for a rerun" (a callback called ``st.rerun``, a log-in) is followed
by the next one, which the browser would also wait for; a request ends at the first run
that finishes for good. Widget values persist like a browser's: each request sends every
value set so far (for widgets still on the page) and its triggers once.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

T = TypeVar("T")

CHOICES = frozenset({"selectbox", "radio", "multiselect", "segmented_control", "pills"})
FINISHED_FOR_RERUN = 2
"""``ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN``: another run follows at once."""


class LoadError(Exception):
    """The app did not answer as a browser expects: a timeout, an exception on the page."""


@dataclass(frozen=True)
class Element:
    kind: str
    """The element type: ``selectbox``, ``radio``, ``button``, ``markdown``, ``exception``..."""
    id: str
    label: str
    text: str
    options: tuple[str, ...]

    def keyed(self, key: str) -> bool:
        """Whether this widget was made with ``key=key`` (Streamlit ends its id with it)."""
        return self.id.endswith("-" + key)


@dataclass
class Render:
    elements: list[Element]
    seconds: float

    @property
    def errors(self) -> list[str]:
        return [e.text for e in self.elements if e.kind == "exception"]

    def text(self) -> str:
        return "\n".join(e.text or e.label for e in self.elements)

    def widget(
        self, *, label: str | None = None, key: str | None = None, kind: str | None = None
    ) -> Element:
        for element in self.elements:
            if not element.id or (kind is not None and element.kind != kind):
                continue
            if (label is not None and element.label == label) or (
                key is not None and element.keyed(key)
            ):
                return element
        raise LoadError(f"no widget {label or key!r} on the page")

    def widgets(self, key_part: str) -> list[Element]:
        return [e for e in self.elements if e.id and key_part in e.id]


@dataclass
class Tab:
    """A browser tab on the app."""

    url: str
    """``http://127.0.0.1:PORT``."""
    timeout: float = 120.0
    values: dict[str, WidgetState] = field(default_factory=dict)
    page: str = ""
    cookies: dict[str, str] = field(default_factory=dict)
    """Sent with the websocket's handshake, as a browser sends the cookies it keeps."""
    headers: dict[str, str] = field(default_factory=dict)
    """More headers for the handshake."""
    _socket: Any = None

    async def open(self) -> Render:
        stream = self.url.replace("http://", "ws://", 1) + "/_stcore/stream"
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self._socket = await websockets.connect(
            stream,
            subprotocols=["streamlit"],
            origin=self.url,
            max_size=None,
            additional_headers=headers or None,
        )
        return await self.request()

    def answer_header(self, name: str) -> str | None:
        """A header of the server's answer to the handshake (a proxy's, for one)."""
        value = self._socket.response.headers.get(name)
        return None if value is None else str(value)

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()

    async def go(self, page: str, query: str = "") -> Render:
        """Open another page (the sidebar's link): widget values of the last page go."""
        self.page = page
        self.values.clear()
        return await self.request(query=query)

    async def set(self, element: Element, **value: Any) -> Render:
        """Change one widget (``string_value=...``, ``bool_value=...``) and rerun."""
        self.values[element.id] = WidgetState(id=element.id, **value)
        return await self.request()

    async def click(self, element: Element, **values: WidgetState) -> Render:
        return await self.request(trigger=element.id)

    async def request(
        self, *, query: str = "", trigger: str | None = None, values: dict[str, Any] | None = None
    ) -> Render:
        """One request: the page with every value set so far, ``values`` (element id ->
        WidgetState fields) added and kept, and ``trigger`` pressed once."""
        for element_id, fields in (values or {}).items():
            self.values[element_id] = WidgetState(id=element_id, **fields)
        message = BackMsg()
        client = message.rerun_script
        client.query_string = query
        client.page_name = self.page
        client.widget_states.widgets.extend(self.values.values())
        if trigger is not None:
            client.widget_states.widgets.append(WidgetState(id=trigger, trigger_value=True))
        started = time.perf_counter()
        await self._socket.send(message.SerializeToString())
        try:
            elements = await asyncio.wait_for(self._until_finished(), self.timeout)
        except TimeoutError:
            raise LoadError(f"no answer within {self.timeout:g} s") from None
        render = Render(elements, time.perf_counter() - started)
        known = {e.id for e in elements if e.id}
        self.values = {i: v for i, v in self.values.items() if i in known}
        return render

    async def _until_finished(self) -> list[Element]:
        elements: list[Element] = []
        while True:
            message = ForwardMsg()
            message.ParseFromString(await self._socket.recv())
            kind = message.WhichOneof("type")
            if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                elements.append(_element(message.delta.new_element))
            elif kind == "script_finished":
                if message.script_finished == FINISHED_FOR_RERUN:
                    elements = []
                    continue
                return elements


def _element(proto: Any) -> Element:
    kind = proto.WhichOneof("type") or ""
    inner = getattr(proto, kind, None)
    if inner is None:
        return Element(kind, "", "", "", ())
    text = ""
    for name in ("body", "message"):
        if hasattr(inner, name) and isinstance(getattr(inner, name), str):
            text = getattr(inner, name)
            break
    return Element(
        kind,
        getattr(inner, "id", "") if isinstance(getattr(inner, "id", ""), str) else "",
        getattr(inner, "label", "") if isinstance(getattr(inner, "label", ""), str) else "",
        text,
        tuple(getattr(inner, "options", ()) or ())
        if kind in ("selectbox", "radio", "multiselect", "segmented_control", "pills")
        else (),
    )


def run_on_own_loop(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run ``make()`` on an event loop of its own, in a thread of its own when this thread
    already runs a loop (a test session that drove a browser with Playwright has one, and
    ``asyncio.run`` refuses to start inside it). An error in the thread is raised here."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    found: list[T] = []
    failed: list[BaseException] = []

    def work() -> None:
        try:
            found.append(asyncio.run(make()))
        except BaseException as error:  # handed to the caller's thread
            failed.append(error)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    if failed:
        raise failed[0]
    return found[0]
