# The two commands a newcomer needs:
#   make demo   install what is needed, then run the hotline with demo data on SQLite (+ browser sandbox)
#   make test   install what is needed, then run every test (SQLite, PostgreSQL when reachable, browser)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test install install-dev browser lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

# The softphone's browser SDK (@twilio/voice-sdk) from npm, pinned by package-lock.json.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm is needed for the softphone's Voice SDK (apt-get install npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed
install-dev: $(VENV)/.installed-dev node_modules/.installed

# Debian's Chromium for the browser tests (never a browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null \
	  || echo "could not install chromium: browser tests will be skipped"; }

demo: install
	$(BIN)/python app.py

lint: install-dev
	$(BIN)/ruff check .

test: install-dev browser lint
	$(BIN)/python -m pytest

bench: install-dev
	$(BIN)/python bench/ivr_load.py

clean:
	rm -rf $(VENV) node_modules instance .pytest_cache .hypothesis test-artifacts bench/results
