"""The indicator catalogue (catalogue.yaml), expanded with one `qi:CODE` entry per register quality
indicator of the loaded (or bundled) quality_indicators table."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from .loader import BUNDLED_REFERENCE_DIR

CATALOGUE_FILE = Path(__file__).resolve().parent / "catalogue.yaml"

PERIOD_DIMENSIONS = ("year", "quarter", "month")
ALL_DIMENSIONS = ("region", "healthcare_region", "svf_code", "treatment_type", "sex", "register", "hospital",
                  "substance",
                  *PERIOD_DIMENSIONS)
KINDS = ("proportion", "estimated_ratio", "rate", "median")


@dataclass(frozen=True)
class Indicator:
    id: str
    name_sv: str
    short_sv: str
    group: str
    unit: str
    kind: str
    sql: str
    needs: tuple[str, ...]
    period_date: str
    region_rule: str
    dimensions: tuple[str, ...]
    direction: str  # 'higher' | 'lower' | 'none'
    target_low: int | None = None
    target_high: int | None = None
    target_source: str = ""
    target_placeholder: bool = False
    targets_from: str | None = None  # 'registers': coverage targets travel with the rows
    min_n: int = 5
    maturity_months: int = 2
    month_aligned: bool = False
    denominator_sql: str | None = None
    denominator_divisor: int = 1  # denominator_sql counts in units of 1/divisor (exact integer sums)
    params: tuple[tuple[str, str], ...] = ()
    register_code: str | None = None
    family: str = ""  # the population counted (catalogue.yaml); a quality indicator's is its own id
    interval: str = "none"  # key of catalogue.yaml `intervals`
    caveats: tuple[str, ...] = ()  # keys of catalogue.yaml `caveats`
    derived: tuple[str, ...] = ()  # measures shown beside the value, e.g. 'patients_to_target'
    drilldown: tuple[tuple[str, str], ...] = ()  # (('page', url path), ('tab', tab label))
    texts: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def has_interval(self) -> bool:
        return self.kind in ("proportion", "median")

    @property
    def is_lead_time(self) -> bool:
        """Counts SVF episodes judged against a lead-time limit (placeholder limits are flagged)."""
        return self.family == "svf_lead_time"

    @property
    def interval_text(self) -> str:
        """How the 95 % interval is made, in Swedish (catalogue.yaml `intervals`)."""
        return _yaml()["intervals"].get(self.interval, _yaml()["intervals"]["none"])

    @property
    def caveat_texts(self) -> list[str]:
        """The texts of the indicator's caveats, in catalogue order."""
        texts = _yaml()["caveats"]
        return [texts[c] for c in self.caveats]

    @property
    def page(self) -> str | None:
        """The url path of the page that explains the indicator."""
        return dict(self.drilldown).get("page")

    @property
    def tab(self) -> str | None:
        """The tab of that page, when it has tabs."""
        return dict(self.drilldown).get("tab")

    @property
    def is_quality_indicator(self) -> bool:
        return self.id.startswith("qi:")

    @property
    def value_label(self) -> str:
        return {"procent": "%", "dagar": "dagar", "per 100 000": "per 100 000"}.get(self.unit, self.unit)


@cache
def _yaml() -> dict:
    return yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))


def _indicator(id_: str, spec: dict, **extra) -> Indicator:
    fields = {k: v for k, v in spec.items() if k in Indicator.__dataclass_fields__}
    fields.update(extra)
    fields["needs"] = tuple(fields.get("needs", ()))
    fields["dimensions"] = tuple(fields["dimensions"])
    fields["caveats"] = tuple(fields.get("caveats", ()))
    fields["derived"] = tuple(fields.get("derived", ()))
    fields["drilldown"] = tuple(sorted(dict(fields.get("drilldown") or {}).items()))
    fields.setdefault("short_sv", fields["name_sv"])
    fields["family"] = fields.get("family") or id_
    return Indicator(id=id_, **fields)


def overview_ids() -> list[str]:
    """The overview's indicator columns, in order (catalogue.yaml `overview`)."""
    return list(_yaml()["overview"])


def check_declarations() -> list[str]:
    """Problems in catalogue.yaml's declarations (unknown caveat or interval keys): [] when sound."""
    data = _yaml()
    problems = []
    specs = dict(data["indicators"])
    specs["quality_indicator_template"] = data["quality_indicator_template"]
    for id_, spec in specs.items():
        for c in spec.get("caveats", ()):
            if c not in data["caveats"]:
                problems.append(f"{id_}: okänd förbehållsnyckel {c}")
        if spec.get("interval", "none") not in data["intervals"]:
            problems.append(f"{id_}: okänd intervallnyckel {spec.get('interval')}")
    for id_ in data["overview"]:
        if id_ not in data["indicators"]:
            problems.append(f"overview: okänd indikator {id_}")
    return problems


class Catalogue:
    """Every indicator by id, in catalogue order (the fixed ones first, then qi:CODE)."""

    def __init__(self, quality_indicators: list[dict], registers: dict[str, str]):
        data = _yaml()
        self._items: dict[str, Indicator] = {
            id_: _indicator(id_, spec) for id_, spec in data["indicators"].items()
        }
        template = data["quality_indicator_template"]
        for row in quality_indicators:
            code = row["indicator_code"]
            direction = row["direction"]
            register_name = registers.get(row["register_code"], row["register_code"])
            texts = {
                key: text.format(
                    description=row.get("description_sv") or row["name_sv"] + ".",
                    code=code,
                    register=register_name,
                    direction_text=("Lägre är bättre: målnivån är uppfylld när andelen är högst målvärdet."
                                    if direction == "lower" else "Högre är bättre."),
                )
                for key, text in template["texts"].items()
            }
            placeholder = str(row.get("target_status") or "").strip() == "placeholder"
            self._items[f"qi:{code}"] = _indicator(
                f"qi:{code}",
                {**template, "texts": texts},
                name_sv=row["name_sv"],
                short_sv=row["name_sv"],
                direction=direction,
                target_low=_int_or_none(row.get("target_low")),
                target_high=_int_or_none(row.get("target_high")),
                target_source=f"Registrets målnivåer ({register_name})"
                + (" – platshållare, ej verifierad" if placeholder else ""),
                target_placeholder=placeholder,
                params=(("indicator_code", code),),
                register_code=row["register_code"],
            )

    @classmethod
    def for_dataset(cls, ds) -> "Catalogue":
        qis, regs = [], {}
        if "quality_indicators" in ds.available:
            qis = ds.query_df("SELECT * FROM quality_indicators ORDER BY register_code, indicator_code"
                              ).astype(object).where(lambda d: d.notna(), None).to_dict("records")
        if "registers" in ds.available:
            regs = dict(ds.cursor().execute("SELECT register_code, register_name FROM registers").fetchall())
        return cls(qis, regs)

    @classmethod
    def bundled(cls) -> "Catalogue":
        return cls(_read_csv(BUNDLED_REFERENCE_DIR / "quality_indicators.csv"),
                   {r["register_code"]: r["register_name"]
                    for r in _read_csv(BUNDLED_REFERENCE_DIR / "registers.csv")})

    def __contains__(self, id_: str) -> bool:
        return id_ in self._items

    def __iter__(self):
        return iter(self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def get(self, id_: str) -> Indicator:
        from .errors import QueryError

        try:
            return self._items[id_]
        except KeyError:
            raise QueryError(f"okänd indikator: {id_[:40]!r} (se 'python -m indicators list')") from None

    def ids(self) -> list[str]:
        return list(self._items)


def _read_csv(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as f:
        return [{k: (v if v != "" else None) for k, v in row.items()} for row in csv.DictReader(f)]


def _int_or_none(value) -> int | None:
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return None
    return int(value)
