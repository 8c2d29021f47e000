{{- define "ledgerlb.labels" -}}
app.kubernetes.io/name: ledgerlb
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "ledgerlb.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end }}

{{/* Where the ledger's Kafka is, by kafka.mode. */}}
{{- define "ledgerlb.bootstrap" -}}
{{- if eq .Values.kafka.mode "bundled" -}}
ledgerlb-kafka-0.ledgerlb-kafka.{{ .Release.Namespace }}.svc:9093
{{- else if eq .Values.kafka.mode "strimzi" -}}
{{ .Values.kafka.strimzi.cluster }}-kafka-bootstrap.{{ .Release.Namespace }}.svc:9093
{{- else if eq .Values.kafka.mode "existing" -}}
{{ required "kafka.bootstrap is required with kafka.mode=existing" .Values.kafka.bootstrap }}
{{- else -}}
{{ fail (printf "kafka.mode must be bundled, existing or strimzi, not %q" .Values.kafka.mode) }}
{{- end -}}
{{- end }}

{{/* The Kafka client properties of one process ("allocator" or "speaker"): plain ones, then those from Secrets. */}}
{{- define "ledgerlb.kafkaProperties" -}}
{{- $root := index . 0 -}}{{- $who := index . 1 -}}
{{- $props := deepCopy $root.Values.kafka.properties -}}
{{- if eq $root.Values.kafka.mode "strimzi" -}}
{{- $_ := set $props "security.protocol" "SASL_SSL" -}}
{{- $_ := set $props "sasl.mechanism" "SCRAM-SHA-512" -}}
{{- end -}}
{{- if or $root.Values.kafka.caSecret (eq $root.Values.kafka.mode "strimzi") -}}
{{- $_ := set $props "ssl.truststore.type" "PEM" -}}
{{- $_ := set $props "ssl.truststore.location" "/etc/ledgerlb/kafka-ca/ca.crt" -}}
{{- end -}}
{{- range $k := keys $props | sortAlpha }}
- --kafka-property={{ $k }}={{ index $props $k }}
{{- end }}
{{- range $i, $c := include "ledgerlb.kafkaCredentials" (list $root $who) | fromYamlArray }}
- --kafka-property={{ $c.property }}=$(LEDGERLB_KAFKA_SECRET_{{ $i }})
{{- end }}
{{- end }}

{{/* The credentials of one process: the values', or with Strimzi its KafkaUser's Secret. */}}
{{- define "ledgerlb.kafkaCredentials" -}}
{{- $root := index . 0 -}}{{- $who := index . 1 -}}
{{- if eq $root.Values.kafka.mode "strimzi" }}
- {property: sasl.jaas.config, secretName: {{ printf "ledgerlb-%s" $who }}, secretKey: sasl.jaas.config}
{{- else }}
{{- range (index $root.Values.kafka.credentials $who) }}
- {property: {{ .property }}, secretName: {{ .secretName }}, secretKey: {{ .secretKey }}}
{{- end }}
{{- end }}
{{- end }}

{{/* The env entries that carry the credentials' Secrets into the process's arguments. */}}
{{- define "ledgerlb.kafkaSecretEnv" -}}
{{- range $i, $c := include "ledgerlb.kafkaCredentials" . | fromYamlArray }}
- name: LEDGERLB_KAFKA_SECRET_{{ $i }}
  valueFrom:
    secretKeyRef: {name: {{ $c.secretName }}, key: {{ $c.secretKey }}}
{{- end }}
{{- end }}

{{- define "ledgerlb.caSecret" -}}
{{- if .Values.kafka.caSecret -}}
{{ .Values.kafka.caSecret }}
{{- else if eq .Values.kafka.mode "strimzi" -}}
{{ .Values.kafka.strimzi.cluster }}-cluster-ca-cert
{{- end -}}
{{- end }}

{{/* With the bundled Kafka: the process's Kafka client properties (TLS, SCRAM) from its Secret ledgerlb-kafka-<who>. */}}
{{- define "ledgerlb.bundledKafkaEnv" -}}
{{- if eq .Values.kafka.mode "bundled" }}
- name: LEDGERLB_KAFKA_PROPERTIES_FILE
  value: /etc/ledgerlb/kafka/kafka.properties
{{- end }}
{{- end }}
{{- define "ledgerlb.bundledKafkaMount" -}}
{{- if eq .Values.kafka.mode "bundled" }}
- {name: kafka-client, mountPath: /etc/ledgerlb/kafka, readOnly: true}
{{- end }}
{{- end }}
{{- define "ledgerlb.bundledKafkaVolume" -}}
{{- $root := index . 0 -}}{{- $who := index . 1 -}}
{{- if eq $root.Values.kafka.mode "bundled" }}
- name: kafka-client
  secret: {secretName: ledgerlb-kafka-{{ $who }}, defaultMode: 0440}
{{- end }}
{{- end }}
