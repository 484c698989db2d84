"""Second-person sign-off (一审一核) and key-project tracking cards (重点项目服务跟踪卡).

Pure and I/O-free: the server reads a case's events and card rows and calls these.

Sign-off      REVIEW_EVENTS, review_state(events), may_complete(state), handlers(case, events),
              refusal_of_reviewer(reviewer, handlers)
Direct rate   DIRECT_TARGET, REFERRAL_REASONS, is_direct(case), direct_rate(cases)
Key projects  STEPS, STEP_NAMES, Step, step_problem(...), overran(...), over_cap(...), satisfaction_name(level)
Case numbers  case_prefixes(halls), case_number(prefix, day, seq), number_parts(number)
"""
from .keycard import STEP_NAMES, STEPS, StepState, over_cap, overrun, satisfaction_name, step_problem
from .numbers import PREFIX_PATTERN, case_number, case_prefixes
from .numbers import parts as number_parts
from .review import (
    APPROVED,
    DIRECT_TARGET,
    REFERRAL_REASONS,
    RETURNED,
    REVIEW_EVENTS,
    direct_rate,
    handlers,
    is_direct,
    may_complete,
    review_state,
)

__all__ = [
    "APPROVED",
    "DIRECT_TARGET",
    "PREFIX_PATTERN",
    "REFERRAL_REASONS",
    "RETURNED",
    "REVIEW_EVENTS",
    "STEPS",
    "STEP_NAMES",
    "StepState",
    "case_number",
    "case_prefixes",
    "direct_rate",
    "handlers",
    "is_direct",
    "may_complete",
    "number_parts",
    "over_cap",
    "overrun",
    "review_state",
    "satisfaction_name",
    "step_problem",
]
