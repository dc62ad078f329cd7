# Gongjian — two commands on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
export DEBUG ?= 1
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test venv test-deps assets system-deps migrate demo-city serve worker lint messages clean bench lock

# Installs take the versions pinned in requirements/ (`make lock` writes them), so every machine
# runs what CI tested.
$(VENV)/.installed: pyproject.toml requirements/lock.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -c requirements/lock.txt -e .
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed pyproject.toml requirements/test-lock.txt
	$(PIP) install -q -c requirements/test-lock.txt -e '.[test]'
	touch $@

venv: $(VENV)/.installed

# Front-end packages come from the npm registry and are served from static/vendor: no CDN.
static/vendor/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map static/vendor/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map static/vendor/
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/
	cp node_modules/echarts/dist/echarts.min.js static/vendor/
	cp node_modules/axe-core/axe.min.js static/vendor/
	touch $@

# The CJK font only the PDF renderer reads (gongjian/pdf.py, PDF_FONT_DIR): kept out of static/ so
# collectstatic neither compresses nor serves its 20 MB (an older assets step put it in static/vendor/fonts).
fonts/.installed: static/vendor/.installed
	rm -rf static/vendor/fonts
	mkdir -p fonts && cp node_modules/@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf node_modules/@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf fonts/
	touch $@

assets: static/vendor/.installed fonts/.installed

migrate: venv
	$(PY) manage.py migrate --noinput -v0

demo-city: migrate
	$(VENV)/bin/gongjian demo-city --url http://$(HOST):$(PORT)

# Installs, migrates the embedded SQLite database, loads the demo city, starts the background
# worker and serves http://$(HOST):$(PORT) (127.0.0.1:8000 unless given: make demo PORT=8101).
demo: venv assets demo-city
	@$(VENV)/bin/gongjian demo-accounts --url http://$(HOST):$(PORT)
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl-C stops the server and the worker)"
	@trap 'kill 0' EXIT INT TERM; \
	  $(PY) manage.py run_huey --workers 2 --quiet & \
	  $(PY) manage.py runserver $(HOST):$(PORT)

serve: venv assets
	$(PY) manage.py runserver $(HOST):$(PORT)

worker: venv
	$(PY) manage.py run_huey --workers 2

# Debian packages the tests need: chromium drives the browser tests (a test tool's own browser
# download fails offline), a CJK font renders Chinese in screenshots, poppler reads PDFs back.
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1 \
	    || ! fc-list 2>/dev/null | grep -qi 'wenquanyi\|wqy'; then \
	  echo "Installing Debian chromium, a CJK font and poppler-utils for the tests"; \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    chromium fonts-wqy-microhei poppler-utils >/dev/null; \
	fi

test: $(VENV)/.test-installed assets system-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run -v0
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest -n auto --dist worksteal $(PYTEST_ARGS)

lint: $(VENV)/.test-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Extract and compile the translation catalogue (needs GNU gettext; compiled .mo files are committed).
messages: venv
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore '.venv/*' --ignore 'node_modules/*' --no-obsolete
	$(PY) manage.py compilemessages --ignore '.venv/*'

# The city tier (2,000,000 members, built once and cached in DATABASE_URL, default gj_bench_tier on
# 127.0.0.1) and every benchmark of issue 12 beside its baseline; BENCH_ARGS="--members 30000" for a
# small tier, "--only pages", "--rebuild" (bench/README.md).
bench: venv
	$(PY) bench/run.py $(BENCH_ARGS)

# Regenerate the lock files from pyproject.toml for Python 3.11 on Linux, with uv installed into a
# tools venv of its own (never into .venv). Pins already there are kept unless pyproject.toml rules
# them out; `make lock UPGRADE=1` takes the newest versions allowed.
TOOLS := .tools
UV := $(TOOLS)/bin/uv
LOCK_FLAGS = --quiet --python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
	--custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install -q uv

lock: $(UV)
	$(UV) pip compile pyproject.toml $(LOCK_FLAGS) -o requirements/lock.txt
	$(UV) pip compile pyproject.toml --extra test -c requirements/lock.txt $(LOCK_FLAGS) -o requirements/test-lock.txt

clean:
	rm -rf $(VENV) $(TOOLS) node_modules static/vendor fonts staticfiles var
