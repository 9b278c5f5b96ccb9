#!/usr/bin/env bash
# Regenerates the sqllogictest files into a scratch folder and compares them with the committed
# ones, so the files in sql/testdata/slt/ are always what gen_slt.py writes (a hand edit, or a
# generator change without regenerating, fails this check). handwritten/ is not generated.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
scratch=$(mktemp -d /tmp/orrery-slt-gen-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
python3 "$root/sql/slt/gen/gen_slt.py" --out "$scratch" >/dev/null
diff -r --exclude=handwritten "$scratch" "$root/sql/testdata/slt" && echo "generated files match"
