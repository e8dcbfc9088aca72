"""A load test of the served app: simulated users driving ``audit-app serve`` over Streamlit's
own websocket protocol, as a browser does, without a browser (#21).

A browser's share of the work (drawing, JavaScript) is left out, so what is measured is the
server: the time from a request (a page, a widget change, a submission) to the end of the
script run it causes. Everything stays on the loopback interface.
"""
