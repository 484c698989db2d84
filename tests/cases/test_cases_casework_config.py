"""The configuration of sign-off and key-project steps (issue 15, points 5-6): `review = true` and
`key_steps` per business item, validated when the hall is loaded."""
from __future__ import annotations

import pytest
from support.halls import demo_text

from onewindow.server.config import ConfigError, parse_config

STEPS = '  { step = "approval", days = 5 },\n'


def test_the_demo_hall_signs_off_an_eia_item_and_has_key_steps():
    hall = parse_config(demo_text(), "hall.toml").halls[0]
    assert hall.item("eia_report_book").review is True
    assert hall.item("eia_registration").review is False
    assert [(s.step, s.days, s.fee_cap) for s in hall.item("key_project_eia").key_steps] == [
        ("report", 30, 80000), ("assessment", 10, 20000), ("approval", 5, None)]


@pytest.mark.parametrize(("old", "new", "says"), [
    (STEPS, STEPS + STEPS, "each step once"),
    (STEPS, '  { step = "survey", days = 5 },\n', "step"),
    (STEPS, '  { step = "approval", days = 0 },\n', "days"),
    (STEPS, '  { step = "approval", days = 5, fee_cap = -1 },\n', "fee_cap"),
    ('review = true  #', 'review = "maybe"  #', "review"),
])
def test_bad_settings_are_refused(old, new, says):
    text = demo_text()
    assert old in text
    with pytest.raises(ConfigError) as err:
        parse_config(text.replace(old, new, 1), "hall.toml")
    assert says in str(err.value)


def test_an_instant_item_cannot_need_a_sign_off():
    text = demo_text().replace('review = true  #', 'instant = true\nreview = true  #', 1)
    with pytest.raises(ConfigError) as err:
        parse_config(text, "hall.toml")
    assert "instant" in str(err.value)
