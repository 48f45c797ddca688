"""The map view ('karta:<indicator>'): one region-level result of the selection on a map of the
21 regions (kind 'map', drawn by charts.render through charts.regionmap).

Its rows are the comparison's rows at the region level over every region (riket first), with the
same cells, so disclosure control treats a region on the map exactly as the same region in the
comparison bars: hidden in one, hidden in the other.
"""

from __future__ import annotations

from indicators import QueryError

from . import notes as notemod
from .model import View
from .selection import Selection
from .standard import comparison_rows, options
from .text import own_label, selection_line


def computed_map(ctx, sel: Selection, ind_id: str) -> View:
    """Every region's value of `ind_id` for the selection's period and filters, coloured by the
    target level it meets (or in value classes without a target); one's own region outlined."""
    ind = ctx.ds.catalogue().get(ind_id)
    if "region" not in ind.dimensions:
        raise QueryError(f"karta:{ind_id}: indikatorn har inga regioner")
    every = sel.replace(regions=(), level="region")
    table = comparison_rows(ctx, every, ind, "region")
    selection = selection_line(ctx, sel, ind, geography="21 regioner")
    title = f"{ind.name_sv} per region – karta"
    # riket's value goes under the map when it is drawn (charts.render), from the protected row
    opts = options(ind, table, own=sel.own_region, own_label=own_label(ctx, sel, "region"), level="region",
                   label_title="Region", note=None, show_ci=False)
    return View(f"karta:{ind.id}", "map", title, selection, table, indicators=(ind.id,),
                notes=notemod.standard(ctx, sel, ind, selection), options=opts)
