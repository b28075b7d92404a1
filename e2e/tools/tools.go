//go:build tools

// Package tools pins the test-only binaries that Archway's e2e tests run:
// a real control plane (etcd, kube-apiserver, optionally
// kube-controller-manager), kubectl, helm and h2spec. Nothing imports it;
// ensure.sh builds the main packages listed here from this module's pins.
package tools

import (
	_ "github.com/summerwind/h2spec/cmd/h2spec"
	_ "go.etcd.io/etcd/server/v3"
	_ "helm.sh/helm/v3/cmd/helm"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
