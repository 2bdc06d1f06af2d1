# StockLedger service image: the `stockledger` console script and nothing else.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install . \
    && useradd --system --uid 10001 stockledger \
    && mkdir -p /var/lib/stockledger && chown stockledger /var/lib/stockledger

USER stockledger
ENV STOCKLEDGER_DATA_DIR=/var/lib/stockledger
EXPOSE 8000
ENTRYPOINT ["stockledger"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
