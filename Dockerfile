# syntax=docker/dockerfile:1
# The training image: `python -m lecturelab.train_app [overrides]` (what `lecturelab train` runs), for
# Vertex AI custom jobs (`lecturelab submit vertex vertex.image_uri=...`) or any container runtime.
# Built from requirements.lock (every package pinned with hashes), the same environment as `make setup`.
#
#   CPU : docker build -t lecturelab-train:cpu .
#   CUDA: docker build --build-arg BASE=nvidia/cuda:12.5.1-cudnn-runtime-ubuntu22.04 -t lecturelab-train:gpu .
#   run : docker run --rm -v $PWD/data:/app/data lecturelab-train:cpu debug=fast logger=none
# Push for Vertex AI: see docs/scale.md (Artifact Registry).
ARG BASE=python:3.11-slim

FROM ghcr.io/astral-sh/uv:0.5.11 AS uv

FROM ${BASE}
COPY --from=uv /uv /usr/local/bin/uv
# uv brings Python 3.11 (the lock's version) to a base without it, such as the CUDA images
ENV UV_PYTHON_INSTALL_DIR=/opt/python VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 TF_CPP_MIN_LOG_LEVEL=2
WORKDIR /app
RUN uv venv --python 3.11 /opt/venv
COPY requirements.lock .
RUN uv pip install --no-cache --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY lecturelab ./lecturelab
RUN uv pip install --no-cache --no-deps . && python -c "import lecturelab.train_app"
ENTRYPOINT ["python", "-m", "lecturelab.train_app"]
