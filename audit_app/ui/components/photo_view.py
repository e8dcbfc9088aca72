"""Photos handed to the browser inside the page, never at an address of their own.

``st.image`` given bytes parks them in the server's media store under a URL that any
browser may fetch while the session lives (Streamlit's ``/media/`` route checks no log-in).
A ``data:`` URL travels inside the session's own messages instead: only the logged-in
session that was allowed to read the photo receives it, and there is no address to copy,
guess or share.
"""

from __future__ import annotations

import base64


def inline(data: bytes, content_type: str = "image/jpeg") -> str:
    """The photo as a ``data:`` URL for ``st.image``."""
    return f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"
