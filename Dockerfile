# PiqueTickets: one image for web, worker, beat and Flower (the command picks the role).

# Browser libraries the web apps serve themselves (the check-in app's QR decoder), exactly as
# package-lock.json pins them. Only their files go into the image, not Node.
FROM node:20-bookworm-slim AS npm
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 fonts-noto-core fonts-droid-fallback fonts-nanum \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 pique

WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY config ./config
COPY piquetickets ./piquetickets
RUN pip install -c constraints.txt .
COPY . .
COPY --from=npm /build/node_modules/jsqr/dist ./node_modules/jsqr/dist

# collectstatic needs settings that load; these values exist only for the build step.
RUN DEBUG=0 SECRET_KEY=build-only-not-secret ALLOWED_HOSTS=localhost PAYMENT_PROVIDER=test ALLOW_TEST_PAYMENTS=1 \
    ENV_FILE= python manage.py collectstatic --noinput \
    && mkdir -p /app/var && chown -R pique /app/var

USER pique
EXPOSE 8080
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8080", "--workers", "3", "--access-logfile", "-"]
