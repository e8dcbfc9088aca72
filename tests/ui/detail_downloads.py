"""The bytes behind an AppTest download button, static or generated on click.

AppTest gives each run a fresh media file manager and drops it when the run ends; the
``downloads`` fixture keeps every manager it creates, so a test can read what a button
would hand the browser (and, for a callable, run it as the click would).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as app_test_module


class _Kept(MediaFileManager):
    made: list[MediaFileManager] = []  # noqa: RUF012

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        _Kept.made.append(self)


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    _Kept.made.clear()
    monkeypatch.setattr(app_test_module, "MediaFileManager", _Kept)
    yield
    _Kept.made.clear()


def download_bytes(app: AppTest, key: str) -> bytes:
    """What the download button with ``key`` delivers (needs the ``downloads`` fixture)."""
    proto = app.download_button(key=key).proto
    manager = _Kept.made[-1]
    if proto.HasField("deferred_file_id"):
        data = manager._deferred_callables[proto.deferred_file_id]["callable"]()
    else:
        data = manager._storage.get_file(proto.url.rsplit("/", 1)[-1]).content
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)  # type: ignore[arg-type]
