#!/usr/bin/env bash
# Before the first release only: rebuild migrations/versions/0001 from the models.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
rm -f migrations/versions/0001_initial_schema.py
DATABASE_URL="sqlite:///$tmp/m.sqlite" .venv/bin/flask --app wsgi db migrate -m "initial schema" --rev-id 0001
rm -rf "$tmp"
echo "Now re-add the hand-written indexes (see 'Hand-written' in the previous 0001) before committing." >&2
