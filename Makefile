# 企业诉求直通车 — the two commands: `make run` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi.py
# `make run`, `make db` and `make seed` are development; gunicorn without APP_CONFIG is production.
export APP_CONFIG ?= development
STAMP := $(VENV)/.installed

.PHONY: run test install db seed translations lint ci clean serve screenshots bench bench-load

run: install db seed ## install, migrate, import the plans, demo accounts, serve web + scheduler
	@echo "企业诉求直通车: http://$${WEB_BIND:-127.0.0.1:5000}  (Ctrl-C stops the web app and the scheduler)"
	@$(BIN)/python -m workers.run_all

test: install ## the whole test suite (TEST_DATABASE_URL=postgresql+psycopg://… for PostgreSQL)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

install: $(STAMP) translations

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

translations: $(STAMP)
	@$(BIN)/pybabel compile -d app/translations >/dev/null

db: install
	@mkdir -p instance
	$(BIN)/flask db upgrade

seed: db
	$(BIN)/flask plans import
	$(BIN)/flask calendar seed
	$(BIN)/flask demo seed

screenshots: install ## regenerate docs/screenshots/*.png from a seeded demo desk (needs /usr/bin/chromium)
	SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest tests/e2e/test_screenshots.py $(PYTEST_ARGS)

# Benchmarks (bench/README.md): PostgreSQL on 127.0.0.1:5432, databases $(BENCH_PREFIX)_*.
BENCH_PREFIX ?= bench_local
BENCH_SECONDS ?= 15
BENCH_PG := postgresql+psycopg://postgres@127.0.0.1:5432
BENCH_PORT ?= 5106

bench-load: install ## (re)load the HTTP benchmarks' databases: 100 000 and 1 000 000 tickets
	$(BIN)/python bench/load.py $(BENCH_PG)/$(BENCH_PREFIX)_100k --tickets 100000
	$(BIN)/python bench/load.py $(BENCH_PG)/$(BENCH_PREFIX)_1m --tickets 1000000

bench: install ## every benchmark (loads the databases that are missing); figures go to docs/benchmarks.md
	@for n in 100k:100000 1m:1000000; do db=$(BENCH_PREFIX)_$${n%%:*}; \
	  psql -h 127.0.0.1 -U postgres -lqt | cut -d'|' -f1 | grep -qw $$db || \
	  $(BIN)/python bench/load.py $(BENCH_PG)/$$db --tickets $${n##*:}; done
	$(BIN)/python bench/http_bench.py $(BENCH_PG)/$(BENCH_PREFIX)_100k --busy-clerk clerk186a --port $(BENCH_PORT) --seconds $(BENCH_SECONDS)
	$(BIN)/python bench/http_bench.py $(BENCH_PG)/$(BENCH_PREFIX)_1m --busy-clerk clerk186a --port $(BENCH_PORT) --seconds $(BENCH_SECONDS)
	$(BIN)/python bench/sla_sweep_bench.py $(BENCH_PG)/$(BENCH_PREFIX)_sla
	$(BIN)/python bench/sla_sweep_bench.py $(BENCH_PG)/$(BENCH_PREFIX)_sla --reuse
	BENCH_DB=$(BENCH_PREFIX)_eval $(BIN)/python bench/evaluation_bench.py

lint: install
	$(BIN)/ruff check app workers tests bench migrations config.py wsgi.py gunicorn.conf.py

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) instance/desk.sqlite

translations-update: install ## re-extract the catalogue after changing user-visible strings
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -o app/translations/messages.pot app templates
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations -l en
	rm -f app/translations/messages.pot
