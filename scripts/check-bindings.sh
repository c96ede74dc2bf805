#!/usr/bin/env bash
# Generate the Python and Java binding sources offline (jsii-pacmak --code-only) and check them:
# the Python compiles, and each language has every class named on the command line.
set -euo pipefail
out=dist/bindings
rm -rf "$out"
jsii-pacmak --code-only --targets python,java --outdir "$out"
python3 -m compileall -q "$out/python" > /dev/null
for cls in "$@"; do
  grep -rqs "^class $cls\b" "$out/python" || { echo "python bindings lack class $cls" >&2; exit 1; }
  find "$out/java" -name "$cls.java" | grep -q . || { echo "java bindings lack $cls.java" >&2; exit 1; }
done
echo "bindings: python $(find "$out/python" -name '*.py' | wc -l) files, java $(find "$out/java" -name '*.java' | wc -l) files"
