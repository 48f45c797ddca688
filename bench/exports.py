"""The 20-chart meeting pack and one chart image (export/pack.py over views, export/images.py).

In one worker process with the data open: start the image renderer (timed apart: it happens once
per server process), then build a pack of 20 charts (the first 20 of `views.available_views`, in
order: what a user can pick on the Mötespaket page) for the app's default selection (the latest
twelve whole months, views.default_period) with `export.pack.build_pack`, and write it as
PowerPoint and as PDF. The pack is built once with nothing cached (first pack of the process),
then `repeats` times with the engine's result cache and the view cache cleared (uncached, warm
process) for the median. A build's time is split into drawing the pictures
(`export.pack.chart_png`) and the rest (computing and protecting the views, alternative texts).
One chart image warm: one comparison view rendered to its stamped 3200 × 1800 PNG
(`export.images.view_png`, as the page's download button does) `repeats` times with the
renderer warm.
"""

from __future__ import annotations

from .common import ms, now, peak_rss_mb

N_CHARTS = 20


def _clear(ds) -> None:
    """Forget the engine's results and the protected views of every selection."""
    from views import registry

    with ds._lock:
        ds._cache.clear()
    cache = getattr(ds, registry._ATTR, None)
    if cache is not None:
        store, lock = cache
        with lock:
            store.clear()


def run(args: dict) -> dict:
    import views
    from charts.render import figure
    from export import images, pack
    from indicators import open_data

    ds = open_data(args["data"])
    repeats = int(args.get("repeats", 2))
    out = {}
    t = now()
    images.warm_up()
    out["renderer_start_ms"] = ms(now() - t)
    charts = [c for c, _ in views.available_views(ds)][:N_CHARTS]
    out["charts"] = charts
    sel = views.Selection(*views.default_period(ds.extract_date))
    out["selection"] = str(sel)

    render_s = [0.0]
    original_png = pack.chart_png

    def chart_png(*a, **k):  # split a pack's build into computing and drawing
        t = now()
        try:
            return original_png(*a, **k)
        finally:
            render_s[0] += now() - t

    pack.chart_png = chart_png

    def one_pack():
        r = {}
        render_s[0] = 0.0
        t = now()
        p = pack.build_pack(ds, charts, sel, meeting="Benchmark")
        r["build_ms"] = ms(now() - t)
        r["render_ms"] = ms(render_s[0])
        t = now()
        pptx = pack.to_pptx(p)
        r["pptx_ms"] = ms(now() - t)
        t = now()
        pdf = pack.to_pdf(p)
        r["pdf_ms"] = ms(now() - t)
        r["total_pptx_ms"] = round(r["build_ms"] + r["pptx_ms"], 2)
        r["total_both_ms"] = round(r["build_ms"] + r["pptx_ms"] + r["pdf_ms"], 2)
        r["slides"] = p.slide_count
        r["images"] = sum(1 for i in p.images if i)
        r["failed_charts"] = [it.id for it in p.items if it.error or figure(it) is None]
        r["pptx_bytes"], r["pdf_bytes"] = len(pptx), len(pdf)
        return r

    out["first_pack"] = one_pack()
    runs = []
    for _ in range(repeats):
        _clear(ds)
        runs.append(one_pack())
    out["packs"] = runs

    ident = views.context(ds).identity
    chart_id = next((c for c in charts if c.startswith("jamforelse:")), charts[0])
    item = views.view(ds, sel, chart_id)
    times = []
    for _ in range(max(3, repeats + 1)):
        t = now()
        png = images.view_png(item, ident)
        times.append(ms(now() - t))
    out["image"] = {"chart": chart_id, "ms": times, "bytes": len(png)}
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return out
