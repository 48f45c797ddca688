"""What a plan's cells may name, and how: indicator ids from the catalogue, regions and
sjukvårdsregioner from `regions`, pathways from `svf_pathways`, registers from `registers` — those of
a loaded data set, or the bundled ones. Matching ignores case and extra spaces and knows the usual
ways of writing a name ("Region Uppsala", "03", "Örebro län", "RCC Norr", "Sjukvårdsregion
Mellansverige"), but never guesses: an unknown name is an error, with a suggestion when one is close."""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass, field

from ..catalogue import Catalogue, Indicator
from ..loader import BUNDLED_REFERENCE_DIR
from ..schema import HEALTHCARE_REGIONS
from .headings import normalise
from .model import Unit

ALL_WORDS = {"alla", "samtliga", "varje", "var för sig"}
ALL_REGIONS = ALL_WORDS | {"alla regioner", "samtliga regioner", "varje region", "regionerna",
                           "alla regioner var för sig"}
ALL_HEALTHCARE_REGIONS = {"alla sjukvårdsregioner", "samtliga sjukvårdsregioner", "varje sjukvårdsregion",
                          "sjukvårdsregionerna"}
ALL_PATHWAYS = ALL_WORDS | {"alla förlopp", "samtliga förlopp", "varje förlopp", "alla svf", "förloppen",
                            "alla förlopp var för sig"}
ALL_REGISTERS = ALL_WORDS | {"alla register", "samtliga register", "varje register", "registren",
                             "alla kvalitetsregister", "alla register var för sig"}
RIKET = {"riket", "hela riket", "sverige", "hela sverige", "hela landet", "nationellt", "nationell"}
# Names in common use that the reference tables do not spell out (key → code or sjukvårdsregion).
_REGION_ALIASES = {"västra götalandsregionen": "14", "vgr": "14", "jämtland": "23", "södermanland": "04"}
_HEALTHCARE_REGION_ALIASES = {"sösr": "Sydöstra"}


class CellError(ValueError):
    """A cell whose content cannot be used; the message is Swedish and names the value."""


def key(text) -> str:
    """Content comparison key: case and runs of spaces/hyphens ignored, accents kept."""
    return re.sub(r"[\s\-–]+", " ", str(text)).strip().casefold()


def split_list(text: str, *, words: bool = False) -> list[str]:
    """Items of a cell: separated by ',', ';', line breaks (and with `words`, '/', ' och ', ' samt ')."""
    pattern = r"[,;\n\r]+" if not words else r"[,;/\n\r]+|\s+(?:och|samt)\s+"
    return [t.strip(" -•\t") for t in re.split(pattern, str(text)) if t.strip(" -•\t")]


def _suggest(value: str, names: list[str]) -> str:
    plain = normalise(value)
    for name in names:
        if normalise(name) == plain:
            return f" (menade du {name}?)"
    close = difflib.get_close_matches(key(value), [key(n) for n in names], n=1, cutoff=0.8)
    if close:
        name = next(n for n in names if key(n) == close[0])
        return f" (menade du {name}?)"
    return ""


@dataclass
class PlanContext:
    """The catalogue and reference tables a plan is checked against. A table that is None could not
    be read (its reason in `missing`): cells that need it give an error naming it."""

    catalogue: Catalogue
    regions: list[dict] | None
    pathways: list[dict] | None
    registers: list[dict] | None
    missing: dict[str, str] = field(default_factory=dict)

    @classmethod
    def bundled(cls) -> PlanContext:
        def read(name):
            with (BUNDLED_REFERENCE_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as f:
                return list(csv.DictReader(f))

        return cls(Catalogue.bundled(), read("regions"), read("svf_pathways"), read("registers"))

    @classmethod
    def for_dataset(cls, ds) -> PlanContext:
        tables, missing = {}, {}
        for name in ("regions", "svf_pathways", "registers"):
            if name in ds.available:
                tables[name] = ds.reference(name).astype(object).where(lambda d: d.notna(), None).to_dict("records")
            else:
                tables[name] = None
                status = ds.tables.get(name)
                missing[name] = status.error if status and status.error else "saknas"
        return cls(ds.catalogue(), tables["regions"], tables["svf_pathways"], tables["registers"], missing)

    # -- indicators -----------------------------------------------------------------------------
    def indicator(self, text: str) -> Indicator:
        wanted = re.sub(r"\s+", "", str(text)).casefold()
        for ind in self.catalogue:
            if ind.id.casefold() == wanted:
                return ind
        hint = _suggest(wanted, self.catalogue.ids())
        raise CellError(f"okänd indikator {str(text)[:60]!r}{hint}; giltiga id visas av 'python -m indicators list'")

    # -- regions and sjukvårdsregioner -----------------------------------------------------------
    def _need(self, table: str, rows):
        if rows is None:
            raise CellError(f"kan inte kontrolleras: tabellen {table} {self.missing.get(table, 'saknas')}")
        return rows

    def _region_keys(self) -> dict[str, dict]:
        out: dict[str, dict] = {}
        rows = self._need("regions", self.regions)
        for r in rows:
            code, name = str(r["region_code"]), key(r["region_name"])
            forms = {code, name, f"region {name}", f"{name} län", f"region {name} län", f"{name}s län",
                     f"region {name}s län"}
            if code.isdigit():
                forms.add(str(int(code)))
            for form in forms:
                out.setdefault(form, r)
        by_code = {str(r["region_code"]): r for r in rows}
        for alias, code in _REGION_ALIASES.items():
            if code in by_code:
                out.setdefault(alias, by_code[code])
        return out

    def _healthcare_region_keys(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for r in self._need("regions", self.regions):
            hr = str(r["healthcare_region"])
            rcc = key(r.get("rcc") or "")
            short_rcc = rcc.removeprefix("rcc ").strip()
            for name in {key(hr), short_rcc} - {""}:
                for form in (name, f"sjukvårdsregion {name}", f"sjukvårdsregionen {name}", f"{name} sjukvårdsregion",
                             f"{name} sjukvårdsregionen", f"{name} sjukvårdsregionen"):
                    out.setdefault(form, hr)
            if rcc:
                out.setdefault(rcc, hr)
        names = set(out.values())
        for alias, hr in _HEALTHCARE_REGION_ALIASES.items():
            if hr in names:
                out.setdefault(alias, hr)
        return out

    def healthcare_region(self, text: str) -> Unit:
        hrs = self._healthcare_region_keys()
        hr = hrs.get(key(text))
        if hr is None:
            names = sorted(set(hrs.values()))
            raise CellError(f"okänd sjukvårdsregion {str(text)[:60]!r}{_suggest(text, names)} "
                            f"(sjukvårdsregionerna är {', '.join(names)})")
        return Unit("healthcare_region", hr, hr)

    def regions_in(self, healthcare_region: str | None) -> list[Unit]:
        rows = self._need("regions", self.regions)
        return [Unit("region", str(r["region_code"]), str(r["region_name"]))
                for r in sorted(rows, key=lambda r: str(r["region_code"]))
                if healthcare_region is None or r["healthcare_region"] == healthcare_region]

    def units(self, text: str, scope: Unit | None) -> list[Unit]:
        """The units of a Region cell. Empty: the plan's sjukvårdsregion (`scope`), or riket.
        'alla': every region of `scope` (every region when the plan names none)."""
        items = split_list(text, words=True)
        if not items:
            return [scope or Unit.riket()]
        units: list[Unit] = []
        unknown = []
        for item in items:
            k = key(item)
            if k in RIKET:
                found = [Unit.riket()]
            elif k in ALL_REGIONS:
                found = self.regions_in(scope.code if scope else None)
            elif k in ALL_HEALTHCARE_REGIONS:
                present = {str(r["healthcare_region"]) for r in self._need("regions", self.regions)}
                found = [Unit("healthcare_region", hr, hr) for hr in HEALTHCARE_REGIONS if hr in present]
            elif k in self._region_keys():
                r = self._region_keys()[k]
                found = [Unit("region", str(r["region_code"]), str(r["region_name"]))]
            elif k in self._healthcare_region_keys():
                hr = self._healthcare_region_keys()[k]
                found = [Unit("healthcare_region", hr, hr)]
            else:
                unknown.append(item)
                continue
            units += [u for u in found if u not in units]
        if unknown:
            names = [str(r["region_name"]) for r in self.regions or []]
            names += sorted(set(self._healthcare_region_keys().values()))
            raise CellError(f"okänd region {unknown[0][:60]!r}{_suggest(unknown[0], names)}; skriv regionens namn "
                            "eller kod, en sjukvårdsregion, 'alla' eller 'riket'")
        return units

    # -- pathways and registers ------------------------------------------------------------------
    def _choice(self, text: str, rows, table: str, code_col: str, name_col: str, all_words: set[str],
                what: str) -> tuple[list[str], list[str], bool]:
        """(codes, labels, each) of a Förlopp or Register cell (`what` names it in messages): `each`
        when the cell says 'alla' (one result per value); several values are pooled (either)."""
        items = split_list(text)
        if len(items) == 1 and key(items[0]) in all_words:
            return [], [], True
        rows = self._need(table, rows)
        lookup: dict[str, dict] = {}
        for r in rows:
            lookup.setdefault(key(r[code_col]), r)
            lookup.setdefault(key(r[name_col]), r)
            for inner in re.findall(r"\(([^)]+)\)", str(r[name_col])):
                lookup.setdefault(key(inner), r)
            lookup.setdefault(key(re.sub(r"\s*\([^)]*\)", "", str(r[name_col]))), r)
        codes, labels = [], []
        for item in items:
            if key(item) in all_words:
                raise CellError(f"'alla' kan inte kombineras med enskilda {what}")
            r = lookup.get(key(item))
            if r is None:
                names = [str(x[code_col]) for x in rows] + [str(x[name_col]) for x in rows]
                raise CellError(f"okänt {what} {item[:60]!r}"
                                f"{_suggest(item, names)}; skriv koden eller namnet som i tabellen {table}")
            if str(r[code_col]) not in codes:
                codes.append(str(r[code_col]))
                labels.append(str(r[name_col]))
        return codes, labels, False

    def pathways_of(self, text: str) -> tuple[list[str], list[str], bool]:
        return self._choice(text, self.pathways, "svf_pathways", "svf_code", "svf_name", ALL_PATHWAYS, "förlopp")

    def registers_of(self, text: str) -> tuple[list[str], list[str], bool]:
        return self._choice(text, self.registers, "registers", "register_code", "register_name", ALL_REGISTERS,
                            "register")

    def label(self, dim: str, code: str) -> str:
        """The Swedish name of a pathway, register, region or sjukvårdsregion code (the code itself
        when the table does not know it)."""
        table = {"svf_code": (self.pathways, "svf_code", "svf_name"),
                 "register": (self.registers, "register_code", "register_name"),
                 "region": (self.regions, "region_code", "region_name")}.get(dim)
        if table and table[0]:
            for r in table[0]:
                if str(r[table[1]]) == code:
                    return str(r[table[2]])
        return code
