"""Published figures in the view layer.

1. Beside our own numbers: `with_published` adds the published value of the same region (or
   riket) and calendar period to the rows of a comparison (the SVF comparison bars and the
   overview's SVF columns), with the difference computed − published and the tolerance it is
   judged against (indicators.reconcile); `beside_lines` writes the notes about it after
   disclosure control.
2. The reconciliation view ('avstamning:<indicator>'): region × whole year where computed and
   published differ by more than the tolerance.
3. The views of the page "Publicerad statistik": the published figures per region for one year
   ('publicerat:<indicator>', bars), over the years ('publicerat-trend:<indicator>'), as a map
   ('publicerat-karta:<indicator>') and as a region × year table ('publicerat-tabell:<indicator>').
   They need no extract: the bundled Kolada figures stand in (indicators.published).

Published figures are not our counts: their rows carry no cell and disclosure control leaves them
alone; they are shown as the source publishes them, with the source named ('Källa: Kolada').
What we compute beside them (difference, tolerance, whether it exceeds it) follows the computed
row: its columns are listed in options['masked'], so they are hidden wherever the row is.
A sjukvårdsregion value is shown only where the source publishes counts to add up
(indicators.published.published_healthcare_regions), never as an average of percentages.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

import textfmt as fmt
from indicators import DataError, QueryError
from indicators.published import published_healthcare_regions
from indicators.reconcile import (
    BESIDE_COLUMNS,
    EXPLANATIONS,
    RECONCILED,
    TOLERANCE_TEXTS,
    TOLERANCES,
    period_label,
    published_beside,
    reconcile,
)

from . import cells as cellmod
from .model import HIDDEN_PRIMARY, View, failed_view
from .selection import MAX_TREND_UNITS, Selection
from .text import own_label, own_unit, shown_units

BESIDE_MASKED = ("difference_pp", "tolerance_pp", "exceeds_tolerance")
KINDS = ("publicerat", "publicerat-trend", "publicerat-karta", "publicerat-tabell", "avstamning")
PUBLISHED_PAGE_KINDS = ("publicerat", "publicerat-karta", "publicerat-trend", "publicerat-tabell")

NOT_PUBLISHED = "uppgift saknas"  # a region the source publishes nothing for (Norrbotten in N70643)
DIFFERENCE_NOTE = "Skillnaden är Indikatorpanelens egen beräkning (beräknat − publicerat), inte källans."
HEALTHCARE_NOTE = ("Värden per sjukvårdsregion visas bara där källan publicerar dem eller publicerar täljare och "
                   "nämnare att lägga ihop; ett medelvärde av regionernas andelar vore fel eftersom regionerna är "
                   "olika stora.")

# What the source's own ids measure, in brief (shown in the notes of the published views)
SOURCE_DEFINITIONS = {
    "N70643": ("Koladas nyckeltal N70643: andel av dem som förväntas få en cancerdiagnos under året som utretts "
               "inom ett standardiserat vårdförlopp. Nämnaren uppskattas från Cancerregistret, så andelen kan "
               "överstiga 100 %. Källa enligt Kolada: SKR, Vårdförloppsuppföljning vid cancer."),
    "N79198": ("Koladas nyckeltal N79198: andel av patienterna i standardiserade vårdförlopp som startat "
               "behandling inom förloppets ledtid, alla förlopp och behandlingar, i den region som avslutat "
               "förloppet. Källa enligt Kolada: Regionala cancercentrum i samverkan. Publiceras i hela procent."),
}


# -- helpers -----------------------------------------------------------------------------------------

def _published(ctx, ind_id: str):
    """The published figures of an indicator (the set's own, else the bundled ones)."""
    return ctx.ds.published(ind_id)


def _first_source(table: pd.DataFrame) -> pd.DataFrame:
    """One row per region and period: the first source (the table is sorted by source)."""
    return table.drop_duplicates(subset=["region_code", "period"], keep="first")


def source_label(pub) -> str:
    """'Källa: Kolada, KPI N70643' (the ids the rows come from)."""
    ids = [str(s) for s in dict.fromkeys(pub.table["source_id"].dropna().astype(str))]
    return pub.attribution + (f", {'KPI ' if 'Kolada' in pub.sources else ''}{', '.join(ids)}" if ids else "")


def source_short(pub) -> str:
    """'Kolada' (or the sources joined)."""
    return ", ".join(pub.sources) or "publicerad statistik"


def missing_text(value, status, suppressed: bool, present: bool) -> str | None:
    """Why a published row has no value: withheld with its status, too few by our rule, or not
    published at all; None when it has a value."""
    if present and not fmt.is_missing(value):
        return None
    if suppressed:
        return fmt.SUPPRESSED
    if present and not fmt.is_missing(status):
        return f"ej publicerat (status {status})"
    return NOT_PUBLISHED


def signed(value, decimals: int = 1) -> str:
    """'+0,4' / '−1,2' (a real minus sign)."""
    v = float(value)
    text = fmt.number(abs(v), decimals)
    return ("+" if v > 0 else "−" if v < 0 else "±") + text


def published_year(pub, sel: Selection) -> str | None:
    """The published year a selection shows: the last calendar year that ends on or before the
    period's end, or the latest published year before it (none published yet), or the first
    published year (the period lies before all of them). None when nothing is published."""
    years = [int(y) for y in pub.years()]
    if not years:
        return None
    last_whole = sel.end.year if (sel.end.month, sel.end.day) == (12, 31) else sel.end.year - 1
    earlier = [y for y in years if y <= last_whole]
    return str(max(earlier) if earlier else min(years))


def _data_line(pub) -> str:
    if pub.bundled:
        return (f"Publicerad statistik: {pub.attribution} (medföljer Indikatorpanelen, data/published/kolada_svf.csv). "
                "Siffrorna visas så som källan publicerat dem.")
    return (f"Publicerad statistik: {pub.attribution} (uttagets tabell published_figures). Siffrorna visas så som "
            "källan publicerat dem.")


# -- 1. beside our own numbers ----------------------------------------------------------------------

def _empty_beside(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    for col in ("published_value", "difference_pp", "tolerance_pp"):
        out[col] = pd.array([pd.NA] * len(out), dtype="Float64")
    for col in ("published_status", "published_source"):
        out[col] = pd.array([pd.NA] * len(out), dtype="string")
    out["exceeds_tolerance"] = pd.array([pd.NA] * len(out), dtype="boolean")
    return out


def with_published(ctx, sel: Selection, ind, table: pd.DataFrame, where: dict | None = None
                   ) -> tuple[pd.DataFrame, dict]:
    """`table` (comparison rows: role, unit_code and engine columns) with the published value of
    the same unit and period beside each row (BESIDE_COLUMNS), and what the notes need to say
    about it (`info`: attribution, source id, the period compared or why none is).

    Riket and regions get the source's figure (indicators.reconcile.published_beside: only for a
    whole calendar period with no filter but region); a sjukvårdsregion gets one only where the
    source publishes counts to add up. A suppressed row gets the published value but no
    difference. Indicators without published figures get empty columns and an empty `info`."""
    out = _empty_beside(table)
    if ind.id not in RECONCILED or table.empty:
        return out, {}
    try:
        pub = _published(ctx, ind.id)
    except DataError as exc:
        return out, {"why_not": f"Publicerad statistik kunde inte läsas: {exc}"}
    if pub.table.empty:
        return out, {}
    info = {"attribution": pub.attribution, "source": source_short(pub), "source_label": source_label(pub),
            "years": pub.years()}
    where = {k: v for k, v in (where or {}).items() if v not in (None, [], ())}
    label = period_label(sel.start, sel.end)
    others = sorted(set(where) - {"region"})
    if others:
        info["why_not"] = (f"Publicerad statistik ({pub.attribution}) gäller alla förlopp och behandlingar; den "
                           "visas inte bredvid när ett förlopp eller ett annat filter är valt.")
        return out, info
    if label is None or len(label) != 4:
        info["why_not"] = (f"Publicerad statistik ({pub.attribution}) finns per kalenderår; den visas bredvid de "
                           "beräknade värdena när perioden är ett helt kalenderår (jan–dec).")
        return out, info
    if label not in set(pub.table["period"].astype(str)):
        years = pub.years()
        span = f" (publicerat {years[0]}–{years[-1]})" if years else ""
        info["why_not"] = f"{pub.attribution}: ingen publicerad siffra för {label} ännu{span}."
        return out, info
    info["period"] = label
    engine_cols = [c for c in ("numerator", "denominator", "value", "suppressed") if c in out.columns]
    riket = out["role"].astype(str) == "riket"
    codes = out["unit_code"].astype("string")
    regions = ~riket & codes.isin(list(ctx.region_names)).fillna(False)
    if riket.any():
        got = published_beside(out.loc[riket, engine_cols], pub, ind.id, start=sel.start, end=sel.end, where=where)
        out.loc[riket, BESIDE_COLUMNS] = got[BESIDE_COLUMNS].to_numpy()
    if regions.any():
        part = out.loc[regions, engine_cols].assign(region=codes[regions].astype(str).to_numpy())
        got = published_beside(part, pub, ind.id, start=sel.start, end=sel.end, where=None)
        out.loc[regions, BESIDE_COLUMNS] = got[BESIDE_COLUMNS].to_numpy()
    hr_rows = ~riket & ~regions & codes.isin(ctx.healthcare_regions).fillna(False)
    if hr_rows.any():
        _healthcare_beside(ctx, out, hr_rows, pub, ind.id, label)
    return _beside_types(out), info


def _healthcare_beside(ctx, out: pd.DataFrame, rows: pd.Series, pub, ind_id: str, label: str) -> None:
    derived = published_healthcare_regions(pub, ctx.ds.reference("regions"))
    derived = derived[(derived["indicator"] == ind_id) & (derived["period"].astype(str) == label)]
    lookup = {str(h): r for h, r in zip(derived["healthcare_region"], derived.to_dict("records"))}
    tol = TOLERANCES.get(ind_id)
    for i in out.index[rows]:
        hit = lookup.get(str(out.at[i, "unit_code"]))
        if hit is None:
            continue
        out.at[i, "published_value"] = hit["value"]
        out.at[i, "published_source"] = f"{hit['source']} (egen summering av publicerade täljare och nämnare)"
        if bool(out.at[i, "suppressed"]) or fmt.is_missing(out.at[i, "value"]):
            continue
        diff = float(out.at[i, "value"]) - float(hit["value"])
        out.at[i, "difference_pp"] = diff
        if tol is not None:
            limit = tol.for_denominator(out.at[i, "denominator"])
            out.at[i, "tolerance_pp"] = limit
            out.at[i, "exceeds_tolerance"] = abs(diff) > limit + 1e-9


def _beside_types(out: pd.DataFrame) -> pd.DataFrame:
    for col in ("published_value", "difference_pp", "tolerance_pp"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("Float64")
    for col in ("published_status", "published_source"):
        out[col] = out[col].astype("string")
    out["exceeds_tolerance"] = out["exceeds_tolerance"].astype("boolean")
    return out


def beside_options(info: dict) -> dict:
    """The drawing options of a view with published values beside: the marker's name, the
    columns to mask with a hidden row, and what the notes say."""
    if not info:
        return {}
    out = {"published_info": info, "masked": BESIDE_MASKED}
    if info.get("period"):
        out["published_col"] = "published_value"
        out["published_name"] = f"Publicerat ({info['source']})"
        out["published_period"] = info["period"]
    return out


def beside_lines(ctx, view: View) -> list[str]:
    """The notes about the published values beside a comparison, from its final (protected)
    table: the source, the period, riket's difference, the units beyond tolerance, the units
    the source publishes nothing for, and why the two may differ. Never a difference for a
    hidden row."""
    info = view.options.get("published_info") or {}
    if not info:
        return []
    if info.get("why_not"):
        return [info["why_not"]]
    ind_id = view.indicator
    t = view.table
    period = info["period"]
    lines = [f"Publicerat värde för samma enhet och helår {period} visas bredvid det beräknade "
             f"({info['source_label']})."]
    hidden = t["suppressed"].astype(bool)
    for r, h in zip(t.to_dict("records"), hidden):
        if r.get("role") != "riket":
            continue
        who = str(r["label"])
        if fmt.is_missing(r.get("published_value")):
            lines.append(f"{who}: {NOT_PUBLISHED} i den publicerade statistiken för {period}.")
        elif h or fmt.is_missing(r.get("difference_pp")):
            lines.append(f"{who}: publicerat {fmt.pct(r['published_value'])} (beräknat värde visas inte).")
        else:
            judged = ("större än toleransen" if bool(r.get("exceeds_tolerance"))
                      else "inom toleransen")
            lines.append(f"{who}: publicerat {fmt.pct(r['published_value'])}, beräknat {fmt.pct(r['value'])}; "
                         f"skillnad {signed(r['difference_pp'])} procentenheter ({judged} "
                         f"{fmt.number(r['tolerance_pp'], 1)} procentenheter).")
    units = t[(t["role"].astype(str) != "riket")]
    shown = units[~units["suppressed"].astype(bool)]
    exceeds = shown[shown["exceeds_tolerance"].astype("boolean").fillna(False)]
    compared = shown[shown["difference_pp"].notna()]
    if len(exceeds):
        names = [f"{lab} {signed(d)}" for lab, d in zip(exceeds["label"].astype(str), exceeds["difference_pp"])]
        lines.append(f"Skillnad större än toleransen (procentenheter, beräknat − publicerat): "
                     f"{fmt.join_names(names, 8)}.")
    elif len(compared):
        lines.append(f"Alla {len(compared)} jämförda enheter ligger inom toleransen.")
    absent = units[units["published_value"].isna() & units["unit_code"].astype("string").isin(
        list(ctx.region_names)).fillna(False)]
    if len(absent):
        lines.append(f"Ingen publicerad siffra för {period}: {fmt.join_names(list(absent['label'].astype(str)), 8)}.")
    if ind_id in TOLERANCE_TEXTS:
        lines.append(TOLERANCE_TEXTS[ind_id])
    if ind_id in EXPLANATIONS:
        lines.append(f"Varför siffrorna kan skilja: {EXPLANATIONS[ind_id]}")
    lines.append(DIFFERENCE_NOTE)
    return lines


# -- 2. the reconciliation view -----------------------------------------------------------------------

def _reconciled(ds, ind_id: str):
    """reconcile(ds, ind) once per data set (it does not depend on the selection)."""
    key = ("reconcile", ind_id)
    with ds._lock:
        hit = ds._cache.get(key)
    if hit is None:
        hit = reconcile(ds, ind_id)
        with ds._lock:
            ds._cache[key] = hit
    return hit


def reconciliation(ctx, sel: Selection, ind_id: str) -> View:
    """Every region and riket × every whole year the extract and the source both cover, computed
    beside published (indicators.reconcile), each row with its cell so that the comparison is
    protected like every output; `finish_reconciliation` keeps the rows beyond tolerance that
    are shown. Kind 'reconciliation' (a table)."""
    cat = ctx.ds.catalogue()
    ind = cat.get(ind_id)
    if ind_id not in RECONCILED:
        raise QueryError(f"avstämning mot publicerad statistik finns för {', '.join(RECONCILED)}")
    rec = _reconciled(ctx.ds, ind_id)
    t = rec.table
    own = own_unit(ctx, sel, "region")
    rows = []
    if rec.years:
        start, end = date(min(rec.years), 1, 1), date(max(rec.years), 12, 31)
        # a unit without any computed row has no cases that year: a known zero ('inga fall'), so
        # that regions always add up to riket for disclosure control
        none = ~(t["suppressed"].astype(bool) | t["computed_value"].notna() | t["computed_denominator"].notna())
        region = t["region_code"].astype("string")
        frame = pd.DataFrame({"region": region, "year": t["year"].astype("Int64").astype(str)})
        cells = []
        for reg, yr in zip(frame["region"], frame["year"]):
            dims = cellmod.base_dims(ctx, ind, start, end, {})
            cellmod._restrict(ctx, dims, "year", [yr])
            if not pd.isna(reg):
                cellmod._restrict(ctx, dims, "region", [str(reg)])
            cells.append(cellmod.make(ind, dims))
        for r, cell, zero in zip(t.to_dict("records"), cells, none):
            code = None if pd.isna(r["region_code"]) else str(r["region_code"])
            if zero:
                r = {**r, "computed_numerator": 0, "computed_denominator": 0.0}
            rows.append({
                "label": fmt.RIKET if code is None else ctx.label("region", code),
                "role": "riket" if code is None else ("own" if code == own else "unit"),
                "unit_code": code, "year": int(r["year"]), "value": r["computed_value"],
                "numerator": r["computed_numerator"], "denominator": r["computed_denominator"],
                "suppressed": bool(r["suppressed"]), "provisional": bool(r["provisional"]),
                "published_value": r["published_value"], "published_status": r["published_status"],
                "published_source": r["source"], "source_id": r["source_id"], "difference_pp": r["difference_pp"],
                "tolerance_pp": r["tolerance_pp"], "comparison": r["comparison"], "note": r["note"],
                "hidden": HIDDEN_PRIMARY if bool(r["suppressed"]) else None, "no_cases": bool(zero), "cell": cell})
    columns = ["label", "role", "unit_code", "year", "value", "numerator", "denominator", "suppressed", "provisional",
               "published_value", "published_status", "published_source", "source_id", "difference_pp",
               "tolerance_pp", "comparison", "note", "hidden", "no_cases", "cell"]
    table = pd.DataFrame(rows, columns=columns)
    table["comparison"] = table["comparison"].astype("string")
    years = f"{rec.years[0]}–{rec.years[-1]}" if len(rec.years) > 1 else (str(rec.years[0]) if rec.years else "–")
    selection = f"Hela år {years} · alla regioner och riket · alla förlopp · publicerat: {rec.attribution or '–'}"
    notes = (f"Avstämning: {ind.name_sv} ({ind.id}) beräknad ur uttaget mot publicerad statistik "
             f"({rec.attribution or 'ingen'}), per region och helår som båda täcker ({years}).",
             TOLERANCE_TEXTS[ind_id], f"Varför siffrorna kan skilja: {EXPLANATIONS[ind_id]}", DIFFERENCE_NOTE)
    opts = {"unit": "procent", "label_title": "Region", "masked": (*BESIDE_MASKED, "comparison"),
            "years": list(rec.years), "attribution": rec.attribution, "own": own}
    title = f"Avstämning mot publicerad statistik: {ind.short_sv} – skillnader större än toleransen"
    return View(f"avstamning:{ind_id}", "reconciliation", title, selection, table, indicators=(ind_id,),
                notes=notes, options=opts)


def finish_reconciliation(view: View) -> View:
    """After disclosure control: the rows beyond tolerance that are shown, the latest year first
    (riket, one's own region, then by name), and a count of what was compared."""
    t = view.table
    if t is None or t.empty:
        return view.replace(notes=(*view.notes, "Inga år att jämföra: uttaget och källan täcker inget gemensamt "
                                                "helt kalenderår."))
    shown = ~t["suppressed"].astype(bool)
    comparison = t["comparison"].astype("string")
    within = int((shown & (comparison == "within")).sum())
    beyond = shown & (comparison == "exceeds")
    hidden = int((~shown).sum())
    keep = t[beyond.to_numpy()].copy()
    keep["_role"] = keep["role"].map({"riket": 0, "own": 1}).fillna(2)
    keep["_name"] = keep["label"].map(fmt.sv_sort_key)
    keep = keep.sort_values(["year", "_role", "_name"], ascending=[False, True, True], kind="stable")
    keep = keep.drop(columns=["_role", "_name"]).reset_index(drop=True)
    count = (f"Jämförda region-år (och riket): {within + len(keep)}; inom toleransen {within}, större skillnad "
             f"{len(keep)}" + (f"; {hidden} utan beräknat värde (otillräckligt underlag eller dolt)" if hidden else "")
             + ".")
    return view.replace(table=keep, notes=(*view.notes[:1], count, *view.notes[1:]))


# -- 3. the published page ------------------------------------------------------------------------------

def _period_rows(ctx, pub, ind, period: str) -> dict:
    """{region code or None (riket): row dict} of the published figures of one period."""
    t = _first_source(pub.table[pub.table["period"].astype(str) == period])
    out = {}
    for r in t.to_dict("records"):
        code = None if pd.isna(r["region_code"]) else str(r["region_code"])
        out[code] = r
    return out


def _row(label: str, role: str, code, hit: dict | None, ind) -> dict:
    present = hit is not None
    value = hit["value"] if present else pd.NA
    status = hit["status"] if present else pd.NA
    hidden = bool(hit["suppressed"]) if present else False
    why = missing_text(value, status, hidden, present)
    return {"label": label, "role": role, "unit_code": code,
            "value": pd.NA if why else float(value),
            "numerator": hit["numerator"] if present and not why else pd.NA,
            "denominator": hit["denominator"] if present and not why else pd.NA,
            "suppressed": why is not None, "provisional": False, "no_cases": False, "hidden": None,
            "target_low": ind.target_low, "target_high": ind.target_high,
            "target_level": hit["target_level"] if present and not why else pd.NA,
            "status": status, "missing_text": why, "source": hit["source"] if present else pd.NA,
            "source_id": hit["source_id"] if present else pd.NA}


def _typed(table: pd.DataFrame) -> pd.DataFrame:
    for col in ("value",):
        table[col] = pd.to_numeric(table[col], errors="coerce").astype("Float64")
    for col in ("numerator", "denominator"):
        table[col] = pd.to_numeric(table[col], errors="coerce").astype("Int64")
    for col in ("target_low", "target_high"):
        table[col] = pd.to_numeric(table[col], errors="coerce").astype("Int64")
    for col in ("unit_code", "status", "missing_text", "source", "source_id", "target_level"):
        table[col] = table[col].astype("string")
    table["suppressed"] = table["suppressed"].astype(bool)
    return table


def _healthcare_rows(ctx, pub, ind, period: str, sel: Selection) -> list[dict]:
    derived = published_healthcare_regions(pub, ctx.ds.reference("regions"))
    derived = derived[(derived["indicator"] == ind.id) & (derived["period"].astype(str) == period)]
    lookup = {str(h): r for h, r in zip(derived["healthcare_region"], derived.to_dict("records"))}
    own = own_unit(ctx, sel, "healthcare_region")
    rows = []
    for hr in shown_units(ctx, sel, "healthcare_region"):
        hit = lookup.get(hr)
        row = _row(hr, "own" if hr == own else "unit", hr, None, ind)
        if hit is not None:
            from indicators.engine import target_level

            row.update(value=float(hit["value"]), numerator=hit["numerator"], denominator=hit["denominator"],
                       suppressed=False, missing_text=None, source=f"{hit['source']} (egen summering)",
                       target_level=target_level(ind.direction, hit["value"], ind.target_low, ind.target_high))
        else:
            row["missing_text"] = "publiceras inte per sjukvårdsregion"
        rows.append(row)
    return rows


def _units(ctx, sel: Selection, pub, ind, period: str) -> tuple[list[dict], str]:
    """The rows of one period at the selection's level: riket, then the units (regions, or
    sjukvårdsregioner where they can be derived), and the geography text."""
    by_code = _period_rows(ctx, pub, ind, period)
    rows = [_row(fmt.RIKET, "riket", None, by_code.get(None), ind)]
    level = sel.level
    if level == "healthcare_region":
        hr = _healthcare_rows(ctx, pub, ind, period, sel)
        if any(r["missing_text"] is None for r in hr):
            return rows + hr, f"{len(hr)} sjukvårdsregioner (egen summering) och riket"
        level = "region"  # nothing to derive: the regions, and the notes say why
    units = shown_units(ctx, sel, level if level != "healthcare_region" else "region")
    own = own_unit(ctx, sel, "region")
    for code in units:
        rows.append(_row(ctx.label("region", code), "own" if code == own else "unit", code, by_code.get(code), ind))
    geography = ("riket" + (f" och {ctx.label('region', units[0])}" if units else "") if level == "riket"
                 else f"{len(units)} regioner och riket" if len(units) > 3
                 else fmt.join_names([ctx.label("region", u) for u in units] + ["riket"]))
    return rows, geography


def _published_notes(ctx, sel: Selection, pub, ind, period: str | None, rows: list[dict]) -> tuple[str, ...]:
    lines = [f"{ind.name_sv}: publicerad statistik ({source_label(pub)})" + (f", {period}." if period else ".")]
    for sid in dict.fromkeys(pub.table["source_id"].dropna().astype(str)):
        if sid in SOURCE_DEFINITIONS:
            lines.append(SOURCE_DEFINITIONS[sid])
    target = fmt.targets_text(ind.target_low, ind.target_high, ind.direction)
    if target:
        lines.append(f"Målnivå: {target}. Källa: {ind.target_source or '–'}")
    over = [r for r in rows if not fmt.is_missing(r["value"]) and float(r["value"]) > 100]
    if over:
        names = [f"{r['label']} {fmt.pct(r['value'])}" + (f" ({r['x']})" if r.get("x") else "") for r in over]
        lines.append("Värden över 100 % är publicerade så: nämnaren är ett uppskattat antal nya cancerfall. "
                     f"{fmt.join_names(names, 6)}.")
    absent = list(dict.fromkeys(str(r["label"]) for r in rows if r["missing_text"] == NOT_PUBLISHED))
    if absent:
        lines.append(f"Uppgift saknas (källan publicerar inget värde): {fmt.join_names(absent, 8)}.")
    withheld = list(dict.fromkeys(f"{r['label']} ({r['status']})" for r in rows
                                  if isinstance(r["missing_text"], str) and r["missing_text"].startswith("ej publ")))
    if withheld:
        lines.append(f"Ej publicerat av källan (källans statuskod): {fmt.join_names(withheld, 8)}.")
    if sel.level == "healthcare_region" or any(r["role"] != "riket" and r["unit_code"] in ctx.healthcare_regions
                                               for r in rows):
        lines.append(HEALTHCARE_NOTE)
    lines.append(_data_line(pub))
    return tuple(lines)


def published_decimals(pub) -> int:
    """Decimals to show the figures with, as published: 0 when the source gives whole percent
    (Kolada's N79198), else 1."""
    values = pub.table["value"].dropna().astype(float)
    return 0 if len(values) and bool((values == values.round()).all()) else 1


def _with_text(table: pd.DataFrame, ind, decimals: int) -> pd.DataFrame:
    """The value text of each bar as published ('47 %', not '47,0 %')."""
    if table.empty:
        return table
    return table.assign(value_text=[None if fmt.is_missing(v) else fmt.value_text(v, ind.unit, decimals)
                                    for v in table["value"]])


def _options(ctx, sel: Selection, ind, pub, **extra) -> dict:
    out = {"unit": ind.unit, "target_low": ind.target_low, "target_high": ind.target_high, "direction": ind.direction,
           "show_ci": False, "note": source_label(pub), "source": source_label(pub),
           "own_label": own_label(ctx, sel, "region"), "own": sel.own_region, "label_title": "Region",
           "published_only": True, "decimals": published_decimals(pub), "text_col": "value_text"}
    out.update(extra)
    return out


def _selection_text(period: str | None, geography: str, pub, sel: Selection) -> str:
    parts = [f"helår {period}" if period else "inget publicerat år", geography, "alla förlopp", source_label(pub)]
    last_whole = sel.end.year if (sel.end.month, sel.end.day) == (12, 31) else sel.end.year - 1
    if period and int(period) != last_whole:
        parts.append(f"senaste publicerade år till och med {last_whole}" if int(period) < last_whole
                     else "första publicerade år")
    return " · ".join(parts)


def ranking(ctx, sel: Selection, ind_id: str) -> View:
    """'publicerat:<ind>': the published value per region for one year, best first, riket and
    one's own region on top, against the target (bars; values over 100 % shown as such)."""
    ind = ctx.ds.catalogue().get(ind_id)
    pub = _published(ctx, ind_id)
    period = published_year(pub, sel)
    rows, geography = _units(ctx, sel, pub, ind, period) if period else ([], "")
    table = _with_text(_typed(pd.DataFrame(rows)), ind, published_decimals(pub)) if rows else pd.DataFrame()
    title = f"{ind.name_sv} per region, {period or '–'}: publicerad statistik"
    return View(f"publicerat:{ind_id}", "bars", title, _selection_text(period, geography, pub, sel), table,
                indicators=(ind_id,), notes=_published_notes(ctx, sel, pub, ind, period, rows),
                options=_options(ctx, sel, ind, pub, level="region", published_period=period))


def trend(ctx, sel: Selection, ind_id: str) -> View:
    """'publicerat-trend:<ind>': every published year for riket, one's own region and the chosen
    regions (at most MAX_TREND_UNITS); at the sjukvårdsregion level the sjukvårdsregioner where
    they can be derived."""
    ind = ctx.ds.catalogue().get(ind_id)
    pub = _published(ctx, ind_id)
    years = pub.years()
    codes = [sel.own_region] if sel.own_region else []
    if sel.level == "region":
        codes += [c for c in list(sel.regions)[:MAX_TREND_UNITS] if c not in codes]
    rows = []
    for year in years:
        by_code = _period_rows(ctx, pub, ind, year)
        units = [_row(fmt.RIKET, "riket", None, by_code.get(None), ind)]
        units += [_row(ctx.label("region", c), "own" if c == sel.own_region else "unit", c, by_code.get(c), ind)
                  for c in codes]
        if sel.level == "healthcare_region":
            units += [h for h in _healthcare_rows(ctx, pub, ind, year, sel) if h["missing_text"] is None]
        rows += [{**r, "series": r["label"], "x": year, "period": year} for r in units]
    table = _typed(pd.DataFrame(rows)) if rows else pd.DataFrame()
    series = list(dict.fromkeys(r["series"] for r in rows))
    geography = "riket" + (f" och {fmt.join_names([s for s in series if s != fmt.RIKET])}" if len(series) > 1 else "")
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else (years[0] if years else "–")
    selection = " · ".join([f"helår {span}", geography, "alla förlopp", source_label(pub)])
    title = f"{ind.name_sv} per år: publicerad statistik"
    hint = "" if codes else " Välj egen region eller regioner i sidofältet för att jämföra."
    return View(f"publicerat-trend:{ind_id}", "trend", title, selection, table, indicators=(ind_id,),
                notes=_published_notes(ctx, sel, pub, ind, span, rows),
                options=_options(ctx, sel, ind, pub, x_order=list(years), grain="year", label_title="Enhet",
                                 note=f"{source_label(pub)}.{hint}"))


def published_map(ctx, sel: Selection, ind_id: str) -> View:
    """'publicerat-karta:<ind>': the 21 regions coloured by the target level the published
    value meets, for one year (kind 'map')."""
    ind = ctx.ds.catalogue().get(ind_id)
    pub = _published(ctx, ind_id)
    period = published_year(pub, sel)
    every = sel.replace(regions=(), level="region")
    rows, _ = _units(ctx, every, pub, ind, period) if period else ([], "")
    table = _typed(pd.DataFrame(rows)) if rows else pd.DataFrame()
    title = f"{ind.name_sv}, {period or '–'}: publicerad statistik per region"
    note = source_label(pub)  # riket's value is added under the map when it is drawn
    return View(f"publicerat-karta:{ind_id}", "map", title, _selection_text(period, "21 regioner", pub, sel), table,
                indicators=(ind_id,), notes=_published_notes(ctx, every, pub, ind, period, rows),
                options=_options(ctx, sel, ind, pub, note=note, published_period=period))


def region_year_table(ctx, sel: Selection, ind_id: str) -> View:
    """'publicerat-tabell:<ind>': every region (and riket, and derivable sjukvårdsregioner) ×
    every published year, as published; a cell without a value says why (kind 'reference': a
    table to look things up in)."""
    ind = ctx.ds.catalogue().get(ind_id)
    pub = _published(ctx, ind_id)
    years = pub.years()
    every = sel.replace(regions=(), level="region")
    grid: dict[str, dict] = {}
    all_rows = []
    for year in years:
        rows, _ = _units(ctx, every, pub, ind, year)
        hr = _healthcare_rows(ctx, pub, ind, year, every.replace(level="healthcare_region"))
        for r in rows + [h for h in hr if h["missing_text"] is None]:
            key = r["label"] if r["unit_code"] not in ctx.healthcare_regions else f"{r['label']} (sjukvårdsregion)"
            entry = grid.setdefault(key, {"Region": key, "Sjukvårdsregion": (
                ctx.healthcare_region_of.get(str(r["unit_code"]), "") if r["role"] != "riket" else "")})
            entry[year] = r["missing_text"] if r["missing_text"] else float(r["value"])
            all_rows.append({**r, "x": year})
    table = pd.DataFrame(list(grid.values()))
    if len(table):
        own = ctx.label("region", sel.own_region) if sel.own_region else None
        table = table.assign(_o=[0 if k == fmt.RIKET else 1 if k == own else 2 for k in table["Region"]],
                             _n=table["Region"].map(fmt.sv_sort_key))
        table = table.sort_values(["_o", "_n"], kind="stable").drop(columns=["_o", "_n"]).reset_index(drop=True)
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else (years[0] if years else "–")
    title = f"{ind.name_sv}: publicerad statistik per region och år"
    return View(f"publicerat-tabell:{ind_id}", "reference", title,
                " · ".join([f"helår {span}", "21 regioner och riket", "procent", source_label(pub)]), table,
                indicators=(ind_id,), notes=_published_notes(ctx, every, pub, ind, span, all_rows),
                options={"source": source_label(pub), "published_only": True})


BUILDERS = {"publicerat": ranking, "publicerat-trend": trend, "publicerat-karta": published_map,
            "publicerat-tabell": region_year_table, "avstamning": reconciliation}


def builder(ctx, sel: Selection, kind: str, ind_id: str):
    """The builder of a published view id (kind:indicator), or raise QueryError."""
    if ind_id not in RECONCILED:
        raise QueryError(f"{kind}:{ind_id[:40]}: publicerad statistik finns för {', '.join(RECONCILED)}")
    return lambda: BUILDERS[kind](ctx, sel, ind_id)


def failed(view_id: str, title: str, error: str) -> View:
    return failed_view(view_id, "failed", title, "", error)
