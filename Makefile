# Meterline: `make run` serves the portal, `make test` runs every test. Both install what is missing.
SHELL := /bin/bash
VENV := .venv

.PHONY: run test build migrate bench browser-test lint format deps deps-test deps-bench clean

# Development: the dev inbox shows every SMS and email, also with DATABASE_URL set.
run: deps
	swift build
	DEV_MODE=$${DEV_MODE:-true} .build/debug/meterline seed --demo
	scripts/run-devices
	DEV_MODE=$${DEV_MODE:-true} BRIDGE_SECRET=$$(cat $${DATA_DIR:-.meterline}/bridge.secret) .build/debug/meterline serve

test: deps-test
	swift build --build-tests
	swift test; status=$$?; scripts/test-db; exit $$status
	$(MAKE) --no-print-directory browser-test

build: deps
	swift build

migrate: deps
	swift build --product meterline
	.build/debug/meterline migrate

# swift-format ships with the toolchain; its settings are in .swift-format.
lint:
	swift format lint --strict --recursive Sources Tests Package.swift

format:
	swift format format --in-place --recursive Sources Tests Package.swift

bench: deps-bench
	bench/run.sh
	bench/metering.sh
	bench/billing.sh
	bench/payments.sh
	bench/tickets.sh
	bench/protocol.sh
	bench/devices.sh

# Same flags as the test build, so running it after `swift test` rebuilds nothing.
browser-test: $(VENV)/.installed
	swift build --build-tests
	$(VENV)/bin/python -m pytest -q Tests/browser

$(VENV)/.installed: Tests/browser/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r Tests/browser/requirements.txt
	touch $@

deps:
	scripts/install-deps

deps-test:
	scripts/install-deps test

deps-bench:
	scripts/install-deps bench

clean:
	rm -rf .build $(VENV)
