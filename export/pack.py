"""The meeting pack (Mötespaket): PowerPoint (16:9) and PDF from the same charts, images and texts.

    pack = build_pack(ds, preset_views("styrgrupp"), Selection(...), meeting="RPO-möte")
    pptx_bytes = to_pptx(pack); pdf_bytes = to_pdf(pack)

The charts are views (views.view): the same protected views the pages draw for the selection, so a
slide equals the chart on screen. Slides: a title slide (meeting, date, selection, extract date,
dataset id, source), one slide per chart (title, selection, the stamped 3200 × 1800 PNG whose
alternative text lists every number it shows, a footer; speaker notes from the view: definition,
n, interval method, suppression and caveats), and closing slide(s) with the definitions of the
indicators shown. The PDF has the same pages in the same order (16:9 pages), followed by an
appendix with every slide's notes.

Other documents use the same machinery (reports/plan_report.py, the cancer plan's yearly
follow-up): `Pack.items` may hold `TextPage`s (a title and paragraphs, cut into pages with
`paginate`) between the chart slides; a view with `options['slide_text']` gets its picture on the
left and those lines beside it; `title_info` replaces the meeting and selection lines of the title
page, `closing` the definitions, and `document` names the kind of document.

Nothing here imports Streamlit; `progress(fraction, text)` reports how far the build has come.
"""

from __future__ import annotations

import io
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import textfmt as fmt
from indicators import QueryError
from textfmt.safe import one_line
from views import DatasetIdentity, Selection, View, context, preset_views
from views import view as protected_view
from views.text import selection_line

from . import images as ximages
from . import tables as xtables

SLIDE_W_IN, SLIDE_H_IN = 13.333, 7.5
DEFINITIONS_PER_SLIDE = 4
SCORECARD_ROWS_PER_SLIDE = 7  # unit rows of the overview grid per slide (riket and one's own on each)
FONT_REGULAR = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
MIME_PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
MIME_PDF = "application/pdf"

Progress = Callable[[float, str], None]
# Slide pictures: 3240 × 1822 px, laid out at 900 × 506 CSS px and shown 10,7 in wide, so that 15 px
# (charts.render.for_slide's smallest text) is 12,8 pt on the slide.
PACK_IMAGE_LAYOUT = (900, 506, 3.6)
PICTURE_TOP_IN, PICTURE_H_IN = 1.1, 6.0  # the picture under the slide's title and selection line


# A chart slide with text beside the picture (options['slide_text']): the picture's width, the text's.
SIDE_PICTURE_W_IN = 8.3
SIDE_GAP_IN = 0.2
SIDE_LEFT_IN = 0.35
SIDE_TEXT_W_IN = SLIDE_W_IN - SIDE_LEFT_IN - SIDE_PICTURE_W_IN - SIDE_GAP_IN - SIDE_LEFT_IN
TEXT_BODY_TOP_IN, TEXT_BODY_H_IN = 1.05, 5.85  # the body of a text page, under its title
BLOCK_SIZES = {"h": 15, "p": 13, "s": 12}  # points: heading, paragraph, small grey line
SIDE_SIZES = {"h": 13, "p": 12, "s": 12}  # beside a picture (grey tells 's' from 'p')


@dataclass(frozen=True)
class TextPage:
    """A page of text among the charts: a title and blocks (style, text), style 'h' (heading),
    'p' (paragraph) or 's' (a smaller grey line). Duck-types the View attributes a pack reads."""

    title: str
    blocks: tuple[tuple[str, str], ...]
    notes: tuple[str, ...] = ()
    selection: str = ""
    error: None = None
    indicators: tuple[str, ...] = ()
    kind: str = "text"


def _line_chars(width_in: float, size_pt: float) -> int:
    """Characters per line of `size_pt` text across `width_in` (DejaVu Sans, a little generous)."""
    return max(10, int(width_in * 72 / (size_pt * 0.58)))


def block_height(style: str, text: str, width_in: float, sizes: dict = BLOCK_SIZES) -> float:
    """Estimated height in inches of one block, wrapped at `width_in`."""
    import textwrap

    size = sizes.get(style, 13)
    lines = sum(max(1, len(textwrap.wrap(part, _line_chars(width_in, size)) or [""]))
                for part in str(text).split("\n"))
    return lines * size * 1.27 / 72 + (size * 0.5 / 72 if style != "s" else 2 / 72)


def fit_blocks(blocks, width_in: float, height_in: float, sizes: dict = BLOCK_SIZES) -> list[tuple[str, str]]:
    """`blocks` cut to what fits in width × height: the block that overflows is shortened with '…'
    and the rest left out; a heading is never left without its text."""
    out, used = [], 0.0
    for style, text in blocks:
        h = block_height(style, text, width_in, sizes)
        if used + h <= height_in:
            out.append((style, text))
            used += h
            continue
        size = sizes.get(style, 13)
        room = int((height_in - used) * 72 / (size * 1.27)) - (1 if style != "s" else 0)
        chars = room * _line_chars(width_in, size) - 12
        if style != "h" and room >= 1 and chars > 20:
            out.append((style, text[:chars].rsplit(" ", 1)[0].rstrip(" ,;:") + " …"))
        break
    while out and out[-1][0] == "h":
        out.pop()
    return out


def paginate(title: str, blocks, *, notes: tuple[str, ...] = (), width_in: float = SLIDE_W_IN - 1.0,
             height_in: float = TEXT_BODY_H_IN) -> list[TextPage]:
    """Text pages of `title` holding `blocks` in order, each filled up to `height_in`; a heading
    is never left last on a page; a block taller than a page is cut ('…'). Pages after the first
    are titled '… (forts.)'."""
    pages: list[list[tuple[str, str]]] = [[]]
    used = 0.0
    for style, text in blocks:
        h = block_height(style, text, width_in)
        if used + h > height_in and pages[-1]:
            carry = [pages[-1].pop()] if pages[-1] and pages[-1][-1][0] == "h" else []
            pages.append(carry)
            used = sum(block_height(st, tx, width_in) for st, tx in carry)
        if h > height_in:
            pages[-1] += fit_blocks([(style, text)], width_in, height_in - used)
            used = height_in
            continue
        pages[-1].append((style, text))
        used += h
    return [TextPage(title if i == 0 else f"{title} (forts.)", tuple(page), notes if i == 0 else ())
            for i, page in enumerate(pages) if page or i == 0]


@dataclass
class Pack:
    meeting: str
    meeting_date: date
    selection: str
    identity: DatasetIdentity
    period: tuple[date, date]
    items: list[View]
    catalogue: object = None
    images: list[bytes | None] = field(default_factory=list)
    alt_texts: list[str] = field(default_factory=list)
    preset: str | None = None
    created: datetime = field(default_factory=lambda: datetime.now().replace(microsecond=0))
    build_seconds: float = 0.0
    document: str = "Mötespaket"  # what the pack is, in its notes and metadata
    title_info: list[str] | None = None  # replaces the meeting date and selection on the title page
    closing: list[TextPage] | None = None  # replaces the definition slides
    closing_title: str = "Definitioner"

    @property
    def title(self) -> str:
        return self.meeting.strip() or "Mötespaket – Indikatorpanelen"

    def indicators(self) -> list:
        """Every indicator shown, once, in order of appearance."""
        seen, out = set(), []
        for item in self.items:
            for ind_id in getattr(item, "indicators", ()):
                if ind_id not in seen and self.catalogue is not None and ind_id in self.catalogue:
                    seen.add(ind_id)
                    out.append(self.catalogue.get(ind_id))
        return out

    @property
    def definition_slides(self) -> int:
        if self.closing is not None:
            return len(self.closing)
        return max(1, math.ceil(len(self.indicators()) / DEFINITIONS_PER_SLIDE))

    @property
    def slide_count(self) -> int:
        return 1 + len(self.items) + self.definition_slides

    def footer(self, page: int) -> str:
        return (f"{self.title} · Datauttag {self.identity.extract_date} · Dataset {self.identity.dataset_id} · "
                f"{page}/{self.slide_count}")


def _noop(_fraction: float, _text: str) -> None:
    return None


def pack_selection_text(ds, sel: Selection) -> str:
    """The selection as the title slide states it."""
    from views.text import comparison_text

    return selection_line(context(ds), sel, None, geography=comparison_text(context(ds), sel))


def build_pack(ds, charts: list[str] | None, sel: Selection, *, meeting: str = "", meeting_date: date | None = None,
               preset: str | None = None, progress: Progress | None = None, render: bool = True) -> Pack:
    """The pack's views and their stamped PNGs (see module docstring).

    `charts` are view ids; None means the preset's. Raises QueryError for an unknown preset or
    view id; a view whose data is missing becomes a slide that says so.
    """
    progress = progress or _noop
    t0 = time.perf_counter()
    if charts is None:
        charts = preset_views(preset or "styrgrupp")
    if not charts:
        raise QueryError("inga diagram valda för mötespaketet")
    ctx = context(ds)
    items: list[View] = []
    n = len(charts)
    for i, chart_id in enumerate(charts):
        progress(0.05 + 0.35 * i / n, f"Beräknar {i + 1} av {n}: {chart_id.split(':')[-1]}")
        items += slide_parts(protected_view(ds, sel, chart_id))
    pack = Pack(meeting=one_line(meeting, 120), meeting_date=meeting_date or date.today(),
                selection=pack_selection_text(ds, sel), identity=ctx.identity, period=(sel.start, sel.end),
                items=items, catalogue=ds.catalogue(), preset=preset)
    pack.alt_texts = [xtables.alt_text(item, pack.catalogue) for item in items]
    if render:
        for i, item in enumerate(items):  # a split grid is several pictures: count the slides' pictures
            progress(0.4 + 0.55 * i / len(items), f"Ritar bild {i + 1} av {len(items)}: {item.title}")
            pack.images.append(chart_png(item, ctx.identity))
    progress(0.97, "Sätter ihop paketet")
    pack.build_seconds = time.perf_counter() - t0
    return pack


def slide_parts(view: View) -> list[View]:
    """A grid too tall for one readable slide (the overview, the coverage table) as several slides:
    riket and one's own unit on each, the other units split in order. Parts of a protected view:
    no number is added or changed."""
    if view.kind not in ("scorecard", "heat") or view.error or view.table is None or view.table.empty:
        return [view]
    t = view.table
    key = t["role"].astype(str) + ":" + t["unit_code"].astype(str)
    fixed = [k for k, r in zip(key, t["role"]) if r in ("riket", "own")]
    others = [k for k in dict.fromkeys(key) if k not in set(fixed)]
    if len(others) <= SCORECARD_ROWS_PER_SLIDE:
        return [view]
    chunks = [others[i:i + SCORECARD_ROWS_PER_SLIDE] for i in range(0, len(others), SCORECARD_ROWS_PER_SLIDE)]
    return [view.replace(table=t[key.isin(set(fixed) | set(chunk))].reset_index(drop=True),
                         title=f"{view.title} ({i}/{len(chunks)})")
            for i, chunk in enumerate(chunks, start=1)]


def chart_png(item: View, ident: DatasetIdentity) -> bytes | None:
    """The stamped slide image of a view (None when it has no chart or could not be made)."""
    if item.error:
        return None
    w, h, scale = item.options.get("image_layout") or PACK_IMAGE_LAYOUT
    return ximages.view_png(item, ident, width=w, height=h, scale=scale, slide=True)


# -- texts shared by PowerPoint and PDF --------------------------------------------------------------

def title_lines(pack: Pack) -> list[str]:
    ident = pack.identity
    head = pack.title_info if pack.title_info is not None else [f"Möte: {pack.meeting_date.isoformat()}",
                                                                 f"Urval: {pack.selection}"]
    return [
        *head,
        f"Datauttag: {ident.extract_date} · Dataset-id: {ident.dataset_id}",
        f"Källa: {ident.source}",
        f"Skapat {pack.created.strftime('%Y-%m-%d %H:%M')} med Indikatorpanelen",
    ]


def title_notes(pack: Pack) -> str:
    lines = [f"{pack.document}: {pack.title}.", f"Urval: {pack.selection}.",
             f"Datauttag {pack.identity.extract_date}; källa: {pack.identity.source}; dataset-id "
             f"{pack.identity.dataset_id} (SHA-256 över manifest och filernas namn och storlek).",
             "Bilder i paketet:"]
    lines += [f"  {i}. {item.title}" for i, item in enumerate(pack.items, start=2)]
    lines.append(xtables.SUPPRESSION_NOTE)
    return "\n".join(lines)


def definition_chunks(pack: Pack) -> list[list]:
    inds = pack.indicators()
    if not inds:
        return [[]]
    return [inds[i:i + DEFINITIONS_PER_SLIDE] for i in range(0, len(inds), DEFINITIONS_PER_SLIDE)]


def definition_text(ind) -> tuple[str, str]:
    """(heading, body) for one indicator on the closing slide."""
    om = (ind.texts or {}).get("om", "")
    target = ("registrens egna målnivåer" if ind.targets_from == "registers"
              else fmt.targets_text(ind.target_low, ind.target_high, ind.direction) or "ingen målnivå")
    target = target[0].upper() + target[1:]
    body = f"{om} {target}. Konfidensintervall: {ind.interval_text}"
    return f"{ind.name_sv} ({ind.short_sv})", body


def definition_notes(chunk: list) -> str:
    lines = []
    for ind in chunk:
        texts = ind.texts or {}
        lines.append(f"{ind.name_sv} ({ind.id})")
        for key, label in (("om", "Om indikatorn"), ("tolkning", "Att tänka på vid tolkning"),
                           ("teknisk", "Teknisk beskrivning")):
            if texts.get(key):
                lines.append(f"{label}: {texts[key]}")
        if ind.target_source:
            lines.append(f"Målnivåns källa: {ind.target_source}")
        lines.append("")
    lines.append(xtables.SUPPRESSION_NOTE)
    return "\n".join(lines).strip()


# -- PowerPoint ----------------------------------------------------------------------------------------

def to_pptx(pack: Pack) -> bytes:
    """The pack as a 16:9 .pptx (python-pptx, default template, PNG pictures)."""
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.util import Emu, Inches, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(12192000), Emu(6858000)  # 13.333 × 7.5 in, exactly 16:9
    grey = RGBColor(0x55, 0x5F, 0x6B)
    dark = RGBColor(0x1F, 0x2A, 0x36)

    def textbox(slide, left, top, width, height, text, size, color=dark, bold=False):
        box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
        tf = box.text_frame
        tf.word_wrap = True
        lines = text if isinstance(text, list) else [text]
        for i, line in enumerate(lines):
            p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
            run = p.add_run()
            run.text = line
            run.font.size = Pt(size)
            run.font.color.rgb = color
            run.font.bold = bold
        return box

    def set_title(slide, text, size=26):
        t = slide.shapes.title
        t.left, t.top, t.width, t.height = Inches(0.5), Inches(0.1), Inches(SLIDE_W_IN - 1.0), Inches(0.62)
        t.text = text
        tf = t.text_frame
        tf.word_wrap = True
        for p in tf.paragraphs:
            p.alignment = 1  # left
            for r in p.runs:
                r.font.size = Pt(size)
                r.font.bold = True
                r.font.color.rgb = dark

    # 1. title slide
    s = prs.slides.add_slide(prs.slide_layouts[0])
    s.shapes.title.left, s.shapes.title.top = Inches(0.8), Inches(1.4)
    s.shapes.title.width, s.shapes.title.height = Inches(SLIDE_W_IN - 1.6), Inches(1.5)
    s.shapes.title.text = pack.title
    for p in s.shapes.title.text_frame.paragraphs:
        p.alignment = 1
        for r in p.runs:
            r.font.size, r.font.bold, r.font.color.rgb = Pt(40), True, dark
    sub = s.placeholders[1]
    sub.left, sub.top, sub.width, sub.height = Inches(0.8), Inches(3.1), Inches(SLIDE_W_IN - 1.6), Inches(3.4)
    tf = sub.text_frame
    tf.word_wrap = True
    lines = title_lines(pack)
    for i, line in enumerate(lines):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.text = line
        p.alignment = 1
        for r in p.runs:
            r.font.size = Pt(16 if i < len(lines) - 2 else 13)
            r.font.color.rgb = dark if i < len(lines) - 2 else grey
    s.notes_slide.notes_text_frame.text = title_notes(pack)

    def blocks_box(slide, left, top, width, height, blocks, sizes=BLOCK_SIZES):
        box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
        tf = box.text_frame
        tf.word_wrap = True
        for k, (style, text) in enumerate(blocks):
            p = tf.paragraphs[0] if k == 0 else tf.add_paragraph()
            r = p.add_run()
            r.text = text
            r.font.size, r.font.bold = Pt(sizes.get(style, 13)), style == "h"
            r.font.color.rgb = grey if style == "s" else dark
            if style == "h" and k:
                p.space_before = Pt(6)
            p.space_after = Pt(2 if style == "s" else 4)
        return box

    # 2. chart slides (and text pages between them)
    for i, item in enumerate(pack.items):
        page = i + 2
        s = prs.slides.add_slide(prs.slide_layouts[5])
        set_title(s, item.title, 24 if len(item.title) <= 70 else 20)
        if isinstance(item, TextPage):
            blocks_box(s, 0.5, TEXT_BODY_TOP_IN, SLIDE_W_IN - 1.0, TEXT_BODY_H_IN, list(item.blocks))
            textbox(s, 0.5, PICTURE_TOP_IN + PICTURE_H_IN + 0.02, SLIDE_W_IN - 1.0, 0.35, pack.footer(page), 12, grey)
            s.notes_slide.notes_text_frame.text = "\n".join(item.notes)
            continue
        textbox(s, 0.5, 0.68, SLIDE_W_IN - 1.0, 0.4, f"Urval: {ximages.stamp_texts(item)[1]}", 12, grey)
        png = pack.images[i] if i < len(pack.images) else None
        side = item.options.get("slide_text")
        if png is not None:
            if side:
                w, h, _ = item.options.get("image_layout") or PACK_IMAGE_LAYOUT
                width = SIDE_PICTURE_W_IN
                height = min(PICTURE_H_IN, width * h / w)
                left = SIDE_LEFT_IN
            else:
                height = PICTURE_H_IN
                width = height * 16 / 9
                left = (SLIDE_W_IN - width) / 2
            pic = s.shapes.add_picture(io.BytesIO(png), Inches(left), Inches(PICTURE_TOP_IN), height=Inches(height))
            # the numbers the picture shows, for screen readers and for anyone auditing the pack
            pic._element.nvPicPr.cNvPr.set("descr", pack.alt_texts[i] if i < len(pack.alt_texts) else item.title)
            if side:
                blocks_box(s, SIDE_LEFT_IN + SIDE_PICTURE_W_IN + SIDE_GAP_IN, PICTURE_TOP_IN, SIDE_TEXT_W_IN,
                           PICTURE_H_IN, fit_blocks(side, SIDE_TEXT_W_IN, PICTURE_H_IN - 0.1, SIDE_SIZES), SIDE_SIZES)
        elif side:  # nothing to draw (a goal without an indicator): the text across the slide
            blocks_box(s, 0.5, PICTURE_TOP_IN, SLIDE_W_IN - 1.0, PICTURE_H_IN,
                       fit_blocks(side, SLIDE_W_IN - 1.0, PICTURE_H_IN - 0.1))
        else:
            msg = item.error or "Diagrammet kunde inte ritas."
            textbox(s, 0.8, 2.5, SLIDE_W_IN - 1.6, 2.0, ["Diagrammet kunde inte skapas för det här urvalet.",
                                                         msg], 16, dark)
        textbox(s, 0.5, PICTURE_TOP_IN + PICTURE_H_IN + 0.02, SLIDE_W_IN - 1.0, 0.35, pack.footer(page), 12, grey)
        s.notes_slide.notes_text_frame.text = "\n".join(item.notes)

    # 3. definitions (or the document's own closing pages)
    for k, closing in enumerate(pack.closing or ()):
        page = 2 + len(pack.items) + k
        s = prs.slides.add_slide(prs.slide_layouts[5])
        set_title(s, closing.title)
        blocks_box(s, 0.5, TEXT_BODY_TOP_IN, SLIDE_W_IN - 1.0, TEXT_BODY_H_IN, list(closing.blocks))
        textbox(s, 0.5, 7.0, SLIDE_W_IN - 1.0, 0.4, pack.footer(page), 12, grey)
        s.notes_slide.notes_text_frame.text = "\n".join(closing.notes)
    chunks = definition_chunks(pack) if pack.closing is None else []
    for k, chunk in enumerate(chunks):
        page = 2 + len(pack.items) + k
        s = prs.slides.add_slide(prs.slide_layouts[5])
        set_title(s, "Definitioner" + (f" ({k + 1}/{len(chunks)})" if len(chunks) > 1 else ""))
        box = s.shapes.add_textbox(Inches(0.5), Inches(1.05), Inches(SLIDE_W_IN - 1.0), Inches(5.9))
        tf = box.text_frame
        tf.word_wrap = True
        first = True
        for ind in chunk:
            heading, body = definition_text(ind)
            for text, bold, size in ((heading, True, 16), (body, False, 13)):
                p = tf.paragraphs[0] if first else tf.add_paragraph()
                first = False
                r = p.add_run()
                r.text = text
                r.font.size, r.font.bold = Pt(size), bold
                r.font.color.rgb = dark if bold else grey
                if not bold:
                    p.space_after = Pt(6)
        p = tf.add_paragraph()
        r = p.add_run()
        r.text = xtables.SUPPRESSION_NOTE
        r.font.size, r.font.italic = Pt(12), True
        r.font.color.rgb = grey
        textbox(s, 0.5, 7.0, SLIDE_W_IN - 1.0, 0.4, pack.footer(page), 12, grey)
        s.notes_slide.notes_text_frame.text = definition_notes(chunk)

    prs.core_properties.title = pack.title
    prs.core_properties.subject = pack.selection[:250]
    prs.core_properties.author = "Indikatorpanelen"
    prs.core_properties.keywords = f"dataset {pack.identity.dataset_id}; datauttag {pack.identity.extract_date}"
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


# -- PDF -------------------------------------------------------------------------------------------

def to_pdf(pack: Pack) -> bytes:
    """The pack as PDF: the slides' pages (16:9) in the same order, then the speaker notes."""
    from fpdf import FPDF

    w_mm, h_mm = SLIDE_W_IN * 25.4, SLIDE_H_IN * 25.4
    pdf = FPDF(orientation="L", unit="mm", format=(h_mm, w_mm))
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", "", FONT_REGULAR)
    pdf.add_font("DejaVu", "B", FONT_BOLD)
    pdf.set_title(pack.title)
    pdf.set_author("Indikatorpanelen")
    pdf.set_subject(pack.selection[:250])
    pdf.set_keywords(f"dataset {pack.identity.dataset_id}; datauttag {pack.identity.extract_date}")
    margin = 12.7
    width = w_mm - 2 * margin

    def footer(page: int) -> None:
        pdf.set_font("DejaVu", "", 11)
        pdf.set_text_color(85, 95, 107)
        pdf.set_xy(margin, h_mm - 10)
        pdf.cell(width, 5, pack.footer(page))

    def heading(text: str, size: int = 22) -> None:
        pdf.set_font("DejaVu", "B", size)
        pdf.set_text_color(31, 42, 54)
        pdf.set_xy(margin, 8)
        pdf.multi_cell(width, size * 0.45, text, align="L")

    # title page
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 30)
    pdf.set_text_color(31, 42, 54)
    pdf.set_xy(margin + 8, 40)
    pdf.multi_cell(width - 16, 13, pack.title, align="L")
    pdf.set_xy(margin + 8, 82)
    lines = title_lines(pack)
    for i, line in enumerate(lines):
        big = i < len(lines) - 2
        pdf.set_font("DejaVu", "", 14 if big else 11)
        pdf.set_text_color(*((31, 42, 54) if big else (85, 95, 107)))
        pdf.set_x(margin + 8)
        pdf.multi_cell(width - 16, 7.5 if big else 6, line, align="L")
        pdf.ln(1.5)

    def blocks(x: float, y: float, w: float, items, sizes=BLOCK_SIZES) -> None:
        pdf.set_xy(x, y)
        for k, (style, text) in enumerate(items):
            size = sizes.get(style, 13)
            pdf.set_font("DejaVu", "B" if style == "h" else "", size)
            pdf.set_text_color(*((85, 95, 107) if style == "s" else (31, 42, 54)))
            if style == "h" and k:
                pdf.ln(1.8)
            pdf.set_x(x)
            pdf.multi_cell(w, size * 0.45, text, align="L")
            pdf.ln(0.7 if style == "s" else 1.4)

    # charts (and text pages between them)
    for i, item in enumerate(pack.items):
        page = i + 2
        pdf.add_page()
        heading(item.title, 22 if len(item.title) <= 70 else 18)
        if isinstance(item, TextPage):
            blocks(margin, max(26.0, pdf.get_y() + 3), width, item.blocks)
            footer(page)
            continue
        pdf.set_font("DejaVu", "", 12)
        pdf.set_text_color(85, 95, 107)
        pdf.set_xy(margin, pdf.get_y() + 1)
        pdf.multi_cell(width, 5.4, f"Urval: {ximages.stamp_texts(item)[1]}", align="L")
        png = pack.images[i] if i < len(pack.images) else None
        side = item.options.get("slide_text")
        top = max(36.0, pdf.get_y() + 2)
        if png is not None and side:
            w, h, _ = item.options.get("image_layout") or PACK_IMAGE_LAYOUT
            img_w = SIDE_PICTURE_W_IN * 25.4
            img_h = min(img_w * h / w, h_mm - 11 - top)
            img_w = img_h * w / h
            left = SIDE_LEFT_IN * 25.4
            pdf.image(io.BytesIO(png), x=left, y=top, w=img_w, h=img_h)
            side_x = left + SIDE_PICTURE_W_IN * 25.4 + SIDE_GAP_IN * 25.4
            blocks(side_x, top, w_mm - side_x - SIDE_LEFT_IN * 25.4,
                   fit_blocks(side, SIDE_TEXT_W_IN, (h_mm - 12 - top) / 25.4, SIDE_SIZES), SIDE_SIZES)
        elif png is not None:
            img_h = min(PICTURE_H_IN * 25.4, h_mm - 11 - top)  # leave the footer free
            img_w = img_h * 16 / 9
            pdf.image(io.BytesIO(png), x=(w_mm - img_w) / 2, y=top, w=img_w, h=img_h)
        elif side:
            blocks(margin, top, width, fit_blocks(side, SLIDE_W_IN - 1.0, (h_mm - 12 - top) / 25.4))
        else:
            pdf.set_font("DejaVu", "", 14)
            pdf.set_text_color(31, 42, 54)
            pdf.set_xy(margin + 8, 70)
            pdf.multi_cell(width - 16, 7, "Diagrammet kunde inte skapas för det här urvalet.\n"
                           + (item.error or ""))
        footer(page)

    # the document's own closing pages
    for k, closing in enumerate(pack.closing or ()):
        page = 2 + len(pack.items) + k
        pdf.add_page()
        heading(closing.title)
        blocks(margin, max(26.0, pdf.get_y() + 3), width, closing.blocks)
        footer(page)

    # definitions
    chunks = definition_chunks(pack) if pack.closing is None else []
    for k, chunk in enumerate(chunks):
        page = 2 + len(pack.items) + k
        pdf.add_page()
        heading("Definitioner" + (f" ({k + 1}/{len(chunks)})" if len(chunks) > 1 else ""))
        pdf.set_xy(margin, 26)
        for ind in chunk:
            head, body = definition_text(ind)
            pdf.set_font("DejaVu", "B", 15)
            pdf.set_text_color(31, 42, 54)
            pdf.set_x(margin)
            pdf.multi_cell(width, 7, head)
            pdf.set_font("DejaVu", "", 12)
            pdf.set_text_color(85, 95, 107)
            pdf.set_x(margin)
            pdf.multi_cell(width, 5.6, body)
            pdf.ln(2)
        pdf.set_font("DejaVu", "", 12)
        pdf.set_x(margin)
        pdf.multi_cell(width, 5.6, xtables.SUPPRESSION_NOTE)
        footer(page)

    # appendix: the speaker notes
    pdf.set_auto_page_break(True, margin=14)
    pdf.add_page()
    heading("Anteckningar till bilderna", 18)
    pdf.set_xy(margin, 22)
    notes = [("1. " + pack.title, title_notes(pack))]
    notes += [(f"{i}. {item.title}", "\n".join(item.notes)) for i, item in enumerate(pack.items, start=2)
              if item.notes]
    for head, text in notes:
        pdf.set_font("DejaVu", "B", 10)
        pdf.set_text_color(31, 42, 54)
        pdf.set_x(margin)
        pdf.multi_cell(width, 5, head)
        pdf.set_font("DejaVu", "", 8.5)
        pdf.set_text_color(60, 66, 74)
        pdf.set_x(margin)
        pdf.multi_cell(width, 3.9, text)
        pdf.ln(2)
    return bytes(pdf.output())


def pack_filename(pack: Pack, suffix: str) -> str:
    import re
    import unicodedata

    base = unicodedata.normalize("NFKD", pack.title).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "_", base).strip("_")[:50] or "motespaket"
    return f"{base}_{pack.meeting_date.isoformat()}.{suffix}"
