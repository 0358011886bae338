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
    - of a feedback item with a version landed since (or just before: the landing lookback), the earliest month
      whose counts its new versions moved, compared with the latest before them: its intake's when it is new or
      what counts from its intake changed, its handling's when only that did (`feedback_recount`);
    - every month, after a record was taken back (its item may be gone, with no row left to say where it counted),
      after the dimensions changed (`int_mart_dimensions`), or when nothing was built yet.
    Asked when the model's SQL is compiled and again when its pre-hook is rendered, both before either writes: the
    same date twice (`none` on a full refresh), written into the SQL and into the pre-hook's delete.
    A monthly mart built before it was monthly (no build stamp) is rebuilt whole, once. fct_overdue_items also
    rewrites, in the months before, the rows of the dossiers rebuilt and the feedback items landed since (they show
    an item's status as it is now): `late_items_rebuilt`. -#}
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
        -- Of each feedback item with a version landed since (or just before: the landing lookback), the versions
        -- that may differ from what the marts counted: those, and the latest landed before them.
        landed_since as (
            select feedback_versions.*
            from feedback_versions
            where feedback_versions.extracted_at > (select landed_after.landed_after from landed_after)
        ),
        counted_before as (
            select distinct on (feedback_versions.feedback_id) feedback_versions.*
            from feedback_versions
            where
                feedback_versions.feedback_id in (select landed_since.feedback_id from landed_since)
                and feedback_versions.extracted_at <= (select landed_after.landed_after from landed_after)
            order by feedback_versions.feedback_id, feedback_versions.changed_at desc, feedback_versions.extracted_at desc
        ),
        compared as (
            select
                landed_since.feedback_id, landed_since.system_id, landed_since.unit_code, landed_since.intake_at,
                landed_since.handled_at, landed_since.status_code, false as was_counted
            from landed_since
            union all
            select
                counted_before.feedback_id, counted_before.system_id, counted_before.unit_code,
                counted_before.intake_at, counted_before.handled_at, counted_before.status_code, true as was_counted
            from counted_before
        ),
        -- The earliest month whose counts each item's versions moved: its intake's, old or new, when it is new to the
        -- marts or what counts from its intake on changed (its unit, system, intake, or a transfer out: status 6);
        -- else its handling's, old or new, when that changed (handled, or its status: refused or answered); else
        -- none (a step while it stays open changes no month's count: it was open at the end of each, and is).
        feedback_recount as (
            select
                case
                    when not bool_or(compared.was_counted)
                        or count(distinct (
                            compared.system_id, compared.unit_code, compared.intake_at, compared.status_code = 6
                        )) > 1
                        then min(date_trunc('month', compared.intake_at))
                    when count(distinct (compared.handled_at, compared.status_code)) > 1
                        then min(date_trunc('month', compared.handled_at))
                end as recount_from
            from compared
            group by compared.feedback_id
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
            (select min(feedback_recount.recount_from) from feedback_recount),
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

{#- The newest build stamp of this model, as a literal: read when rendered, so that the SQL and its pre-hook, both
    rendered before either writes, read the same (a subquery in the SQL would run after the pre-hook's delete).
    None on a full refresh, and for a mart built before it had the stamp (it is rebuilt whole). -#}
{% macro last_build_stamp() -%}
    {%- if not (execute and is_incremental() and has_column(this, 'refreshed_at')) -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(run_query(
        "select coalesce(max(refreshed_at), '-infinity')::text from " ~ this
    ).columns[0].values()[0]) }}
{%- endmacro %}

{#- A predicate on `column` (a dossier's code): `fct_dossiers` rebuilt it after `built_at`. False without one. -#}
{% macro dossier_rebuilt_since(column, built_at) -%}
    {%- if built_at is none -%}
        false
    {%- else -%}
        {{ column }} in (
            select rebuilt.dossier_code from (select * from {{ ref('fct_dossiers') }}) as rebuilt
            where rebuilt.refreshed_at > '{{ built_at }}'::timestamptz
        )
    {%- endif -%}
{%- endmacro %}

{#- A predicate on `column` (a feedback item's id): a version of it landed after `built_at`, or just before (the
    landing lookback, as the first month's rule). False without one. -#}
{% macro feedback_landed_since(column, built_at) -%}
    {%- if built_at is none -%}
        false
    {%- else -%}
        {{ column }} in (
            select landed.feedback_id from (select * from {{ ref('int_feedback_versions_unioned') }}) as landed
            where landed.extracted_at
                > '{{ built_at }}'::timestamptz - interval '{{ var("landing_lookback_minutes") }} minutes'
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

{#- fct_overdue_items' rows of the dossiers rebuilt and the feedback items landed since its last build, in any month
    (its pre-hook's). -#}
{% macro late_items_rebuilt() -%}
    {%- set built_at = last_build_stamp() -%}
    (item_type = 'dossier' and {{ dossier_rebuilt_since('item_code', built_at) }})
    or (item_type = 'feedback' and {{ feedback_landed_since('item_code', built_at) }})
{%- endmacro %}
