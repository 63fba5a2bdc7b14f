# Kerma: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
NPM := npm
MOCHA := node_modules/.bin/mocha
STAMP := node_modules/.kerma-installed

.PHONY: run test lint typecheck unit conformance bench demo fuzz install clean

# Install (or update) dependencies only when package.json or the lock file changed.
$(STAMP): package.json package-lock.json
	$(NPM) ci --no-audit --no-fund
	@touch $(STAMP)

install: $(STAMP)

## run: start Kerma (embedded PostgreSQL unless DATABASE_URL is set) on http://127.0.0.1:8080
run: $(STAMP)
	node bin/kerma.js serve

## test: lint, type check, then every unit, integration and conformance test
test: $(STAMP)
	$(MAKE) --no-print-directory lint typecheck unit

lint: $(STAMP)
	node_modules/.bin/eslint .
	node_modules/.bin/prettier --check . --log-level warn

typecheck: $(STAMP)
	node_modules/.bin/tsc --noEmit

unit: $(STAMP)
	$(MOCHA)

bench: $(STAMP)
	@echo "bench: not yet (arrives with the extraction and ingest issues)"

demo: $(STAMP)
	@echo "demo: not yet (arrives with the synthetic dataset issue)"

fuzz: $(STAMP)
	@echo "fuzz: not yet (arrives with the extraction issue)"

clean:
	rm -rf .kerma/test-pg .kerma/test-results.json
