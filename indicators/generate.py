"""Synthetic sample extract set (data-contract.md §1 and §3).

`generate(out_dir, scale=1.0, seed=1)` writes a complete extract set for diagnosis and start
years 2018–2025 with `manifest.json` (extract date 2026-01-15). The bundled reference tables in
`data/reference/` are read at run time (pathway ICD-10 prefixes, lead-time targets, registers,
quality indicators, regions and their populations), so the data stay consistent with them; they
are not written into the extract set. Calibration constants (incidence per diagnosis, age and sex,
treatment mix, how well each pathway meets its lead time, regional effects) come from
`/work/shared/domain.md` §2.2, §3, §5 and §6 and live in this module.

Everything is vectorised numpy with one `numpy.random.Generator(PCG64(seed))`, so the same seed
and scale give byte-identical Parquet files and another seed gives other data. `scale` multiplies
every count of cases, episodes, registrations and drug starts (not the inhabitants in
`population`, nor the deliberately invalid rows).

What the data look like
-----------------------
* cancer_cases: about 70 000 tumours a year at scale 1 (about 9 000 C44 and some other codes
  outside every SVF), regional volume ∝ population weighted by the age structure, melanoma
  higher in the south, growth about 1.75 %/year and a pandemic dip in 2020.
* svf_episodes: about 150 000 a year, about 30 % ending in treatment. Treated episodes come from
  cancer cases (same person_id) with an inclusion probability per region × pathway × year; the
  others (dismissed suspicions, other cancer, 73 "no further action", AOS) are drawn per pathway.
  Lead times are log-normal around the episode's own target (resolved from
  svf_lead_time_targets with the contract §2 rules). Signe is reported monthly, so the SVF data
  end on 2025-12-31: episodes still running then are ongoing (no end date, no end code), and
  episodes that ended in the last weeks are partly missing (reporting delay, about 75–80 % of
  December present). home_region_code is null before 2020-01-01 (länstillhörighet is reported
  from 2020); from 2020 about 3.5 % are closed by another region than the home region (Gotland →
  Stockholm, Halland → Västra Götaland/Skåne, Jämtland → Västernorrland/Västerbotten …). Treated
  episodes of cases diagnosed in early January 2018 that would start in 2017 are left out.
  Calibrated (scale 1, seed 1): within target about 50 % in 2020, 42 % in 2022, 40 % in 2023,
  45 % in 2024; 10–15 % over 1.75 × target; prostata/urinblåsa/kolorektal 28–37 %,
  bröst/lymfom/akut leukemi/sköldkörtel 60–70 %; Gotland and Stockholm best.
* register_cases: each cancer case in a register's ICD-10 scope is registered with probability
  = coverage (93–99.5 % per region × register) after a log-normal delay; registrations dated after
  the extract date are not in the extract, so 2025 coverage is visibly incomplete. About 0.5 %
  unmatched registrations (case_id null).
* register_cases.hospital_code: a hospital of the patient's region from the bundled hospitals.csv
  (five-digit INCA-style codes), the first listed most often.
* indicator_outcomes: per registration a random eligible subset of its register's indicators
  (every registration for nkbc02 and nkbc04), met drawn around each indicator's targets with
  regional differences; 2–4 % met null, more for the most recent diagnoses (never for nkbc15).
* svf_episodes never overlap or touch for one person and pathway (KVÅ codes cannot say so).
* drug_treatments: RCL-scope drug starts, growing about 13 %/year, with region-specific RCL
  coverage (some regions far below 85 %) and direct-transfer shares.
* population: region × year × sex × age group, summing to regions.csv population_2024 in 2024.

Deliberately invalid rows (data-contract.md §4); few enough not to move any indicator visibly:

| table              | rows | what                                                        |
|--------------------|------|-------------------------------------------------------------|
| svf_episodes       | 2×2  | two episode_ids that occur twice (both copies are invalid)  |
| svf_episodes       | 2    | end_date before start_date                                   |
| svf_episodes       | 2    | region_code '99' (unknown region)                            |
| svf_episodes       | 2    | svf_code 'okant_forlopp' (unknown pathway)                   |
| svf_episodes       | 2    | end_code set but end_date null                               |
| svf_episodes       | 2    | end_code '55' (unknown end code)                             |
| svf_episodes       | 2    | end_date 2026-02-20, after the extract date                  |
| cancer_cases       | 2    | sex 'X'                                                      |
| cancer_cases       | 2    | age 130                                                      |
| cancer_cases       | 2×2  | two case_ids that occur twice (both copies are invalid)      |
| register_cases     | 2    | registered_date before diagnosis_date                        |
| indicator_outcomes | 2    | registration_id that is not in register_cases                |
| indicator_outcomes | 2    | indicator_code 'okand01' (unknown indicator)                 |
| drug_treatments    | 2    | region_code null                                             |

Invalid rows that add a new id use numbers after the valid ones (e.g. the last 'E…' ids); the
duplicates repeat an existing id (the episode copy has an end date 3 days later). No valid row has
a date after the extract date. drug_treatments.region_code is an optional (nullable) Parquet field
only because of its invalid rows; the other non-nullable contract columns are written as required.

Files: `svf_episodes/svf_episodes_<start year>.parquet` (folder form), the other tables as
`<table>.parquet`; each sorted by its period date (end_date, ongoing last, for episodes;
diagnosis_date; start_date; outcomes in registration order), zstd, row groups of 131 072 rows.
The set is written to a temporary sibling directory and renamed into place, replacing out_dir;
out_dir must be missing, empty or a set generate wrote before (a marker file with the hash of
every file, see `indicators/generated_set.py`), unless `force` is given. Errors are one-line
`OutputError` (exit 2: out_dir cannot be used) or `WriteError` (exit 1: e.g. the disk filled up),
and the temporary directory is removed whatever happens.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"

EXTRACT_DATE = "2026-01-15"
SVF_DATA_END = "2025-12-31"  # Signe is reported per month: December is the last month present
YEARS = np.arange(2018, 2026)
BASE_YEAR = 2023  # the incidence table (domain.md §6) is for about 2022–23
AGE_GROUPS = ("00-39", "40-49", "50-59", "60-69", "70-79", "80+")
TTYPES = ("surgery", "drug", "radiotherapy", "palliative", "other", "expectancy", "no_further_action")
ANY = len(TTYPES)  # index of 'any' in target keys
END_CODES = ("50", "52", "54", "58", "59", "60", "73", "70", "72", "74", "76", "78")
NT_CODES = (7, 8, 6, 9, 10, 11)  # non-treatment end codes, as END_CODES indices: 70 72 73 74 76 78
ROW_GROUP = 131_072

# --------------------------------------------------------------------------------------------
# Calibration constants (domain.md §6 incidence; [A] values are approximations)
# --------------------------------------------------------------------------------------------
# key: (tumours per year about 2023, {icd10: weight}, age median, age sd, min age, share women, dip)
# dip: 'prostate', 'breast', 'screen' (colorectal, melanoma) or '' – the pandemic pattern.
DIAGNOSES: dict[str, tuple] = {
    "prostata": (10500, {"C61.9": 1}, 71, 8, 40, 0.0, "prostate"),
    "brost": (9800, {"C50.9": .30, "C50.4": .25, "C50.2": .12, "C50.1": .06, "C50.5": .07,
                     "C50.3": .05, "C50.8": .15}, 63, 13, 22, 0.995, "breast"),
    "brost_insitu": (1000, {"D05.1": .85, "D05.0": .05, "D05.9": .10}, 59, 10, 30, 0.998, "breast"),
    "melanom": (4800, {"C43.5": .28, "C43.6": .14, "C43.7": .20, "C43.3": .10, "C43.4": .09,
                       "C43.2": .05, "C43.9": .08, "C43.8": .02, "C43.1": .02, "C43.0": .02},
                67, 15, 18, 0.47, "screen"),
    "hud_ovrig": (9000, {"C44.3": .40, "C44.4": .15, "C44.5": .18, "C44.6": .10, "C44.7": .10,
                         "C44.2": .05, "C44.0": .02}, 79, 10, 30, 0.42, ""),
    "tjocktarm": (4500, {"C18.0": .20, "C18.1": .03, "C18.2": .12, "C18.3": .05, "C18.4": .06,
                         "C18.5": .04, "C18.6": .05, "C18.7": .35, "C18.8": .03, "C18.9": .07},
                  74, 11, 25, 0.51, "screen"),
    "andtarm": (2100, {"C20.9": 1}, 70, 11, 25, 0.40, "screen"),
    "lunga": (4300, {"C34.1": .45, "C34.3": .25, "C34.9": .15, "C34.2": .05, "C34.0": .05,
                     "C34.8": .05}, 72, 9, 30, 0.53, ""),
    "urinblasa": (2900, {"C67.9": .62, "C67.2": .08, "C67.4": .06, "C67.0": .04, "C65.9": .09,
                         "C66.9": .08, "C68.0": .03}, 74, 10, 30, 0.26, ""),
    "lymfom": (2200, {"C83.3": .30, "C82.0": .06, "C82.1": .05, "C82.9": .05, "C81.1": .05,
                      "C81.9": .06, "C85.9": .10, "C88.0": .08, "C84.4": .05, "C83.1": .07,
                      "C83.0": .05, "C86.5": .02, "C91.4": .01, "C82.5": .05}, 67, 15, 18, 0.44, ""),
    "kll": (500, {"C91.1": 1}, 72, 10, 30, 0.38, ""),
    "bukspott": (1500, {"C25.0": .45, "C25.1": .15, "C25.2": .10, "C25.9": .30}, 72, 10, 30, 0.51, ""),
    "periampullar": (100, {"C24.1": 1}, 71, 10, 30, 0.45, ""),
    "huvud_hals": (1600, {"C01.9": .15, "C02.9": .10, "C04.9": .05, "C06.9": .05, "C07.9": .08,
                          "C09.9": .15, "C10.9": .10, "C11.9": .03, "C12.9": .05, "C13.9": .04,
                          "C32.9": .15, "C30.0": .02, "C31.0": .02, "C77.0": .01}, 67, 12, 18, 0.32, ""),
    "livmoderkropp": (1400, {"C54.1": .92, "C54.9": .08}, 70, 10, 30, 1.0, ""),
    "njure": (1300, {"C64.9": 1}, 68, 11, 25, 0.35, ""),
    "matstrupe_magsack": (1300, {"C15.9": .20, "C15.5": .18, "C16.0": .22, "C16.9": .25,
                                 "C16.2": .10, "C16.3": .05}, 72, 11, 25, 0.32, ""),
    "skoldkortel": (800, {"C73.9": 1}, 52, 17, 8, 0.72, ""),
    "aggstock": (700, {"C56.9": .85, "C57.0": .08, "C48.2": .05, "C48.1": .02}, 66, 13, 18, 1.0, ""),
    "myelom": (700, {"C90.0": .95, "C90.1": .02, "C90.2": .02, "C90.3": .01}, 72, 10, 30, 0.42, ""),
    "lever": (700, {"C22.0": .88, "C22.1": .12}, 71, 10, 25, 0.30, ""),
    "livmoderhals": (550, {"C53.0": .20, "C53.1": .20, "C53.9": .60}, 48, 16, 20, 1.0, ""),
    "akut_leukemi": (400, {"C92.0": .78, "C91.0": .12, "C92.3": .02, "C92.5": .03, "C92.8": .03,
                           "C91.8": .02}, 68, 17, 16, 0.44, ""),
    "hjarntumor": (500, {"C71.9": .40, "C71.1": .20, "C71.2": .15, "C71.3": .10, "C71.0": .10,
                         "C71.4": .05}, 62, 15, 18, 0.40, ""),
    "testikel": (350, {"C62.9": .95, "C62.0": .05}, 35, 10, 15, 0.0, ""),
    "vulva": (150, {"C51.9": .80, "C51.0": .20}, 76, 12, 25, 1.0, ""),
    "gallvagar": (300, {"C23.9": .50, "C24.0": .50}, 73, 10, 30, 0.55, ""),
    "penis": (150, {"C60.9": .90, "C60.1": .10}, 70, 12, 25, 0.0, ""),
    "anal": (170, {"C21.0": .60, "C21.1": .40}, 66, 12, 25, 0.70, ""),
    "sarkom": (450, {"C49.2": .30, "C49.1": .10, "C49.9": .20, "C49.6": .10, "C40.2": .10,
                     "C41.4": .10, "C41.2": .10}, 60, 18, 18, 0.47, ""),
    "buksarkom": (200, {"C49.4": .65, "C48.0": .35}, 65, 13, 18, 0.50, ""),
    "net": (600, {"C17.0": .10, "C17.1": .30, "C17.9": .15, "C25.4": .15, "C74.0": .15,
                  "C74.9": .10, "C17.2": .05}, 64, 13, 18, 0.50, ""),
    "cup": (800, {"C80.9": .60, "C77.9": .10, "C78.7": .15, "C79.5": .15}, 74, 11, 30, 0.50, ""),
    "mpn": (600, {"D45.9": .35, "D47.1": .25, "D47.3": .30, "C94.4": .10}, 69, 12, 25, 0.50, ""),
    # other tumours that belong to no pathway
    "ovriga": (2500, {"C45.0": .10, "C26.9": .06, "C37.9": .02, "C38.4": .02, "C39.9": .01,
                      "C46.0": .02, "C47.9": .01, "C52.9": .02, "C55.9": .03, "C58.9": .005,
                      "C63.9": .005, "C69.0": .03, "C69.3": .03, "C72.0": .03, "C75.1": .06,
                      "C76.0": .04, "C92.1": .06, "C93.1": .04, "C95.9": .02, "C96.9": .03,
                      "D46.9": .20, "D47.4": .08, "C26.0": .04}, 72, 13, 18, 0.45, ""),
}

# Per pathway: share of episodes that end in treatment, inclusion offset, share within target
# (2024 level, nationally), log-normal sigma of lead time / target, share of '73' among episodes
# closed without treatment, treatment-type mix (surgery, drug, radiotherapy, palliative, other,
# expectancy).
PATHWAYS: dict[str, dict] = {
    "brost": dict(tr=.45, inc=+.02, w=.75, s=.30, s73=.01, mix=(.76, .14, .03, .03, .02, .02)),
    "prostata": dict(tr=.40, inc=-.04, w=.35, s=.42, s73=.01, mix=(.25, .24, .25, .01, 0, .25)),
    "kolorektal": dict(tr=.21, inc=.0, w=.37, s=.40, s73=.06, mix=(.65, .08, .12, .10, .05, 0)),
    "lunga": dict(tr=.30, inc=.0, w=.45, s=.42, s73=.01, mix=(.20, .40, .20, .20, 0, 0)),
    "melanom": dict(tr=.26, inc=.0, w=.47, s=.42, s73=.20, mix=(.85, .04, .02, 0, 0, .09)),
    "matstrupe_magsack": dict(tr=.40, inc=-.02, w=.45, s=.40, s73=.01, mix=(.20, .30, .20, .20, 0, .10)),
    "urinblasa": dict(tr=.22, inc=.0, w=.35, s=.40, s73=.10, mix=(.70, .15, .10, .05, 0, 0)),
    "bukspottkortel": dict(tr=.32, inc=.0, w=.45, s=.40, s73=.01, mix=(.30, .40, 0, .25, 0, .05)),
    "aggstock": dict(tr=.40, inc=.0, w=.55, s=.38, s73=.01, mix=(.70, .30, 0, 0, 0, 0)),
    "vulva": dict(tr=.40, inc=.0, w=.50, s=.40, s73=.01, mix=(.70, .05, .15, .10, 0, 0)),
    "lymfom_kll": dict(tr=.45, inc=.0, w=.72, s=.33, s73=.01, mix=(0, .60, .10, 0, 0, .30)),
    "akut_leukemi": dict(tr=.80, inc=+.03, w=.86, s=.35, s73=.01, mix=(0, .90, 0, .10, 0, 0)),
    "myelom": dict(tr=.60, inc=.0, w=.60, s=.38, s73=.01, mix=(0, .80, .10, .10, 0, 0)),
    "lever": dict(tr=.35, inc=.0, w=.45, s=.40, s73=.01, mix=(.30, .25, 0, .30, .05, .10)),
    "huvud_hals": dict(tr=.28, inc=.0, w=.35, s=.40, s73=.01, mix=(.40, .10, .40, .10, 0, 0)),
    "njure": dict(tr=.35, inc=.0, w=.45, s=.40, s73=.01, mix=(.70, .10, 0, .05, 0, .15)),
    "livmoderhals": dict(tr=.30, inc=.0, w=.45, s=.40, s73=.01, mix=(.50, .05, .40, .05, 0, 0)),
    "livmoderkropp": dict(tr=.32, inc=.0, w=.50, s=.40, s73=.01, mix=(.90, .04, .03, .03, 0, 0)),
    "gallvagar": dict(tr=.30, inc=.0, w=.45, s=.40, s73=.01, mix=(.30, .40, 0, .30, 0, 0)),
    "hjarntumor": dict(tr=.50, inc=.0, w=.60, s=.38, s73=.01, mix=(.80, .05, .10, .05, 0, 0)),
    "skoldkortel": dict(tr=.30, inc=-.03, w=.66, s=.35, s73=.01, mix=(.90, .02, .03, 0, 0, .05)),
    "testikel": dict(tr=.70, inc=.0, w=.70, s=.35, s73=.01, mix=(.95, .05, 0, 0, 0, 0)),
    "penis": dict(tr=.50, inc=.0, w=.50, s=.40, s73=.01, mix=(.90, .05, .05, 0, 0, 0)),
    "anal": dict(tr=.50, inc=.0, w=.45, s=.40, s73=.01, mix=(.10, 0, .80, .10, 0, 0)),
    "sarkom": dict(tr=.25, inc=-.03, w=.40, s=.42, s73=.01, mix=(.70, .10, .15, .05, 0, 0)),
    "buksarkom": dict(tr=.30, inc=-.05, w=.45, s=.40, s73=.01, mix=(.70, .20, 0, .10, 0, 0)),
    "net": dict(tr=.30, inc=-.06, w=.45, s=.40, s73=.01, mix=(.50, .30, 0, 0, 0, .20)),
    "cup": dict(tr=.30, inc=-.12, w=.40, s=.42, s73=.01, mix=(0, .50, .10, .40, 0, 0)),
    "mpn": dict(tr=.40, inc=-.10, w=.55, s=.40, s73=.01, mix=(0, .70, 0, 0, 0, .30)),
}
DEFAULT_PATHWAY = dict(tr=.35, inc=.0, w=.45, s=.40, s73=.01, mix=(.50, .30, .10, .10, 0, 0))
W73 = 0.55  # share within target for '73' episodes that have a target
AOS_PER_YEAR = 10_000
AOS_YEAR = {2018: .45, 2019: .65, 2020: .75, 2021: .85, 2022: .93, 2023: 1.0, 2024: 1.04, 2025: 1.08}
# episodes closed without treatment grow faster than incidence (SVF still expanding)
NT_YEAR = {2018: .81, 2019: .86, 2020: .84, 2021: .91, 2022: .94, 2023: .96, 2024: .97, 2025: .98}
# national within-target shift by start year (probit scale): 2020 best, 2023 worst
LT_YEAR = {2018: -.08, 2019: -.10, 2020: .07, 2021: -.13, 2022: -.21, 2023: -.28, 2024: -.10, 2025: -.07}
INCL_YEAR = {2018: -.07, 2019: -.04, 2020: -.02, 2021: -.01, 2022: 0, 2023: .005, 2024: .01, 2025: .015}
# end-code mix of episodes closed without treatment: 70 72 73 74 76 78 (73 set per pathway)
NT_MIX = np.array([.13, .07, 0, .08, .04, .68])
AOS_MIX = np.array([.08, .30, 0, .05, .02, .55])
# durations (median days, sigma) of episodes closed without treatment, per code 70 72 73 74 76 78
NT_DUR = ((7, .8), (24, .5), (20, .6), (21, .7), (14, .7), (18, .55))
AOS_DUR = ((8, .7), (15, .5), (20, .6), (18, .6), (12, .6), (17, .5))

# Regions (SCB codes; calibration only, names and populations come from regions.csv)
AGE_INDEX = {"01": -1.0, "03": -.6, "04": .3, "05": 0, "06": .2, "07": .2, "08": 1.0, "09": 1.0,
             "10": .6, "12": -.2, "13": .2, "14": -.2, "17": .8, "18": 0, "19": .2, "20": 1.0,
             "21": 1.0, "22": 1.0, "23": 1.0, "24": 0, "25": 1.0}
POP_GROWTH = {"01": .011, "03": .011, "12": .009, "14": .008, "13": .009, "05": .006, "06": .005,
              "18": .005, "04": .004, "19": .004, "07": .004, "24": .004, "08": .002, "10": .001,
              "17": .002, "20": .002, "21": .001, "22": .000, "23": .002, "25": .000, "09": .002}
MELANOMA = {"12": 1.35, "13": 1.40, "10": 1.30, "07": 1.25, "08": 1.30, "06": 1.15, "05": 1.10,
            "14": 1.15, "09": 1.20, "01": 1.0, "03": .95, "04": 1.0, "17": .90, "18": .95,
            "19": .95, "20": .85, "21": .80, "22": .70, "23": .70, "24": .65, "25": .60}
INCLUSION = {"25": .74, "21": .78, "13": .78, "24": .79, "09": .87, "01": .84}  # others U(.78,.88)
LT_REGION = {"09": .55, "01": .35, "21": -.25, "13": -.15, "25": -.10}  # others N(0, .18)
# closing region for patients treated outside their county: home -> (probability, destinations)
TRANSFER = {"01": (.010, {"03": 1}), "03": (.012, {"01": 1}), "04": (.030, {"03": .6, "01": .4}),
            "05": (.008, {"01": 1}), "06": (.030, {"05": 1}), "07": (.040, {"12": .8, "05": .2}),
            "08": (.035, {"05": 1}), "09": (.250, {"01": 1}), "10": (.050, {"12": 1}),
            "12": (.006, {"14": 1}), "13": (.080, {"14": .6, "12": .4}), "14": (.006, {"12": 1}),
            "17": (.030, {"18": .6, "03": .4}), "18": (.010, {"03": 1}),
            "19": (.030, {"03": .7, "18": .3}), "20": (.030, {"03": .7, "18": .3}),
            "21": (.035, {"03": 1}), "22": (.040, {"24": 1}), "23": (.080, {"22": .5, "24": .5}),
            "24": (.006, {"01": 1}), "25": (.040, {"24": 1})}
RARE = {"sarkom", "buksarkom", "hjarntumor", "net", "penis", "vulva", "matstrupe_magsack",
        "bukspottkortel", "lever", "gallvagar", "akut_leukemi"}
RCL_COVERAGE = {"21": .58, "13": .68, "09": .66}  # 2025 level; others U(.88, .99)
DRUG_RATE = {"24": 1.8}  # relative starts per inhabitant; others exp(N(0, .15))
# population: national age shares 2024, share women per age group, tilt by AGE_INDEX
AGE_SHARE = np.array([.475, .127, .128, .110, .100, .060])
AGE_TILT = np.array([-.12, -.06, .0, .12, .22, .25])
FEMALE_SHARE = np.array([.487, .485, .490, .500, .520, .580])
AGE_INCIDENCE = np.array([.10, .50, 1.10, 2.40, 3.90, 4.20])  # relative incidence per inhabitant
MONTH_WEIGHT = np.array([1.02, 1.02, 1.05, 1.0, 1.03, 1.0, .72, .95, 1.06, 1.07, 1.06, .90])

# RCL drugs: substance -> (first year, relative volume, {icd10: weight})
DRUGS: dict[str, tuple] = {
    "pembrolizumab": (2018, .22, {"C34.1": .35, "C34.9": .20, "C43.5": .10, "C43.7": .08,
                                  "C67.9": .08, "C10.9": .04, "C32.9": .03, "C64.9": .05,
                                  "C18.7": .02, "C50.9": .03, "C53.9": .02}),
    "nivolumab": (2018, .12, {"C34.1": .20, "C34.9": .15, "C43.5": .15, "C43.6": .15,
                              "C64.9": .15, "C15.9": .05, "C16.9": .05, "C09.9": .10}),
    "ipilimumab": (2018, .04, {"C43.5": .40, "C43.7": .30, "C64.9": .30}),
    "atezolizumab": (2018, .06, {"C34.1": .60, "C34.9": .30, "C22.0": .10}),
    "durvalumab": (2019, .05, {"C34.1": .50, "C34.9": .30, "C24.0": .10, "C23.9": .10}),
    "osimertinib": (2018, .04, {"C34.1": .70, "C34.9": .30}),
    "abirateron": (2018, .08, {"C61.9": 1}),
    "enzalutamid": (2018, .09, {"C61.9": 1}),
    "apalutamid": (2020, .03, {"C61.9": 1}),
    "daratumumab": (2018, .06, {"C90.0": 1}),
    "karfilzomib": (2018, .02, {"C90.0": 1}),
    "palbociclib": (2018, .06, {"C50.9": .6, "C50.4": .4}),
    "ribociclib": (2018, .03, {"C50.9": .6, "C50.4": .4}),
    "abemaciklib": (2019, .02, {"C50.9": .6, "C50.4": .4}),
    "pertuzumab": (2018, .04, {"C50.9": .6, "C50.4": .4}),
    "trastuzumab deruxtekan": (2021, .02, {"C50.9": .7, "C50.4": .3}),
    "olaparib": (2018, .04, {"C56.9": .60, "C50.9": .20, "C61.9": .20}),
    "trametinib": (2018, .03, {"C43.5": .45, "C43.7": .35, "C34.1": .20}),
    "dabrafenib": (2018, .03, {"C43.5": .50, "C43.7": .40, "C34.1": .10}),
    "ibrutinib": (2018, .03, {"C91.1": .80, "C83.1": .20}),
    "venetoklax": (2019, .02, {"C91.1": .70, "C92.0": .30}),
    "kabozantinib": (2018, .01, {"C64.9": .60, "C22.0": .40}),
}
# Quality indicators whose population is every registration (their definitions say "alla anmälda
# fall"; the INCA mapping in data/mappings/ reads them so), and those that are never 'uppgift saknas'
# (nkbc15 is computed from two dates: a registration without both is outside the population).
POPULATION_ALL = {"nkbc02", "nkbc04"}
NEVER_MISSING = {"nkbc15"}
DRUG_BASE = 2000  # starts at scale 1 in 2018
DRUG_GROWTH = 1.13


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------
def _day(s: str) -> int:
    return int(np.datetime64(s, "D").astype(np.int64))


def _year_of(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def _norm_ppf(p: float) -> float:
    lo, hi = -9.0, 9.0
    for _ in range(80):
        mid = (lo + hi) / 2
        if 0.5 * (1 + math.erf(mid / math.sqrt(2))) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _norm(code: str) -> str:
    return code.replace(".", "").replace(" ", "").upper()


def _prefixes(text: str) -> list[str]:
    return [_norm(p) for p in text.split(";") if _norm(p)]


def _grouped_choice(rng, group: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """For each row, an index k drawn with probability probs[group[row], k] (rows sum to 1)."""
    probs = np.asarray(probs, dtype=float)
    cum = np.cumsum(probs, axis=1)
    cum = cum / np.where(cum[:, -1:] > 0, cum[:, -1:], 1.0)
    cum[cum > 1 - 1e-9] = 1.0
    cum[:, -1] = 1.0
    bounds = (np.arange(probs.shape[0])[:, None] + cum).ravel()
    u = rng.random(len(group))
    idx = np.searchsorted(bounds, group + u, side="right")
    return (idx - group * probs.shape[1]).clip(0, probs.shape[1] - 1)


def _one_at_a_time(person: np.ndarray, group: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """A mask keeping, per (person, group), only episodes that start after every earlier one ended."""
    keep = np.ones(len(start), bool)
    if len(start) < 2:
        return keep
    order = np.lexsort((end, start, group, person))
    p, g, s, e = person[order], group[order], start[order], end[order]
    first = np.ones(len(order), bool)
    first[1:] = (p[1:] != p[:-1]) | (g[1:] != g[:-1])
    gid = np.cumsum(first)
    lo = min(int(e.min()), int(s.min()))
    span = int(e.max()) - lo + 1
    # running maximum of the end within each group: group ids increase, so the offsets keep groups apart
    run = np.maximum.accumulate(gid * span + (e - lo))
    prev_end = np.full(len(order), lo - 1, dtype=np.int64)
    prev_end[1:] = run[:-1] - gid[1:] * span + lo
    keep[order[~first & (s <= prev_end)]] = False
    return keep


def _lognormal(rng, median, sigma, n) -> np.ndarray:
    return np.asarray(median) * np.exp(np.asarray(sigma) * rng.standard_normal(n))


def _day_weights(year: int, weekend: float) -> tuple[np.ndarray, np.ndarray]:
    days = np.arange(_day(f"{year}-01-01"), _day(f"{year + 1}-01-01"))
    month = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
    w = MONTH_WEIGHT[month] * np.where((days + 3) % 7 >= 5, weekend, 1.0)
    return days, w / w.sum()


def _dates_in_years(rng, years: np.ndarray, weekend: float) -> np.ndarray:
    out = np.empty(len(years), dtype=np.int64)
    for y in np.unique(years):
        m = years == y
        days, w = _day_weights(int(y), weekend)
        out[m] = rng.choice(days, size=int(m.sum()), p=w)
    return out


def _ids(prefix: str, start: int, n: int) -> pa.Array:
    return _ids_of(prefix, np.arange(start, start + n, dtype=np.int64))


def _ids_of(prefix: str, numbers: np.ndarray) -> pa.Array:
    nums = pa.array(np.asarray(numbers, dtype=np.int64)).cast(pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(nums, width=9, padding="0"), "")


def _take(values, idx: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    arr = pa.array(list(values), type=pa.string())
    return arr.take(pa.array(np.asarray(idx, dtype=np.int64), mask=null))


def _dates(days: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    days = np.asarray(days, dtype=np.int64)
    if null is not None:
        days = np.where(null, 0, days)
    return pa.array(days.astype("datetime64[D]"), type=pa.date32(), mask=null)


def _field(name, typ, nullable=False):
    return pa.field(name, typ, nullable=nullable)


S, D, B = pa.string(), pa.date32(), pa.bool_()
SCHEMAS = {
    "cancer_cases": pa.schema([_field("case_id", S), _field("person_id", S), _field("region_code", S),
                               _field("diagnosis_date", D), _field("icd10", S), _field("sex", S),
                               _field("age", pa.int16())]),
    "svf_episodes": pa.schema([_field("episode_id", S), _field("person_id", S), _field("region_code", S),
                               _field("home_region_code", S, True), _field("svf_code", S),
                               _field("start_date", D), _field("end_date", D, True),
                               _field("end_code", S, True), _field("extended_workup", B),
                               _field("sex", S), _field("age", pa.int16())]),
    "register_cases": pa.schema([_field("registration_id", S), _field("register_code", S),
                                 _field("case_id", S, True), _field("region_code", S),
                                 _field("hospital_code", S), _field("diagnosis_date", D),
                                 _field("registered_date", D)]),
    "indicator_outcomes": pa.schema([_field("registration_id", S), _field("indicator_code", S),
                                     _field("met", B, True)]),
    # region_code is declared nullable only because of the deliberately invalid rows
    "drug_treatments": pa.schema([_field("treatment_id", S), _field("region_code", S, True),
                                  _field("start_date", D), _field("substance", S), _field("icd10", S),
                                  _field("in_rcl", B), _field("direct_transfer", B, True)]),
    "population": pa.schema([_field("region_code", S), _field("year", pa.int16()), _field("sex", S),
                             _field("age_group", S), _field("population", pa.int32())]),
}


# --------------------------------------------------------------------------------------------
# Reference tables
# --------------------------------------------------------------------------------------------
class _Reference:
    def __init__(self, directory: Path):
        def read(name):
            return pd.read_csv(directory / f"{name}.csv", dtype=str, keep_default_na=False)

        reg = read("regions")
        self.region_codes = list(reg["region_code"])
        self.region_pop = reg["population_2024"].astype(float).to_numpy()
        self.rix = {c: i for i, c in enumerate(self.region_codes)}

        pw = read("svf_pathways")
        self.pathways = list(pw["svf_code"])
        self.pix = {c: i for i, c in enumerate(self.pathways)}
        self.aos = self.pix.get("aos", -1)
        self.pw_prefixes = {}
        for code, prefixes in zip(pw["svf_code"], pw["icd10_prefixes"]):
            for p in _prefixes(prefixes):
                self.pw_prefixes[p] = self.pix[code]

        tg = read("svf_lead_time_targets")
        self.targets: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
        tix = {t: i for i, t in enumerate(TTYPES)} | {"any": ANY}
        rows: dict[tuple, list] = {}
        for r in tg.itertuples(index=False):
            if r.svf_code not in self.pix or r.treatment_type not in tix:
                continue
            key = (self.pix[r.svf_code], tix[r.treatment_type], r.extended_workup.strip().lower() == "true")
            rows.setdefault(key, []).append((_day(r.valid_from.strip()), int(r.target_days)))
        for key, vals in rows.items():
            vals.sort()
            self.targets[key] = (np.array([v[0] for v in vals]), np.array([v[1] for v in vals], float))
        self.has_ext = np.zeros(len(self.pathways), bool)
        for (p, _t, e) in self.targets:
            if e:
                self.has_ext[p] = True

        hospitals = read("hospitals")
        self.hospitals: dict[str, list[str]] = {}
        for code, region in zip(hospitals["hospital_code"], hospitals["region_code"]):
            self.hospitals.setdefault(region, []).append(code)
        missing = [c for c in self.region_codes if not self.hospitals.get(c)]
        if missing:
            raise ValueError(f"hospitals.csv has no hospital in region(s) {', '.join(missing)}")

        rg = read("registers")
        self.registers = list(rg["register_code"])
        self.reg_prefixes = [_prefixes(t) for t in rg["icd10_prefixes"]]

        qi = read("quality_indicators")
        self.indicators = []
        for r in qi.itertuples(index=False):
            if r.register_code not in self.registers:
                continue
            lo = float(r.target_low) if r.target_low.strip() else None
            hi = float(r.target_high) if r.target_high.strip() else None
            self.indicators.append((r.indicator_code, self.registers.index(r.register_code),
                                    r.direction.strip().lower(), lo, hi))

    def pathway_of(self, code: str) -> int:
        c = _norm(code)
        for n in range(len(c), 0, -1):
            if c[:n] in self.pw_prefixes:
                return self.pw_prefixes[c[:n]]
        return -1

    def registers_of(self, code: str) -> list[int]:
        c = _norm(code)
        return [j for j, ps in enumerate(self.reg_prefixes) if any(c.startswith(p) for p in ps)]

    def has_target(self, p: int, t: int) -> bool:
        keys = [(p, t, False)] + ([(p, ANY, False)] if t < 6 else [])
        return any(k in self.targets for k in keys)

    def resolve(self, p, t, e, start) -> np.ndarray:
        """Target days per episode (NaN when none), contract §2 rules."""
        out = np.full(len(p), np.nan)
        if len(p) == 0:
            return out
        key = (p.astype(np.int64) * 8 + t) * 2 + e.astype(np.int64)
        order = np.argsort(key, kind="stable")
        ks, first = np.unique(key[order], return_index=True)
        bounds = list(first) + [len(order)]
        for i, k in enumerate(ks):
            rows = order[bounds[i]:bounds[i + 1]]
            kp, kt, ke = int(k) // 16, (int(k) // 2) % 8, bool(k % 2)
            rules = [(kt, ke), (ANY, ke), (kt, False), (ANY, False)]
            if kt == TTYPES.index("no_further_action"):
                rules = [(kt, ke), (kt, False)]
            left = np.ones(len(rows), bool)
            for rt, re in rules:
                tab = self.targets.get((kp, rt, re))
                if tab is None:
                    continue
                j = np.searchsorted(tab[0], start[rows], side="right") - 1
                hit = left & (j >= 0)
                out[rows[hit]] = tab[1][j[hit]]
                left &= ~hit
                if not left.any():
                    break
        return out


# --------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------
def generate(out_dir, scale: float = 1.0, seed: int = 1, *, reference_dir=None, force: bool = False) -> dict[str, int]:
    """Write a synthetic extract set into `out_dir` (replaced when it is missing, empty, a set
    generate wrote before, or `force`); returns row counts per table."""
    from .files import error_for
    from .generated_set import check_out_dir, new_temp_dir, publish, write_marker

    if not scale > 0:
        raise ValueError("scale must be positive")
    out_dir = Path(out_dir)
    check_out_dir(out_dir, force=force)  # before a minute of work, and again before replacing
    ref = _Reference(Path(reference_dir) if reference_dir else REFERENCE_DIR)
    rng = np.random.Generator(np.random.PCG64(seed))
    g = _Generator(ref, rng, float(scale))

    tmp = new_temp_dir(out_dir)
    counts = {}
    try:
        try:
            _write_set(g, tmp, counts, seed, scale)
            write_marker(tmp, seed=seed, scale=scale)
        except OSError as exc:
            raise error_for(exc, out_dir) from None
        publish(tmp, out_dir, force=force)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return counts


def _write_set(g: "_Generator", tmp: Path, counts: dict, seed: int, scale: float) -> None:
    for name, table in g.run():  # one table at a time, written and then dropped
        if name == "svf_episodes":
            folder = tmp / name
            folder.mkdir()
            years = np.asarray(pc.year(table.column("start_date")))
            for y in np.unique(years):
                part = table.filter(pa.array(years == y))
                _write(part, folder / f"svf_episodes_{y}.parquet", "end_date")
        else:
            period = {"cancer_cases": "diagnosis_date", "register_cases": "diagnosis_date",
                      "drug_treatments": "start_date"}.get(name)
            _write(table, tmp / f"{name}.parquet", period)
        counts[name] = table.num_rows
        del table
    manifest = {
        "extract_date": EXTRACT_DATE,
        "source": f"Syntetiskt exempeldata (indicators generate, seed {seed}, scale {scale:g})",
        "description": (
            "Påhittade data för att visa och testa Indikatorpanelen: cancerfall, SVF-förlopp, "
            "kvalitetsregister, läkemedelsstarter (RCL) och befolkning för 2018–2025. Nivåerna "
            "liknar de nationella men inga siffror avser verkliga patienter, regioner eller "
            "enheter. SVF-data slutar 2025-12-31 och de senaste månaderna är ofullständigt "
            "rapporterade. Några avsiktligt felaktiga rader finns med för valideringsrapporten."
        ),
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                       encoding="utf-8")


def _write(table: pa.Table, path: Path, period: str | None) -> None:
    if period is not None:
        keys = [(period, "ascending", "at_end")]
        if period == "end_date":
            keys.append(("start_date", "ascending", "at_end"))
        table = table.take(pc.sort_indices(table, sort_keys=keys))
    pq.write_table(table, path, compression="zstd", row_group_size=ROW_GROUP)


class _Generator:
    def __init__(self, ref: _Reference, rng: np.random.Generator, scale: float):
        self.ref, self.rng, self.scale = ref, rng, scale
        self.R, self.P, self.Y = len(ref.region_codes), len(ref.pathways), len(YEARS)
        self.extract = _day(EXTRACT_DATE)
        self.svf_end = _day(SVF_DATA_END)

    # ---------------------------------------------------------------- orchestration
    def run(self):
        """Yields (table name, table) one at a time so that only one large table is in memory."""
        self._regions()
        population = self._population()
        self._diagnoses()
        yield "cancer_cases", self._invalid_cases(self._cancer_cases())
        yield "svf_episodes", self._invalid_episodes(self._svf_episodes())
        yield "register_cases", self._invalid_registrations(self._register_cases())
        self.case = None
        yield "indicator_outcomes", self._invalid_outcomes(self._indicator_outcomes())
        yield "drug_treatments", self._invalid_drugs(self._drug_treatments())
        yield "population", population

    def _by_code(self, table: dict, default, random=None) -> np.ndarray:
        out = np.empty(self.R)
        for i, c in enumerate(self.ref.region_codes):
            out[i] = table.get(c, default if random is None else random())
        return out

    # ---------------------------------------------------------------- regional parameters
    def _regions(self):
        rng, ref, R, P = self.rng, self.ref, self.R, self.P
        self.age_index = self._by_code(AGE_INDEX, 0.0)
        self.growth = self._by_code(POP_GROWTH, 0.006)
        self.melanoma = self._by_code(MELANOMA, 1.0)
        incl_base = self._by_code(INCLUSION, None, lambda: rng.uniform(.78, .88))
        pw_inc = np.array([PATHWAYS.get(p, DEFAULT_PATHWAY)["inc"] for p in ref.pathways])
        yr_inc = np.array([INCL_YEAR[int(y)] for y in YEARS])
        self.inclusion = (incl_base[:, None, None] + pw_inc[None, :, None] + yr_inc[None, None, :]
                          + rng.normal(0, .025, (R, P, 1))).clip(.40, .97)  # (R, P, Y)
        lt_region = self._by_code(LT_REGION, None, lambda: float(np.clip(rng.normal(0, .18), -.35, .3)))
        self.lt_shift = lt_region[:, None] + rng.normal(0, .22, (R, P))  # probit scale (R, P)
        self.report_tau = rng.uniform(18, 32, R)  # days; reporting delay of SVF ends
        # transfers (closing region differs from home)
        self.transfer_p = np.zeros(R)
        self.transfer_to = np.zeros((R, R))
        for i, c in enumerate(ref.region_codes):
            p, dests = TRANSFER.get(c, (0.0, {}))
            for d, w in dests.items():
                if d in ref.rix:
                    self.transfer_to[i, ref.rix[d]] = w
            if self.transfer_to[i].sum() > 0:
                self.transfer_p[i] = p
            else:
                self.transfer_to[i, i] = 1.0
        self.transfer_to /= self.transfer_to.sum(axis=1, keepdims=True)
        self.rare = np.array([p in RARE for p in ref.pathways])

    # ---------------------------------------------------------------- population
    def _population(self) -> pa.Table:
        R, Y = self.R, self.Y
        shares = AGE_SHARE[None, :] * np.exp(self.age_index[:, None] * AGE_TILT[None, :])
        shares /= shares.sum(axis=1, keepdims=True)  # (R, 6)
        cells = np.zeros((R, Y, 2, 6), dtype=np.int64)  # sex 0 = M, 1 = K
        for yi, y in enumerate(YEARS):
            # older regions age a little each year
            sh = shares * np.exp((y - 2024) * 0.004 * (AGE_TILT[None, :] > 0.1))
            sh /= sh.sum(axis=1, keepdims=True)
            total = np.round(self.ref.region_pop * (1 + self.growth) ** (y - 2024)).astype(np.int64)
            frac = np.stack([sh * (1 - FEMALE_SHARE), sh * FEMALE_SHARE], axis=1).reshape(R, 12)
            raw = frac * total[:, None]
            base = np.floor(raw).astype(np.int64)
            rest = total - base.sum(axis=1)
            order = np.argsort(-(raw - base), axis=1, kind="stable")
            for r in range(R):
                base[r, order[r, :rest[r]]] += 1
            cells[:, yi] = base.reshape(R, 2, 6)
        self.pop_ry = cells.sum(axis=(2, 3)).astype(float)  # (R, Y)
        # crude incidence per inhabitant from the age structure, damped so that the oldest regions
        # get about 10–15 % more cases per inhabitant than Stockholm (domain.md §6)
        crude = (cells.sum(axis=2) * AGE_INCIDENCE[None, None, :]).sum(axis=2) / self.pop_ry
        self.incidence_weight = self.pop_ry * crude ** 0.4  # (R, Y)
        r, y, s, a = np.meshgrid(np.arange(R), np.arange(Y), np.arange(2), np.arange(6), indexing="ij")
        return pa.Table.from_arrays([
            _take(self.ref.region_codes, r.ravel()),
            pa.array(YEARS[y.ravel()].astype(np.int16)),
            _take(("M", "K"), s.ravel()),
            _take(AGE_GROUPS, a.ravel()),
            pa.array(cells.ravel().astype(np.int32)),
        ], schema=SCHEMAS["population"])

    # ---------------------------------------------------------------- diagnoses and codes
    def _diagnoses(self):
        ref = self.ref
        diag = dict(DIAGNOSES)
        covered = {ref.pathway_of(c) for d in diag.values() for c in d[1]}
        # a pathway in svf_pathways.csv that none of our codes reaches gets codes from its prefixes
        for code, p in sorted(ref.pw_prefixes.items(), key=lambda kv: (kv[1], kv[0])):
            if p in covered or p == ref.aos:
                continue
            name = ref.pathways[p]
            icd = code[:3] + "." + (code[3:] or "9")
            vol, codes, *rest = diag.get(f"_{name}", (150, {}, 70, 12, 18, 0.5, ""))
            codes[icd] = 1.0
            diag[f"_{name}"] = (vol, codes, *rest)
        self.diag_names = list(diag)
        self.codes: list[str] = []
        G = len(diag)
        code_w, self.code_group = [], []
        for gi, (vol, codes, *_r) in enumerate(diag.values()):
            tot = sum(codes.values())
            for c, w in codes.items():
                self.codes.append(c)
                code_w.append(w / tot)
                self.code_group.append(gi)
        self.code_group = np.array(self.code_group)
        code_w = np.array(code_w)
        self.code_pw = np.array([ref.pathway_of(c) for c in self.codes])
        self.code_reg = np.zeros((len(self.codes), len(ref.registers)), bool)
        for k, c in enumerate(self.codes):
            for j in ref.registers_of(c):
                self.code_reg[k, j] = True
        params = list(diag.values())
        self.g_vol = np.array([d[0] for d in params], float)
        self.g_age = np.array([(d[2], d[3], d[4]) for d in params], float)
        self.g_female = np.array([d[5] for d in params], float)
        self.g_dip = [d[6] for d in params]
        self.g_south = np.array([n == "melanom" for n in self.diag_names])
        # code probabilities within each group (G, max codes)
        width = max(np.bincount(self.code_group))
        self.g_codes = np.zeros((G, width), int)
        self.g_code_p = np.zeros((G, width))
        for gi in range(G):
            ks = np.flatnonzero(self.code_group == gi)
            self.g_codes[gi, :len(ks)] = ks
            self.g_code_p[gi, :len(ks)] = code_w[ks]
        # weight of each group per pathway (for demographics of episodes without a case)
        self.pw_group = np.zeros((self.P, G))
        for k, p in enumerate(self.code_pw):
            if p >= 0:
                self.pw_group[p, self.code_group[k]] += self.g_vol[self.code_group[k]] * code_w[k]

    def _year_factor(self, gi: int) -> np.ndarray:
        f = (1.0175 ** (YEARS - BASE_YEAR)).astype(float)
        dip = self.g_dip[gi]
        yrs = list(YEARS)
        adj = {"prostate": {2020: .93, 2021: .92, 2022: .97}, "breast": {2020: .935, 2021: 1.035},
               "screen": {2020: .93, 2021: .97}, "": {2020: .975}}[dip]
        for y, a in adj.items():
            f[yrs.index(y)] *= a
        return f

    # ---------------------------------------------------------------- cancer cases
    def _cancer_cases(self) -> pa.Table:
        rng, R, Y = self.rng, self.R, self.Y
        G = len(self.diag_names)
        share = self.incidence_weight / self.incidence_weight.sum(axis=0, keepdims=True)  # (R, Y)
        expected = np.zeros((G, Y, R))
        for gi in range(G):
            sh = share * (self.melanoma[:, None] if self.g_south[gi] else 1.0)
            sh = sh / sh.sum(axis=0, keepdims=True)
            expected[gi] = (self.g_vol[gi] * self._year_factor(gi))[:, None] * sh.T
        expected *= self.scale
        # expected cases per pathway (P, Y, R) – drives the volume of episodes without a case
        code_share = np.zeros((self.P, G))
        for k, p in enumerate(self.code_pw):
            if p >= 0:
                gi = self.code_group[k]
                code_share[p, gi] += self.g_code_p[gi][list(self.g_codes[gi]).index(k)]
        self.expected_pw = np.einsum("pg,gyr->pyr", code_share, expected)

        counts = rng.poisson(expected)
        flat = np.repeat(np.arange(counts.size), counts.ravel())
        gi, yi, ri = np.unravel_index(flat, counts.shape)
        n = len(flat)
        code = self.g_codes[gi, _grouped_choice(rng, gi, self.g_code_p)]
        date = _dates_in_years(rng, YEARS[yi], weekend=0.08)
        sex = (rng.random(n) < self.g_female[gi]).astype(np.int8)  # 1 = K
        age = rng.normal(self.g_age[gi, 0], self.g_age[gi, 1])
        age = np.clip(np.round(age), self.g_age[gi, 2], 99).astype(np.int64)
        order = np.lexsort((rng.random(n), date))
        code, date, sex, age, ri, gi = code[order], date[order], sex[order], age[order], ri[order], gi[order]
        # ~6 % of tumours belong to a person who already has another tumour (same sex and region)
        person = np.arange(1, n + 1)
        recip = np.flatnonzero(rng.random(n) < 0.06)
        key = ri * 2 + sex
        korder = np.argsort(key, kind="stable")
        kstart = np.searchsorted(key[korder], np.arange(R * 2))
        kcount = np.bincount(key, minlength=R * 2)
        donor = korder[kstart[key[recip]] + (rng.random(len(recip)) * kcount[key[recip]]).astype(np.int64)]
        ok = donor != recip
        recip, donor = recip[ok], donor[ok]
        person[recip] = person[donor]
        age[recip] = np.clip(age[donor] + np.round((date[recip] - date[donor]) / 365.25), 0, 105)
        self.n_persons = n
        self.case = dict(code=code, date=date, sex=sex, age=age, region=ri, group=gi, person=person,
                         pw=self.code_pw[code])
        self.case_ids = _ids("C", 1, n)
        return pa.Table.from_arrays([
            self.case_ids, _ids_of("P", person), _take(self.ref.region_codes, ri),
            _dates(date), _take(self.codes, code), _take(("M", "K"), sex), pa.array(age.astype(np.int16)),
        ], schema=SCHEMAS["cancer_cases"])

    # ---------------------------------------------------------------- SVF episodes
    def _pw_param(self, key: str) -> np.ndarray:
        return np.array([PATHWAYS.get(p, DEFAULT_PATHWAY)[key] for p in self.ref.pathways], float)

    def _lead_times(self, pw, ttype, ext, start, close, z) -> tuple[np.ndarray, np.ndarray]:
        """Lead times (days) log-normal around each episode's target; NaN target -> NaN.

        z is the probit of the share within target (per episode or scalar) before the regional
        and yearly shifts: P(lead time <= target) = Phi(z + shifts)."""
        target = self.ref.resolve(pw, ttype, ext, start)
        yi = (_year_of(start) - YEARS[0]).clip(0, self.Y - 1)
        z = z + self.lt_shift[close, pw] + np.array([LT_YEAR[int(y)] for y in YEARS])[yi]
        sigma = self._pw_param("s")[pw]
        lt = target * np.exp(sigma * (self.rng.standard_normal(len(pw)) - z))
        return np.maximum(np.ceil(lt), 1), target

    def _closing_region(self, home: np.ndarray, pw: np.ndarray, factor: float) -> np.ndarray:
        p = self.transfer_p[home] * factor * np.where(self.rare[pw], 2.5, 1.0)
        moved = self.rng.random(len(home)) < np.minimum(p, .6)
        dest = _grouped_choice(self.rng, home, self.transfer_to)
        return np.where(moved, dest, home)

    def _svf_episodes(self) -> pa.Table:
        rng, ref, c = self.rng, self.ref, self.case
        P = self.P
        # --- treated episodes from cancer cases
        yi = _year_of(c["date"]) - YEARS[0]
        inpw = (c["pw"] >= 0) & (c["pw"] != ref.aos)
        pwc = np.where(inpw, c["pw"], 0)
        take = inpw & (rng.random(len(pwc)) < self.inclusion[c["region"], pwc, yi])
        idx = np.flatnonzero(take)
        pw = c["pw"][idx]
        home = c["region"][idx]
        mix = np.zeros((P, 6))
        for p, name in enumerate(ref.pathways):
            m = np.array(PATHWAYS.get(name, DEFAULT_PATHWAY)["mix"], float)
            avail = np.array([ref.has_target(p, t) for t in range(6)])
            m = m * np.where(avail, 1.0, 0.03)
            if m.sum() == 0:
                m = avail.astype(float) if avail.any() else np.array([.5, .3, .1, .1, 0, 0])
            mix[p] = m / m.sum()
        ttype = _grouped_choice(rng, pw, mix)
        ext_share = rng.uniform(.15, .25, P) * ref.has_ext
        ext = rng.random(len(pw)) < ext_share[pw]
        close = self._closing_region(home, pw, 2.0)
        # start (välgrundad misstanke) some days before the diagnosis date
        guess = ref.resolve(pw, ttype, ext, c["date"][idx] - 10)
        guess = np.where(np.isnan(guess), 30, guess)
        start = c["date"][idx] - np.round(guess * rng.uniform(.15, .6, len(idx))).astype(np.int64)
        wd = (start + 3) % 7
        start = start - np.where(wd == 5, 1, 0) - np.where(wd == 6, 2, 0)
        z_pw = np.array([_norm_ppf(w) for w in self._pw_param("w")])
        lt, _t = self._lead_times(pw, ttype, ext, start, close, z_pw[pw])
        lt = np.where(np.isnan(lt), np.ceil(_lognormal(rng, 30, .45, len(lt))), lt).astype(np.int64)
        end = start + lt
        wd = (end + 3) % 7
        shift = (ttype <= 2) & (rng.random(len(end)) < .9)
        end = end + shift * (np.where(wd == 5, 2, 0) + np.where(wd == 6, 1, 0))
        keep = start >= _day("2018-01-01")
        tr = dict(person=c["person"][idx], home=home, close=close, pw=pw, start=start, end=end,
                  code=ttype, ext=ext, sex=c["sex"][idx], age=c["age"][idx])
        tr = {k: v[keep] for k, v in tr.items()}

        # --- episodes closed without treatment, per pathway × year × region
        trs = self._pw_param("tr")
        odds = (1 - trs) / trs
        ntf = np.array([NT_YEAR[int(y)] for y in YEARS])
        lam = self.expected_pw * np.transpose(self.inclusion, (1, 2, 0)) * odds[:, None, None] * ntf[None, :, None]
        if ref.aos >= 0:
            pop_share = self.pop_ry / self.pop_ry.sum(axis=0, keepdims=True)
            lam[ref.aos] = (AOS_PER_YEAR * self.scale * np.array([AOS_YEAR[int(y)] for y in YEARS])[:, None]
                            * pop_share.T)
        counts = rng.poisson(lam)
        flat = np.repeat(np.arange(counts.size), counts.ravel())
        npw, nyi, nhome = np.unravel_index(flat, counts.shape)
        n = len(flat)
        nstart = _dates_in_years(rng, YEARS[nyi], weekend=0.15)
        is_aos = npw == ref.aos
        # end codes
        mixes = np.tile(NT_MIX, (P, 1))
        for p, name in enumerate(ref.pathways):
            s73 = PATHWAYS.get(name, DEFAULT_PATHWAY)["s73"]
            if not ref.has_target(p, 6):
                s73 = min(s73, .01)
            mixes[p] = NT_MIX * (1 - s73)
            mixes[p, 2] = s73
        if ref.aos >= 0:
            mixes[ref.aos] = AOS_MIX
        k = _grouped_choice(rng, npw, mixes)
        ncode = np.array(NT_CODES)[k]
        med = np.array([d[0] for d in NT_DUR], float)[k]
        sig = np.array([d[1] for d in NT_DUR], float)[k]
        med = np.where(is_aos, np.array([d[0] for d in AOS_DUR], float)[k], med)
        sig = np.where(is_aos, np.array([d[1] for d in AOS_DUR], float)[k], sig)
        dur = np.ceil(_lognormal(rng, med, sig, n))
        next_ = rng.random(n) < (rng.uniform(.15, .25, P) * ref.has_ext)[npw]
        nclose = self._closing_region(nhome, npw, 1.3)
        nclose = np.where(is_aos, nhome, nclose)
        is73 = ncode == END_CODES.index("73")
        if is73.any():
            i73 = np.flatnonzero(is73)
            lt73, _t = self._lead_times(npw[i73], np.full(len(i73), 6), next_[i73], nstart[i73],
                                        nclose[i73], _norm_ppf(W73))
            dur[i73] = np.where(np.isnan(lt73), dur[i73], lt73)
        # demographics from the pathway's diagnoses (AOS: broad)
        pwg = self.pw_group.copy()
        pwg[pwg.sum(axis=1) == 0, 0] = 1.0
        grp = _grouped_choice(rng, npw, pwg)
        nsex = (rng.random(n) < self.g_female[grp]).astype(np.int8)
        nage = rng.normal(self.g_age[grp, 0] - 2, self.g_age[grp, 1])
        nage = np.clip(np.round(nage), self.g_age[grp, 2], 99)
        nsex = np.where(is_aos, (rng.random(n) < .5).astype(np.int8), nsex)
        nage = np.where(is_aos, np.clip(np.round(rng.normal(68, 13, n)), 18, 99), nage).astype(np.int64)
        nt = dict(person=self.n_persons + 1 + np.arange(n), home=nhome, close=nclose, pw=npw, start=nstart,
                  end=nstart + dur.astype(np.int64), code=ncode, ext=next_, sex=nsex, age=nage)

        del flat, nyi, nhome, nclose, npw, nstart, ncode, k, med, sig, dur, next_, grp, nsex, nage, is_aos, is73
        ep = {k: np.concatenate([tr[k], nt[k]]) for k in tr}
        del tr, nt
        # ongoing at the end of the SVF data; recent ends partly not reported yet
        ongoing = ep["end"] > self.svf_end
        delay = (self.extract - ep["end"]).astype(float)
        present = ongoing | (rng.random(len(delay)) >= 0.8 * np.exp(-delay / self.report_tau[ep["close"]]))
        present &= ep["start"] <= self.svf_end
        ep = {k: v[present] for k, v in ep.items()}
        ongoing = ongoing[present]
        # one episode at a time per person and pathway: KVÅ codes cannot say two run at once (a start
        # while one runs is ignored, data-contract.md §9.1), so the later of two that overlap or touch
        # is left out; `generate --sources` then writes exactly these episodes as code rows
        single = _one_at_a_time(ep["person"], ep["pw"], ep["start"], ep["end"])
        ep = {k: v[single] for k, v in ep.items()}
        ongoing = ongoing[single]
        order = np.lexsort((ep["person"], ep["start"]))
        ep = {k: v[order] for k, v in ep.items()}
        ongoing = ongoing[order]
        n = len(order)
        self.n_episodes = n
        before_2020 = ep["start"] < _day("2020-01-01")
        return pa.Table.from_arrays([
            _ids("E", 1, n), _ids_of("P", ep["person"]),
            _take(ref.region_codes, ep["close"]), _take(ref.region_codes, ep["home"], before_2020),
            _take(ref.pathways, ep["pw"]), _dates(ep["start"]), _dates(ep["end"], ongoing),
            _take(END_CODES, ep["code"], ongoing), pa.array(ep["ext"].astype(bool)),
            _take(("M", "K"), ep["sex"]), pa.array(ep["age"].astype(np.int16)),
        ], schema=SCHEMAS["svf_episodes"])

    # ---------------------------------------------------------------- quality registers
    def _register_cases(self) -> pa.Table:
        rng, ref, c, R = self.rng, self.ref, self.case, self.R
        J = len(ref.registers)
        cov = rng.uniform(.93, .995, (R, J))
        slow = self._by_code({"21": 1.45, "25": 1.35, "13": 1.25, "09": 1.2}, None,
                             lambda: float(np.exp(rng.normal(-.05, .2))))
        med = rng.uniform(40, 60, J)[None, :] * slow[:, None]  # median delay, days (R, J)
        parts_case, parts_reg = [], []
        for j in range(J):
            idx = np.flatnonzero(self.code_reg[c["code"], j])
            idx = idx[rng.random(len(idx)) < cov[c["region"][idx], j]]
            parts_case.append(idx)
            parts_reg.append(np.full(len(idx), j))
        case = np.concatenate(parts_case)
        reg = np.concatenate(parts_reg)
        region = c["region"][case]
        diag = c["date"][case]
        # about 0.5 % registrations that cannot be matched to a cancer case
        n_un = int(round(0.005 * len(case)))
        pick = rng.integers(0, len(case), n_un) if len(case) else np.zeros(0, int)
        case = np.concatenate([case, np.full(n_un, -1)])
        reg = np.concatenate([reg, reg[pick]])
        region = np.concatenate([region, region[pick]])
        diag = np.concatenate([diag, diag[pick] + rng.integers(-20, 21, n_un)])
        diag = diag.clip(_day("2018-01-01"), _day("2025-12-31"))
        n = len(case)
        late = rng.random(n) < .04
        delay = np.where(late, _lognormal(rng, 220, .5, n), _lognormal(rng, med[region, reg], .55, n))
        registered = diag + np.round(delay).astype(np.int64)
        keep = registered <= self.extract
        case, reg, region, diag, registered = case[keep], reg[keep], region[keep], diag[keep], registered[keep]
        order = np.lexsort((case, diag))
        case, reg, region, diag, registered = case[order], reg[order], region[order], diag[order], registered[order]
        n = len(case)
        # reporting hospitals: those of the region in hospitals.csv, the first (largest) most often
        per_region = [ref.hospitals.get(code, []) for code in ref.region_codes]
        n_h = np.array([len(h) for h in per_region])
        hosp_codes = [h for hs in per_region for h in hs]
        hosp_start = np.concatenate([[0], np.cumsum(n_h)[:-1]])
        hp = np.zeros((R, n_h.max()))
        for r in range(R):
            hp[r, :n_h[r]] = 1.0 / np.arange(1, n_h[r] + 1)
        hosp = hosp_start[region] + _grouped_choice(rng, region, hp)
        self.reg = dict(reg=reg, region=region, diag=diag)
        self.reg_ids = _ids("R", 1, n)
        unmatched = case < 0
        return pa.Table.from_arrays([
            self.reg_ids, _take(ref.registers, reg), self.case_ids.take(pa.array(np.where(unmatched, 0, case),
                                                                                  mask=unmatched)),
            _take(ref.region_codes, region), _take(hosp_codes, hosp), _dates(diag), _dates(registered),
        ], schema=SCHEMAS["register_cases"])

    def _indicator_outcomes(self) -> pa.Table:
        rng, ref, R = self.rng, self.ref, self.R
        reg, region, diag = self.reg["reg"], self.reg["region"], self.reg["diag"]
        years = _year_of(diag)
        age_days = (self.extract - diag).astype(float)
        rows, inds, mets = [], [], []
        for ii, (code, j, direction, lo, hi) in enumerate(ref.indicators):
            level = self._indicator_levels(direction, lo, hi)  # percent per region
            idx = np.flatnonzero(reg == j)
            elig = rng.random(len(idx)) < rng.uniform(.3, .9)
            if code in POPULATION_ALL:
                elig[:] = True
            idx = idx[elig]
            trend = 0.04 * (years[idx] - 2022) * (1 if direction == "higher" else -1)
            logit = np.log(level[region[idx]] / (100 - level[region[idx]])) + trend
            met = rng.random(len(idx)) < 1 / (1 + np.exp(-logit))
            missing = rng.random(len(idx)) < rng.uniform(.02, .04) + .25 * np.exp(-age_days[idx] / 90)
            if code in NEVER_MISSING:
                missing[:] = False
            rows.append(idx)
            inds.append(np.full(len(idx), ii))
            mets.append(np.where(missing, 2, met.astype(np.int8)))
        rows, inds, mets = np.concatenate(rows), np.concatenate(inds), np.concatenate(mets)
        order = np.argsort(rows, kind="stable")
        rows, inds, mets = rows[order], inds[order], mets[order]
        return pa.Table.from_arrays([
            self.reg_ids.take(pa.array(rows)), _take([i[0] for i in ref.indicators], inds),
            pa.array(mets == 1, mask=mets == 2),
        ], schema=SCHEMAS["indicator_outcomes"])

    def _indicator_levels(self, direction, lo, hi) -> np.ndarray:
        """Expected share met (percent) per region: some above the high target, some between, some below."""
        rng, R = self.rng, self.R
        u = rng.random(R)
        if direction == "lower":  # met is the bad event
            band = rng.choice(3, R, p=[.5, .3, .2])  # 0 meets the strict level, 1 between, 2 neither
            if hi is None and lo is None:
                return rng.uniform(2, 15, R)
            strict = hi if hi is not None else lo
            lenient = lo if (lo is not None and hi is not None) else strict * 1.15
            levels = np.select([band == 0, band == 1],
                               [strict * (.55 + .45 * u), strict + (lenient - strict) * u],
                               lenient * (1 + .3 * u))
            return levels.clip(.5, 60)
        band = rng.choice(3, R, p=[.3, .45, .25])  # 0 above high, 1 between, 2 below low
        if hi is None and lo is None:
            return rng.uniform(55, 95, R)
        high = hi if hi is not None else lo
        low = lo if (lo is not None and hi is not None) else max(high - 8, high * .8)
        top = min(high + max((high - low) * .6, 2), 99.7)
        levels = np.select([band == 0, band == 1],
                           [high + (top - high) * u, low + (high - low) * u],
                           low - (high - low + 3) * (.2 + .8 * u))
        return levels.clip(.5, 99.7)

    # ---------------------------------------------------------------- RCL drug starts
    def _drug_treatments(self) -> pa.Table:
        rng, ref, R, Y = self.rng, self.ref, self.R, self.Y
        rate = self._by_code(DRUG_RATE, None, lambda: float(np.exp(rng.normal(0, .15))))
        share = self.pop_ry * rate[:, None]
        share /= share.sum(axis=0, keepdims=True)
        total = DRUG_BASE * DRUG_GROWTH ** (YEARS - 2018) * self.scale
        counts = rng.poisson(share * total[None, :])  # (R, Y)
        flat = np.repeat(np.arange(counts.size), counts.ravel())
        ri, yi = np.unravel_index(flat, counts.shape)
        n = len(flat)
        start = _dates_in_years(rng, YEARS[yi], weekend=0.05)
        names = list(DRUGS)
        sub_p = np.array([[v[1] if YEARS[y] >= v[0] else 0.0 for v in DRUGS.values()] for y in range(Y)])
        sub = _grouped_choice(rng, yi, sub_p)
        codes = sorted({c for v in DRUGS.values() for c in v[2]})
        code_p = np.array([[v[2].get(c, 0.0) for c in codes] for v in DRUGS.values()])
        code = _grouped_choice(rng, sub, code_p)
        cov2025 = self._by_code(RCL_COVERAGE, None, lambda: rng.uniform(.88, .99))
        improve = rng.uniform(.01, .035, R)
        cov = (cov2025[:, None] - improve[:, None] * (2025 - YEARS[None, :])).clip(.35, 1.0)
        recent = 1 - .4 * np.exp(-(self.extract - start) / 30.0)  # registration lag of the last weeks
        in_rcl = rng.random(n) < cov[ri, yi] * recent
        dt_share = rng.uniform(.1, .9, R)
        dt_share[rng.choice(R, 3, replace=False)] = 0.0
        dt_share[int(np.argmax(dt_share))] = .9
        dt_p = dt_share[ri] * np.where(YEARS[yi] < 2020, .4, 1.0)
        direct = rng.random(n) < dt_p
        dt_null = ~in_rcl | (rng.random(n) < .02)
        order = np.lexsort((rng.random(n), start))
        ri, start, sub, code, in_rcl, direct, dt_null = (a[order] for a in (ri, start, sub, code, in_rcl, direct,
                                                                             dt_null))
        self.n_drugs = n
        return pa.Table.from_arrays([
            _ids("T", 1, n), _take(ref.region_codes, ri), _dates(start), _take(names, sub), _take(codes, code),
            pa.array(in_rcl), pa.array(direct, mask=dt_null),
        ], schema=SCHEMAS["drug_treatments"])

    # ---------------------------------------------------------------- deliberately invalid rows
    def _pick(self, table: pa.Table, n: int, where=None) -> list[dict]:
        cand = np.arange(table.num_rows) if where is None else np.flatnonzero(where)
        idx = self.rng.choice(cand, size=n, replace=False)
        return table.take(pa.array(np.sort(idx))).to_pylist()

    def _invalid_episodes(self, t: pa.Table) -> pa.Table:
        import datetime as dt
        ended = np.asarray(t.column("end_date").is_valid())
        rows = self._pick(t, 14, ended)
        nxt = self.n_episodes + 1
        bad = []
        for i, r in enumerate(rows):
            kind = i // 2
            r = dict(r)
            if kind == 0:  # duplicate id: a second delivery of an existing episode
                r["end_date"] = r["end_date"] + dt.timedelta(days=3)
                bad.append(r)
                continue
            r["episode_id"] = f"E{nxt:09d}"
            nxt += 1
            if kind == 1:
                r["end_date"] = r["start_date"] - dt.timedelta(days=5)
            elif kind == 2:
                r["region_code"] = "99"
            elif kind == 3:
                r["svf_code"] = "okant_forlopp"
            elif kind == 4:
                r["end_date"] = None
            elif kind == 5:
                r["end_code"] = "55"
            elif kind == 6:
                r["start_date"] = dt.date(2025, 12, 10)
                r["end_date"] = dt.date(2026, 2, 20)
                r["home_region_code"] = r["home_region_code"] or r["region_code"]
            bad.append(r)
        return pa.concat_tables([t, pa.Table.from_pylist(bad, schema=t.schema)])

    def _invalid_cases(self, t: pa.Table) -> pa.Table:
        rows = self._pick(t, 6)
        nxt = len(self.case["code"]) + 1
        bad = []
        for i, r in enumerate(rows):
            r = dict(r)
            if i < 4:
                r["case_id"] = f"C{nxt:09d}"
                nxt += 1
                if i < 2:
                    r["sex"] = "X"
                else:
                    r["age"] = 130
            bad.append(r)  # i >= 4: the same case_id again
        return pa.concat_tables([t, pa.Table.from_pylist(bad, schema=t.schema)])

    def _invalid_registrations(self, t: pa.Table) -> pa.Table:
        import datetime as dt
        rows = self._pick(t, 2)
        n = t.num_rows
        for i, r in enumerate(rows):
            r["registration_id"] = f"R{n + 1 + i:09d}"
            r["registered_date"] = r["diagnosis_date"] - dt.timedelta(days=12)
        return pa.concat_tables([t, pa.Table.from_pylist(rows, schema=t.schema)])

    def _invalid_outcomes(self, t: pa.Table) -> pa.Table:
        rows = self._pick(t, 4)
        n_reg = len(self.reg["reg"])
        for i, r in enumerate(rows):
            if i < 2:
                r["registration_id"] = f"R{n_reg + 50 + i:09d}"  # not in register_cases
            else:
                r["indicator_code"] = "okand01"
        return pa.concat_tables([t, pa.Table.from_pylist(rows, schema=t.schema)])

    def _invalid_drugs(self, t: pa.Table) -> pa.Table:
        rows = self._pick(t, 2)
        for i, r in enumerate(rows):
            r["treatment_id"] = f"T{self.n_drugs + 1 + i:09d}"
            r["region_code"] = None
        return pa.concat_tables([t, pa.Table.from_pylist(rows, schema=t.schema)])


def main(argv: list[str] | None = None) -> int:
    import argparse
    import time

    ap = argparse.ArgumentParser(description="Skriv ett syntetiskt exempeldataset")
    ap.add_argument("--out", required=True)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--force", action="store_true")
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    counts = generate(a.out, scale=a.scale, seed=a.seed, force=a.force)
    for k, v in counts.items():
        print(f"{k}\t{v}")
    print(f"{time.perf_counter() - t0:.1f} s")
    return 0
