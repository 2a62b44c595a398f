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
EXPOSE 8000
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
