"""The disclosure audit: can a hidden count be computed by adding and subtracting shown ones?

Every counted row of an output is the sum of the smallest data cells it covers (its Cell: a
family and, per dimension, the values covered). Per family, the audit splits every dimension's
values into classes that no row tells apart, takes the product of the classes as unknowns
("atoms"), removes the atoms of rows shown as "inga fall" (known zeros), and writes each row as a
0/1 vector over the remaining atoms. A hidden row is disclosed when its vector lies in the span of
the shown rows' vectors (then a signed sum of shown counts equals it). Counts are never needed:
the test is on the structure, for numerators and denominators alike.
"""

from __future__ import annotations

import itertools
from collections import defaultdict

import numpy as np

MAX_ATOMS = 3_000_000


def _dim_classes(cells, dim, domain):
    """Map each value of `dim` to a class id (values no cell tells apart share one)."""
    values = set(domain or ())
    for c in cells:
        v = c.get(dim)
        if v is not None:
            values |= set(v)
    if not values:
        values = {"*"}
    sig = {}
    for v in sorted(values):
        sig.setdefault(tuple((c.get(dim) is None) or (v in c.get(dim)) for c in cells), []).append(v)
    classes = list(sig.values())
    return classes


def _membership(cells, dims, classes):
    """cells × atoms 0/1 matrix (atoms = product of the classes of each dimension)."""
    per_dim = []
    for dim, cls in zip(dims, classes):
        m = np.zeros((len(cells), len(cls)), dtype=bool)
        for i, c in enumerate(cells):
            v = c.get(dim)
            for j, members in enumerate(cls):
                m[i, j] = v is None or bool(set(members) & v)
        per_dim.append(m)
    sizes = [len(c) for c in classes]
    total = int(np.prod(sizes))
    if total > MAX_ATOMS:
        raise RuntimeError(f"audit too large: {total} atoms")
    out = np.ones((len(cells), total), dtype=bool)
    # Kronecker structure: atom index = mixed radix over the dimensions
    idx = np.indices(sizes).reshape(len(sizes), -1)
    for k, m in enumerate(per_dim):
        out &= m[:, idx[k]]
    return out


def disclosed(views, domains: dict) -> list[tuple[str, str, object]]:
    """(view id, row label, cell) of every hidden row whose counts follow from the shown rows."""
    rows = defaultdict(list)  # family -> [(cell, shown, zero, view id, label)]
    for v in views:
        t = v.table
        if t is None or t.empty or "cell" not in t.columns:
            continue
        zero = t["no_cases"] if "no_cases" in t.columns else [False] * len(t)
        for cell, supp, z, label in zip(t["cell"], t["suppressed"], zero, t["label"]):
            if cell is None:
                continue
            rows[cell.family].append((cell, not bool(supp), bool(z) and not bool(supp), v.id, str(label)))
    found = []
    for family, items in rows.items():
        hidden = [it for it in items if not it[1]]
        if not hidden:
            continue
        cells = list(dict.fromkeys(it[0] for it in items))
        dims = sorted({d for c in cells for d, _ in c.dims})
        classes = [_dim_classes(cells, d, domains.get(d)) for d in dims]
        index = {c: i for i, c in enumerate(cells)}
        m = _membership(cells, dims, classes) if dims else np.ones((len(cells), 1), dtype=bool)
        known_zero = np.zeros(m.shape[1], dtype=bool)
        for cell, shown, zero, _, _ in items:
            if zero:
                known_zero |= m[index[cell]]
        m = m[:, ~known_zero]
        # merge atoms no row tells apart (identical columns)
        if m.shape[1]:
            m = np.unique(m, axis=1)
        shown_cells = list(dict.fromkeys(it[0] for it in items if it[1] and not it[2]))
        a = m[[index[c] for c in shown_cells]].astype(float) if shown_cells else np.zeros((0, m.shape[1]))
        rank = np.linalg.matrix_rank(a) if len(a) else 0
        seen = set()
        for cell, _, _, vid, label in hidden:
            if cell in seen:
                continue
            seen.add(cell)
            h = m[index[cell]].astype(float)
            if not h.any():
                continue  # every atom of the hidden cell is a known zero: nothing to disclose
            if np.linalg.matrix_rank(np.vstack([a, h])) == rank:
                found.append((vid, label, cell))
    return found
