#!/usr/bin/env bash
# Makes a private CA and a serving certificate for the webhook, valid for
#   <service>.<namespace>.svc, <service>.<namespace>.svc.cluster.local, localhost, 127.0.0.1
# and prints the base64 caBundle to paste into the webhook configurations.
#
# usage: certs/generate.sh [-s service] [-n namespace] [-o outdir] [-d days] [-c client [-a altnames]]
#   defaults: service calico-policy-webhook, namespace kube-system, outdir certs, 365 days
# Writes ca.crt, ca.key, tls.crt, tls.key into outdir. An existing CA in outdir is reused,
# so re-running the script rotates the serving certificate without changing the caBundle.
# With -c NAME it writes a client certificate NAME.crt, NAME.key (CN=NAME, clientAuth) signed
# by the CA in outdir instead: the kube-apiserver's certificate when WEBHOOK_CLIENT_CA is set.
# -a adds subject alternative names to it in openssl's form, e.g. -a DNS:apiserver.example.com.
set -euo pipefail

service=calico-policy-webhook
namespace=kube-system
outdir="$(cd "$(dirname "$0")" && pwd)"
days=365
client=
altnames=
while getopts "s:n:o:d:c:a:h" opt; do
  case "$opt" in
    s) service=$OPTARG ;;
    n) namespace=$OPTARG ;;
    o) outdir=$OPTARG ;;
    d) days=$OPTARG ;;
    c) client=$OPTARG ;;
    a) altnames=$OPTARG ;;
    *) sed -n '2,12p' "$0"; exit 2 ;;
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
if [ -n "$client" ]; then
  name=$client
  subject="/CN=${client}"
  cat > "$tmp/ext.cnf" <<CNF
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth
CNF
  [ -z "$altnames" ] || echo "subjectAltName=${altnames}" >> "$tmp/ext.cnf"
else
  name=tls
  subject="/CN=${service}.${namespace}.svc"
  cat > "$tmp/ext.cnf" <<CNF
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:${service}.${namespace}.svc,DNS:${service}.${namespace}.svc.cluster.local,DNS:localhost,IP:127.0.0.1
CNF
fi
openssl req -newkey rsa:2048 -nodes -sha256 -keyout "$tmp/$name.key" -out "$tmp/$name.csr" \
  -subj "$subject" 2>/dev/null
# A fresh serial file per run: every certificate gets a new random serial.
openssl x509 -req -sha256 -days "$days" -in "$tmp/$name.csr" \
  -CA "$outdir/ca.crt" -CAkey "$outdir/ca.key" -CAcreateserial -CAserial "$tmp/ca.srl" \
  -extfile "$tmp/ext.cnf" -out "$tmp/$name.crt" 2>/dev/null
chmod 600 "$tmp/$name.key"
chmod 644 "$tmp/$name.crt"
# Replace the pair in one step each (rename within one file system is atomic) so a running
# webhook never reads a half-written file; the key first, as the reload reads both.
mv -f "$tmp/$name.key" "$outdir/$name.key"
mv -f "$tmp/$name.crt" "$outdir/$name.crt"
chmod 600 "$outdir/ca.key"
chmod 644 "$outdir/ca.crt"

if [ -n "$client" ]; then
  echo "wrote $outdir/$name.crt $outdir/$name.key (client certificate CN=${client})" >&2
  exit 0
fi
echo "wrote $outdir/ca.crt $outdir/tls.crt $outdir/tls.key for ${service}.${namespace}.svc" >&2
echo "caBundle:" >&2
base64 -w0 "$outdir/ca.crt"
echo
