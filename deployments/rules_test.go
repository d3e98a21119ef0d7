package deployments

import (
	"strings"
	"testing"
)

const goodService = `
services:
  api:
    build: .
    environment:
      MONGODB_URI: mongodb://mongo:27017/complytrack
      COMPLYTRACK_PUBLIC_URL: https://complytrack.example.gov.uk
      COMPLYTRACK_JWT_KEYS: ${COMPLYTRACK_JWT_KEYS}
      COMPLYTRACK_LOG_LEVEL: info
  mailcatcher:
    image: axllent/mailpit:v1.22.3
`

func TestComposeRules(t *testing.T) {
	tests := []struct {
		name, compose, want string // want "": no problem at all
	}{
		{"a complete service passes", goodService, ""},
		{"latest", strings.Replace(goodService, "v1.22.3", "latest", 1), "axllent/mailpit:latest is not pinned"},
		{"no tag", strings.Replace(goodService, ":v1.22.3", "", 1), "axllent/mailpit has no tag"},
		{"major only", strings.Replace(goodService, "v1.22.3", "v1", 1), "axllent/mailpit:v1 is not pinned"},
		{"major.minor", strings.Replace(goodService, "v1.22.3", "v1.22", 1), "axllent/mailpit:v1.22 is not pinned"},
		{"a digest is pinned", strings.Replace(goodService, ":v1.22.3", "@sha256:0123abcd", 1), ""},
		{"unknown setting", strings.Replace(goodService, "COMPLYTRACK_LOG_LEVEL", "COMPLYTRACK_LOGLEVEL", 1), "sets COMPLYTRACK_LOGLEVEL, which is not a setting"},
		{"bad value", strings.Replace(goodService, "LOG_LEVEL: info", "LOG_LEVEL: loud", 1), "setting COMPLYTRACK_LOG_LEVEL: must be one of"},
		{"no database", strings.Replace(goodService, "MONGODB_URI", "#", 1), "does not set MONGODB_URI"},
		{"no key", strings.Replace(goodService, "COMPLYTRACK_JWT_KEYS:", "#", 1), "does not set COMPLYTRACK_JWT_KEYS or COMPLYTRACK_JWT_KEYS_FILE"},
		{"key from a file", strings.Replace(goodService, "COMPLYTRACK_JWT_KEYS:", "COMPLYTRACK_JWT_KEYS_FILE:", 1), ""},
		{"no public address", strings.Replace(goodService, "COMPLYTRACK_PUBLIC_URL", "#", 1), "does not set COMPLYTRACK_PUBLIC_URL"},
		{"list form", `
services:
  worker:
    build: .
    environment:
      - MONGODB_URI=mongodb://mongo:27017/complytrack
      - COMPLYTRACK_PUBLIC_URL=https://complytrack.example.gov.uk
      - COMPLYTRACK_JWT_KEY=x
`, "sets COMPLYTRACK_JWT_KEY, which is not a setting"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertProblems(t, checkCompose([]byte(tt.compose)), tt.want)
		})
	}
}

const goodManifests = `
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  COMPLYTRACK_PUBLIC_URL: https://complytrack.example.gov.uk
---
apiVersion: v1
kind: Secret
metadata:
  name: secrets
stringData:
  MONGODB_URI: "REPLACE-ME"
  COMPLYTRACK_JWT_KEYS: "REPLACE-ME"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          image: ghcr.io/complytrack/complytrack:1.0.0
          ports:
            - containerPort: 8080
          env:
            - name: COMPLYTRACK_WORKER
              value: "off"
          envFrom:
            - configMapRef:
                name: settings
            - secretRef:
                name: secrets
          readinessProbe:
            httpGet: {path: /readyz, port: 8080}
          livenessProbe:
            httpGet: {path: /healthz, port: 8080}
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {memory: 256Mi}
`

func TestManifestRules(t *testing.T) {
	tests := []struct {
		name, manifests, want string
	}{
		{"a complete Deployment passes", goodManifests, ""},
		{"latest", strings.Replace(goodManifests, ":1.0.0", ":latest", 1), "complytrack:latest is not pinned"},
		{"no readiness", strings.Replace(goodManifests, "readinessProbe:", "readinessProbeX:", 1), "has no readinessProbe"},
		{"no liveness", strings.Replace(goodManifests, "livenessProbe:", "livenessProbeX:", 1), "has no livenessProbe"},
		{"probe of an undeclared port", strings.Replace(goodManifests, "{path: /healthz, port: 8080}", "{path: /healthz, port: metrics}", 1), "livenessProbe asks port metrics, which the container does not declare"},
		{"probe of a named port", strings.Replace(strings.Replace(goodManifests, "- containerPort: 8080", "- {name: http, containerPort: 8080}", 1), "{path: /healthz, port: 8080}", "{path: /healthz, port: http}", 1), ""},
		{"no requests", strings.Replace(goodManifests, "requests:", "requestsX:", 1), "has no cpu and memory requests"},
		{"no memory limit", strings.Replace(goodManifests, "limits:", "limitsX:", 1), "has no memory limit"},
		{"unknown env", strings.Replace(goodManifests, "COMPLYTRACK_WORKER", "COMPLYTRACK_WORKERS", 1), "sets COMPLYTRACK_WORKERS, which is not a setting"},
		{"bad env value", strings.Replace(goodManifests, `value: "off"`, `value: "sometimes"`, 1), "setting COMPLYTRACK_WORKER: must be on or off"},
		{"unknown ConfigMap key", strings.Replace(goodManifests, "  COMPLYTRACK_PUBLIC_URL:", "  COMPLYTRACK_PUBLIC_ADDRESS:", 1), "sets COMPLYTRACK_PUBLIC_ADDRESS, which is not a setting"},
		{"unknown Secret key", strings.Replace(goodManifests, `  COMPLYTRACK_JWT_KEYS: "REPLACE-ME"`, `  COMPLYTRACK_JWT_SECRET: "REPLACE-ME"`, 1), "sets COMPLYTRACK_JWT_SECRET, which is not a setting"},
		{"missing key", strings.Replace(goodManifests, `  COMPLYTRACK_JWT_KEYS: "REPLACE-ME"`, "", 1), "does not set COMPLYTRACK_JWT_KEYS or COMPLYTRACK_JWT_KEYS_FILE"},
		{"missing ConfigMap", strings.Replace(goodManifests, "name: settings", "name: other", 1), "uses ConfigMap settings, which no manifest defines"},
		{"missing Secret", strings.Replace(goodManifests, "name: secrets", "name: other", 1), "uses Secret secrets, which no manifest defines"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertProblems(t, checkManifests(map[string][]byte{"x.yaml": []byte(tt.manifests)}), tt.want)
		})
	}
}

func assertProblems(t *testing.T, problems []string, want string) {
	t.Helper()
	if want == "" {
		for _, p := range problems {
			t.Errorf("unexpected problem: %s", p)
		}
		return
	}
	for _, p := range problems {
		if strings.Contains(p, want) {
			return
		}
	}
	t.Errorf("no problem says %q; got %q", want, problems)
}
