"""The 20-chart meeting pack and one chart image (export/pack.py, export/images.py), when present.

In one worker process with the data open: start the image renderer (timed apart: it happens once
per server process), then build a pack of 20 charts (`export.presets.available_charts`, in order)
for the app's default selection and write it as PowerPoint and as PDF. The pack is built once
with nothing cached (first pack of the process), then `repeats` times with the engine's result
cache cleared (uncached, warm process) for the median. One chart image warm: one comparison chart
rendered to its stamped 3200 × 1800 PNG `repeats` times with the renderer warm.
"""

from __future__ import annotations

from .common import ms, now, peak_rss_mb

N_CHARTS = 20


def _api():
    from export import images, pack, presets

    for mod, names in ((pack, ("build_pack", "to_pptx", "to_pdf")),
                       (presets, ("available_charts", "PackSelection", "build_chart")),
                       (images, ("warm_up", "stamped_png"))):
        for n in names:
            if not hasattr(mod, n):
                raise ImportError(f"{mod.__name__}.{n} finns inte")
    return images, pack, presets


def run(args: dict) -> dict:
    try:
        images, pack, presets = _api()
    except ImportError as exc:
        return {"skipped": f"export saknas eller har ett annat gränssnitt: {exc}"}
    from indicators import open_data

    ds = open_data(args["data"])
    repeats = int(args.get("repeats", 2))
    out = {}
    t = now()
    images.warm_up()
    out["renderer_start_ms"] = ms(now() - t)
    charts = [c for c, _ in presets.available_charts(ds)][:N_CHARTS]
    out["charts"] = charts
    sel = presets.PackSelection()

    render_s = [0.0]
    original_png = getattr(pack, "chart_png", None)
    if original_png is not None:  # split a pack's build into computing and drawing
        def chart_png(*a, **k):
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
        r["render_ms"] = ms(render_s[0]) if original_png is not None else None
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
        r["failed_charts"] = [it.chart_id for it in p.items if it.error or it.figure is None]
        r["pptx_bytes"], r["pdf_bytes"] = len(pptx), len(pdf)
        return r

    out["first_pack"] = one_pack()
    runs = []
    for _ in range(repeats):
        with ds._lock:
            ds._cache.clear()
        runs.append(one_pack())
    out["packs"] = runs

    ident = None
    try:
        from export import dataset_identity

        ident = dataset_identity(ds)
    except ImportError:
        pass
    chart_id = next((c for c in charts if c.startswith("jamforelse:")), charts[0])
    item = presets.build_chart(ds, chart_id, sel, ident)
    times = []
    for _ in range(max(3, repeats + 1)):
        t = now()
        png = images.stamped_png(item.figure, item.title, item.selection, ds.extract_date)
        times.append(ms(now() - t))
    out["image"] = {"chart": chart_id, "ms": times, "bytes": len(png)}
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return out
