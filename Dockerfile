# One image for web, worker and beat (cookiecutter-django style): multi-stage, non-root, gunicorn.
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /build
COPY requirements.txt .
# python-ldap (corporate sign-in) compiles against OpenLDAP's and Cyrus SASL's headers.
RUN apt-get update && apt-get install -y --no-install-recommends gcc libldap2-dev libsasl2-dev \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.txt

FROM python:3.11-slim-bookworm AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=hrportal.settings \
    HRPORTAL_VAR_DIR=/app/var \
    PROMETHEUS_MULTIPROC_DIR=/app/var/prometheus
# libldap/libsasl: the directory sign-in; Pango and Debian's Cyrillic fonts: WeasyPrint's HR documents.
RUN apt-get update && apt-get install -y --no-install-recommends libldap-2.5-0 libsasl2-2 \
    libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-liberation \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system app && useradd --system --gid app --home-dir /app app
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --chown=app:app . .
# collectstatic needs settings that import without a database; the real secret comes at run time.
RUN DJANGO_DEBUG=0 DJANGO_SECRET_KEY=build-only-not-secret python manage.py collectstatic --noinput \
    && mkdir -p /app/var/prometheus /app/var/media /app/var/private && chown -R app:app /app/var
USER app
EXPOSE 8000
# web (default); the worker and beat run the same image with another command (docker-compose.yml).
# Workers, threads and the timeout come from gunicorn.conf.py (GUNICORN_WORKERS, GUNICORN_THREADS, GUNICORN_TIMEOUT):
# a flag here would override the environment.
CMD ["gunicorn", "hrportal.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
