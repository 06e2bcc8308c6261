#!/usr/bin/env bash
# Measures "boot to CRUD": from `starmodel init --install` (dependencies from the npm cache) to a
# running app that has created a record and listed it over HTTP. Prints seconds per step.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
pid=""
t0=$(date +%s.%N)
(cd "$work" && node "$root/bin/starmodel.js" init app --install >/dev/null)
t1=$(date +%s.%N)
cd "$work/app"
PORT=0 STARMODEL_SECRET=boot-to-crud-secret-0123456789abcdef node "$root/bin/starmodel.js" start >"$work/log" 2>&1 &
pid=$!
until url=$(grep -o 'listening on http://[^ ]*' "$work/log" | cut -d' ' -f3) && [ -n "$url" ]; do sleep 0.05; done
t2=$(date +%s.%N)
curl -sf -XPOST -H 'Accept: application/json' -H 'Content-Type: application/json' -d '{"title":"first"}' "$url/todo/create" >/dev/null
curl -sf -H 'Accept: application/json' "$url/todo" | grep -q '"first"'
curl -sf "$url/" | grep -q 'first'
t3=$(date +%s.%N)
printf 'init + npm install: %.1f s\nstart to listening: %.1f s\ncreate, list, page: %.2f s\ntotal: %.1f s\n' \
  "$(echo "$t1-$t0" | bc)" "$(echo "$t2-$t1" | bc)" "$(echo "$t3-$t2" | bc)" "$(echo "$t3-$t0" | bc)"
