# The two commands a newcomer needs:
#   make demo   install what is needed, then run the hotline with demo data on SQLite (+ browser sandbox)
#   make test   install what is needed, then run every test (SQLite, PostgreSQL when reachable, browser)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test install install-dev browser mailserver lint bench clean i18n-extract i18n-update i18n-compile i18n

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

# Debian's dovecot for the e-mail tests' IMAP server (tests/mail_servers.py starts its own on a free port;
# the SMTP side is aiosmtpd, from requirements-dev.txt).
mailserver:
	@{ test -x /usr/sbin/dovecot && test -x /usr/lib/dovecot/imap; } || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq dovecot-imapd >/dev/null \
	  || echo "could not install dovecot-imapd: IMAP tests will be skipped"; }

demo: install
	$(BIN)/python app.py

lint: install-dev
	$(BIN)/ruff check .

test: install-dev browser mailserver lint
	$(BIN)/python -m pytest

# The pages' languages (issue 14; see the README, Languages). The compiled .mo files are committed, so a
# fresh clone runs without this step; after changing a string: make i18n (extract, update, then translate
# translations/vi/LC_MESSAGES/messages.po and run make i18n-compile).
PYBABEL := $(BIN)/pybabel

i18n-extract: install
	$(PYBABEL) -q extract -F babel.cfg -k _ -k _l -k lazy_gettext --no-location --sort-output \
	  --project=hotline-19009299 -o translations/messages.pot .

i18n-update: i18n-extract
	$(PYBABEL) -q update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

i18n-compile: install
	$(PYBABEL) compile --statistics -d translations

i18n: i18n-update i18n-compile

bench: install-dev
	$(BIN)/python bench/ivr_load.py

clean:
	rm -rf $(VENV) node_modules instance .pytest_cache .hypothesis test-artifacts bench/results
