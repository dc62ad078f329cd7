from datetime import date

from alliances.models import MeetingKind
from alliances.periods import period_of, periods_between, shift_months


def test_each_kind_has_its_period():
    day = date(2026, 8, 17)
    assert period_of(MeetingKind.PLENARY, day) == (date(2026, 1, 1), date(2027, 1, 1))
    assert period_of(MeetingKind.DISTRICT, day) == (date(2026, 7, 1), date(2027, 1, 1))
    assert period_of(MeetingKind.STREET, day) == (date(2026, 7, 1), date(2026, 10, 1))
    assert period_of(MeetingKind.COMMUNITY, day) == (date(2026, 8, 1), date(2026, 9, 1))
    assert period_of(MeetingKind.EMERGENCY, day) == (date(2026, 8, 1), date(2026, 9, 1))


def test_months_roll_over_the_year():
    assert shift_months(date(2026, 11, 1), 3) == date(2027, 2, 1)
    assert shift_months(date(2026, 12, 1), 1) == date(2027, 1, 1)


def test_periods_between_start_at_the_first_whole_period():
    got = periods_between(MeetingKind.STREET, date(2026, 2, 10), date(2027, 1, 1))
    assert [p[0] for p in got] == [date(2026, 4, 1), date(2026, 7, 1), date(2026, 10, 1)]
    assert periods_between(MeetingKind.EMERGENCY, date(2026, 1, 1), date(2027, 1, 1)) == []
    assert len(periods_between(MeetingKind.COMMUNITY, date(2026, 1, 1), date(2027, 1, 1))) == 12
