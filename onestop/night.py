"""The night: what every nightly task is keyed on, and the calendar arithmetic around it.

A night is a local day (Asia/Ho_Chi_Minh) whose changes one run extracts: the run's data interval starts at that
day's local midnight. Its interval is kept as naive local times, as `audit` and `raw` store them (the contract
writes local times without an offset). Months are calendar months in local time (metrics.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL_TZ_NAME = "Asia/Ho_Chi_Minh"
LOCAL_TZ = ZoneInfo(LOCAL_TZ_NAME)


def month_start(day: date) -> date:
    """The first day of the month holding `day`."""
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def previous_month(month: date) -> date:
    return (month.replace(day=1) - timedelta(days=1)).replace(day=1)


def month_end(month: date) -> date:
    """The last day of the month holding `month`."""
    return next_month(month) - timedelta(days=1)


def local_date(moment: datetime) -> date:
    """The local day of a moment; a naive moment is taken as local already."""
    return moment.astimezone(LOCAL_TZ).date() if moment.tzinfo is not None else moment.date()


@dataclass(frozen=True, order=True)
class Night:
    day: date

    @classmethod
    def of(cls, value: Night | date | datetime | str) -> Night:
        """A night from a day, an ISO date (`YYYY-MM-DD`), or a moment in it (converted to local time)."""
        if isinstance(value, Night):
            return value
        if isinstance(value, datetime):
            return cls(local_date(value))
        if isinstance(value, date):
            return cls(value)
        return cls(date.fromisoformat(value))

    @classmethod
    def of_interval(cls, data_interval_start: datetime) -> Night:
        """The night a run extracts: the local day its data interval starts (local midnight)."""
        return cls(local_date(data_interval_start))

    @classmethod
    def last_of(cls, month: date) -> Night:
        return cls(month_end(month))

    @property
    def start(self) -> datetime:
        """Local midnight opening the night's day (naive local time, as the warehouse stores intervals)."""
        return datetime.combine(self.day, time())

    @property
    def end(self) -> datetime:
        """Local midnight closing it (exclusive)."""
        return self.start + timedelta(days=1)

    @property
    def last_second(self) -> datetime:
        """The moment the warehouse's data stands at once this night has landed (metrics.md, month in progress)."""
        return self.end - timedelta(seconds=1)

    @property
    def month(self) -> date:
        return month_start(self.day)

    @property
    def is_last_of_month(self) -> bool:
        return self.day == month_end(self.day)

    def next(self) -> Night:
        return Night(self.day + timedelta(days=1))

    def previous(self) -> Night:
        return Night(self.day - timedelta(days=1))

    def __str__(self) -> str:
        return self.day.isoformat()
