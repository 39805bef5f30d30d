#!/usr/bin/env bash
# `make unit`: the Rust tests, each on SQLite and on PostgreSQL. CI names its database in
# TEST_DATABASE_URL; elsewhere the local PostgreSQL is used when it answers on 127.0.0.1:5432
# (tests make their own databases beside `shop_tests`), and when none does, that is said
# plainly at the end instead of tests quietly passing without it.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${TEST_DATABASE_URL:-}" ]; then
  admin="postgres://postgres@127.0.0.1:5432/postgres"
  if command -v psql >/dev/null && psql "$admin" -qAtc 'SELECT 1' >/dev/null 2>&1; then
    if [ "$(psql "$admin" -qAtc "SELECT 1 FROM pg_database WHERE datname = 'shop_tests'")" != 1 ]; then
      psql "$admin" -qc 'CREATE DATABASE shop_tests'
    fi
    export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:5432/shop_tests"
    echo "unit: using the local PostgreSQL ($TEST_DATABASE_URL)"
  fi
fi

# Each integration test is its own binary, and with full debug info each is gigabytes (the
# page views' types are deep): line tables keep backtraces' file:line and shrink them to a
# fraction. Set CARGO_PROFILE_DEV_DEBUG to override.
export CARGO_PROFILE_DEV_DEBUG="${CARGO_PROFILE_DEV_DEBUG:-line-tables-only}"
# Leptos's type erasure (what cargo-leptos's debug builds use): the page views' types, and so
# their symbols, stay small. Without it each test binary is about 2.6 GB and target/ passes
# 60 GB; with it about 160 MB, and the build is quicker. Set RUSTFLAGS to override.
export RUSTFLAGS="${RUSTFLAGS:---cfg erase_components}"
status=0
cargo test --features ssr "$@" || status=$?

if [ -z "${TEST_DATABASE_URL:-}" ]; then
  cat >&2 <<'NOTICE'

  ************************************************************************
  *  The PostgreSQL half of the tests did NOT run: no PostgreSQL answered *
  *  on 127.0.0.1:5432 and TEST_DATABASE_URL is not set. Tests named      *
  *  postgres::… passed without testing anything.                         *
  ************************************************************************
NOTICE
fi
exit "$status"
