# qabot in a container: every platform and store, the ops endpoints on, as a non-root user.
# Build: docker build -t qabot .   Run: see compose.yaml and docs/operating.md.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY storage ./storage
RUN pip install --no-cache-dir ".[all]" \
    && useradd --create-home --uid 10001 qabot \
    && mkdir /data && chown qabot /data

USER qabot
# A SQLite file in /data (mount a volume there) unless QABOT_STORAGE_URL names PostgreSQL; the
# ops endpoints listen on every interface so the orchestrator can reach them.
ENV QABOT_STORAGE_URL=sqlite:////data/qabot.db \
    QABOT_OPS_ENABLED=true \
    QABOT_OPS_HOST=0.0.0.0 \
    QABOT_OPS_PORT=9090
EXPOSE 9090
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; sys.exit(urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['QABOT_OPS_PORT']}/healthz\", timeout=4).status != 200)"]
ENTRYPOINT ["qabot"]
CMD ["run"]
