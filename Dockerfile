# syntax=docker/dockerfile:1
# Switchboard runtime image. Two stages: "build" installs the package and its dependencies
# into a virtualenv; "runtime" copies only that virtualenv, the Alembic migrations and the
# entrypoint onto a clean slim base, and runs as an unprivileged user.
# All configuration comes from environment variables (see .env.example and docs/operations.md).

ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
# Every runtime dependency ships binary wheels for CPython 3.11 on amd64 and arm64,
# so no compiler is installed here either. Dependencies first, from pyproject.toml alone,
# so that a code change does not download them again.
COPY pyproject.toml README.md ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install --no-cache-dir --requirement /tmp/requirements.txt
COPY app ./app
COPY connectors ./connectors
RUN pip install --no-cache-dir --no-deps . \
    && find /opt/venv -name '__pycache__' -prune -exec rm -rf {} +


FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="switchboard-runtime" \
      org.opencontainers.image.description="Python connector runtime for Camunda 8" \
      org.opencontainers.image.licenses="Apache-2.0"

RUN groupadd --system --gid 10001 switchboard \
    && useradd --system --uid 10001 --gid switchboard --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin switchboard

COPY --from=build /opt/venv /opt/venv

WORKDIR /app
COPY migrations ./migrations
COPY alembic.ini ./alembic.ini
COPY --chmod=0755 docker/entrypoint.sh /usr/local/bin/switchboard-entrypoint
# The only writable place: the default SQLite file (single-node topology) lives here.
RUN mkdir -p /app/var && chown switchboard:switchboard /app/var

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    SWITCHBOARD_HOST=0.0.0.0 \
    SWITCHBOARD_PORT=8080 \
    SWITCHBOARD_LOG_FORMAT=json \
    SWITCHBOARD_MIGRATIONS_DIR=/app/migrations \
    SWITCHBOARD_DATABASE_URL=sqlite+aiosqlite:////app/var/switchboard.db \
    MALLOC_ARENA_MAX=2

USER 10001:10001
EXPOSE 8080

# python's urllib instead of curl: nothing extra in the image. urlopen raises (exit 1)
# on a refused connection, a timeout or any non-2xx answer.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health/live' % os.environ.get('SWITCHBOARD_PORT', '8080'), timeout=4)"]

# uvicorn handles SIGTERM (the default stop signal) and drains in-flight jobs for up to
# SWITCHBOARD_SHUTDOWN_GRACE_SECONDS; the entrypoint execs so the server is PID 1.
ENTRYPOINT ["switchboard-entrypoint"]
CMD ["serve"]
