"""The notes that go with a view: on screen as captions, in a pack as speaker notes.

Static notes (definition, interval method, targets, caveats from the catalogue, filters not
applied, the data set) are written when the view is built. The lines that depend on what is
finally hidden — the total's n and which units show no counts and why — are written after
disclosure control (`finish`), so they never name a count that another view hides.
"""

from __future__ import annotations

import textfmt as fmt
from indicators.periods import provisional_cutoff

from .model import HIDDEN_SECONDARY, View, flags
from .text import not_applied

N_LINE = "\x00n"  # replaced by the total's n in finish()
SUPPRESSION_LINE = "\x00s"  # replaced by the hidden units in finish()
PUBLISHED_LINE = "\x00p"  # replaced by the published values beside the computed ones in finish()


def standard(ctx, sel, ind, selection: str, *, extra: list[str] | None = None) -> tuple[str, ...]:
    """Definition, selection, n (placeholder), interval, target, caveats, filters not applied."""
    lines = [f"{ind.name_sv} ({ind.id}).", f"Urval: {selection}."]
    om = (ind.texts or {}).get("om")
    if om:
        lines.append(f"Definition: {om}")
    lines.append(N_LINE)
    lines.append(f"Konfidensintervall: {ind.interval_text}")
    target = fmt.targets_text(ind.target_low, ind.target_high, ind.direction)
    if ind.targets_from == "registers":
        lines.append("Målnivåer: registrens egna (låg/hög) per register; en grupp som spänner över register med "
                     "olika mål har ingen målnivå.")
    elif target:
        lines.append(f"Målnivå: {target}. Källa: {ind.target_source or '–'}")
    if ind.target_placeholder:
        lines.append("Obs: målnivån är en platshållare, inte verifierad.")
    lines.append(SUPPRESSION_LINE)
    lines += list(extra or [])
    lines += ind.caveat_texts
    skipped = not_applied(ind, sel)
    if skipped:
        lines.append(f"Filtret {', '.join(skipped)} gäller inte den här indikatorn och är inte tillämpat.")
    lines.append(data_line(ctx))
    return tuple(lines)


def provisional_months(ctx, ind, start, end) -> str | None:
    """The months of [start, end] that are still preliminary for `ind` ('nov–dec 2025'), or None."""
    from datetime import timedelta

    from indicators.periods import month_end, month_start

    cutoff = provisional_cutoff(ctx.extract_date, ind.maturity_months)
    if end <= cutoff:
        return None
    # a month is preliminary when it ends after the cutoff
    first = month_start(cutoff) if month_end(cutoff) > cutoff else month_start(cutoff + timedelta(days=1))
    return fmt.period_text(max(month_start(start), first), end)


def data_line(ctx) -> str:
    ident = ctx.identity
    return f"Data: datauttag {fmt.iso_date(ident.extract_date)}, {ident.source}, dataset {ident.dataset_id}."


def n_line(ind, row, who: str) -> str:
    """The total's n (never for a hidden row)."""
    if row is None or bool(row.get("suppressed", False)):
        return f"{who}: {fmt.SUPPRESSED}."
    num, den = row.get("numerator"), row.get("denominator")
    if bool(row.get("no_cases", False)):
        return f"{who}: {fmt.NO_CASES}."
    if ind.kind == "median":
        return f"{who}: median {fmt.value_text(row['value'], 'dagar')} för n = {fmt.count(den)} förlopp."
    if ind.kind == "estimated_ratio":
        return (f"{who}: {fmt.pct(row['value'])} – {fmt.count(num)} förlopp mot {fmt.number(den, 0)} "
                "förväntade nya fall (uppskattad nämnare).")
    if ind.kind == "rate":
        return f"{who}: {fmt.number(row['value'], 1)} per 100 000 – {fmt.count(num)} starter."
    return f"{who}: {fmt.pct(row['value'])} – {fmt.n_text(num, den)}."


def suppression_lines(ctx, ind, table) -> list[str]:
    """Which rows show no counts and why; provisional and placeholder flags of the rows shown."""
    limit = max(int(getattr(ind, "min_n", 5) or 5), 5)
    out = []
    if table is None or table.empty or "suppressed" not in table.columns:
        return out
    hidden = table[table["suppressed"].astype(bool)]
    if len(hidden):
        primary = hidden[hidden["hidden"] != HIDDEN_SECONDARY] if "hidden" in hidden.columns else hidden
        secondary = hidden[hidden["hidden"] == HIDDEN_SECONDARY] if "hidden" in hidden.columns else hidden.iloc[0:0]
        if len(primary):
            out.append(f"Otillräckligt underlag (färre än {limit} fall), utan antal och värden: "
                       f"{fmt.join_names(_names(primary), 8)}.")
        if len(secondary):
            out.append(f"Dolda så att en liten grupp inte kan räknas fram ur totalerna: "
                       f"{fmt.join_names(_names(secondary), 8)}.")
    else:
        out.append(f"Grupper med färre än {limit} fall visas inte (otillräckligt underlag); inga i detta diagram.")
    shown = table[~table["suppressed"].astype(bool)]
    if "provisional" in shown.columns and flags(shown["provisional"]).any():
        cutoff = provisional_cutoff(ctx.extract_date, ind.maturity_months)
        out.append(f"Preliminärt: perioder som slutar efter {fmt.iso_date(cutoff)} kan ändras när data "
                   "rapporteras och rättas i efterhand.")
    if "placeholder_target" in shown.columns and flags(shown["placeholder_target"]).any():
        out.append("Några förlopp bedöms mot ledtidsgränser som är platshållare (källa saknas).")
    return out


def _names(rows) -> list[str]:
    if "series" in rows.columns and "x" in rows.columns:
        return [f"{s} {x}" for s, x in zip(rows["series"].astype(str), rows["x"].astype(str))]
    if "indicator_label" in rows.columns:
        return [f"{lab} ({i})" for lab, i in zip(rows["label"].astype(str), rows["indicator_label"].astype(str))]
    return list(dict.fromkeys(rows["label"].astype(str)))


def finish(ctx, view: View) -> View:
    """Fill the n and suppression lines from the view's final (protected) table."""
    if not any(line in (N_LINE, SUPPRESSION_LINE, PUBLISHED_LINE) for line in view.notes):
        return view
    cat = ctx.ds.catalogue()
    ind = cat.get(view.indicator) if view.indicator and view.indicator in cat else None
    out = []
    for line in view.notes:
        if line == N_LINE:
            total = view.table[view.table["role"] == "riket"] if "role" in view.table.columns else view.table.iloc[0:0]
            if ind is not None:
                who = str(total["label"].iloc[0]) if len(total) else fmt.RIKET
                if "series" in view.table.columns:
                    continue  # a trend: every point has its own n in the table
                out.append(n_line(ind, total.iloc[0].to_dict() if len(total) else None, who))
        elif line == SUPPRESSION_LINE:
            if ind is not None:
                out += suppression_lines(ctx, ind, view.table)
        elif line == PUBLISHED_LINE:
            from .published import beside_lines

            out += beside_lines(ctx, view)
        else:
            out.append(line)
    return view.replace(notes=tuple(out))
