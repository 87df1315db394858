{{/* Monitoring: the metrics Service, ServiceMonitor, PrometheusRule and dashboard. */}}

{{/*
The container port that serves /q/metrics, by name, and its scheme. Everything that scrapes goes
through these two, so that moving metrics to another port changes only them.
*/}}
{{- define "cpw.metricsTargetPort" -}}management{{- end }}
{{- define "cpw.metricsScheme" -}}https{{- end }}

{{- define "cpw.metricsServiceName" -}}
{{- printf "%s-metrics" (include "cpw.fullname" . | trunc 55 | trimSuffix "-") }}
{{- end }}

{{/* Labels of the metrics Service, which the ServiceMonitor selects. */}}
{{- define "cpw.metricsSelectorLabels" -}}
{{ include "cpw.selectorLabels" . }}
app.kubernetes.io/component: metrics
{{- end }}

{{/* The PromQL label matchers every alert puts on the service's series. */}}
{{- define "cpw.alertSelector" -}}
{{- default (printf "namespace=%q" .Release.Namespace) .Values.metrics.prometheusRule.selector }}
{{- end }}

{{/* runbook_url of the alert named by .alert: the base URL and the alert's section anchor. */}}
{{- define "cpw.runbookUrl" -}}
{{- printf "%s#%s" .root.Values.metrics.prometheusRule.runbookBaseUrl (lower .alert) }}
{{- end }}

{{/* Whole seconds (at least 1) of a duration as reconciler.resyncPeriod takes it: 90s, 5m, 1h, 500ms. */}}
{{- define "cpw.durationSeconds" -}}
{{- $d := toString . }}
{{- if not (regexMatch "^[0-9]+(ms|s|m|h)$" $d) }}
{{- fail (printf "reconciler.resyncPeriod: %q is not a duration such as 90s, 5m or 1h" $d) }}
{{- end }}
{{- $n := regexFind "^[0-9]+" $d | atoi }}
{{- $unit := trimPrefix (toString $n) $d }}
{{- $seconds := 0 }}
{{- if eq $unit "h" }}{{ $seconds = mul $n 3600 }}
{{- else if eq $unit "m" }}{{ $seconds = mul $n 60 }}
{{- else if eq $unit "s" }}{{ $seconds = $n }}
{{- else }}{{ $seconds = div $n 1000 }}
{{- end }}
{{- max $seconds 1 }}
{{- end }}

{{/* How old the last successful resync may be: resyncMaxAgeSeconds, else three resync periods. */}}
{{- define "cpw.resyncMaxAgeSeconds" -}}
{{- if .Values.metrics.prometheusRule.resyncMaxAgeSeconds }}
{{- .Values.metrics.prometheusRule.resyncMaxAgeSeconds }}
{{- else }}
{{- mul 3 (include "cpw.durationSeconds" .Values.reconciler.resyncPeriod | atoi) }}
{{- end }}
{{- end }}

{{/* helm test ---------------------------------------------------------------- */}}

{{- define "cpw.testName" -}}
{{- printf "%s-test" (include "cpw.fullname" . | trunc 58 | trimSuffix "-") }}
{{- end }}

{{- define "cpw.testImage" -}}
{{- with .Values.tests.image }}
{{- if .digest }}
{{- printf "%s%s@%s" .repository (ternary (printf ":%s" .tag) "" (ne .tag "")) .digest }}
{{- else }}
{{- printf "%s:%s" .repository (required "tests.image.tag or tests.image.digest is required: helm test and the uninstall hook (uninstall.deleteWebhooksFirst) run that image" .tag) }}
{{- end }}
{{- end }}
{{- end }}
