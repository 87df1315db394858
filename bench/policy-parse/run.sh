#!/usr/bin/env bash
# Builds the project classes when needed, compiles the benchmark next to them and runs it.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -f target/classes/io/calicowebhook/policy/PolicyParser.class ] || ./mvnw -B -q compile
mkdir -p target/bench/policy-parse
javac -d target/bench/policy-parse -cp target/classes bench/policy-parse/PolicyParseBench.java bench/Results.java
exec java -cp target/bench/policy-parse:target/classes PolicyParseBench
