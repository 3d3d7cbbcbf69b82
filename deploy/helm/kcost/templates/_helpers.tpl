{{/* Names, labels and the shared pieces of the Deployment and the migration Job. */}}

{{- define "kcost.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "kcost.fullname" -}}
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

{{- define "kcost.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "kcost.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "kcost.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kcost.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "kcost.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/* The Secret kcost reads: the user's, or the chart's. */}}
{{- define "kcost.secretName" -}}
{{- .Values.secrets.existingSecret | default (include "kcost.fullname" .) }}
{{- end }}

{{/* Data of the chart-managed Secret (also copied into the migration hook's Secret). */}}
{{- define "kcost.secretData" -}}
api-key-pepper: {{ required "set secrets.apiKeyPepper (>= 16 random bytes) or secrets.existingSecret" .Values.secrets.apiKeyPepper | b64enc | quote }}
database-url: {{ required "set secrets.databaseUrl (postgres://…) or secrets.existingSecret" .Values.secrets.databaseUrl | b64enc | quote }}
{{- with .Values.secrets.adminToken }}
admin-token: {{ . | b64enc | quote }}
{{- end }}
{{- with .Values.secrets.timescaleUrl }}
timescale-url: {{ . | b64enc | quote }}
{{- end }}
{{- with .Values.secrets.redisUrl }}
redis-url: {{ . | b64enc | quote }}
{{- end }}
{{- end }}

{{/*
TOML from .Values.config (section → key → value). Written by hand rather than with
toToml: Helm reads YAML numbers as floats, and toToml would write `port = 8080.0`, which
kcost's integer keys reject. Whole floats become integers; strings and lists go out as
JSON, which is valid TOML for them. Write decimal rates as strings ("0.031611").
*/}}
{{- define "kcost.tomlValue" -}}
{{- if kindIs "float64" . -}}
{{- if eq . (floor .) }}{{ int64 . }}{{ else }}{{ . }}{{ end -}}
{{- else if or (kindIs "string" .) (kindIs "slice" .) -}}
{{- toJson . -}}
{{- else -}}
{{- . -}}
{{- end -}}
{{- end }}

{{- define "kcost.configToml" -}}
# Rendered from the chart's `config` values; layered after config/production.toml.
{{- range $section, $keys := .Values.config }}
[{{ $section }}]
{{- range $key, $value := $keys }}
{{ $key }} = {{ include "kcost.tomlValue" $value }}
{{- end }}
{{- end }}
{{- end }}

{{/* Environment shared by the server and `kcost migrate`; arg: (dict "ctx" $ "secret" name). */}}
{{- define "kcost.env" -}}
{{- $secret := .secret -}}
- name: KCOST_ENV
  value: {{ .ctx.Values.kcostEnv | quote }}
- name: KCOST_CONFIG_FILE
  value: /etc/kcost/kcost.toml
- name: KCOST_SECURITY__API_KEY_PEPPER
  valueFrom: {secretKeyRef: {name: {{ $secret }}, key: api-key-pepper}}
- name: KCOST_DATABASE__URL
  valueFrom: {secretKeyRef: {name: {{ $secret }}, key: database-url}}
- name: KCOST_TIMESCALE__URL
  valueFrom: {secretKeyRef: {name: {{ $secret }}, key: timescale-url, optional: true}}
- name: KCOST_REDIS__URL
  valueFrom: {secretKeyRef: {name: {{ $secret }}, key: redis-url, optional: true}}
{{- end }}
