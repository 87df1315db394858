#!/usr/bin/env bash
# The tag of the service image: the chart's appVersion (helm/calico-policy-webhook/Chart.yaml),
# which is also the chart's default image.tag, so that the chart pulls what CI pushed.
#
#   .github/scripts/image-tag.sh                  prints the appVersion, e.g. 0.1.0
#   .github/scripts/image-tag.sh --check GIT_TAG  also fails unless GIT_TAG is v<appVersion>
#                                                 or <appVersion> (a release tag must name
#                                                 the version it publishes)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
chart_yaml=helm/calico-policy-webhook/Chart.yaml
app_version=$(sed -n -E 's/^appVersion:[[:space:]]*"?([^"[:space:]]+)"?[[:space:]]*$/\1/p' "$chart_yaml")
if [[ -z $app_version ]]; then
  echo "no appVersion in $chart_yaml" >&2
  exit 1
fi

case ${1:-} in
  "") ;;
  --check)
    tag=${2:?usage: image-tag.sh --check GIT_TAG}
    if [[ $tag != "v$app_version" && $tag != "$app_version" ]]; then
      echo "git tag $tag does not match the chart's appVersion $app_version: tag v$app_version, or set appVersion in $chart_yaml to the version you release" >&2
      exit 1
    fi
    ;;
  *)
    echo "usage: image-tag.sh [--check GIT_TAG]" >&2
    exit 2
    ;;
esac
echo "$app_version"
