# onestop: the locked environment (Airflow, dbt, Cosmos, GX) with the project and its dbt manifest built in.
FROM python:3.11-slim-bookworm

ENV DO_NOT_TRACK=1 \
    GX_ANALYTICS_ENABLED=False \
    AIRFLOW__COSMOS__ENABLE_TELEMETRY=False \
    DBT_SEND_ANONYMOUS_USAGE_STATS=False \
    SCARF_ANALYTICS=false \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_PROJECT_ENVIRONMENT=/opt/onestop/.venv \
    ONESTOP_HOME=/opt/onestop \
    ONESTOP_STATE_DIR=/var/lib/onestop \
    PATH=/opt/onestop/.venv/bin:$PATH

RUN apt-get update \
    && apt-get install -y --no-install-recommends curl libpq5 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir 'uv>=0.5,<1' \
    && useradd --create-home --uid 50000 onestop \
    && mkdir -p /var/lib/onestop /opt/onestop && chown onestop /var/lib/onestop /opt/onestop

WORKDIR /opt/onestop
USER onestop

# Dependencies first (cached while only the code changes), exactly as locked, without the dev group.
COPY --chown=onestop pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY --chown=onestop . .
RUN uv sync --frozen --no-dev \
    && onestop dbt parse --quiet

EXPOSE 8080
CMD ["airflow", "version"]
