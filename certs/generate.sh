#!/usr/bin/env bash
# Makes a private CA and a serving certificate for the webhook, valid for
#   <service>.<namespace>.svc, <service>.<namespace>.svc.cluster.local, localhost, 127.0.0.1
# and prints the base64 caBundle to paste into the webhook configurations.
#
# usage: certs/generate.sh [-s service] [-n namespace] [-o outdir] [-d days]
#   defaults: service calico-policy-webhook, namespace kube-system, outdir certs, 365 days
# Writes ca.crt, ca.key, tls.crt, tls.key into outdir. An existing CA in outdir is reused,
# so re-running the script rotates the serving certificate without changing the caBundle.
set -euo pipefail

service=calico-policy-webhook
namespace=kube-system
outdir="$(cd "$(dirname "$0")" && pwd)"
days=365
while getopts "s:n:o:d:h" opt; do
  case "$opt" in
    s) service=$OPTARG ;;
    n) namespace=$OPTARG ;;
    o) outdir=$OPTARG ;;
    d) days=$OPTARG ;;
    *) sed -n '2,9p' "$0"; exit 2 ;;
  esac
done
command -v openssl >/dev/null || { echo "openssl is required (Debian: apt-get install openssl)" >&2; exit 1; }
mkdir -p "$outdir"
umask 077

if [ ! -s "$outdir/ca.crt" ] || [ ! -s "$outdir/ca.key" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
    -keyout "$outdir/ca.key" -out "$outdir/ca.crt" \
    -subj "/CN=calico-policy-webhook-ca" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/ext.cnf" <<CNF
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:${service}.${namespace}.svc,DNS:${service}.${namespace}.svc.cluster.local,DNS:localhost,IP:127.0.0.1
CNF
openssl req -newkey rsa:2048 -nodes -sha256 -keyout "$tmp/tls.key" -out "$tmp/tls.csr" \
  -subj "/CN=${service}.${namespace}.svc" 2>/dev/null
openssl x509 -req -sha256 -days "$days" -in "$tmp/tls.csr" \
  -CA "$outdir/ca.crt" -CAkey "$outdir/ca.key" -CAcreateserial -CAserial "$tmp/ca.srl" \
  -extfile "$tmp/ext.cnf" -out "$tmp/tls.crt" 2>/dev/null
# Replace the pair in one step each so a running webhook never reads a half-written file.
mv -f "$tmp/tls.key" "$outdir/tls.key"
mv -f "$tmp/tls.crt" "$outdir/tls.crt"
chmod 600 "$outdir/tls.key" "$outdir/ca.key"
chmod 644 "$outdir/tls.crt" "$outdir/ca.crt"

echo "wrote $outdir/ca.crt $outdir/tls.crt $outdir/tls.key for ${service}.${namespace}.svc" >&2
echo "caBundle:" >&2
base64 -w0 "$outdir/ca.crt"
echo
