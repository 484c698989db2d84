"""Which mean cycle the estimate trusts (onewindow.caller.estimate.learned_cycles): today's logs
once there are enough, else the week's, each blended with the configured guess by n / (n + k)."""
from __future__ import annotations

import pytest

from onewindow.caller.estimate import learned_cycles


def test_today_once_it_rests_on_enough_services_else_the_week_else_the_guess():
    guess = {"eia": 600.0, "permit": 900.0, "consult": 300.0}
    today = {"eia": (420.0, 10), "permit": (100.0, 2)}
    week = {"permit": (800.0, 40)}
    cycles, served = learned_cycles(guess, today, week, prior_samples=10)
    assert cycles["eia"] == pytest.approx(0.5 * 420 + 0.5 * 600)  # 10 samples: half and half
    assert cycles["permit"] == pytest.approx(0.8 * 800 + 0.2 * 900)  # today's 2 are too few: the week's 40
    assert cycles["consult"] == 300.0  # nothing logged: the guess
    assert served == {"eia": 10, "permit": 40}
    assert guess["eia"] == 600.0  # the caller's figures are not changed in place


def test_it_blends_against_the_guess_not_against_the_last_figure():
    """The same logs give the same figure however often the rates are refreshed."""
    guess = {"eia": 600.0}
    once, _ = learned_cycles(guess, {}, {"eia": (60.0, 5)}, prior_samples=10)
    twice, _ = learned_cycles(guess, {}, {"eia": (60.0, 5)}, prior_samples=10)
    assert once == twice
    assert once["eia"] == pytest.approx((5 * 60 + 10 * 600) / 15)
