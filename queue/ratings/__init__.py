"""Good/bad ratings (好差评), rectification tasks and the hall's figures.

Pure and I/O-free: the server reads rows and the clock and calls these.

Levels        LEVELS, REASONS, level(code), is_bad(code), check_reasons(code, reasons)
Rectification Task, Step, STEPS, advance(task, step, by, at, note, outcome),
              from_steps(...), due_at(opened_at, amount, unit, calendar, tz)
Rates         bad_rate(ratings), bad_rates(ratings, key), level_counts(ratings), above(bad, total)
Metrics       percentile, stat, timings, service_level, figures, figures_by,
              per_interval, utilisation, open_intervals, merge, overlap
Policy        Policy (48 h, 5%, 30% ...), default_due(...)
"""
from .levels import BY_CODE, CHANNELS, LEVELS, REASONS, InvalidRating, Level, check_reasons, is_bad, level
from .policy import Policy, default_due
from .rates import INTERVIEW_THRESHOLD, Rate, above, bad_rate, bad_rates, level_counts
from .rectification import (
    CLOSED,
    OUTCOMES,
    STEP_NAMES,
    STEPS,
    Step,
    StepError,
    Task,
    advance,
    due_at,
    from_steps,
    opens_task,
)

__all__ = [
    "BY_CODE",
    "CHANNELS",
    "CLOSED",
    "INTERVIEW_THRESHOLD",
    "LEVELS",
    "OUTCOMES",
    "REASONS",
    "STEPS",
    "STEP_NAMES",
    "InvalidRating",
    "Level",
    "Policy",
    "Rate",
    "Step",
    "StepError",
    "Task",
    "above",
    "advance",
    "bad_rate",
    "bad_rates",
    "check_reasons",
    "default_due",
    "due_at",
    "from_steps",
    "is_bad",
    "level",
    "level_counts",
    "opens_task",
]
