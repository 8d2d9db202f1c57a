{{/* The provisioning times of a fake machine and of its fake node, API server and etcd. */}}
{{- define "inmemory.provisioning" -}}
vm:
  provisioning:
    startupDuration: {{ .Values.machineStartup | quote }}
    startupJitter: "0.2"
node:
  provisioning:
    startupDuration: {{ .Values.componentStartup | quote }}
    startupJitter: "0.2"
apiServer:
  provisioning:
    startupDuration: {{ .Values.componentStartup | quote }}
    startupJitter: "0.2"
etcd:
  provisioning:
    startupDuration: {{ .Values.componentStartup | quote }}
    startupJitter: "0.2"
{{- end }}

{{/* Machine health checks as the in-memory ClusterClass of Cluster API declares them. */}}
{{- define "inmemory.healthCheck" -}}
checks:
  unhealthyNodeConditions:
    - {type: Ready, status: Unknown, timeoutSeconds: 300}
    - {type: Ready, status: "False", timeoutSeconds: 300}
  unhealthyMachineConditions:
    - {type: NodeReady, status: Unknown, timeoutSeconds: 300}
    - {type: NodeReady, status: "False", timeoutSeconds: 300}
{{- end }}
