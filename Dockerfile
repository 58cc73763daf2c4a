FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY livecommerce ./livecommerce
COPY migrations ./migrations
COPY static ./static
COPY piccolo_conf.py ./
RUN pip install --no-cache-dir -e .
ENV HOST=0.0.0.0 PORT=8000 LOG_JSON=true
EXPOSE 8000
CMD ["sh", "-c", "livecommerce migrate && livecommerce serve --workers ${WORKERS:-2}"]
