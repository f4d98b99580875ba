# The two commands: `make run` (install, prepare the database with the snapshot, serve) and
# `make test` (install the test dependencies and run the whole suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export KOMMUNKVALITET_DATA_DIR ?= $(CURDIR)/var
export KOMMUNKVALITET_SNAPSHOT ?= $(abspath $(CURDIR)/../shared/data)

.PHONY: run test install install-test lint typecheck format bench clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install
	$(BIN)/kommunkvalitet setup
	$(BIN)/kommunkvalitet serve --bind 127.0.0.1:8000

# The suite runs on TEST_WORKERS processes (pytest-xdist; 2 for the 2-core machines), the tests in order
# (database tests first, the slowest files first: tests/conftest.py) to whichever worker is free; the
# snapshot import and the served sites are built once and copied to each worker (tests/buildonce.py).
# `make test TEST_WORKERS=0` runs it in one process. (Not --dist loadgroup: pytest-xdist 3.8 groups by
# setting item._nodeid, which pytest 9 no longer reads; not worksteal: see tests/conftest.py.)
TEST_WORKERS ?= 2
test: install-test
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist load $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: install-test
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install-test
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

# The English catalogue: collect every message of the templates and the Python code into the .po (new ones
# with an empty msgstr, for you to translate), then compile the .mo with Babel (no GNU msgfmt needed).
# makemessages needs GNU gettext's xgettext (Debian: gettext). tests/test_translations.py checks both files.
LOCALE := src/kommunkvalitet/locale/en/LC_MESSAGES
messages: install-test
	cd src/kommunkvalitet && $(CURDIR)/$(BIN)/kommunkvalitet manage makemessages -l en --no-obsolete --add-location file --ignore 'static/*'
	$(BIN)/pybabel compile -D django -i $(LOCALE)/django.po -o $(LOCALE)/django.mo -l en --statistics

bench: install-test
	$(BIN)/python benchmarks/import_snapshot.py

clean:
	rm -rf $(VENV) var .pytest_cache
