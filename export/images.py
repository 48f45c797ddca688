"""Chart images for meetings: a stamped copy of a screen figure, rendered to PNG or SVG by kaleido.

One warm Chromium (Debian's /usr/bin/chromium, found on PATH or through BROWSER_PATH) serves the
whole process, started on first use. kaleido's sync server is not thread-safe (concurrent calls
get each other's images, stack-notes.md §2.3), and Streamlit sessions are threads, so every render
in the process goes through `render()` and its one lock. Nothing here imports Streamlit.

Sizes: the slide-ready layout is 1600 × 900 CSS pixels at scale 2, a 3200 × 1800 PNG (16:9).
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import html
import io
import textwrap
import threading
import time
import warnings
import plotly.graph_objects as go
import plotly.io as pio

import textfmt as fmt
from textfmt.safe import one_line

WIDTH, HEIGHT, SCALE = 1600, 900, 2
FONT_FAMILY = "DejaVu Sans, Liberation Sans, Arial, sans-serif"

# The plotly toolbar's own image button: the fallback that renders in the user's browser (no
# stamp, but the screen figure already carries its title). Pass as st.plotly_chart(config=...).
PLOTLY_CONFIG: dict = {
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "filename": "indikatorpanelen", "width": WIDTH,
                             "height": HEIGHT, "scale": SCALE},
}

_RENDER_LOCK = threading.Lock()  # one render at a time in this process (kaleido server is not thread-safe)
_server_started = False
RENDER_TIMEOUT_S = 120.0


class RenderError(RuntimeError):
    """The image could not be rendered (no browser, a crashed renderer or a timeout)."""


def plotly_config(filename: str = "indikatorpanelen") -> dict:
    """PLOTLY_CONFIG with the toolbar download named `filename` (no extension)."""
    cfg = copy.deepcopy(PLOTLY_CONFIG)
    cfg["toImageButtonOptions"]["filename"] = filename or "indikatorpanelen"
    return cfg


# -- stamping --------------------------------------------------------------------------------------

def _wrap(text: str, width: int) -> str:
    """HTML-escaped text with <br> line breaks, at most three lines."""
    lines = textwrap.wrap(str(text or ""), width=width, break_long_words=False) or [""]
    if len(lines) > 3:
        lines = lines[:3]
        lines[-1] = lines[-1].rstrip(" ,;") + " …"
    return "<br>".join(html.escape(line) for line in lines)


def footnote_text(extract_date, source: str | None, extra: str | None = None) -> str:
    """'Källa: … · Datauttag ÅÅÅÅ-MM-DD · …', the line every exported chart carries."""
    source = one_line(source, 160) if source else ""
    parts = [source if source.startswith("Källa:") else f"Källa: {source}" if source else "Källa: Indikatorpanelen"]
    if extract_date is not None:  # none for published figures shown without an extract
        parts.append(f"Datauttag {fmt.iso_date(extract_date)}")
    if extra:
        parts.append(one_line(extra, 80))
    return " · ".join(parts)


def _header(fig: go.Figure, title: str, selection: str) -> go.Figure:
    """A copy of `fig` with `title` (bold) and `selection` (subtitle) at the top; room made for them."""
    out = go.Figure(fig)  # deep copy: layout and traces are new objects
    title_html = f"<b>{_wrap(title, 95)}</b>"
    sel_html = _wrap(selection, 150)
    title_lines = title_html.count("<br>") + 1
    sel_lines = sel_html.count("<br>") + 1
    top = 30 + 30 * title_lines + 20 * sel_lines + 18
    out.update_layout(
        title={"text": title_html, "x": 0.01, "xanchor": "left", "y": 1.0, "yanchor": "top", "yref": "container",
               "pad": {"t": 18, "l": 6}, "font": {"size": 24},
               "subtitle": {"text": sel_html, "font": {"size": 15, "color": "#444444"}}},
        margin={"t": max(top, out.layout.margin.t or 0), "l": max(20, out.layout.margin.l or 0),
                "r": max(30, out.layout.margin.r or 0)},
    )
    return out


def stamp(fig: go.Figure, title: str, selection: str, extract_date, source: str | None = None, *,
          footnote_extra: str | None = None) -> go.Figure:
    """A copy of `fig` that says on its own what it shows: `title` (bold) with `selection` under it
    at the top, and the source and extract date as a footnote at the bottom left.

    The screen figure is never changed. This figure can be rendered anywhere (e.g. the browser);
    `stamped_png` / `stamped_svg` draw the footnote in a band of its own below the chart instead,
    so it can never collide with a legend or axis labels that the chart pushed to the bottom.
    """
    out = _header(fig, title, selection)
    b = max(100, (out.layout.margin.b or 0) + 44)
    out.update_layout(margin={"b": b})
    out.add_annotation(
        name=FOOTNOTE_NAME, text=html.escape(footnote_text(extract_date, source, footnote_extra)),
        xref="paper", yref="paper", x=0, y=0, xanchor="left", yanchor="top", yshift=-(b - 24),
        showarrow=False, align="left", font={"size": 12, "color": "#555555"})
    return out


FOOTNOTE_NAME = "indikatorpanelen-fotnot"
FOOTNOTE_BAND = 34  # CSS px below the chart for the footnote line
SQUEEZE = 1.0  # share of its designed height a figure may be squeezed to before the frame grows
FOOTNOTE_FONT = "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"


def _frame(fig: go.Figure, width: int, height: int) -> tuple[int, int]:
    """The CSS layout to render a stamped figure in: `width` × `height`, or, for a figure designed
    taller than fits (a scorecard of 21 regions, say), a larger frame of the same aspect, so rows
    are not squeezed together; the output keeps its pixel size (the layout is scaled down)."""
    designed = fig.layout.height
    if designed:
        need = int(designed * SQUEEZE) + FOOTNOTE_BAND
        if need > height:
            return round(need * width / height), need
    return width, height


def _footnote_png(png: bytes, text: str, size_px: tuple[int, int], px_per_css: float) -> bytes:
    """The chart `png` on top of a white canvas of `size_px`, with `text` in the band below it."""
    from PIL import Image, ImageDraw, ImageFont

    chart = Image.open(io.BytesIO(png)).convert("RGB")
    canvas = Image.new("RGB", size_px, "white")
    canvas.paste(chart, (0, 0))
    try:
        font = ImageFont.truetype(FOOTNOTE_FONT, round(12 * px_per_css))
    except OSError:
        font = ImageFont.load_default(size=round(12 * px_per_css))
    draw = ImageDraw.Draw(canvas)
    y = round((size_px[1] + chart.size[1]) / 2)
    draw.text((round(16 * px_per_css), y), text, fill=(85, 85, 85), font=font, anchor="lm")
    out = io.BytesIO()
    canvas.save(out, format="PNG", compress_level=3)
    return out.getvalue()


def _footnote_svg(svg: bytes, text: str, width: int, height: int, frame: tuple[int, int]) -> bytes:
    """Nest the chart's SVG (frame width × frame height − band) in one of width × height (the frame
    scaled to fit) with `text` as a footnote below it."""
    inner = svg.decode("utf-8")
    if inner.startswith("<?xml"):
        inner = inner.split("?>", 1)[1]
    fw, fh = frame
    y = fh - FOOTNOTE_BAND / 2 + 4
    outer = (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
             f'width="{width}" height="{height}" viewBox="0 0 {fw} {fh}">'
             f'<rect x="0" y="0" width="{fw}" height="{fh}" fill="#ffffff"/>'
             f'{inner}'
             f'<text x="16" y="{y:.0f}" font-family="{html.escape(FONT_FAMILY)}" font-size="12" '
             f'fill="#555555">{html.escape(text)}</text></svg>')
    return outer.encode("utf-8")


# -- rendering -------------------------------------------------------------------------------------

def _server():
    from kaleido._sync_server import GlobalKaleidoServer

    return GlobalKaleidoServer()


def _ensure_server() -> None:
    """Start the process's warm renderer once (called with the lock held)."""
    global _server_started
    import kaleido

    srv = _server()
    if srv.is_running() and not srv._thread.is_alive():  # the browser died: start afresh
        srv.close(silence_warnings=True)
    if not srv.is_running():
        kaleido.start_sync_server(n=1, mathjax=False, silence_warnings=True)
        if not _server_started:
            atexit.register(_shutdown)  # runs before kaleido's own hook: close Chromium while we still can
        _server_started = True


def _shutdown() -> None:
    """Stop the warm renderer (at exit): Chromium first, then its temporary profile goes."""
    with contextlib.suppress(Exception):
        srv = _server()
        if srv.is_running():
            srv.close(silence_warnings=True)
            # Chromium's helper processes write to the profile for a moment after the browser
            # closes; let them finish before Python removes the temporary profile directory.
            time.sleep(0.5)


def _call_with_watchdog(fn, timeout: float):
    """Run fn() in a helper thread; fail if the renderer thread dies (its queue would block forever)."""
    box: dict = {}

    def run():
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            box["error"] = exc

    worker = threading.Thread(target=run, daemon=True, name="export-render")
    worker.start()
    deadline = time.monotonic() + timeout
    srv = _server()
    while worker.is_alive():
        worker.join(0.05)
        if worker.is_alive():
            thread = getattr(srv, "_thread", None)
            if thread is not None and not thread.is_alive():
                srv.close(silence_warnings=True)
                raise RenderError("bildrenderaren (Chromium) stannade; försök igen")
            if time.monotonic() > deadline:
                # the worker is still inside the renderer: stop the renderer (still under the
                # caller's lock) so that no later call shares it with the stuck one
                with contextlib.suppress(Exception):
                    srv.close(silence_warnings=True)
                worker.join(5)
                raise RenderError(f"bilden tog mer än {timeout:.0f} s att rendera")
    if "error" in box:
        raise RenderError(f"bilden kunde inte renderas: {box['error']}") from box["error"]
    return box["value"]


def render(fig: go.Figure, fmt: str = "png", *, width: int = WIDTH, height: int = HEIGHT,
           scale: float = SCALE) -> bytes:
    """PNG/SVG/PDF bytes of `fig` from the warm renderer; serialised across all threads."""
    if fmt not in ("png", "svg", "pdf", "jpeg", "webp"):
        raise ValueError(f"okänt bildformat: {fmt}")
    with _RENDER_LOCK:
        _ensure_server()
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The kopts argument is ignored")
            data = _call_with_watchdog(
                lambda: pio.to_image(fig, format=fmt, width=width, height=height, scale=scale),
                RENDER_TIMEOUT_S)
    if isinstance(data, str):
        data = data.encode("utf-8")
    return data


def start_renderer() -> None:
    """Launch the warm renderer now without waiting for it (Chromium starts in the background), so
    the first image does not pay for the browser start. Safe to call often; never raises."""
    if _server_started and _server().is_running():
        return
    with contextlib.suppress(Exception), _RENDER_LOCK:
        _ensure_server()


def warm_up() -> float:
    """Start the renderer and draw a tiny figure; returns the seconds it took."""
    t0 = time.perf_counter()
    render(go.Figure(go.Bar(x=[1], y=[1])), "png", width=80, height=45, scale=1)
    return time.perf_counter() - t0


def to_png(fig: go.Figure, *, width: int = WIDTH, height: int = HEIGHT, scale: float = SCALE) -> bytes:
    return render(fig, "png", width=width, height=height, scale=scale)


def to_svg(fig: go.Figure, *, width: int = WIDTH, height: int = HEIGHT) -> bytes:
    return render(fig, "svg", width=width, height=height, scale=1)


def stamped_png(fig, title, selection, extract_date, source=None, *, footnote_extra=None,
                width: int = WIDTH, height: int = HEIGHT, scale: float = SCALE, header: bool = True) -> bytes:
    """PNG of width × height CSS px at `scale` (3200 × 1800 by default) of the stamped figure:
    title and selection on top (unless `header` is False: a slide states them itself), the
    footnote (source, extract date) in its own band at the bottom. A figure designed taller than
    the frame is laid out larger and scaled down (see `_frame`)."""
    head = _header(fig, title, selection) if header else fig
    fw, fh = _frame(head, width, height)
    px_per_css = width * scale / fw
    png = to_png(head, width=fw, height=fh - FOOTNOTE_BAND, scale=px_per_css)
    size = (round(width * scale), round(height * scale))
    return _footnote_png(png, footnote_text(extract_date, source, footnote_extra), size, px_per_css)


def stamped_svg(fig, title, selection, extract_date, source=None, *, footnote_extra=None,
                width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """SVG of the stamped figure (as stamped_png, vector; width × height, viewBox the frame)."""
    head = _header(fig, title, selection)
    fw, fh = _frame(head, width, height)
    svg = to_svg(head, width=fw, height=fh - FOOTNOTE_BAND)
    return _footnote_svg(svg, footnote_text(extract_date, source, footnote_extra), width, height, (fw, fh))


# -- views -------------------------------------------------------------------------------------

def stamp_texts(view) -> tuple[str, str]:
    """(title, selection line) a stamped image of `view` carries; the selection says when the
    view holds preliminary figures, so the flag survives in the image."""
    from views.model import flags

    selection = view.selection
    t = view.table
    if t is not None and "provisional" in t.columns and flags(t["provisional"]).any():
        selection = f"{selection} · {fmt.PROVISIONAL_NOTE}"
    return view.title, selection


def view_png(view, identity, *, chosen_days: int | None = None, width: int = WIDTH, height: int = HEIGHT,
             scale: float = SCALE, slide: bool = False) -> bytes | None:
    """The stamped PNG of a view (None when the view has no chart). `slide`: texts at least 12 pt
    on a 16:9 slide and the chart fitted to the frame (charts.render.for_slide)."""
    from charts.render import figure, for_slide

    fig = figure(view, chosen_days=chosen_days)
    if fig is None:
        return None
    if slide:
        fit = None if view.kind in ("scorecard", "heat") else height - FOOTNOTE_BAND
        fig = for_slide(fig, height=fit, drop_title=True)
    title, selection = stamp_texts(view)
    extract_date, source = _footnote_source(view, identity)
    return stamped_png(fig, title, selection, extract_date, source,
                       footnote_extra=identity.footnote_extra, width=width, height=height, scale=scale,
                       header=not slide)


def _footnote_source(view, identity) -> tuple:
    """(extract date, source) for a view's footnote: published figures name their own source
    ('Källa: Kolada, KPI N70643') and no extract date; everything else the extract's."""
    source = view.options.get("source") if view.options.get("published_only") else None
    if source:
        return None, source
    return identity.extract_date, identity.source


def view_svg(view, identity, *, chosen_days: int | None = None, width: int = WIDTH,
             height: int = HEIGHT) -> bytes | None:
    """The stamped SVG of a view (None when the view has no chart)."""
    from charts.render import figure

    fig = figure(view, chosen_days=chosen_days)
    if fig is None:
        return None
    title, selection = stamp_texts(view)
    extract_date, source = _footnote_source(view, identity)
    return stamped_svg(fig, title, selection, extract_date, source,
                       footnote_extra=identity.footnote_extra, width=width, height=height)
