"""The quality gate: Great Expectations suites (in `expectations/`) run as SQL in the warehouse after dbt, their
results kept in `audit.quality_results`, and the verdict on each night and month that reports and BI read."""
