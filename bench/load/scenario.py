"""What a simulated user does between thinking: change the period, the regions, the pathway, the
comparison level or the time grain, or switch page, the way people use the dashboard before a
meeting. Actions are drawn with fixed weights from the ones the current page offers (a filter
that is missing or disabled on a page is not used there).

Every widget is found by key (widgets.py); the keys default to the app's URL parameters and can be
changed on the command line if the app's filters are renamed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from . import widgets as W
from .protocol import Run, Session

# the filters of ui/filters.py (URL parameters of the same names); the period is either one range
# select_slider ('period') or two selectboxes ('fran', 'till')
FILTER_KEYS = {"period": "period", "from": "fran", "to": "till", "grain": "tidsenhet", "level": "niva", "regions": "regioner",
               "own": "egen_region", "pathway": "forlopp", "register": "register"}
# relative weights of the actions
WEIGHTS = {"page": 3.0, "period": 2.0, "region": 2.0, "pathway": 1.5, "level": 1.0, "grain": 0.5, "register": 0.5}
# the widgets an action uses (by role in FILTER_KEYS); it is offered when one of them is on the page
NEEDS = {"period": ("period", "to"), "region": ("regions", "own"), "pathway": ("pathway",), "level": ("level",),
         "grain": ("grain",), "register": ("register",)}
REQUIRED = ("level", "regions", "own", "pathway")  # must be on the first page a session opens (and a period)


@dataclass
class Action:
    kind: str  # 'page' | 'filter'
    target: str  # url path, or the widget key
    values: tuple[str, ...] = ()


class User:
    """One simulated user's choices (its own random stream, so a run is reproducible by seed)."""

    def __init__(self, rng: random.Random, keys: dict[str, str] | None = None, pages: tuple[str, ...] | None = None):
        self.rng = rng
        self.keys = dict(FILTER_KEYS if keys is None else keys)
        self.only_pages = pages

    def check(self, session: Session) -> None:
        """Raise WidgetNotFound when a filter this scenario drives is not on the session's page."""
        missing = []
        roles = list(REQUIRED)
        if self._widget(session, "period") is None:
            roles = ["from", "to"] + roles
        for role in roles:
            try:
                session.find(self.keys[role])
            except W.WidgetNotFound as exc:
                missing.append(str(exc))
        if missing:
            raise W.WidgetNotFound(missing[0] + (f" (och {len(missing) - 1} till)" if len(missing) > 1 else ""))

    def _widget(self, session: Session, role: str) -> W.Widget | None:
        key = self.keys.get(role)
        if not key:
            return None
        try:
            w = session.find(key)
        except W.WidgetNotFound:
            return None
        return None if w.disabled or not w.options else w

    def available(self, session: Session) -> list[str]:
        kinds = []
        for kind in WEIGHTS:
            if kind == "page":
                if len(self._pages(session)) > 0:
                    kinds.append(kind)
            elif any(self._widget(session, r) is not None for r in NEEDS[kind]):
                kinds.append(kind)
        return kinds

    def _pages(self, session: Session) -> list[str]:
        paths = [p for p, _ in session.pages.values()]
        if self.only_pages is not None:
            paths = [p for p in paths if p in self.only_pages]
        return [p for p in paths if p != session.page_path]

    def next_action(self, session: Session) -> Action | None:
        kinds = self.available(session)
        if not kinds:
            return None
        kind = self.rng.choices(kinds, weights=[WEIGHTS[k] for k in kinds])[0]
        rng = self.rng
        if kind == "page":
            return Action("page", rng.choice(self._pages(session)))
        if kind == "period":
            span = self._widget(session, "period")
            if span is not None and span.kind == "select_slider" and len(span.default) == 2:
                # one range: an end among the latest 24 months, a start 3 to 24 months before it
                opts = list(span.options)
                hi = rng.randrange(max(0, len(opts) - 24), len(opts))
                lo = max(0, hi - rng.randint(3, 24))
                return Action("filter", self.keys["period"], (opts[lo], opts[hi]))
            first, last = self._widget(session, "from"), self._widget(session, "to")
            if last is None:
                return None
            opts = list(last.options)
            held_first = session.values.get(first.id, first.default) if first else ()
            lo = opts.index(held_first[0]) if held_first and held_first[0] in opts else 0
            if first is not None and rng.random() < 0.4:
                # move the start: 3 to 24 months before the end
                held_last = session.values.get(last.id, last.default)
                hi = opts.index(held_last[0]) if held_last and held_last[0] in opts else len(opts) - 1
                choice = opts[max(0, hi - rng.randint(3, 24))]
                return Action("filter", self.keys["from"], (choice,))
            # move the end: one of the latest 24 months, not before the start
            recent = [m for m in opts[-24:] if opts.index(m) >= lo] or opts[-1:]
            return Action("filter", self.keys["to"], (rng.choice(recent),))
        if kind == "region":
            regions, own = self._widget(session, "regions"), self._widget(session, "own")
            if own is not None and (regions is None or rng.random() < 0.5):
                value = () if rng.random() < 0.2 else (rng.choice(own.options),)
                return Action("filter", self.keys["own"], value)
            held = list(session.values.get(regions.id, regions.default))
            if held and (len(held) >= 4 or rng.random() < 0.4):
                held.remove(rng.choice(held))
            else:
                held.append(rng.choice([o for o in regions.options if o not in held] or list(regions.options)))
                held = list(dict.fromkeys(held))
            return Action("filter", self.keys["regions"], tuple(held))
        role = {"pathway": "pathway", "level": "level", "grain": "grain", "register": "register"}[kind]
        w = self._widget(session, role)
        held = session.values.get(w.id, w.default)
        others = [o for o in w.options if (o,) != tuple(held)]
        if not w.multi and w.kind == "selectbox" and not w.default and rng.random() < 0.25 and held:
            return Action("filter", self.keys[role], ())  # back to "all"
        return Action("filter", self.keys[role], (rng.choice(others or list(w.options)),))

    async def perform(self, session: Session, action: Action) -> Run:
        if action.kind == "page":
            return await session.goto(action.target)
        return await session.set_filter(action.target, action.values)
