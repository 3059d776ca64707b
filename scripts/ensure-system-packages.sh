#!/usr/bin/env bash
# Installs the Debian packages the tests drive: Chromium (editor tests), PostgreSQL and Redis (n8n
# server tests). The tests start and stop their own server processes; the packages' own services
# are not used. Needs root (CI and the development machines run as root).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -x /usr/lib/postgresql/15/bin/postgres ] || ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
	echo "Missing system packages: ${need[*]}. Install them (apt-get install ${need[*]}) or run as root." >&2
	exit 1
fi
echo "Installing ${need[*]} from Debian's packages..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
