# Bistånd's production image: `bistand serve` (gunicorn, gthread workers) on Python 3.11.
# Build:  docker build -t bistand .        Run everything:  docker compose up
# (Not built in the development VM, which has the docker CLI but no engine: docs/OPERATIONS.md.)

# --- build: wheels for the package and its dependencies --------------------------------------
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bistand ./bistand
RUN python -m venv /opt/bistand \
 && /opt/bistand/bin/pip install --upgrade pip \
 && /opt/bistand/bin/pip install .

# Static files collected once, compressed, with hashed names (BISTAND_STATIC_COLLECTED=1).
ENV BISTAND_STATIC_ROOT=/opt/bistand/static BISTAND_STATIC_COLLECTED=1
RUN /opt/bistand/bin/bistand collectstatic --noinput --verbosity 0

# --- runtime: the virtual environment, no compiler, a user without privileges ----------------
FROM python:3.11-slim AS runtime
RUN groupadd --system --gid 10001 bistand \
 && useradd --system --uid 10001 --gid bistand --home-dir /var/lib/bistand --create-home bistand \
 && install -d -o bistand -g bistand /var/lib/bistand/media /var/lib/bistand/var
COPY --from=build /opt/bistand /opt/bistand
ENV PATH=/opt/bistand/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    BISTAND_DEBUG=0 \
    BISTAND_BIND=0.0.0.0:8000 \
    BISTAND_STATIC_ROOT=/opt/bistand/static \
    BISTAND_STATIC_COLLECTED=1 \
    BISTAND_MEDIA_ROOT=/var/lib/bistand/media \
    BISTAND_AUDIT_ANCHOR_FILE=/var/lib/bistand/var/audit-anchors.jsonl \
    BISTAND_LOG_FORMAT=json \
    PROMETHEUS_MULTIPROC_DIR=/tmp/bistand-metrics
USER bistand
WORKDIR /var/lib/bistand
EXPOSE 8000
VOLUME ["/var/lib/bistand/media", "/var/lib/bistand/var"]
# /healthz needs no database: the container is healthy when the server answers.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request, sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"]
STOPSIGNAL SIGTERM
CMD ["bistand", "serve"]
