#!/usr/bin/env bash
# The release notes of VERSION: the body of its section in CHANGELOG.md (Keep a Changelog:
# `## [VERSION] - DATE` up to the next `## ` heading or the link definitions at the end).
# Fails when the section is missing or empty, so that a release cannot go out without notes.
#
#   .github/scripts/release-notes.sh 0.1.0 > notes.md
set -euo pipefail

version=${1:?usage: release-notes.sh VERSION}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
changelog=${CHANGELOG:-CHANGELOG.md}

notes=$(awk -v version="$version" '
  /^## / {
    if (found) exit
    heading = $0
    sub(/^## +\[?/, "", heading)
    sub(/\]?( +-.*)?$/, "", heading)
    if (heading == version) { found = 1; next }
  }
  /^\[[^]]+\]: / { if (found) exit }
  found { print }
' "$changelog")

if [[ -z ${notes//[[:space:]]/} ]]; then
  echo "$changelog has no section '## [$version]' with notes: add one before tagging v$version" >&2
  exit 1
fi
printf '%s\n' "$notes" | sed -e '/./,$!d'
