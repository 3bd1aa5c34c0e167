# Production image: gunicorn (web), Celery worker and beat share it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 VAR_DIR=/srv/var
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 1000 crm

WORKDIR /srv/app
COPY pyproject.toml constraints.txt README.md ./
COPY crm crm
COPY common common
COPY inventory inventory
COPY orders orders
COPY channels_sync channels_sync
COPY shipping shipping
COPY invoicing invoicing
COPY followups followups
RUN pip install -c constraints.txt .
COPY . .
RUN python scripts/compile_messages.py \
 && DEBUG=false SECRET_KEY=build-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
 && mkdir -p /srv/var && chown -R crm:crm /srv/var

USER crm
EXPOSE 8000
CMD ["gunicorn", "--config", "crm/gunicorn.conf.py", "crm.wsgi:application"]
