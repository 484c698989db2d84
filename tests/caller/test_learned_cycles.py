"""Which mean cycle the estimate trusts (onewindow.caller.estimate.learned_cycles)."""
from __future__ import annotations

from onewindow.caller.estimate import learned_cycles


def test_today_once_it_rests_on_three_services_else_the_week_else_what_it_had():
    guess = {"eia": 600.0, "permit": 900.0, "consult": 300.0}
    today = {"eia": (420.0, 3), "permit": (100.0, 2)}
    week = {"permit": (800.0, 40)}
    cycles, served = learned_cycles(guess, today, week)
    assert cycles == {"eia": 420.0, "permit": 800.0, "consult": 300.0}
    assert served == {"eia": 3, "permit": 40}
    assert guess["eia"] == 600.0  # the caller's figures are not changed in place
