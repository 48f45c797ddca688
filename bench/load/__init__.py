"""A load generator that speaks Streamlit's own protocol (see protocol.py), for `make bench` and the
load tests: N simulated sessions through the proxy of `make serve`, each opening the app's
WebSocket, running a page and changing filters as users do, bounded in count and time and only
ever aimed at the loopback. `python -m bench.load --help` runs it from the command line."""
