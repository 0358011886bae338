{#- The monthly marts (`fct_unit_month_scorecard`, `fct_overdue_items`) are rebuilt from one month on: a month's
    rows depend only on the items that counted in it, so the months before the earliest month anything changed in
    stand as they were built. Incrementally that month is the earliest of:
    - the months still provisional at the last build (their open items are judged where the data stands, which
      moves), and any month after the last one built;
    - of a dossier rebuilt since, the earliest month whose counts its rebuild moved (`recount_from` of
      `int_dossier_lifecycle`: its receipt's month, old or new, when its receipt, acceptance or what is counted
      there changed; its end's likewise; every month when its unit or system did), where the mart saw it as it was
      before (`previously_refreshed_at`); else, or when it is new, the earliest month it counts in, before or after
      (`counted_since`);
    - the earliest month whose judgement of a dossier changed since (`changed_at` of `fct_dossier_month`). A dossier
      rebuilt for a step or a request changes the months from that moment on, which is usually the latest only;
    - the earliest month a feedback item with a version landed since (or just before: the landing lookback) counted
      in, in any of its versions;
    - every month, after a record was taken back (its item may be gone, with no row left to say where it counted),
      after the dimensions changed (`int_mart_dimensions`), or when nothing was built yet.
    Asked when the model's SQL is compiled and again when its pre-hook is rendered, both before either writes: the
    same date twice (`none` on a full refresh), written into the SQL and into the pre-hook's delete.
    A monthly mart built before it was monthly (no build stamp) is rebuilt whole, once. fct_overdue_items also
    rewrites, in the months before, the rows of the dossiers rebuilt since (they show a dossier's status as it is
    now): `dossier_rebuilt_since_last_build`. -#}
{% macro first_month_to_rebuild() -%}
    {%- if not (execute and is_incremental()) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if not has_column(this, 'refreshed_at') -%}
        {{ return('-infinity') }}
    {%- endif -%}
    {%- set query -%}
        with
        built as (
            select
                max(this_build.refreshed_at) as built_at,
                coalesce(
                    min(this_build.month_start) filter (where not this_build.is_final),
                    max(this_build.month_start) + interval '1 month'
                ) as provisional_from
            from (select * from {{ this }}) as this_build
        ),
        landed_after as (
            select built.built_at - interval '{{ var("landing_lookback_minutes") }} minutes' as landed_after
            from built
        ),
        -- Materialized: asked for the least month directly, the planner walked the month index from the first month
        -- for a row changed since (0.5 s on the year), where the few rows changed are found by their stamp.
        judgements_changed as materialized (
            select dossier_months.month_start
            from (select * from {{ ref('fct_dossier_month') }}) as dossier_months
            where dossier_months.changed_at > (select built.built_at from built)
        ),
        -- Not materialized: read twice, it would be computed whole first (every version in the partitions, 0.13 s
        -- a question), where each reading passes its filter down to raw.
        feedback_versions as not materialized (
            select * from {{ ref('int_feedback_versions_unioned') }}
        ),
        changed_feedback as (
            select feedback_versions.feedback_id
            from feedback_versions
            where feedback_versions.extracted_at > (select landed_after.landed_after from landed_after)
        )
        select least(
            (select built.provisional_from from built),
            (
                select min(
                    case
                        when lifecycle.previously_refreshed_at <= (select built.built_at from built)
                            then lifecycle.recount_from
                        else lifecycle.counted_since
                    end
                )
                from (select * from {{ ref('int_dossier_lifecycle') }}) as lifecycle
                where lifecycle.refreshed_at > (select built.built_at from built)
            ),
            (select min(judgements_changed.month_start) from judgements_changed),
            (
                select min(least(date_trunc('month', feedback_versions.intake_at),
                    date_trunc('month', feedback_versions.handled_at)))
                from feedback_versions
                where feedback_versions.feedback_id in (select changed_feedback.feedback_id from changed_feedback)
            ),
            case
                when (select built.built_at from built) is null
                    or exists (
                        select 1 from (select * from {{ ref('stg_csv_drop__retractions') }}) as retraction
                        where retraction.extracted_at > (select landed_after.landed_after from landed_after)
                    )
                    or exists (
                        select 1 from (select * from {{ ref('int_mart_dimensions') }}) as dimensions
                        where dimensions.changed_at > (select built.built_at from built)
                    )
                    then '-infinity'::timestamp
            end
        )::date::text as first_month
    {%- endset -%}
    {%- set first_month = run_query(query).columns[0].values()[0] -%}
    {#- Nothing changed and nothing provisional (a warehouse whose last night ended a month, built again): the month
        after the last one built, which writes nothing. -#}
    {{ return(first_month or 'infinity') }}
{%- endmacro %}

{#- A predicate on `column` (a month, or a moment in one): the months this build writes. -#}
{% macro in_months_rebuilt(column, first_month) -%}
    {%- if first_month is none or first_month == '-infinity' -%}
        true
    {%- else -%}
        {{ column }} >= '{{ first_month }}'::date
    {%- endif -%}
{%- endmacro %}

{#- The pre-hook of a monthly mart: the months it is about to write go first (a month may now hold fewer rows, or
    none, where dbt's delete+insert would only replace the months it writes). A build with `--empty` writes none,
    and deletes none. -#}
{% macro delete_months_rebuilt(first_month, also=none) -%}
    {%- if first_month is not none and not flags.EMPTY -%}
        delete from {{ this }} where {{ in_months_rebuilt('month_start', first_month) }}
        {%- if also %} or {{ also }}{% endif %}
    {%- endif -%}
{%- endmacro %}

{#- A predicate on `column` (a dossier's code): rebuilt since this model's last build (`fct_dossiers` stamped after
    its newest stamp, read when the SQL is compiled and again when the pre-hook is rendered, both before either
    writes: a subquery in the SQL would run after the pre-hook's delete). False on a full refresh. -#}
{% macro dossier_rebuilt_since_last_build(column) -%}
    {%- if not (execute and is_incremental()) -%}
        false
    {%- else -%}
        {%- set built_at = run_query(
            "select coalesce(max(refreshed_at), '-infinity')::text from " ~ this
        ).columns[0].values()[0] -%}
        {{ column }} in (
            select rebuilt.dossier_code from (select * from {{ ref('fct_dossiers') }}) as rebuilt
            where rebuilt.refreshed_at > '{{ built_at }}'::timestamptz
        )
    {%- endif -%}
{%- endmacro %}

{#- The post-hook of a monthly mart: the months it did not rebuild are unchanged, and now known to be so where the
    data stands (`data_as_of`, the same on every row, as a full refresh writes it). -#}
{% macro refresh_data_as_of() -%}
    {%- if is_incremental() -%}
        update {{ this }} as held
        set data_as_of = observation.observed_at
        from (select observed_at from {{ ref('int_observation') }}) as observation
        where held.data_as_of is distinct from observation.observed_at
    {%- endif -%}
{%- endmacro %}

{#- fct_overdue_items' rows of the dossiers rebuilt since its last build, in any month (its pre-hook's). -#}
{% macro late_dossiers_rebuilt() -%}
    (item_type = 'dossier' and {{ dossier_rebuilt_since_last_build('item_code') }})
{%- endmacro %}
