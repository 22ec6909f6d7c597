# XiaoQi Graph (校企图谱) API and web explorer.
# Used by docker-compose.yml; Neo4j runs in its own container.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Install the project as a regular (non-editable) package; the shipped data
# (cypher files, NER model, demo data) is package data and comes along.
COPY . /tmp/src
RUN pip install /tmp/src \
    && rm -rf /tmp/src

# Unprivileged user; /data holds the job files (KG_DATA_DIR).
RUN useradd --system --uid 10001 --home-dir /app --create-home kg \
    && mkdir -p /data \
    && chown kg:kg /data
USER kg
WORKDIR /app

EXPOSE 8000
CMD ["kg", "serve", "--host", "0.0.0.0", "--port", "8000"]
