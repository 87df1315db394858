#!/usr/bin/env bash
# End-to-end test of calico-policy-webhook on the cluster that KUBECONFIG names (docs/development.md,
# "End-to-end test"). Installs a single-member etcd and the chart into a scratch namespace, then
# checks what a user sees: kubectl refusing broken policies with the documented message, the
# legacy key rewritten, profiles appearing in etcd and going with their pod, dry runs writing
# nothing, upgrades keeping the certificate, uninstall leaving nothing behind. Everything it
# created is removed on exit. --dry-run prints every command instead of running it.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: e2e/run.sh [--dry-run]

Tests calico-policy-webhook on the cluster of the current kubectl context (KUBECONFIG).
Needs bash 4.4+, kubectl and helm 3.13+ (or 4), and a user allowed to create namespaces,
webhook configurations and cluster roles. The webhook it installs judges only its own
scratch namespace, so the rest of the cluster is never affected.

  --dry-run   print every command it would run and run none (no cluster needed)
  -h, --help  this text

Environment:
  E2E_IMAGE        image under test as REPOSITORY:TAG (default: the chart's own,
                   image.repository at the chart's appVersion)
  E2E_PULL_POLICY  its pull policy (default IfNotPresent; Never for an image put on the
                   nodes with 'kind load docker-image')
  E2E_ETCD_IMAGE   etcd image with /usr/local/bin/etcd and etcdctl
                   (default: the one in e2e/manifests/etcd.yaml)
  E2E_TIMEOUT      seconds to wait for each asynchronous outcome (default 180)
  E2E_NAME         scratch namespace and release name (default cpw-e2e-<random>);
                   the test's own pods go to <name>-apps
  E2E_KEEP         1 leaves everything installed after the run, to look around
  E2E_UPGRADE_FROM CHART@VERSION of an earlier release, e.g.
                   oci://ghcr.io/OWNER/charts/calico-policy-webhook@0.1.0: installs that
                   first, writes a pod's profile under it, then upgrades to this chart and
                   E2E_IMAGE and checks that the profile and the certificate were kept
  E2E_UPGRADE_FROM_IMAGE  that release's image as REPOSITORY:TAG (default: its chart's own)
  E2E_TLS_MODE     the chart's tls.mode to install with: helm or service (default: the
                   chart's default); service checks that the caBundle the service wrote
                   survives helm upgrade
  E2E_NAMESPACE_SELECTOR  scratch (default): the webhook judges only the test's pod namespace;
                   chart: the chart's own namespaceSelector (no override), so the webhook
                   judges every namespace but the excluded ones, and the script checks that
                   the release namespace and a namespace labelled calicowebhook.io/ignore=true
                   are not judged. Only on a cluster of its own (the e2e workflow's kind
                   clusters use it)

While the webhook is scaled to zero, a pod without policy annotations must still be created
(matchConditions keep it out of the webhook's path); skipped on clusters older than 1.28.

Prints PASS or FAIL per check and exits non-zero when any check failed.
EOF
}

dry_run=0
while (($#)); do
  case $1 in
    --dry-run) dry_run=1 ;;
    -h | --help) usage; exit 0 ;;
    *) printf 'unknown argument: %s\n\n' "$1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

if ((BASH_VERSINFO[0] < 4 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] < 4))); then
  echo "e2e/run.sh needs bash 4.4 or newer (this is $BASH_VERSION)" >&2
  exit 2
fi
shopt -s inherit_errexit

cd "$(dirname "${BASH_SOURCE[0]}")/.."
chart=helm/calico-policy-webhook
manifests=e2e/manifests
expected=e2e/expected

name=${E2E_NAME:-cpw-e2e-$(printf '%04x%04x' "$RANDOM" "$RANDOM")}
apps=$name-apps
release=$name
timeout=${E2E_TIMEOUT:-180}
keep=${E2E_KEEP:-0}
etcd_url=http://etcd.$name.svc:2379
# The test's pods live in $apps, whose name has no character that profile ids escape.
web_profile=${apps}_web
dry_run_profile=${apps}_dry-run

image_args=()
if [[ -n ${E2E_IMAGE:-} ]]; then
  if [[ $E2E_IMAGE == *@* || ${E2E_IMAGE##*/} != *:* ]]; then
    echo "E2E_IMAGE must be REPOSITORY:TAG, e.g. calico-policy-webhook:e2e (got '$E2E_IMAGE')" >&2
    exit 2
  fi
  image_args=(--set "image.repository=${E2E_IMAGE%:*}" --set "image.tag=${E2E_IMAGE##*:}")
fi
image_args+=(--set "image.pullPolicy=${E2E_PULL_POLICY:-IfNotPresent}")

upgrade_from=${E2E_UPGRADE_FROM:-}
# What the first helm install installs: this chart and image, or the earlier release's.
install_chart=("$chart")
install_values=("${image_args[@]}")
if [[ -n $upgrade_from ]]; then
  if [[ $upgrade_from != ?*@?* ]]; then
    echo "E2E_UPGRADE_FROM must be CHART@VERSION, e.g. oci://ghcr.io/OWNER/charts/calico-policy-webhook@0.1.0 (got '$upgrade_from')" >&2
    exit 2
  fi
  install_chart=("${upgrade_from%@*}" --version "${upgrade_from##*@}")
  install_values=()
  if [[ -n ${E2E_UPGRADE_FROM_IMAGE:-} ]]; then
    install_values=(--set "image.repository=${E2E_UPGRADE_FROM_IMAGE%:*}" --set "image.tag=${E2E_UPGRADE_FROM_IMAGE##*:}")
  fi
fi

# The Secret that holds the serving pair: <fullname>-tls in helm mode, <fullname>-certs
# when the service makes its own certificates (tls.mode=service).
tls_args=()
tls_suffix=-tls
case ${E2E_TLS_MODE:-} in
  "") ;;
  helm) tls_args=(--set tls.mode=helm) ;;
  service) tls_args=(--set tls.mode=service); tls_suffix=-certs ;;
  *) echo "E2E_TLS_MODE must be helm or service (got '$E2E_TLS_MODE')" >&2; exit 2 ;;
esac

# The webhook judges only $apps (scratch), or every namespace the chart's own selector lets
# through (chart).
selector_args=()
case ${E2E_NAMESPACE_SELECTOR:-scratch} in
  scratch) selector_args=(--set-json "webhook.namespaceSelector={\"matchLabels\":{\"kubernetes.io/metadata.name\":\"$apps\"}}") ;;
  chart) ;;
  *) echo "E2E_NAMESPACE_SELECTOR must be scratch or chart (got '$E2E_NAMESPACE_SELECTOR')" >&2; exit 2 ;;
esac
chart_selector=0
[[ ${E2E_NAMESPACE_SELECTOR:-scratch} == chart ]] && chart_selector=1

# Scratch files: the reason a check failed, and whether anything was created in the cluster.
work=$(mktemp -d)
reason_file=$work/reason
skip_file=$work/skip
passed=0
failed=0
skipped=0

# Every command goes through run: it is printed (to the original stdout, also from inside
# $(...)), then run, unless this is a dry run.
exec 3>&1
run() {
  local word line="+"
  for word in "$@"; do
    if [[ $word =~ ^[-A-Za-z0-9_./:=@,+]+$ ]]; then line+=" $word"; else line+=" ${word@Q}"; fi
  done
  printf '%s\n' "$line" >&3
  ((dry_run)) || "$@"
}

# A check's explanation of its failure; returns 1 so that `test || because ...` fails the check.
# In a dry run nothing was run, so nothing can fail.
because() {
  ((dry_run)) && return 0
  printf '%s\n' "$*" >"$reason_file"
  return 1
}

# A check that does not apply here: it passes neither nor fails, and says why.
skip() {
  ((dry_run)) && return 0
  printf '%s\n' "$*" >"$skip_file"
}

expect_equal() { # what expected actual
  [[ $2 == "$3" ]] || because "$1: expected" "'$2'," "got '$3'"
}

# Runs one check in a subshell with errexit, so that any failing command fails it.
check() {
  local title=$1 status
  shift
  echo "a command failed (its output is above)" >"$reason_file"
  rm -f "$skip_file"
  set +e
  (
    set -e
    "$@"
  )
  status=$?
  set -e
  if ((dry_run)); then
    printf 'CHECK %s\n' "$title"
  elif ((status == 0)) && [[ -e $skip_file ]]; then
    skipped=$((skipped + 1))
    printf 'SKIP %s: %s\n' "$title" "$(cat "$skip_file")"
  elif ((status == 0)); then
    passed=$((passed + 1))
    printf 'PASS %s\n' "$title"
  else
    failed=$((failed + 1))
    printf 'FAIL %s: %s\n' "$title" "$(cat "$reason_file")"
  fi
}

# A check the rest depends on: stop at its failure.
must() {
  local before=$failed
  check "$@"
  if ((failed > before)); then
    exit 1
  fi
}

# Polls a condition every 2 s for up to E2E_TIMEOUT seconds; the condition leaves what it last
# saw in $last for the failure message.
last=""
wait_until() { # what condition [args]
  local what=$1 deadline=$((SECONDS + timeout))
  shift
  until "$@"; do
    if ((SECONDS >= deadline)); then
      because "waited ${timeout}s for $what; last saw '$last'"
      return 1
    fi
    sleep 2
  done
}

# An expected text with {namespace} (the test's pod namespace) and {uid} filled in.
render() { # file [uid]
  local text ns='{namespace}' uid='{uid}'
  text=$(<"$1")
  text=${text//"$ns"/$apps}
  printf '%s' "${text//"$uid"/${2:-}}"
}

etcdctl() {
  run kubectl exec -n "$name" deploy/etcd -- \
    /usr/local/bin/etcdctl --endpoints=http://127.0.0.1:2379 "$@"
}

# The value of KEY in etcd, in $value. A failing etcdctl fails the check with its own output
# (a bare "$(etcdctl ...)" argument would hide the failure and compare an empty value).
value=""
etcd_value() { # key
  value=$(etcdctl get "$1" --print-value-only 2>&1) || because "etcdctl get $1 failed: $value"
}

# The release's full name as the chart made it (nameOverride, truncation, a release name that
# holds the chart's name): the name of its one Deployment, found by the instance label. Kept in
# a file because checks run in subshells; "FULLNAME" in a dry run.
fullname() {
  if ((dry_run)); then
    echo FULLNAME
  else
    cat "$work/fullname"
  fi
}

cleanup() {
  local status=$?
  set +e
  if [[ ! -e $work/created ]]; then
    : # nothing to clean up
  elif ((keep)); then
    printf 'E2E_KEEP=1: left release %s, namespaces %s and %s\n' "$release" "$name" "$apps"
  else
    echo "cleaning up"
    run helm uninstall "$release" -n "$name" --ignore-not-found --wait --timeout 2m
    run kubectl delete namespace "$apps" "$name" --ignore-not-found --wait=false
    run kubectl delete validatingwebhookconfigurations,mutatingwebhookconfigurations,clusterroles,clusterrolebindings \
      -l "app.kubernetes.io/instance=$release" --ignore-not-found
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the checks ---------------------------------------------------------------------------

reaches_cluster() {
  if ((!dry_run)); then
    command -v kubectl >/dev/null || because "kubectl is not on PATH"
    command -v helm >/dev/null || because "helm is not on PATH"
  fi
  run kubectl version >/dev/null || because "cannot reach the cluster of the current context"
  run helm version --short
}

installs_etcd() {
  touch "$work/created"
  run kubectl create namespace "$name" >/dev/null
  run kubectl create namespace "$apps" >/dev/null
  # Both namespaces enforce the restricted Pod Security Standard: the chart's pods must pass it.
  run kubectl label namespace "$name" "$apps" \
    pod-security.kubernetes.io/enforce=restricted app.kubernetes.io/part-of=calico-policy-webhook-e2e >/dev/null
  run kubectl apply -n "$name" -f "$manifests/etcd.yaml" >/dev/null
  if [[ -n ${E2E_ETCD_IMAGE:-} ]]; then
    run kubectl set image -n "$name" deployment/etcd "etcd=$E2E_ETCD_IMAGE" >/dev/null
  fi
  run kubectl rollout status -n "$name" deployment/etcd --timeout="${timeout}s" >/dev/null ||
    because "etcd did not become ready in ${timeout}s"
}

installs_chart() {
  # By default the webhook judges only the test's own namespace, whatever happens to this script.
  run helm install "$release" "${install_chart[@]}" -n "$name" --wait --timeout 5m \
    --set "etcd.endpoints=$etcd_url" "${selector_args[@]}" \
    "${install_values[@]}" "${tls_args[@]}" >/dev/null || because "helm install failed (see its output above)"
}

names_release() {
  local names
  names=$(run kubectl get deployments -n "$name" -l "app.kubernetes.io/instance=$release" \
    -o 'jsonpath={.items[*].metadata.name}') || because "cannot list the release's Deployments: $names"
  ((dry_run)) && return 0
  [[ -n $names && $names != *" "* ]] ||
    because "expected one Deployment labelled app.kubernetes.io/instance=$release, found '$names'"
  printf '%s' "$names" >"$work/fullname"
}

# The first denial proves the kube-apiserver reaches the webhook through its Service.
webhook_denies() {
  local out
  if out=$(run kubectl apply --dry-run=server -n "$apps" -f "$manifests/pod-broken.yaml" 2>&1); then
    last="admitted: $out"
    return $((dry_run ? 0 : 1))
  fi
  last=$out
  [[ $out == *'admission webhook "validate.calicowebhook.io" denied the request: '* ]]
}

webhook_answers() {
  wait_until "the webhook to answer admission calls" webhook_denies
}

# kubectl apply of MANIFEST is refused with the text of EXPECTED (after kubectl's
# `admission webhook "validate.calicowebhook.io" denied the request: `), and nothing is stored.
refuses() { # manifest expected resource
  local out
  out=$(run kubectl apply -n "$apps" -f "$1" 2>&1) && because "kubectl apply -f $1 was accepted: $out"
  [[ $out == *'admission webhook "validate.calicowebhook.io" denied the request: '* ]] ||
    because "not refused by the webhook: $out"
  expect_equal "kubectl's message" "$(<"$2")" "${out#*denied the request: }"
  out=$(run kubectl get -n "$apps" "$3" -o name 2>&1) && because "$3 was stored anyway"
  [[ $out == *NotFound* || $out == *'not found'* ]] || because "cannot tell whether $3 exists: $out"
}

rewrites_legacy_key() {
  local out value
  out=$(run kubectl apply -n "$apps" -f "$manifests/pod-legacy.yaml" 2>&1) ||
    because "kubectl apply -f $manifests/pod-legacy.yaml failed: $out"
  [[ $out == *"Warning: $(<"$expected/legacy-warning.txt")"* ]] ||
    because "kubectl showed no warning about the rewrite: $out"
  value=$(run kubectl get -n "$apps" pod/legacy -o 'jsonpath={.metadata.annotations.projectcalico\.org/policy}')
  expect_equal "projectcalico.org/policy" "allow tcp to ports 8080" "$value"
  value=$(run kubectl get -n "$apps" pod/legacy -o 'jsonpath={.metadata.annotations.policy}')
  expect_equal "the legacy annotation 'policy'" "" "$value"
}

stores_nothing_on_server_dry_run() {
  local out
  out=$(run kubectl apply --dry-run=server -n "$apps" -f "$manifests/pod-dry-run.yaml" 2>&1) ||
    because "the server-side dry run was refused: $out"
  out=$(run kubectl get -n "$apps" pod/dry-run -o name 2>&1) && because "pod/dry-run was stored: $out"
  [[ $out == *NotFound* || $out == *'not found'* ]] || because "cannot tell whether pod/dry-run exists: $out"
}

etcd_value_is() { # key expected
  last=$(etcdctl get "$1" --print-value-only 2>&1) || return 1
  [[ $last == "$2" ]] || ((dry_run))
}

etcd_has_nothing_under() { # prefix
  last=$(etcdctl get --prefix --keys-only "$1" 2>&1) || return 1
  [[ -z $last ]] || ((dry_run))
}

writes_profile() {
  local uid
  run kubectl apply -n "$apps" -f "$manifests/pod-web.yaml" >/dev/null
  uid=$(run kubectl get -n "$apps" pod/web -o 'jsonpath={.metadata.uid}')
  wait_until "the rules of profile $web_profile in etcd" \
    etcd_value_is "/calico/v1/policy/profile/$web_profile/rules" "$(render "$expected/web-rules.json")"
  etcd_value "/calico/v1/policy/profile/$web_profile/tags"
  expect_equal "tags of $web_profile" "$(render "$expected/web-tags.json")" "$value"
  etcd_value "/calico-policy-webhook/v1/profiles/$web_profile"
  expect_equal "owner record of $web_profile" "$(render "$expected/web-owner.json" "$uid")" "$value"
  printf '%s' "$uid" >"$work/web-uid"
}

# Checked once the web pod's later admission has reached etcd.
left_etcd_untouched_by_dry_run() {
  etcd_has_nothing_under "/calico/v1/policy/profile/$dry_run_profile/" ||
    because "the dry-run pod has a profile: $last"
  etcd_has_nothing_under "/calico-policy-webhook/v1/profiles/$dry_run_profile" ||
    because "the dry-run pod has an owner record: $last"
}

deletes_profile_with_pod() {
  run kubectl delete -n "$apps" pod/web --wait=true --timeout="${timeout}s" >/dev/null
  wait_until "profile $web_profile to leave etcd" \
    etcd_has_nothing_under "/calico/v1/policy/profile/$web_profile/"
  wait_until "the owner record of $web_profile to leave etcd" \
    etcd_has_nothing_under "/calico-policy-webhook/v1/profiles/$web_profile"
}

# A broken policy in NAMESPACE goes through a server-side dry run: the webhook is not called.
broken_admitted_in() { # namespace
  last=$(run kubectl apply --dry-run=server -n "$1" -f "$manifests/pod-broken.yaml" 2>&1)
}

# With the chart's own namespaceSelector: the release namespace is never judged (the webhook
# could not start while it is down), whatever else the selector says.
release_namespace_not_judged() {
  broken_admitted_in "$name" || because "a broken policy in the release namespace $name was refused: $last"
}

# A namespace labelled calicowebhook.io/ignore=true is not judged; without the label it is again.
ignore_label_opts_out() {
  run kubectl label namespace "$apps" calicowebhook.io/ignore=true >/dev/null
  wait_until "a broken policy in $apps labelled calicowebhook.io/ignore=true to be admitted" \
    broken_admitted_in "$apps"
  run kubectl label namespace "$apps" calicowebhook.io/ignore- >/dev/null
  wait_until "the webhook to judge $apps again once the label is gone" webhook_denies
}

# The cluster's minor version, from /version ("28", or "28+" on some managed clusters).
server_minor() {
  local out
  out=$(run kubectl get --raw /version) || return 1
  ((dry_run)) && { echo 99; return 0; }
  [[ $out =~ \"minor\":[[:space:]]*\"([0-9]+) ]] || { echo "cannot read the minor version in: $out" >&2; return 1; }
  echo "${BASH_REMATCH[1]}"
}

webhook_pods_gone() {
  last=$(run kubectl get pods -n "$name" -l "app.kubernetes.io/instance=$release" -o name)
  [[ -z $last ]] || ((dry_run))
}

# An annotated pod is sent to the webhook, which nothing serves: refused by the API server.
webhook_unreachable() {
  if last=$(run kubectl apply --dry-run=server -n "$apps" -f "$manifests/pod-broken.yaml" 2>&1); then
    last="admitted: $last"
    return $((dry_run ? 0 : 1))
  fi
  [[ $last == *'failed calling webhook "validate.calicowebhook.io"'* ]]
}

# The webhook scaled to zero (failurePolicy Fail): a pod without the policy annotations is
# created all the same, because matchConditions keep it from the webhook; an annotated one is not.
unannotated_pod_passes_webhook_down() {
  local minor replicas out fullname
  minor=$(server_minor)
  if ((minor < 28)); then
    skip "Kubernetes 1.$minor has no matchConditions (beta from 1.28): every pod waits on the webhook"
    return 0
  fi
  fullname=$(fullname)
  replicas=$(run kubectl get deployment -n "$name" "$fullname" -o 'jsonpath={.spec.replicas}')
  printf '%s' "${replicas:-1}" >"$work/replicas"
  run kubectl scale deployment -n "$name" "$fullname" --replicas=0 >/dev/null
  wait_until "the webhook's pods to go" webhook_pods_gone
  wait_until "an annotated pod to be refused for want of the webhook" webhook_unreachable
  out=$(run kubectl apply -n "$apps" -f "$manifests/pod-plain.yaml" 2>&1) ||
    because "a pod without policy annotations was refused while the webhook was down: $out"
  run kubectl delete -n "$apps" pod/plain --wait=false >/dev/null
}

# Back to the replicas it had; the checks after it need the webhook.
webhook_scales_back() {
  local replicas fullname
  if [[ ! -e $work/replicas ]] && ((!dry_run)); then
    skip "it was not scaled down"
    return 0
  fi
  replicas=$(cat "$work/replicas" 2>/dev/null || echo 2)
  fullname=$(fullname)
  run kubectl scale deployment -n "$name" "$fullname" --replicas="$replicas" >/dev/null
  run kubectl rollout status -n "$name" "deployment/$fullname" --timeout="${timeout}s" >/dev/null ||
    because "the webhook did not become ready again in ${timeout}s"
  wait_until "the webhook to answer admission calls again" webhook_denies
}

certificate_state() {
  local fullname
  fullname=$(fullname)
  run kubectl get -n "$name" secret "$fullname$tls_suffix" -o 'jsonpath={.data.tls\.crt}'
  echo
  run kubectl get validatingwebhookconfiguration "$fullname" -o 'jsonpath={.webhooks[0].clientConfig.caBundle}'
  echo
}

serving_state() {
  certificate_state
  run kubectl get pods -n "$name" -l "app.kubernetes.io/instance=$release" \
    -o 'jsonpath={range .items[*]}{.metadata.name}{" "}{end}'
}

upgrade_keeps_certificate() {
  local before after
  before=$(serving_state)
  run helm upgrade "$release" "$chart" -n "$name" --reuse-values --wait --timeout 5m >/dev/null
  after=$(serving_state)
  expect_equal "serving certificate, caBundle and pods (no restart) after helm upgrade" "$before" "$after"
  refuses "$manifests/pod-broken.yaml" "$expected/pod-broken.txt" pod/broken
}

# From the earlier release to this chart and image: the serving certificate and caBundle stay,
# and the profile written under the earlier release is still there, owned by the same pod.
upgrades_from_earlier_release() {
  local before after uid
  before=$(certificate_state)
  # --reset-then-reuse-values: this chart's defaults for keys the earlier one did not have.
  run helm upgrade "$release" "$chart" -n "$name" --reset-then-reuse-values --wait --timeout 5m \
    "${image_args[@]}" >/dev/null || because "helm upgrade failed (see its output above)"
  after=$(certificate_state)
  expect_equal "serving certificate and caBundle after the upgrade" "$before" "$after"
  uid=$(cat "$work/web-uid" 2>/dev/null || true)
  etcd_value "/calico/v1/policy/profile/$web_profile/rules"
  expect_equal "rules of $web_profile after the upgrade" "$(render "$expected/web-rules.json")" "$value"
  etcd_value "/calico-policy-webhook/v1/profiles/$web_profile"
  expect_equal "owner record of $web_profile after the upgrade" \
    "$(render "$expected/web-owner.json" "$uid")" "$value"
}

uninstall_leaves_nothing() {
  local kind left fullname
  fullname=$(fullname)
  run helm uninstall "$release" -n "$name" --wait --timeout 5m >/dev/null
  for kind in validatingwebhookconfigurations mutatingwebhookconfigurations clusterroles clusterrolebindings; do
    left=$(run kubectl get "$kind" -l "app.kubernetes.io/instance=$release" -o name)
    left+=$(run kubectl get "$kind" "$fullname" --ignore-not-found -o name)
    expect_equal "$kind left by the release" "" "$left"
  done
  # The pre-delete hook (uninstall.deleteWebhooksFirst) leaves neither its Job nor its ServiceAccount.
  left=$(run kubectl get jobs,serviceaccounts -n "$name" -l "app.kubernetes.io/instance=$release" -o name)
  expect_equal "Jobs and ServiceAccounts left by the release" "" "$left"
  # Without its configurations the webhook is out of the admission chain.
  run kubectl apply --dry-run=server -n "$apps" -f "$manifests/pod-broken.yaml" >/dev/null ||
    because "pods are still judged after helm uninstall"
}

namespaces_go() {
  run kubectl delete namespace "$apps" "$name" --wait=true --timeout="${timeout}s" >/dev/null ||
    because "the namespaces were not deleted within ${timeout}s"
}

# --- the run ------------------------------------------------------------------------------

mode=""
if ((dry_run)); then
  mode=" (dry run: nothing is run)"
fi
if [[ -n $upgrade_from ]]; then
  mode+=" (upgrade from $upgrade_from)"
fi
printf 'calico-policy-webhook e2e: release %s in namespace %s, test pods in %s%s\n' \
  "$release" "$name" "$apps" "$mode"

must "the cluster answers" reaches_cluster
must "a single-member etcd runs in $name" installs_etcd
must "the chart installs and its pods become ready" installs_chart
must "the release's objects are found by its instance label" names_release
must "the webhook answers admission calls" webhook_answers
if [[ -n $upgrade_from ]]; then
  check "a valid pod's profile appears in etcd under the earlier release" writes_profile
  check "helm upgrade to this chart and image keeps the certificate and the profile" \
    upgrades_from_earlier_release
  check "after the upgrade a Pod with a broken policy is refused with the documented message" \
    refuses "$manifests/pod-broken.yaml" "$expected/pod-broken.txt" pod/broken
  check "after the upgrade a deleted pod's profile goes from etcd" deletes_profile_with_pod
  check "helm uninstall leaves no webhook configuration, cluster role or binding" uninstall_leaves_nothing
  check "the scratch namespaces can be deleted" namespaces_go
  printf '%d passed, %d failed\n' "$passed" "$failed"
  ((failed == 0))
  exit
fi
check "a Pod with a broken policy is refused with the documented message" \
  refuses "$manifests/pod-broken.yaml" "$expected/pod-broken.txt" pod/broken
check "a Deployment with a broken policy is refused with the message naming its template" \
  refuses "$manifests/deployment-broken.yaml" "$expected/deployment-broken.txt" deployment/broken
check "a Pod with the legacy key 'policy' is stored with projectcalico.org/policy" rewrites_legacy_key
check "a server-side dry run is admitted and stores no pod" stores_nothing_on_server_dry_run
check "a valid pod's profile appears in etcd" writes_profile
check "the server-side dry run wrote nothing to etcd" left_etcd_untouched_by_dry_run
check "a deleted pod's profile goes from etcd" deletes_profile_with_pod
if ((chart_selector)); then
  check "with the chart's namespaceSelector the release namespace is not judged" release_namespace_not_judged
  check "a namespace labelled calicowebhook.io/ignore=true is not judged" ignore_label_opts_out
fi
check "with the webhook scaled to zero a pod without policy annotations is created" \
  unannotated_pod_passes_webhook_down
must "the webhook scales back and answers again" webhook_scales_back
check "helm upgrade keeps the certificate and the pods, and the webhook still refuses" upgrade_keeps_certificate
check "helm uninstall leaves no webhook configuration, cluster role or binding" uninstall_leaves_nothing
check "the scratch namespaces can be deleted" namespaces_go

if ((dry_run)); then
  echo "dry run: printed the commands of every check; ran none"
else
  printf '%d passed, %d failed' "$passed" "$failed"
  if ((skipped)); then printf ', %d skipped' "$skipped"; fi
  printf '\n'
fi
((failed == 0))
