"""Column headings of a plan file: forgiving about case, spaces, accents and punctuation
("Vad ska göras?", "VAD SKA GORAS", "vem / ansvarig"), mapped onto fixed field names."""

from __future__ import annotations

import re
import unicodedata

# field → the headings plan owners write (compared after `normalise`).
_HEADINGS: dict[str, tuple[str, ...]] = {
    "id": ("id", "nr", "mal id", "malid", "mal nr", "malnummer", "nummer"),
    "goal_text": ("mal", "malet", "malsattning"),
    "what": ("vad ska goras", "vad", "aktivitet", "aktiviteter", "atgard", "atgarder"),
    "how": ("hur", "hur ska det goras"),
    "who": ("vem", "utforare"),
    "responsible": ("ansvarig", "ansvariga", "vem ansvarig", "vem ansvarar", "ansvar"),
    "when": ("nar",),
    "timeframe": ("tidsram", "nar tidsram", "tidsperiod"),
    "follow_up": ("uppfoljning",),
    "chapter": ("kapitel", "kapitel i cancerplanen", "eu kapitel"),
    "area": ("omrade", "insatsomrade", "tema", "tabell", "prioriterat omrade"),
    "region": ("region", "regioner", "sjukvardsregion", "region sjukvardsregion", "sjukvardsregion region",
               "galler", "galler for", "enhet"),
    "indicator": ("indikator", "indikator id", "indikatorid"),
    "pathway": ("forlopp", "svf", "svf forlopp", "svf kod"),
    "register": ("register", "kvalitetsregister"),
    "goal_value": ("malvarde", "malniva"),
    "direction": ("riktning",),
    "deadline": ("maldatum", "mal senast", "senast", "datum for mal"),
    "notes": ("statusanteckningar", "statusanteckning", "status", "anteckningar"),
    "measurement": ("matning", "hur malet mats", "sa mats malet", "matmetod"),
    "comment": ("kommentar", "kommentarer", "anmarkning"),
}

# What a heading is called in messages (the plan owners' own words).
FIELD_LABELS: dict[str, str] = {
    "id": "Id", "goal_text": "Mål", "what": "Vad ska göras", "how": "Hur", "who": "Vem",
    "responsible": "Ansvarig", "when": "När", "timeframe": "Tidsram", "follow_up": "Uppföljning",
    "chapter": "Kapitel", "area": "Område", "region": "Region", "indicator": "Indikator",
    "pathway": "Förlopp", "register": "Register", "goal_value": "Målvärde", "direction": "Riktning",
    "deadline": "Måldatum", "notes": "Statusanteckningar", "measurement": "Mätning", "comment": "Kommentar",
}

# Headings of the optional notes sheet.
_NOTE_HEADINGS: dict[str, tuple[str, ...]] = {
    "id": _HEADINGS["id"],
    "date": ("datum",),
    "text": ("anteckning", "statusanteckning", "text", "status"),
}
NOTE_FIELD_LABELS = {"id": "Id", "date": "Datum", "text": "Anteckning"}

PLAN_SHEET_NAMES = ("plan", "handlingsplan", "mal")
NOTES_SHEET_NAMES = ("statusanteckningar", "anteckningar")

_LOOKUP = {heading: name for name, headings in _HEADINGS.items() for heading in headings}
_NOTE_LOOKUP = {heading: name for name, headings in _NOTE_HEADINGS.items() for heading in headings}


def normalise(text) -> str:
    """Lower case, accents and punctuation removed, spaces collapsed: 'Vad ska göras?' → 'vad ska goras'."""
    if text is None:
        return ""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return re.sub(r"[^0-9a-z]+", " ", plain).strip()


def field_of(heading) -> str | None:
    """The field a plan heading stands for, or None for a heading the plan does not use."""
    return _LOOKUP.get(normalise(heading))


def note_field_of(heading) -> str | None:
    return _NOTE_LOOKUP.get(normalise(heading))


def header_score(cells, lookup=field_of, required: str = "goal_text") -> int:
    """How many distinct known headings a row holds; 0 unless one of them is `required`."""
    fields = {lookup(c) for c in cells if c is not None and str(c).strip()}
    fields.discard(None)
    return len(fields) if required in fields else 0
