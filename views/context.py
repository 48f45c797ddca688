"""What views need to know about a data set besides its numbers: display names from the reference
tables, the domain of every dimension (for "every unit has a row" and for disclosure control),
and the data set's identity (extract date, source, id) that every exported file is stamped with.

One `Context` per loaded Dataset, built once and kept on it (`context(ds)`).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import textfmt as fmt
from indicators import DataError, QueryError
from indicators.schema import HEALTHCARE_REGIONS, SEXES, TREATMENT_TYPES

DATA_SUFFIXES = (".parquet", ".csv", ".json")
_LOCK = threading.Lock()
_ATTR = "_views_context"


@dataclass(frozen=True)
class DatasetIdentity:
    """Which data an output comes from: extract date, the manifest's source, and a short id (the
    first 8 hex of a SHA-256 over the manifest and the data files' names and sizes), so a number
    in the minutes can be traced back to the exact extract set."""

    extract_date: date | None
    source: str
    dataset_id: str
    directory: str = ""

    @property
    def footnote_extra(self) -> str:
        return f"Dataset {self.dataset_id}" if self.dataset_id else ""


def dataset_id(directory, manifest: dict | None = None) -> str:
    """First 8 hex of SHA-256 over the manifest (canonical JSON) and every data file's relative
    path and size under `directory` (sorted). Cheap: no file content is read."""
    h = hashlib.sha256()
    h.update(json.dumps(manifest or {}, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8"))
    root = Path(directory)
    if root.is_dir():
        for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()
                           and p.suffix.lower() in DATA_SUFFIXES):
            h.update(f"\n{path.relative_to(root).as_posix()}\t{path.stat().st_size}".encode())
    return h.hexdigest()[:8]


_REGISTER_PREFIX = re.compile(r"^(Nationella kvalitetsregistret för|Nationellt kvalitetsregister för|"
                              r"Svenska registret för|Svenskt kvalitetsregister för|Nationella|Nationellt|"
                              r"Svenska|Svenskt)\s+", re.IGNORECASE)
SHORT_NAME_MAX = 32


def register_short_name(code: str, name: str) -> str:
    """A register's short name: the abbreviation in parentheses ('NKBC'), else the name without
    'Nationella kvalitetsregistret för …' / 'cancer i' ('Hudmelanom'), else (empty or still long)
    the code upper-cased."""
    name = str(name or "").strip()
    if name.endswith(")") and "(" in name:
        abbrev = name[name.rindex("(") + 1:-1].strip()
        if abbrev:
            return abbrev
    short = _REGISTER_PREFIX.sub("", name)
    short = re.sub(r"^cancer i\s+", "", short, flags=re.IGNORECASE).strip()
    if not short or len(short) > SHORT_NAME_MAX:
        return str(code).upper()
    return short[:1].upper() + short[1:]


@dataclass
class Context:
    """Names and domains of one data set (see the module docstring)."""

    ds: object
    identity: DatasetIdentity
    region_names: dict[str, str] = field(default_factory=dict)  # code → name, by code
    healthcare_region_of: dict[str, str] = field(default_factory=dict)  # region code → sjukvårdsregion
    pathway_names: dict[str, str] = field(default_factory=dict)  # svf_code → name, table order
    register_names: dict[str, str] = field(default_factory=dict)  # code → full name
    register_short: dict[str, str] = field(default_factory=dict)  # code → unique short name
    register_targets: dict[str, tuple] = field(default_factory=dict)  # code → (low, high, placeholder)
    hospital_names: dict[str, str] = field(default_factory=dict)
    hospital_region: dict[str, str] = field(default_factory=dict)  # hospital code → region it lies in
    hospital_placeholder: bool = False  # the hospital table's codes are not verified

    @property
    def extract_date(self) -> date:
        return self.ds.extract_date

    @property
    def healthcare_regions(self) -> list[str]:
        cached = self.__dict__.get("_healthcare_regions")
        if cached is None:
            present = set(self.healthcare_region_of.values())
            cached = [h for h in HEALTHCARE_REGIONS if h in present] + sorted(present - set(HEALTHCARE_REGIONS))
            self.__dict__["_healthcare_regions"] = cached
        return list(cached)

    def regions_of(self, healthcare_region: str) -> list[str]:
        return [r for r, h in self.healthcare_region_of.items() if h == healthcare_region]

    def domain(self, dim: str) -> frozenset[str] | None:
        """Every value a dimension can take in this data set (None: not a closed list)."""
        return {
            "region": frozenset(self.region_names),
            "svf_code": frozenset(self.pathway_names),
            "treatment_type": frozenset(TREATMENT_TYPES),
            "sex": frozenset(SEXES),
            "register": frozenset(self.register_names),
            "hospital": self.hospital_codes(),
        }.get(dim)

    def hospital_codes(self) -> frozenset[str]:
        """Every hospital code: the reference table's and any other code the registrations report
        (shown as its code, contract §9.4)."""
        cached = self.__dict__.get("_hospital_codes")
        if cached is None:
            seen: set[str] = set()
            try:
                seen = {r[0] for r in self.ds.cursor().execute(
                    "SELECT DISTINCT hospital_code FROM registrations WHERE hospital_code IS NOT NULL").fetchall()}
            except Exception:  # noqa: BLE001 - a set without registrations: only the table's codes
                seen = set()
            cached = frozenset(self.hospital_names) | frozenset(seen)
            self.__dict__["_hospital_codes"] = cached
        return cached

    def hospitals_in(self, regions) -> list[str]:
        """Codes of the hospitals that lie in `regions` (by the hospitals table), by name."""
        wanted = set(regions)
        codes = [c for c, r in self.hospital_region.items() if r in wanted]
        return sorted(codes, key=lambda c: fmt.sv_sort_key(self.hospital_names.get(c, c)))

    def label(self, dim: str, value) -> str:
        """Display name of a dimension value; a missing value (the ungrouped row) is 'Riket'."""
        if fmt.is_missing(value):
            return fmt.RIKET
        v = str(value)
        if dim == "region":
            return self.region_names.get(v, v)
        if dim == "svf_code":
            return self.pathway_names.get(v, v)
        if dim == "register":
            return self.register_short.get(v, v)
        if dim == "hospital":
            return self.hospital_names.get(v, v)
        if dim == "treatment_type":
            return fmt.treatment_label(v)
        if dim == "sex":
            return fmt.sex_label(v)
        if dim in ("year", "quarter", "month"):
            return fmt.period_label(dim, v)
        return v

    def unit_label(self, dim: str | None, unit) -> str:
        if dim == "region":
            return self.label("region", unit)
        return str(unit)


def _table(ds, name: str):
    try:
        return ds.reference(name)
    except (DataError, QueryError):
        return None


def _identity(ds) -> DatasetIdentity:
    manifest = dict(getattr(ds, "manifest", {}) or {})
    directory = getattr(ds, "directory", "")
    source = fmt_source(manifest.get("source"), directory)
    return DatasetIdentity(extract_date=getattr(ds, "extract_date", None), source=source,
                           dataset_id=dataset_id(directory, manifest), directory=str(directory))


def fmt_source(source, directory) -> str:
    """The manifest's source on one line (at most 200 characters), or 'Extrakt i <katalog>'."""
    from textfmt.safe import one_line

    text = one_line(source or "", 200) if isinstance(source, str) else ""
    return text or f"Extrakt i {Path(str(directory)).name}"


def context(ds) -> Context:
    """The Context of `ds`, built on first use and kept on the Dataset."""
    ctx = getattr(ds, _ATTR, None)
    if ctx is not None:
        return ctx
    with _LOCK:
        ctx = getattr(ds, _ATTR, None)
        if ctx is not None:
            return ctx
        ctx = Context(ds=ds, identity=_identity(ds))
        regions = _table(ds, "regions")
        if regions is not None:
            regions = regions.sort_values("region_code")
            ctx.region_names = dict(zip(regions["region_code"].astype(str), regions["region_name"].astype(str)))
            ctx.healthcare_region_of = dict(zip(regions["region_code"].astype(str),
                                                regions["healthcare_region"].astype(str)))
        pathways = _table(ds, "svf_pathways")
        if pathways is not None:
            ctx.pathway_names = dict(zip(pathways["svf_code"].astype(str), pathways["svf_name"].astype(str)))
        registers = _table(ds, "registers")
        if registers is not None:
            ctx.register_names = dict(zip(registers["register_code"].astype(str),
                                          registers["register_name"].astype(str)))
            shorts = {c: register_short_name(c, n) for c, n in ctx.register_names.items()}
            counts: dict[str, int] = {}
            for s in shorts.values():
                counts[s] = counts.get(s, 0) + 1
            ctx.register_short = {c: (s if counts[s] == 1 else str(c).upper()) for c, s in shorts.items()}
            placeholder = set()
            if "target_status" in registers.columns:
                placeholder = set(registers.loc[registers["target_status"].astype(str).str.strip() == "placeholder",
                                                "register_code"].astype(str))
            ctx.register_targets = {
                str(r.register_code): (None if fmt.is_missing(r.coverage_target_low) else int(r.coverage_target_low),
                                       None if fmt.is_missing(r.coverage_target_high) else int(r.coverage_target_high),
                                       str(r.register_code) in placeholder)
                for r in registers.itertuples()}
        hospitals = _table(ds, "hospitals") if "hospitals" in getattr(ds, "available", ()) else None
        if hospitals is not None:
            ctx.hospital_names = dict(zip(hospitals["hospital_code"].astype(str),
                                          hospitals["hospital_name"].astype(str)))
            ctx.hospital_region = dict(zip(hospitals["hospital_code"].astype(str),
                                           hospitals["region_code"].astype(str)))
            if "status" in hospitals.columns:
                ctx.hospital_placeholder = bool((hospitals["status"].astype(str) == "placeholder").any())
        setattr(ds, _ATTR, ctx)
        return ctx
