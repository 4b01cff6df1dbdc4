FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY portal portal
COPY accounts accounts
COPY demands demands
COPY offers offers
COPY matching matching
COPY connections connections
COPY notifications notifications
COPY outbox outbox
COPY api api
COPY insights insights
COPY vitext vitext
RUN pip install .
COPY . .
# Build-time steps need a key and no services: static files and compiled Vietnamese catalogue.
RUN SECRET_KEY=build DEBUG=0 python manage.py collectstatic --no-input -v 0 \
 && SECRET_KEY=build DEBUG=0 python manage.py compilemessages -v 0
RUN useradd --create-home portal && mkdir -p /app/var && chown portal /app/var
USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
