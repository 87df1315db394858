{{/* tls.mode=service: the service makes and renews its own certificates. */}}

{{/* The environment that turns the service's certificate controller on (none in other modes). */}}
{{- define "cpw.certsEnv" -}}
{{- if eq .Values.tls.mode "service" }}
- name: CALICO_CERTS_ENABLED
  value: "true"
- name: CALICO_CERTS_SECRET_NAME
  value: {{ include "cpw.tlsSecretName" . | quote }}
- name: CALICO_CERTS_SERVICE_NAME
  value: {{ include "cpw.fullname" . | quote }}
- name: CALICO_CERTS_VALIDATING_WEBHOOK
  value: {{ include "cpw.fullname" . | quote }}
- name: CALICO_CERTS_MUTATING_WEBHOOK
  value: {{ include "cpw.fullname" . | quote }}
{{- with .Values.tls.service }}
{{- range $value, $env := dict "validity" "CALICO_CERTS_VALIDITY" "renewBefore" "CALICO_CERTS_RENEW_BEFORE" "caValidity" "CALICO_CERTS_CA_VALIDITY" "caRenewBefore" "CALICO_CERTS_CA_RENEW_BEFORE" "overlap" "CALICO_CERTS_OVERLAP" "checkPeriod" "CALICO_CERTS_CHECK_PERIOD" }}
{{- with index $.Values.tls.service $value }}
- name: {{ $env }}
  value: {{ . | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
