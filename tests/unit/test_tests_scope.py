"""Which rows the night's dbt data tests read: the build's own on an ordinary night, whole tables on the run of
Sunday morning (the province's time), on a full refresh, or when asked."""

from __future__ import annotations

import pendulum
import pytest
from jinja2 import Template

from onestop.orchestration import TESTS_SCOPE


@pytest.mark.parametrize(
    ("logical", "full_refresh", "whole", "scope"),
    [
        ("2025-06-10T01:00:00+07:00", False, False, "night"),  # Tuesday's run
        ("2025-06-15T01:00:00+07:00", False, False, "all"),  # Sunday's run, the night of Saturday
        ("2025-06-14T18:30:00+00:00", False, False, "all"),  # the same moment in UTC (a Saturday there)
        ("2025-06-14T01:00:00+07:00", False, False, "night"),  # Saturday's run
        ("2025-06-10T01:00:00+07:00", True, False, "all"),
        ("2025-06-10T01:00:00+07:00", False, True, "all"),
    ],
)
def test_the_scope_of_a_nights_tests(logical, full_refresh, whole, scope) -> None:
    params = {"full_refresh": full_refresh, "whole_table_tests": whole}
    rendered = Template(TESTS_SCOPE).render(params=params, logical_date=pendulum.parse(logical))
    assert rendered == scope
