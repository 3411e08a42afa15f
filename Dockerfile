# casemgmt for a council's pilot server. Build: docker compose build
FROM node:20-bookworm-slim AS frontend
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY static/src static/src
COPY static/js static/js
COPY scripts/build_frontend.sh scripts/
RUN bash scripts/build_frontend.sh

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 casemgmt
WORKDIR /app
COPY pyproject.toml README.md ./
COPY casemgmt casemgmt
COPY clients clients
RUN pip install .
COPY manage.py ./
COPY templates templates
COPY static static
COPY --from=frontend /build/static/vendor static/vendor
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --no-input --verbosity 0
USER casemgmt
EXPOSE 8000
CMD ["gunicorn", "casemgmt.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-"]
