FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY domain domain
COPY playbooks playbooks
COPY service service
COPY web web
RUN pip install --no-cache-dir .
ENV STEADY_DATABASE_URL=sqlite:////data/steady.db
VOLUME ["/data"]
ENTRYPOINT ["steady"]
CMD ["board"]
