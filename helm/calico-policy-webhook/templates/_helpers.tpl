{{/* Names ------------------------------------------------------------------ */}}

{{- define "cpw.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The leader-election Lease: reconciler.leaseName, else the full name. */}}
{{- define "cpw.leaseName" -}}
{{- default (include "cpw.fullname" .) .Values.reconciler.leaseName }}
{{- end }}

{{- define "cpw.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "cpw.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "cpw.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cpw.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "cpw.labels" -}}
helm.sh/chart: {{ include "cpw.chart" . }}
{{ include "cpw.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "cpw.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "cpw.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "cpw.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The DNS name the kube-apiserver calls: <service>.<namespace>.svc */}}
{{- define "cpw.serviceDns" -}}
{{- printf "%s.%s.svc" (include "cpw.fullname" .) .Release.Namespace }}
{{- end }}

{{/* Fixed mount points; the environment variables point into them. */}}
{{- define "cpw.tlsDir" -}}/etc/calico-policy-webhook/tls{{- end }}
{{- define "cpw.etcdTlsDir" -}}/etc/calico-policy-webhook/etcd-tls{{- end }}
{{- define "cpw.clientCaDir" -}}/etc/calico-policy-webhook/client-ca{{- end }}

{{/* etcd endpoints as the comma-separated string ETCD_ENDPOINTS expects. */}}
{{- define "cpw.etcdEndpoints" -}}
{{- $e := .Values.etcd.endpoints }}
{{- if kindIs "slice" $e }}
{{- $e = join "," $e }}
{{- end }}
{{- $parts := list }}
{{- range splitList "," (toString $e) }}
{{- if trim . }}
{{- $parts = append $parts (trim .) }}
{{- end }}
{{- end }}
{{- join "," $parts }}
{{- end }}

{{/* clientAuth.names, a list or a comma-separated string, as one comma-separated string. */}}
{{- define "cpw.clientNames" -}}
{{- $n := .Values.clientAuth.names }}
{{- if kindIs "slice" $n }}
{{- $n = join "," $n }}
{{- end }}
{{- $parts := list }}
{{- range splitList "," (toString $n) }}
{{- if trim . }}
{{- $parts = append $parts (trim .) }}
{{- end }}
{{- end }}
{{- join "," $parts }}
{{- end }}

{{/* TLS ---------------------------------------------------------------------- */}}

{{- define "cpw.tlsSecretName" -}}
{{- if eq .Values.tls.mode "secret" }}
{{- required "tls.secretName is required with tls.mode=secret: the name of an existing kubernetes.io/tls Secret in the release namespace" .Values.tls.secretName }}
{{- else if eq .Values.tls.mode "service" }}
{{- printf "%s-certs" (include "cpw.fullname" .) }}
{{- else }}
{{- printf "%s-tls" (include "cpw.fullname" .) }}
{{- end }}
{{- end }}

{{/*
helm mode: the CA and serving certificate, made once per render and shared by
the Secret, the webhook configurations and the Deployment's checksum (stored in
the root context, which every template of the chart shares). An existing Secret
is reused (lookup) while it names the same Service and is further than
renewBeforeDays from expiry; a renewal keeps the previous CA in the caBundle so
that pods still serving the old certificate stay trusted during the rollout.
Result: a dict with ca, crt, key (PEM) and caBundle (PEM, one or two CAs).
*/}}
{{- define "cpw.helmTls" -}}
{{- if not (hasKey . "cpwHelmTls") }}
{{- $dns := include "cpw.serviceDns" . }}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "cpw.tlsSecretName" .) }}
{{- $data := dig "data" dict $existing }}
{{- $annotations := dig "metadata" "annotations" dict $existing }}
{{- $notAfter := index $annotations "calicowebhook.io/not-after" | default "0" | atoi }}
{{- $left := sub $notAfter (now | unixEpoch | atoi) }}
{{- $complete := and (hasKey $data "ca.crt") (hasKey $data "tls.crt") (hasKey $data "tls.key") }}
{{- $sameName := eq (index $annotations "calicowebhook.io/dns-name" | default "") $dns }}
{{- $result := dict }}
{{- if and $complete $sameName (gt $left (mul .Values.tls.helm.renewBeforeDays 86400)) }}
{{- $ca := index $data "ca.crt" | b64dec }}
{{- $result = dict "ca" $ca "crt" (index $data "tls.crt" | b64dec) "key" (index $data "tls.key" | b64dec) "caBundle" $ca "notAfter" (toString $notAfter) }}
{{- else }}
{{- $days := int .Values.tls.helm.validityDays }}
{{- $ca := genCA (printf "%s-ca" (include "cpw.fullname" .)) $days }}
{{- $names := list $dns (printf "%s.cluster.local" $dns) }}
{{- $cert := genSignedCert $dns nil $names $days $ca }}
{{- $bundle := $ca.Cert }}
{{- if hasKey $data "ca.crt" }}
{{- $bundle = printf "%s\n%s" (trim $ca.Cert) (index $data "ca.crt" | b64dec | trim) }}
{{- end }}
{{- $until := add (now | unixEpoch | atoi) (mul $days 86400) }}
{{- $result = dict "ca" $ca.Cert "crt" $cert.Cert "key" $cert.Key "caBundle" $bundle "notAfter" (toString $until) }}
{{- end }}
{{- $_ := set . "cpwHelmTls" $result }}
{{- end }}
{{- end }}

{{/* The base64 caBundle of the webhook configurations ("" in cert-manager mode). */}}
{{- define "cpw.caBundle" -}}
{{- if eq .Values.tls.mode "helm" }}
{{- include "cpw.helmTls" . }}
{{- .cpwHelmTls.caBundle | b64enc }}
{{- else if eq .Values.tls.mode "secret" }}
{{- $_ := include "cpw.tlsSecretName" . }}
{{- required "tls.caBundle is required with tls.mode=secret: the base64-encoded PEM CA certificate that signed the serving certificate in tls.secretName" .Values.tls.caBundle }}
{{- end }}
{{- end }}

{{/* cert-manager mode: the Certificate whose CA cainjector copies into caBundle, namespace/name:
     the chart's CA Certificate, or with issuerRef.name the serving Certificate (whose ca.crt is
     that issuer's CA). */}}
{{- define "cpw.caCertificateName" -}}
{{- if .Values.tls.certManager.issuerRef.name }}
{{- include "cpw.fullname" . }}
{{- else }}
{{- printf "%s-ca" (include "cpw.fullname" .) }}
{{- end }}
{{- end }}

{{/* What, when changed, must roll the pods: the serving certificate (or where it comes from). */}}
{{- define "cpw.tlsChecksum" -}}
{{- if eq .Values.tls.mode "helm" }}
{{- include "cpw.helmTls" . }}
{{- .cpwHelmTls.crt | sha256sum }}
{{- else }}
{{- dict "tls" .Values.tls "clientAuth" .Values.clientAuth | toJson | sha256sum }}
{{- end }}
{{- end }}

{{- define "cpw.configChecksum" -}}
{{- dict "config" .Values.config "etcd" .Values.etcd "extraEnv" .Values.extraEnv "clientAuth" .Values.clientAuth | toJson | sha256sum }}
{{- end }}

{{/* Webhook configurations: what both share. */}}

{{- define "cpw.webhookCommon" -}}
{{- /* Pods, and the workloads whose pod templates carry the policy (WorkloadKind in the
       service); no subresources, so scale and status updates never reach the webhook. */}}
rules:
  - apiGroups: [""]
    apiVersions: ["v1"]
    resources: ["pods", "replicationcontrollers", "podtemplates"]
    operations: ["CREATE", "UPDATE"]
    scope: Namespaced
  - apiGroups: ["apps"]
    apiVersions: ["v1"]
    resources: ["deployments", "replicasets", "statefulsets", "daemonsets"]
    operations: ["CREATE", "UPDATE"]
    scope: Namespaced
  - apiGroups: ["batch"]
    apiVersions: ["v1"]
    resources: ["jobs", "cronjobs"]
    operations: ["CREATE", "UPDATE"]
    scope: Namespaced
admissionReviewVersions: ["v1", "v1beta1"]
matchPolicy: Equivalent
timeoutSeconds: {{ .Values.webhook.timeoutSeconds }}
{{- end }}
{{/* Metadata of both webhook configurations: the chart's labels and webhook.labels; webhook.annotations
     and, in cert-manager mode, where cainjector takes the caBundle from (the CA Certificate, whose
     CA outlives every renewal of the serving certificate). */}}
{{- define "cpw.webhookMetadata" -}}
name: {{ include "cpw.fullname" . }}
labels:
  {{- include "cpw.labels" . | nindent 2 }}
  {{- with .Values.webhook.labels }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- $annotations := deepCopy (.Values.webhook.annotations | default dict) }}
{{- if eq .Values.tls.mode "cert-manager" }}
{{- $_ := set $annotations "cert-manager.io/inject-ca-from" (printf "%s/%s" .Release.Namespace (include "cpw.caCertificateName" .)) }}
{{- end }}
{{- with $annotations }}
annotations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/*
Whether the webhook configurations carry matchConditions: webhook.matchConditions true or false,
or with "auto" when the cluster is 1.28 or newer (beta and on by default there, GA in 1.30).
*/}}
{{- define "cpw.matchConditions" -}}
{{- $setting := toString .Values.webhook.matchConditions }}
{{- if eq $setting "auto" }}
{{- if semverCompare ">=1.28-0" .Capabilities.KubeVersion.Version }}true{{ end }}
{{- else if eq $setting "true" }}true
{{- end }}
{{- end }}

{{/*
CEL: whether the pod annotations of one object (the variable named .var: object or oldObject) hold
one of .keys. Where the pod annotations are depends on the kind (SPEC "Pod templates of workloads",
WorkloadKind in the service): a Pod's own metadata, a workload's pod template; never a workload's
own metadata. Every step is guarded by has(), so that an object without annotations (or without
the field at all) is false rather than an error, which failurePolicy Fail would turn into a denial.
*/}}
{{- define "cpw.celPodAnnotations" -}}
{{- $var := .var }}
{{- $keys := .keys }}
{{- $byPath := list
  (list (list "Pod") (list "metadata"))
  (list (list "Deployment" "ReplicaSet" "StatefulSet" "DaemonSet" "Job" "ReplicationController") (list "spec" "template" "metadata"))
  (list (list "CronJob") (list "spec" "jobTemplate" "spec" "template" "metadata"))
  (list (list "PodTemplate") (list "template" "metadata")) }}
{{- $clauses := list }}
{{- range $byPath }}
{{- $kinds := index . 0 }}
{{- $path := append (index . 1) "annotations" }}
{{- $kindTest := "" }}
{{- if eq (len $kinds) 1 }}
{{- $kindTest = printf "request.kind.kind == '%s'" (first $kinds) }}
{{- else }}
{{- $quoted := list }}
{{- range $kinds }}{{ $quoted = append $quoted (printf "'%s'" .) }}{{ end }}
{{- $kindTest = printf "request.kind.kind in [%s]" (join ", " $quoted) }}
{{- end }}
{{- $steps := list }}
{{- $at := $var }}
{{- range $path }}
{{- $at = printf "%s.%s" $at . }}
{{- $steps = append $steps (printf "has(%s)" $at) }}
{{- end }}
{{- $steps = append $steps (printf "%s != null" $at) }}
{{- $has := list }}
{{- range $keys }}{{ $has = append $has (printf "'%s' in %s" . $at) }}{{ end }}
{{- $steps = append $steps (printf "(%s)" (join " || " $has)) }}
{{- $clauses = append $clauses (printf "(%s && %s)" $kindTest (join " && " $steps)) }}
{{- end }}
{{- printf "%s != null && (%s)" $var (join " || " $clauses) }}
{{- end }}

{{/* The validating webhook's condition: the new object's pod annotations hold a policy key, or, on
     UPDATE, the old object's did (so that removing or keeping a broken policy is still judged). */}}
{{- define "cpw.validatingCondition" -}}
{{- $keys := list "projectcalico.org/policy" "policy" }}
{{- printf "(%s) || (request.operation == 'UPDATE' && %s)" (include "cpw.celPodAnnotations" (dict "var" "object" "keys" $keys)) (include "cpw.celPodAnnotations" (dict "var" "oldObject" "keys" $keys)) }}
{{- end }}

{{/* The mutating webhook's condition: the new object still uses the legacy key, which /mutate rewrites. */}}
{{- define "cpw.mutatingCondition" -}}
{{- include "cpw.celPodAnnotations" (dict "var" "object" "keys" (list "policy")) }}
{{- end }}

{{/*
Both webhooks' namespaceSelector: webhook.namespaceSelector (or nothing) with the chart's
exclusions appended to its matchExpressions, so that no custom selector can drop them: the release
namespace and webhook.excludeNamespaces, and every namespace labelled calicowebhook.io/ignore=true
(NotIn: a namespace without the label, or with another value, is still sent).
*/}}
{{- define "cpw.namespaceSelector" -}}
{{- $selector := deepCopy (.Values.webhook.namespaceSelector | default dict) }}
{{- $excluded := concat (list .Release.Namespace) .Values.webhook.excludeNamespaces | uniq }}
{{- $expressions := concat ($selector.matchExpressions | default list) (list
  (dict "key" "kubernetes.io/metadata.name" "operator" "NotIn" "values" $excluded)
  (dict "key" "calicowebhook.io/ignore" "operator" "NotIn" "values" (list "true"))) }}
{{- $_ := set $selector "matchExpressions" $expressions }}
{{- toYaml $selector }}
{{- end }}

{{/* Values that the schema cannot check; each failure says what to set. */}}
{{- define "cpw.validate" -}}
{{- $endpoints := include "cpw.etcdEndpoints" . }}
{{- if not $endpoints }}
{{- fail "etcd.endpoints is required: the etcd client URLs Calico's Felix reads, e.g. --set etcd.endpoints=https://etcd-0.etcd:2379 (a comma-separated string or a list)" }}
{{- else }}
{{- range splitList "," $endpoints }}
{{- if not (regexMatch "^https?://[^/\\s]+/?$" .) }}
{{- fail (printf "etcd.endpoints: %q is not an etcd client URL; write scheme://host:port, e.g. https://etcd-0.etcd:2379" .) }}
{{- end }}
{{- end }}
{{- end }}
{{- if eq .Values.tls.mode "secret" }}
{{- $ca := include "cpw.caBundle" . }}
{{- if not (contains "-----BEGIN CERTIFICATE-----" (b64dec $ca)) }}
{{- fail "tls.caBundle must be the base64 encoding of a PEM CA certificate (base64 -w0 ca.crt)" }}
{{- end }}
{{- end }}
{{- with .Values.etcd.tls }}
{{- if and .secretName (ne (empty .certKey) (empty .keyKey)) }}
{{- fail "etcd.tls.certKey and etcd.tls.keyKey go together: set both for a client certificate, or both to \"\" for none" }}
{{- end }}
{{- end }}
{{- if and .Values.clientAuth.enabled (not .Values.clientAuth.caSecretName) }}
{{- fail "clientAuth.caSecretName is required with clientAuth.enabled=true: a Secret holding the PEM CA that signs the kube-apiserver's client certificate" }}
{{- end }}
{{- if and (include "cpw.clientNames" .) (not .Values.clientAuth.enabled) }}
{{- fail "clientAuth.names needs clientAuth.enabled=true and clientAuth.caSecretName: names are only checked on client certificates the client CA verified" }}
{{- end }}
{{- end }}

{{/* The pre-delete hook's objects (uninstall.deleteWebhooksFirst). */}}
{{- define "cpw.uninstallName" -}}
{{- printf "%s-pre-delete" (include "cpw.fullname" . | trunc 52 | trimSuffix "-") }}
{{- end }}
