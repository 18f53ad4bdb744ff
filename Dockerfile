# The application image: api, worker, index worker and beat all run from it.
FROM python:3.11-slim-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-vie tesseract-ocr-osd fonts-noto-core fonts-dejavu-core fonts-liberation2 \
    restic postgresql-client-15 \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --system --create-home --uid 10001 archive \
 # named volumes take the ownership of the directory they are mounted on from the image
 && mkdir -p /var/lib/archive /var/lib/archive-metrics && chown archive:archive /var/lib/archive /var/lib/archive-metrics
WORKDIR /app
COPY pyproject.toml README.md ./
COPY archive ./archive
COPY ingest ./ingest
COPY search ./search
COPY storage ./storage
RUN pip install --no-cache-dir .
USER archive
ENV ARCHIVE_DATA_DIR=/var/lib/archive OMP_THREAD_LIMIT=1
EXPOSE 8000
CMD ["uvicorn", "archive.app:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000"]
