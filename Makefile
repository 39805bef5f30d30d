# The two commands a new machine needs: `make run` and `make test`. Both set up first.
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)

ADDR ?= 127.0.0.1:3000
DATABASE_URL ?= sqlite://data/shop.db?mode=rwc

.PHONY: run test setup setup-test release unit schemathesis e2e dev lint bench cluster cluster-test clean-data

## Set up, build the release and run the shop on http://$(ADDR) with the demo catalogue.
run: setup release
	LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_ADDR=$(ADDR) LEPTOS_ENV=PROD \
	DATABASE_URL='$(DATABASE_URL)' target/release/shop serve --seed-demo

## Set up and run every test: unit + integration (SQLite, and PostgreSQL: TEST_DATABASE_URL,
## else the local server when it answers), then the API fuzzed against its OpenAPI document
## and Playwright end-to-end, both against the release build.
test: setup-test unit release schemathesis e2e

setup:
	@.ci/setup

setup-test:
	@.ci/setup --test

release:
	cargo leptos build --release --precompress

unit:
	tests/unit.sh

## Property-based tests of the REST API against its OpenAPI document (needs `release`).
schemathesis:
	end2end/schemathesis/run

e2e:
	npx playwright test -c end2end

## Live reload while developing (debug build, http://127.0.0.1:3000).
dev: setup
	cargo leptos watch -- serve --seed-demo

lint:
	cargo fmt --all -- --check
	cargo clippy --features ssr --all-targets -- -D warnings
	cargo clippy --features hydrate --lib --target wasm32-unknown-unknown -- -D warnings

## Several instances on PostgreSQL behind HAProxy, on this machine, until Ctrl-C
## (deploy/README.md; options: make cluster CLUSTER_ARGS="--instances 2 --port 28081").
cluster: setup release
	deploy/cluster run $(CLUSTER_ARGS)

## The kill test against the release build (no build: run `make release` or `make test` first).
cluster-test:
	deploy/cluster-test

## Speed, size and memory (see bench/README.md).
bench: setup
	bench/run

clean-data:
	rm -rf data
