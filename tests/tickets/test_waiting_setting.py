"""TICKET_WAITING_THRESHOLD_HOURS: whole hours, a bad value stops start-up naming it."""

import pytest

from tests.metrics.test_settings import settings_in


def test_the_threshold_defaults_to_a_day():
    assert settings_in({}, "s.TICKET_WAITING_THRESHOLD_HOURS").stdout.strip() == "24"


@pytest.mark.parametrize("value", ["0", "-3", "1.5", "soon", "9000"])
def test_a_threshold_that_is_not_1_to_8760_hours_stops_start_up(value):
    result = settings_in(
        {"TICKET_WAITING_THRESHOLD_HOURS": value}, "s.TICKET_WAITING_THRESHOLD_HOURS"
    )

    assert result.returncode != 0
    assert "TICKET_WAITING_THRESHOLD_HOURS" in result.stderr.splitlines()[-1]
