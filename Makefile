# The README's commands. `make` needs only python3 (3.11), npm and make on the machine:
# each target installs what it needs into .venv/ and node_modules/ first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
JB_FLAGS := -W -n --keep-going

.PHONY: pdf epub book test serve data-check benchmark clean assignments grade gradebook benchmark-grading student-release

# Cached execution re-runs a chapter when its own text changes. A chapter's output also depends on
# the book's package and data, so a change to either empties the execution cache (and Sphinx's
# record of what it has read, or it would not read the unchanged chapters again) first.
EXECUTION_INPUTS := $(wildcard ttpbook/*.py data/* references.bib)

book: $(BIN)/.book-deps node_modules/.installed _build/.execution-inputs   ## build the site into _build/html (cached execution)
	TTPBOOK_MODE=book $(BIN)/jupyter-book build . $(JB_FLAGS)

_build/.execution-inputs: $(EXECUTION_INPUTS)
	rm -rf _build/.jupyter_cache _build/.doctrees
	mkdir -p _build && touch $@

test: $(BIN)/.test-deps node_modules/.installed   ## run every test (builds the site with fresh execution)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

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

clean:
	rm -rf _build .jupyter_cache

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
