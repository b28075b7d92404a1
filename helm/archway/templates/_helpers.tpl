{{/* Chart name, truncated to 63 characters (a DNS label). */}}
{{- define "archway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Full name of the release's objects. */}}
{{- define "archway.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "archway.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "archway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "archway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "archway.labels" -}}
helm.sh/chart: {{ include "archway.chart" . }}
{{ include "archway.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: archway
{{- end -}}

{{- define "archway.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "archway.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "archway.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* The namespaced permissions: in a ClusterRole, or in one Role per watched namespace. */}}
{{- define "archway.namespacedRules" -}}
- apiGroups: ["networking.k8s.io"]
  resources: ["ingresses"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["networking.k8s.io"]
  resources: ["ingresses/status"]
  verbs: ["update", "patch"]
- apiGroups: ["archway.dev"]
  resources: ["apiroutes"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["archway.dev"]
  resources: ["apiroutes/status"]
  verbs: ["update", "patch"]
- apiGroups: [""]
  resources: ["services"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["discovery.k8s.io"]
  resources: ["endpointslices"]
  verbs: ["get", "list", "watch"]
# Cross-namespace references: the namespace referred to grants them.
- apiGroups: ["archway.dev"]
  resources: ["referencegrants"]
  verbs: ["get", "list", "watch"]
# TLS certificates (tls.secretName), JWKS, API keys and OAuth2 client
# credentials live in Secrets that routes name. The controller fetches only
# those, by name: `get`, never list or watch, so it cannot enumerate the
# Secrets of a namespace (docs/scale.md "Least privilege"). Set
# watchNamespaces to confine even this to a list of namespaces.
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get"]
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end -}}

{{/* Fails the render when values contradict each other (the schema cannot say these). */}}
{{- define "archway.validate" -}}
{{- $p := .Values.proxy -}}
{{- if le (int .Values.terminationGracePeriodSeconds) (add (int $p.preStopSleepSeconds) (int $p.drainTimeoutSeconds) | int) -}}
{{- fail (printf "terminationGracePeriodSeconds (%d) must be longer than proxy.preStopSleepSeconds + proxy.drainTimeoutSeconds (%d + %d), or the kubelet kills the proxy before it has drained" (int .Values.terminationGracePeriodSeconds) (int $p.preStopSleepSeconds) (int $p.drainTimeoutSeconds)) -}}
{{- end -}}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) -}}
{{- fail (printf "autoscaling.minReplicas (%d) must not exceed autoscaling.maxReplicas (%d)" (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) -}}
{{- end -}}
{{- if and .Values.metrics.serviceMonitor.enabled .Values.metrics.podMonitor.enabled -}}
{{- fail "metrics.serviceMonitor and metrics.podMonitor both scrape the proxies' admin port: enable one, or every series is collected twice" -}}
{{- end -}}
{{- if and (not .Values.service.ports.http.enabled) (not .Values.service.ports.https.enabled) -}}
{{- fail "service.ports: at least one of http and https must be enabled" -}}
{{- end -}}
{{- /* Both containers share the pod's network namespace. */ -}}
{{- $ports := list (int $p.ports.http) (int $p.ports.https) (int $p.ports.admin) (int .Values.controller.healthPort) -}}
{{- if ne (len $ports) (len (uniq $ports)) -}}
{{- fail (printf "proxy.ports (http %d, https %d, admin %d) and controller.healthPort (%d) must all differ: the containers share the pod's network" (int $p.ports.http) (int $p.ports.https) (int $p.ports.admin) (int .Values.controller.healthPort)) -}}
{{- end -}}
{{- end -}}
