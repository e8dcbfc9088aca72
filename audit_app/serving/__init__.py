"""Serving on every core: several Streamlit processes behind Debian's haproxy.

One Streamlit process runs its scripts on one core (the GIL), so ``audit-app serve
--processes N`` starts N of them on private loopback ports with haproxy in front, sticky by
cookie (a browser's websocket, uploads and media stay with the process that holds its
session). Log-ins survive a move to another process: sessions live in the database.
This package only starts, watches and stops processes; it knows nothing of the app.
"""
