#!/usr/bin/env bash
# Installs the Debian 12 packages Orrery needs, only those missing. Uses sudo when not root.
set -euo pipefail
packages=(build-essential cmake ninja-build ccache pkg-config catch2 libfmt-dev libboost-dev
          nlohmann-json3-dev librapidcheck-dev libcli11-dev libedit-dev libleveldb-dev
          libsqlite3-dev libmd-dev
          postgresql-client python3-psycopg2  # the real clients of the PostgreSQL e2e test
          python3-cassandra                   # the real client of the CQL e2e test (Cassandra Python driver)
          chromium python3-websocket)  # the trace viewer's headless browser test
if [[ "${ORRERY_FUZZ:-0}" == "1" ]]; then
  packages+=(clang-14 libclang-rt-14-dev)  # libFuzzer and the sanitizer runtimes (scripts/fuzz.sh)
fi
if [[ "${ORRERY_ETCD:-0}" == "1" ]]; then
  packages+=(etcd-server)  # the peer of `orrery bench cluster --compare etcd` (its e2e test skips without)
fi
if [[ "${ORRERY_NOTEBOOKS:-0}" == "1" ]]; then
  packages+=(python3-matplotlib python3-pandas jupyter-nbconvert python3-nbformat python3-ipykernel)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if (( ${#missing[@]} )); then
  echo "== installing: ${missing[*]}"
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
