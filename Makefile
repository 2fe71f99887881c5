# The README's commands. `make` needs only python3 (3.11), npm and make on the machine:
# each target installs what it needs into .venv/ and node_modules/ first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
JB_FLAGS := -W -n --keep-going

.PHONY: book test test-fast pdf epub serve data-check benchmark clean assignments grade gradebook benchmark-grading student-release

# The build mode lives in one place: _ext/offline_assets.py sets TTPBOOK_MODE=book for the build and
# every kernel it starts, so `make book` and a plain `jupyter-book build .` build the same site.
#
# Cached execution re-runs a chapter when its own code changes. A chapter's output also depends on
# the modules the chapters import (ttpbook.preamble and what it imports, ttpbook.datapackage, ttpbook.sourcemix),
# the data and the bibliography, so a change to any of them (or a file added to or removed from
# them) empties the execution cache, and Sphinx's record of what it has read, first. Modules no
# chapter imports (grading, release, refresh_ucdp) are not inputs. tests/test_build.py checks
# this list against what the chapters really import.
CHAPTER_MODULES := __init__ preamble charts models widgets data datapackage theme render selfcheck sources sourcemix static_figure people prose_numbers
EXECUTION_INPUTS := $(sort $(CHAPTER_MODULES:%=ttpbook/%.py) $(wildcard data/*) references.bib)
ifneq ($(EXECUTION_INPUTS),$(shell cat _build/.execution-inputs 2>/dev/null))
.PHONY: _build/.execution-inputs
endif

book: $(BIN)/.book-deps node_modules/.installed _build/.execution-inputs   ## build the site into _build/html (cached execution)
	$(BIN)/jupyter-book build . $(JB_FLAGS)

_build/.execution-inputs: $(EXECUTION_INPUTS)
	rm -rf _build/.jupyter_cache _build/.doctrees
	mkdir -p _build && echo "$(EXECUTION_INPUTS)" > $@

# Lanes (markers are set in tests/conftest.py from the fixtures a test uses):
#   test-fast: the pure-Python tests, no build, no kernel, no browser (under a minute);
#   test:      everything; the site is built once, with fresh execution, into _build/test/.
FAST_LANE := not build and not browser and not binder and not kernel

test: $(BIN)/.test-deps node_modules/.installed   ## run every test (builds the site once, with fresh execution, into _build/test)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: $(BIN)/.test-deps   ## run the pure-Python tests only (no build, no kernel, no browser)
	$(BIN)/python -m pytest -m "$(FAST_LANE)" $(PYTEST_ARGS)

pdf: $(BIN)/.test-deps node_modules/.installed _build/.execution-inputs   ## the whole book and each chapter as PDF, in _build/pdf (Debian's Chromium prints it)
	$(BIN)/python -m ttpbook.editions pdf

epub: $(BIN)/.book-deps node_modules/.installed _build/.execution-inputs   ## the whole book as EPUB 3, _build/epub/ttp-dilemma.epub
	$(BIN)/python -m ttpbook.editions epub

serve:   ## serve the built site on http://127.0.0.1:$(PORT)
	@test -f _build/html/index.html || { echo "No built site: run 'make book' first."; exit 1; }
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory _build/html $(PORT)

data-check: $(BIN)/.book-deps   ## validate every table in data/ against data/datapackage.json
	$(BIN)/python -m ttpbook.datapackage check

benchmark: $(BIN)/.test-deps node_modules/.installed   ## print build times, page weights, slider latency
	$(BIN)/python scripts/benchmark.py

assignments: $(BIN)/.book-deps   ## generate exercises/student/ and exercises/dist/ from exercises/masters/
	$(BIN)/python -m ttpbook.grading assign

grade: $(BIN)/.book-deps   ## make grade ASSIGNMENT=<name> SUBMISSIONS=<folder> OUT=<file.csv> [GRADE_ARGS="--overwrite --format canvas"]: CSV, feedback and OUT_report.html
	@test -n "$(ASSIGNMENT)" && test -n "$(SUBMISSIONS)" && test -n "$(OUT)" || { echo "usage: make grade ASSIGNMENT=<name> SUBMISSIONS=<folder> OUT=<file.csv> [GRADE_ARGS=...]"; exit 2; }
	test -f exercises/dist/$(ASSIGNMENT)/autograder/$(ASSIGNMENT)-autograder.zip || $(BIN)/python -m ttpbook.grading assign $(ASSIGNMENT)
	$(BIN)/python -m ttpbook.grading grade "$(ASSIGNMENT)" "$(SUBMISSIONS)" "$(OUT)" $(GRADE_ARGS)

gradebook: $(BIN)/.book-deps   ## make gradebook GRADES=<folder of grades CSVs> OUT=<gradebook.csv> [WEIGHTS="background=1,capstone=2"]
	@test -n "$(GRADES)" && test -n "$(OUT)" || { echo "usage: make gradebook GRADES=<folder of grades CSVs> OUT=<gradebook.csv> [WEIGHTS=name=w,...|file.csv] [GRADEBOOK_ARGS=--overwrite]"; exit 2; }
	$(BIN)/python -m ttpbook.grading gradebook "$(GRADES)" "$(OUT)" $(if $(WEIGHTS),--weights "$(WEIGHTS)") $(GRADEBOOK_ARGS)

student-release: $(BIN)/.book-deps   ## make student-release OUT=<new folder>: the copy Binder and nbgitpuller give students (no answer keys)
	@test -n "$(OUT)" || { echo "usage: make student-release OUT=<new folder>"; exit 2; }
	$(BIN)/python -m ttpbook.release "$(OUT)"

benchmark-grading: $(BIN)/.book-deps   ## batch grading vs a serial loop of otter run, and the class report (100 submissions)
	$(BIN)/python scripts/benchmark_grading.py

clean:   ## remove every build output (the site, the execution cache, the test and benchmark builds)
	rm -rf _build

$(BIN)/.book-deps: requirements.txt constraints.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e . \
	  || $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

$(BIN)/.test-deps: $(BIN)/.book-deps requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@
