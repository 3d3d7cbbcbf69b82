# kcost developer tasks. `just --list` shows them.

# Run the whole test suite (needs PostgreSQL and Redis; `.ci/run` starts them).
test:
    cargo test --workspace

# Offline unit tests only: domain, recommender and use cases (no database, no Redis).
test-unit:
    cargo test -p kcost-domain -p kcost-recommender -p kcost-app

# Run kcost with the embedded defaults.
run *ARGS:
    cargo run -p kcost-server --bin kcost -- {{ARGS}}

# Formatting and clippy, as CI runs them.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# Format everything.
fmt:
    cargo fmt --all

# What CI runs, services included.
ci:
    bash .ci/run
