# Kerma: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
NPM := npm
MOCHA := node_modules/.bin/mocha
STAMP := node_modules/.kerma-installed

.PHONY: screenshots run test test-tools lint typecheck unit spec conformance bench bench-extract bench-import bench-cstore bench-generate bench-studies bench-mapping bench-analytics bench-drl demo fuzz install clean fixture-duplicate-10m fixture-analytics-4m

# A 64 MB young generation keeps the parser's many short-lived objects out of the old generation:
# it cuts parse time of a 1.3 MB fluoroscopy RDSR by about 40% (measured with bench/extract.ts).
NODE_FLAGS := --max-semi-space-size=64

# Install (or update) dependencies only when package.json or the lock file changed.
$(STAMP): package.json package-lock.json
	$(NPM) ci --no-audit --no-fund
	@touch $(STAMP)

install: $(STAMP)

## run: start Kerma (embedded PostgreSQL unless DATABASE_URL is set) on http://127.0.0.1:8080
run: $(STAMP)
	node $(NODE_FLAGS) bin/kerma.js serve

# Debian packages some tests drive for real, as PACKAGE:COMMAND (dcmtk: storescu, echoscu, dsrdump;
# chromium: the browser tests, through playwright-core).
TEST_DEBIAN_PACKAGES := dcmtk:storescu chromium:chromium

## test: lint, type check, then every unit, integration and conformance test
test: $(STAMP) test-tools
	$(MAKE) --no-print-directory lint typecheck unit

# Installs the missing TEST_DEBIAN_PACKAGES when root with apt-get; otherwise their tests skip with one line.
test-tools:
	@scripts/ensure-debian-packages.sh $(TEST_DEBIAN_PACKAGES)

lint: $(STAMP)
	node_modules/.bin/eslint .
	node_modules/.bin/prettier --check . --log-level warn

typecheck: $(STAMP)
	node_modules/.bin/tsc --noEmit

unit: $(STAMP)
	$(MOCHA)

## spec: only the named test files, with the suite's database hooks, e.g. make spec FILES=test/dashboard/shell.test.ts
# (.mocharc's spec list would add every other file to the ones named, hence --no-config)
spec: $(STAMP)
	$(MOCHA) --no-config --node-option import=tsx --extension ts --require test/support/root-hooks.ts --reporter spec --timeout 30000 --exit $(FILES)

## screenshots: pictures of the web pages from a synthetic region, into docs/screenshots/ (needs chromium)
screenshots: $(STAMP)
	node $(NODE_FLAGS) --import tsx scripts/screenshots.ts

## bench: every benchmark, printed as JSON lines (extraction, bulk import, C-STORE receive, generation)
bench: bench-extract bench-import bench-cstore bench-generate

bench-extract: $(STAMP)
	node $(NODE_FLAGS) --import tsx bench/extract.ts

bench-import: $(STAMP)
	node $(NODE_FLAGS) --import tsx bench/import.ts

bench-cstore: $(STAMP)
	node $(NODE_FLAGS) --import tsx bench/cstore.ts

bench-generate: $(STAMP)
	node $(NODE_FLAGS) --import tsx bench/generate.ts

## bench-studies: the study browser on a synthetic region (KERMA_BENCH_STUDIES, default 200,000): page 1, page 1,000, filtered queries
bench-studies: $(STAMP)
	node $(NODE_FLAGS) --import tsx bench/study-browser.ts

## bench-analytics: DRL compliance, one room's weekly trend, one patient's cumulative dose and the unmapped list over HTTP, p50/p99 and plans (KERMA_BENCH_EXAMS, default 200,000; KERMA_BENCH_FIXTURE_DIR=.kerma/fixture-analytics-4m for the 4 M fixture)
bench-analytics: $(STAMP)
	node $(NODE_FLAGS) --import tsx bench/analytics.ts
## bench-drl: dose metrics recompute (all studies, a batch of 1,000), year-wide DRL compliance and a local DRL run on a synthetic region (KERMA_BENCH_DRL_STUDIES, default 200,000)
bench-drl: $(STAMP)
	node $(NODE_FLAGS) --import tsx bench/dose-metrics.ts

## demo: start Kerma, send it a synthetic region (3,000 exams) over DICOM, end with the stats JSON line and the URL; Ctrl-C stops it
demo: $(STAMP)
	KERMA_DATA_DIR=$${KERMA_DATA_DIR:-.kerma/demo} node $(NODE_FLAGS) bin/kerma.js demo

## bench-mapping: procedure mapping on a synthetic region (KERMA_BENCH_MAPPING_STUDIES, default 200,000): re-map of history, one ingest batch, the unmapped list
bench-mapping: $(STAMP)
	node $(NODE_FLAGS) --import tsx bench/procedure-mapping.ts

## fixture-duplicate-10m: 10 M studies over 2 years (5 trusts), loaded directly, for the duplicate-check benchmark
fixture-duplicate-10m: $(STAMP)
	KERMA_DATA_DIR=$${KERMA_DATA_DIR:-.kerma/fixture-duplicate-10m} node $(NODE_FLAGS) bin/kerma.js generate --mode direct --seed 10 --trusts 5 --years 2 --exams 10000000

## fixture-analytics-4m: 4 M exams in one year, loaded directly, for the dashboard query benchmark
fixture-analytics-4m: $(STAMP)
	KERMA_DATA_DIR=$${KERMA_DATA_DIR:-.kerma/fixture-analytics-4m} node $(NODE_FLAGS) bin/kerma.js generate --mode direct --seed 4 --trusts 5 --years 1 --exams 4000000 --start 2025-01-01

## fuzz: the extraction fuzz property with many more cases (KERMA_FUZZ_RUNS, default 200000)
fuzz: $(STAMP)
	KERMA_FUZZ_RUNS=$${KERMA_FUZZ_RUNS:-200000} $(MOCHA) --no-config --node-option import=tsx --extension ts --timeout 0 test/ingest/fuzz.test.ts

## conformance: the per-file assertions of ../shared/corpus/expected.json, one line per failure
conformance: $(STAMP)
	npm run --silent conformance -- --expected ../shared/corpus/expected.json --dicom ../shared/corpus/dicom

clean:
	rm -rf .kerma/test-pg .kerma/test-results.json
