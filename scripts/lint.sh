#!/usr/bin/env bash
# The determinism and layering lint.
# 1. Deterministic folders must not touch the real world directly: no clocks, threads, sleeps,
#    sockets, files, getenv or OS randomness outside sim/, net/ and storage/posix/ (tests,
#    testkit/ and tools/ are exempt).
# 2. A library may include only its own folder and the folders below it in the layering.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
fail=0

pat='std::chrono::(system_clock|steady_clock|high_resolution_clock)|std::thread|std::jthread|std::async|std::mutex|std::random_device|[^_a-zA-Z.>:]s?rand\(|\btime\((NULL|nullptr|0)\)|sleep_for|sleep_until|\busleep\(|\bfopen\(|std::(i|o)?fstream|\bsocket\(|getenv\(|std::filesystem::|<unistd\.h>|<sys/socket\.h>|<thread>|<filesystem>|<fstream>'
dirs=""
for d in core storage raft mvcc sql gossip paxos node jepsen; do [[ -d $d ]] && dirs="$dirs $d"; done
if [[ -n "$dirs" ]]; then
  hits=$(grep -rnE "$pat" $dirs --include='*.cpp' --include='*.h' 2>/dev/null \
         | grep -vE '^storage/posix/|_test\.cpp:|test_util|/test_[a-z_]+\.(h|cpp):|_for_test\.h:|/testdata/' | grep -vE '^[^:]+:[0-9]+:\s*(//|\*)' || true)
  if [[ -n "$hits" ]]; then
    echo "lint: these lines reach the real world from a deterministic folder:"
    echo "$hits"
    fail=1
  fi
fi

# Allowed includes per layer (transitively closed), from docs/01-overview.md.
declare -A allowed=(
  [core]="core"
  [testkit]="core testkit"
  [trace]="core trace"
  [sim]="core sim"
  [net]="core net"
  [storage]="core storage"
  [raft]="core storage raft"
  [mvcc]="core storage mvcc"
  [sql]="core storage mvcc sql"
  [gossip]="core gossip"
  [paxos]="core storage paxos"
  [node]="core storage raft mvcc sql gossip paxos node"
  [jepsen]="core storage raft mvcc sql gossip paxos node sim net jepsen"
)
for layer in "${!allowed[@]}"; do
  [[ -d $layer ]] || continue
  while IFS= read -r line; do
    file=${line%%:*}
    inc=$(sed -nE 's/.*#include "([a-z_]+)\/.*/\1/p' <<<"$line")
    [[ -z "$inc" ]] && continue
    # Tests and their harness files (*_test.cpp, *test_util*, test_*.h/.cpp, *_for_test.h) may also
    # use the simulator and the golden runner.
    if [[ $file == *_test.cpp || $file == *test_util* || $file == */test_* || $file == *_for_test.h ]] && [[ $inc == sim || $inc == testkit ]]; then continue; fi
    # storage/posix is the one real-world piece of storage: it may use only core.
    if [[ $file == storage/posix/* && $inc != core && $inc != storage ]]; then
      echo "lint: $file includes $inc/ (storage/posix may include only core/)"; fail=1; continue
    fi
    if [[ " ${allowed[$layer]} " != *" $inc "* ]]; then
      echo "lint: $file includes $inc/, which is above or beside the $layer layer"
      fail=1
    fi
  done < <(grep -rnE '#include "[a-z_]+/' "$layer" --include='*.cpp' --include='*.h' 2>/dev/null)
done

if [[ $fail -eq 0 ]]; then echo "lint: clean"; fi
exit $fail
