//go:build tools

// Package tools pins Jaeger v2 (built on the OpenTelemetry collector), the
// trace store of the tracing e2e test (e2e/proxy/tracing_test.go). Nothing
// imports it; ../ensure-jaeger.sh builds the main package from this module's
// pins.
package tools

import _ "github.com/jaegertracing/jaeger/cmd/jaeger"
