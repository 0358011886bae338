{{ config(
    materialized='incremental',
    unique_key='day',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    indexes=[{'columns': ['day'], 'unique': True}],
) }}

-- The calendar of metrics.md: working days are Monday to Friday except public holidays (the `holidays` package,
-- seeded) and the government's announced exceptions (make-up Saturdays worked, extra days off, seeded).
-- Built when the calendar changes, not every night: each row carries the version of the calendar it was built from
-- (a digest of both seeds), and an incremental build writes nothing while the built version is the seeds' own.
-- A calendar built before it carried its version gains the column (append_new_columns), and that first build
-- rewrites every row.
with

days as (
    select day::date as day
    from generate_series('2020-01-01'::date, '2035-12-31'::date, interval '1 day') as series (day)
),

holidays as (
    select day::date as day, min(name) as holiday_name from {{ ref('public_holidays') }} group by 1
),

exceptions as (
    select day::date as day, is_working_day, note from {{ ref('calendar_exceptions') }}
),

calendar as (
    select
        md5(
            coalesce((select string_agg(h.day || ':' || h.holiday_name, ',' order by h.day) from holidays as h), '')
            || '|'
            || coalesce(
                (
                    select
                        string_agg(
                            e.day || ':' || e.is_working_day || ':' || coalesce(e.note, ''), ',' order by e.day
                        )
                    from exceptions as e
                ),
                ''
            )
        ) as calendar_version
),

flagged as (
    select
        days.day,
        extract(isodow from days.day)::smallint as iso_weekday,
        date_trunc('month', days.day)::date as month_start,
        holidays.holiday_name,
        exceptions.note as exception_note,
        coalesce(
            exceptions.is_working_day,
            extract(isodow from days.day) between 1 and 5 and holidays.day is null
        ) as is_working_day
    from days
    left join holidays on days.day = holidays.day
    left join exceptions on days.day = exceptions.day
),

sequenced as (
    select
        flagged.*,
        -- Working days up to and including this day: the difference of two is the working days between them.
        sum(case when is_working_day then 1 else 0 end) over (order by day) as working_day_seq
    from flagged
)

select
    sequenced.*,
    (
        select min(later.day) from sequenced as later
        where later.day > sequenced.day and later.is_working_day
    ) as next_working_day,
    calendar.calendar_version
from sequenced
cross join calendar
{% if is_incremental() and has_column(this, 'calendar_version') %}
    where calendar.calendar_version is distinct from (select max(built.calendar_version) from {{ this }} as built)
{% endif %}
