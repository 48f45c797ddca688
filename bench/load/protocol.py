"""One simulated browser tab speaking Streamlit's own protocol: BackMsg/ForwardMsg protobufs
(`streamlit.proto`) over the app's WebSocket `/_stcore/stream`.

What the tab does is what Streamlit's frontend does (checked against the frames a real Chromium
sends, tests/test_load_browser.py):

- opening a page: GET the page (the proxy's affinity cookie and Streamlit's XSRF cookie come with
  it), GET `/_stcore/host-config` and `/_stcore/health`, open the WebSocket with the subprotocols
  ``streamlit, <xsrf token>`` and send ``rerun_script`` with the URL's path as ``page_name`` and its
  query string;
- an interaction: ``rerun_script`` with the current page's ``page_script_hash``, the value of every
  settable widget of the last run (``widget_states``), the URL's query string as the frontend keeps
  it for widgets bound to the URL, and the hashes of the large messages it holds
  (``cached_message_hashes``; the server then sends a ``ref_hash`` instead of the message);
- a page switch: the same with the target page's hash;
- a lost connection: reconnect (offering the old session id, as the frontend does) and rerun with
  the same state, so a user whose replica died lands on another one with the same page and filters.

An interaction is timed from sending the BackMsg to the ``script_finished`` message that ends the
run (runs ended early for a rerun, e.g. by ``st.rerun``/``st.switch_page``, are followed to the
final one). Exceptions shown (Exception deltas), error boxes (``st.error``), "page not found" and
lost connections are counted per interaction.
"""

from __future__ import annotations

import asyncio
import time
import urllib.parse
from dataclasses import dataclass, field

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from . import widgets as W
from .target import Target

REPLICA_COOKIE = "INDIKATORPANELEN_REPLICA"  # the proxy's affinity cookie (deploy/haproxy/)
XSRF_COOKIE = "_streamlit_xsrf"
MAX_CACHED_MESSAGE_AGE = 2  # Streamlit's global.maxCachedMessageAge: runs a cached message survives unused
_FINAL = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR)
_TEXT_KINDS = ("markdown", "heading", "text", "alert", "code")


class ConnectionLost(RuntimeError):
    """The WebSocket closed, or could not be opened, before the run finished."""


class RunTimeout(RuntimeError):
    """The run did not finish within the interaction time limit."""


@dataclass
class Run:
    """What one interaction produced: its time, the page, and what a person would see go wrong."""

    kind: str  # 'open' | 'filter' | 'page' | 'reconnect' | 'reload'
    name: str
    started: float  # time.monotonic() when the request was sent
    wall: float = field(default_factory=time.time)  # the same moment on the wall clock (s since the epoch)
    ms: float | None = None
    page: str = ""  # url path of the page shown ('' = the default page)
    status: int | None = None
    exceptions: list[str] = field(default_factory=list)
    error_alerts: list[str] = field(default_factory=list)
    warnings: int = 0
    page_not_found: str | None = None
    elements: int = 0
    messages: int = 0
    bytes: int = 0
    replica: str | None = None
    texts: list[str] = field(default_factory=list)
    widgets: dict[str, W.Widget] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return (self.status in (ForwardMsg.FINISHED_SUCCESSFULLY,) and not self.exceptions
                and not self.error_alerts and self.page_not_found is None)

    def shows(self, marker: str) -> bool:
        return any(marker in t for t in self.texts)


class Session:
    """A browser tab on `target`. Not thread-safe; one asyncio task drives it."""

    def __init__(self, target: Target, *, timeout: float = 60.0, locale: str = "sv-SE",
                 timezone: str = "Europe/Stockholm"):
        self.target = target
        self.timeout = float(timeout)
        self.locale = locale
        self.timezone = timezone
        self.cookies: dict[str, str] = {}
        self.page_path = ""  # url path of the page shown, without the leading '/'
        self.page_hash = ""
        self.query = ""  # the URL's query string, as the frontend keeps it
        self.pages: dict[str, tuple[str, str]] = {}  # page_script_hash -> (url path, title)
        self.widgets: dict[str, W.Widget] = {}  # id -> widget of the last finished run
        self.values: dict[str, tuple[str, ...]] = {}  # id -> value held (option texts)
        self.session_id: str | None = None
        self._ws = None
        self.last_sent: bytes = b""  # the last BackMsg sent (serialized)
        self._cache: dict[str, tuple[ForwardMsg, int]] = {}  # hash -> (message, run it was last used in)
        self._runs = 0

    # -- opening and closing ----------------------------------------------------------------------
    async def open(self, path: str = "", query: str = "") -> Run:
        """Load the page `path` with `query` as a browser does, and run it."""
        self.page_path = path.strip("/")
        self.query = query.lstrip("?")
        run = Run("open", f"/{self.page_path}" + (f"?{self.query}" if self.query else ""), time.monotonic())
        t0 = time.perf_counter()
        deadline = time.monotonic() + self.timeout
        await self._http_get(self._url_path(), deadline)
        await self._http_get("/_stcore/host-config", deadline)
        await self._http_get("/_stcore/health", deadline)
        await self._connect(deadline)
        back = BackMsg()
        cs = back.rerun_script
        cs.query_string = self.query
        cs.widget_states.SetInParent()
        cs.page_name = self.page_path
        self._context(cs)
        await self._exchange(back, run, deadline)
        run.ms = (time.perf_counter() - t0) * 1000.0
        return run

    async def close(self) -> None:
        ws, self._ws = self._ws, None
        if ws is not None:
            try:
                await asyncio.wait_for(ws.close(), 5)
            except (OSError, asyncio.TimeoutError, ConnectionClosed):
                pass

    @property
    def connected(self) -> bool:
        return self._ws is not None

    @property
    def replica(self) -> str | None:
        return self.cookies.get(REPLICA_COOKIE)

    async def idle(self, seconds: float) -> bool:
        """Think for `seconds` with the connection open, as a browser tab does: messages the server
        sends meanwhile are read (and dropped), and a connection that closes ends the wait at once.
        Returns False when the connection was lost (the frontend reconnects then, not later)."""
        ws = self._ws
        if ws is None:
            return False
        end = time.monotonic() + max(0.0, seconds)
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return True
            try:
                await asyncio.wait_for(ws.recv(), left)
            except asyncio.TimeoutError:
                return True
            except (ConnectionClosed, OSError):
                self._ws = None
                return False

    # -- interactions -------------------------------------------------------------------------
    def find(self, name: str) -> W.Widget:
        """The widget of the current page called `name` (query parameter or user key)."""
        return W.find(self.widgets.values(), name, self.page_path)

    def value(self, name: str) -> tuple[str, ...]:
        w = self.find(name)
        return self.values.get(w.id, w.default)

    async def set_filter(self, name: str, values: tuple[str, ...] | list[str] | str | None) -> Run:
        """Change the widget `name` to `values` (option texts) as a person would, and wait for the
        rerun. Raises WidgetNotFound / ValueError for a widget or value that is not there."""
        if values is None:
            values = ()
        elif isinstance(values, str):
            values = (values,)
        values = tuple(values)
        w = self.find(name)
        W.check_value(w, values)
        if w.disabled:
            raise ValueError(f"'{name}' är avstängd på sidan '/{self.page_path}'")
        self.values[w.id] = values
        if w.param:
            self.query = W.set_query_param(self.query, w.param, values, w.default)
        label = f"{name}=" + ("|".join(values) if values else "∅")
        return await self._rerun(Run("filter", label, time.monotonic()), self.page_hash)

    async def goto(self, url_path: str) -> Run:
        """Switch to the page whose url path is `url_path` (the navigation menu's link)."""
        url_path = url_path.strip("/")
        target = next((h for h, (p, _) in self.pages.items() if p == url_path), None)
        if target is None:
            raise W.WidgetNotFound(f"ingen sida '/{url_path}' i navigeringen; sidor: "
                                   + ", ".join(f"/{p}" for p, _ in self.pages.values()))
        return await self._rerun(Run("page", f"/{url_path}", time.monotonic()), target)

    async def reconnect(self, *, deadline_s: float = 30.0) -> Run:
        """Reopen the WebSocket (the proxy sends it to a live replica) and rerun with the same page,
        query string and widget values, as the frontend does after a lost connection."""
        await self.close()
        run = Run("reconnect", f"/{self.page_path}", time.monotonic())
        t0 = time.perf_counter()
        deadline = time.monotonic() + deadline_s
        delay = 0.2
        while True:
            try:
                await self._connect(min(deadline, time.monotonic() + self.timeout))
                break
            except ConnectionLost:
                if time.monotonic() + delay > deadline:
                    raise
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
        await self._rerun(run, self.page_hash, t0=t0)
        return run

    async def reload(self) -> Run:
        """A fresh load of the session's URL in a new tab (no widget state, only the URL): what a
        copied link or a reload restores. The view check of a lost session uses it."""
        other = Session(self.target, timeout=self.timeout, locale=self.locale, timezone=self.timezone)
        other.cookies = dict(self.cookies)
        try:
            run = await other.open(self.page_path, self.query)
        finally:
            await other.close()
        run.kind = "reload"
        return run

    # -- the protocol -------------------------------------------------------------------------
    async def _rerun(self, run: Run, page_hash: str, *, t0: float | None = None) -> Run:
        if self._ws is None:
            raise ConnectionLost("ingen öppen WebSocket")
        back = BackMsg()
        cs = back.rerun_script
        cs.query_string = self.query
        cs.widget_states.SetInParent()
        for wid, w in self.widgets.items():
            cs.widget_states.widgets.append(W.widget_state(wid, w.kind, self.values.get(wid, w.default)))
        if page_hash:
            cs.page_script_hash = page_hash
        cs.cached_message_hashes.extend(self._cache)
        self._context(cs)
        t0 = time.perf_counter() if t0 is None else t0
        await self._exchange(back, run, time.monotonic() + self.timeout)
        run.ms = (time.perf_counter() - t0) * 1000.0
        return run

    def _context(self, cs) -> None:
        info = cs.context_info
        info.timezone = self.timezone
        info.timezone_offset = -60
        info.locale = self.locale
        info.url = self.target.http + self._url_path()
        info.is_embedded = False
        info.color_scheme = "light"

    def _url_path(self) -> str:
        return "/" + urllib.parse.quote(self.page_path) + (f"?{self.query}" if self.query else "")

    async def _exchange(self, back: BackMsg, run: Run, deadline: float) -> None:
        """Send `back` and read until the run it started has finished."""
        ws = self._ws
        try:
            self.last_sent = back.SerializeToString()
            await ws.send(self.last_sent)
            view: dict[tuple, object] = {}
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise RunTimeout(f"ingen script_finished inom {self.timeout:.0f} s ({run.name})")
                try:
                    data = await asyncio.wait_for(ws.recv(), left)
                except asyncio.TimeoutError:
                    raise RunTimeout(f"ingen script_finished inom {self.timeout:.0f} s ({run.name})") from None
                run.messages += 1
                run.bytes += len(data)
                msg = ForwardMsg.FromString(data)
                if self._handle(msg, run, view):
                    break
        except ConnectionClosed as exc:
            self._ws = None
            raise ConnectionLost(f"anslutningen stängdes ({exc.rcvd.code if exc.rcvd else 'utan stängningsram'})") from None
        except OSError as exc:
            self._ws = None
            raise ConnectionLost(f"anslutningen bröts ({exc})") from None
        self._finish(run, view)

    def _handle(self, msg: ForwardMsg, run: Run, view: dict) -> bool:
        """Apply one ForwardMsg; True when the run is over."""
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":
            entry = self._cache.get(msg.ref_hash)
            if entry is None:
                run.exceptions.append(f"protokoll: okänd ref_hash {msg.ref_hash}")
                return False
            cached = entry[0]
            self._cache[msg.ref_hash] = (cached, self._runs)
            if cached.WhichOneof("type") == "delta":
                self._delta(cached.delta, tuple(msg.metadata.delta_path), run, view)
            return False
        if msg.metadata.cacheable and msg.hash:
            self._cache[msg.hash] = (msg, self._runs)
        if kind == "delta":
            self._delta(msg.delta, tuple(msg.metadata.delta_path), run, view)
        elif kind == "new_session":
            view.clear()  # a run (or the rerun after an early end) starts over
            self.page_hash = msg.new_session.page_script_hash
            if msg.new_session.HasField("initialize") and msg.new_session.initialize.session_id:
                self.session_id = msg.new_session.initialize.session_id
        elif kind == "navigation":
            nav = msg.navigation
            self.pages = {p.page_script_hash: (p.url_pathname, p.page_name) for p in nav.app_pages}
            if nav.page_script_hash:
                self.page_hash = nav.page_script_hash
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "page_not_found":
            run.page_not_found = msg.page_not_found.page_name or "?"
        elif kind == "session_event":
            if msg.session_event.HasField("script_compilation_exception"):
                exc = msg.session_event.script_compilation_exception
                run.exceptions.append(f"{exc.type}: {exc.message}"[:300])
        elif kind == "script_finished":
            if msg.script_finished in _FINAL:
                run.status = msg.script_finished
                return True
        return False

    def _delta(self, delta, path: tuple, run: Run, view: dict) -> None:
        if delta.WhichOneof("type") != "new_element":
            return
        el = delta.new_element
        view[path] = el

    def _finish(self, run: Run, view: dict) -> None:
        """The run is over: what it shows, and the widget values the frontend now holds."""
        self._runs += 1
        found: dict[str, W.Widget] = {}
        for el in view.values():
            kind = el.WhichOneof("type")
            if kind == "exception":
                run.exceptions.append(f"{el.exception.type}: {el.exception.message}"[:300])
            elif kind == "alert":
                if el.alert.format == Alert.ERROR:
                    run.error_alerts.append(el.alert.body[:300])
                elif el.alert.format == Alert.WARNING:
                    run.warnings += 1
            if kind in _TEXT_KINDS:
                run.texts.append(getattr(el, kind).body)
            w = W.from_element(el)
            if w is not None:
                found[w.id] = w
        run.elements = len(view)
        run.widgets = found
        self.values = {wid: W.initial_value(w, self.values.get(wid)) for wid, w in found.items()}
        self.widgets = found
        page = self.pages.get(self.page_hash)
        if page is not None:
            self.page_path = page[0]
        run.page = self.page_path
        run.replica = self.replica
        # the frontend drops cached messages not used in the last MAX_CACHED_MESSAGE_AGE runs
        self._cache = {h: e for h, e in self._cache.items() if self._runs - 1 - e[1] <= MAX_CACHED_MESSAGE_AGE}

    # -- HTTP and the WebSocket ---------------------------------------------------------------
    def _cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def _take_cookies(self, headers: list[tuple[str, str]]) -> None:
        for name, value in headers:
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                if "=" in pair:
                    k, v = pair.split("=", 1)
                    self.cookies[k.strip()] = v.strip()

    async def _http_get(self, path: str, deadline: float) -> int:
        """GET `path` (HTTP/1.1, connection closed after); keeps the cookies. Raises ConnectionLost
        on a refused connection or a status other than 200."""
        t = self.target
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(t.host, t.port),
                                                    max(0.1, deadline - time.monotonic()))
        except (OSError, asyncio.TimeoutError) as exc:
            raise ConnectionLost(f"GET {path}: {exc or 'tidsgräns'}") from None
        try:
            req = [f"GET {t.path}{path} HTTP/1.1", f"Host: {t.host}:{t.port}", "Accept: */*",
                   "Accept-Encoding: identity", "Connection: close"]
            if self.cookies:
                req.append(f"Cookie: {self._cookie_header()}")
            writer.write(("\r\n".join(req) + "\r\n\r\n").encode("utf-8"))
            await writer.drain()
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), max(0.1, deadline - time.monotonic()))
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split()[1])
            headers = [tuple(x.strip() for x in line.split(":", 1)) for line in lines[1:] if ":" in line]
            self._take_cookies(headers)
            while await asyncio.wait_for(reader.read(65536), max(0.1, deadline - time.monotonic())):
                pass
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
            raise ConnectionLost(f"GET {path}: {type(exc).__name__} {exc}") from None
        finally:
            writer.close()
        if status != 200:
            raise ConnectionLost(f"GET {path}: HTTP {status}")
        return status

    async def _connect(self, deadline: float) -> None:
        # positions matter to the server: subprotocol, XSRF token, the session id to resume
        protocols = ["streamlit"]
        if self.cookies.get(XSRF_COOKIE):
            protocols.append(self.cookies[XSRF_COOKIE])
            if self.session_id:
                protocols.append(self.session_id)
        headers = {"Origin": self.target.origin}
        if self.cookies:
            headers["Cookie"] = self._cookie_header()
        try:
            ws = await ws_connect(self.target.ws, subprotocols=protocols,
                                  additional_headers=headers, max_size=None, ping_interval=None,
                                  open_timeout=max(0.1, deadline - time.monotonic()), close_timeout=2)
        except (OSError, asyncio.TimeoutError, InvalidHandshake, InvalidStatus) as exc:
            raise ConnectionLost(f"WebSocket: {type(exc).__name__} {exc}") from None
        self._take_cookies(list(ws.response.headers.raw_items()))
        self._ws = ws
