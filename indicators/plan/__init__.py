"""Cancer-plan follow-up (issue 14): a plan file that plan owners keep in Excel or CSV, read into
typed goals, and each goal's status judged on a data set. Format and rules: docs/cancerplan.md.

    from indicators import open_data
    from indicators.plan import read_plan, judge_plan, summary, SAMPLE_PLAN

    ds = open_data("data/sample")
    plan = read_plan(SAMPLE_PLAN, ds=ds)      # plan.goals, plan.problems (bad rows, left out)
    results = judge_plan(ds, plan, year=2025)  # one GoalResult per goal × unit (× part)
    summary(results)                           # counts per chapter and status
"""

from .model import CHAPTERS, Goal, Plan, PlanError, PlanProblem, StatusNote, Unit
from .reader import SAMPLE_PLAN, read_plan
from .table import plan_bytes
from .reference import PlanContext
from .judge import default_year, judge_goal, judge_plan, rejudge
from .status import CI_LABELS, STATUS_LABELS, STATUS_SYMBOLS, STATUSES, GoalResult, Trend, YearValue, decide, fit_trend
from .summary import linked_indicators, results_table, summary

__all__ = [
    "CHAPTERS", "CI_LABELS", "STATUSES", "STATUS_LABELS", "STATUS_SYMBOLS", "SAMPLE_PLAN",
    "Goal", "GoalResult", "Plan", "PlanContext", "PlanError", "PlanProblem", "StatusNote", "Trend", "Unit", "YearValue",
    "decide", "default_year", "fit_trend", "judge_goal", "judge_plan", "linked_indicators", "plan_bytes", "read_plan", "rejudge", "results_table",
    "summary",
]
