// Package helm tests the APIRoute CRD and the Helm chart against a real
// kube-apiserver (e2e/cluster): schema and CEL validation messages, kubectl
// explain and printer columns, and helm install / upgrade / uninstall.
// Chart checks that need no cluster live in ./chart.
package helm

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"archway.dev/e2e/cluster"
)

// These tests need only etcd and kube-apiserver: nothing here relies on
// controllers (no Pods run anyway), and a control plane without
// kube-controller-manager starts faster and leaves the CPUs to the rest.
func TestMain(m *testing.M) {
	cluster.DefaultOptions.ControllerManager = false
	flag.Parse() // cluster.Main reads testing.Verbose()
	os.Exit(cluster.Main(m))
}

// repoRoot is the folder that holds helm/archway and crds/.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "helm", "archway", "Chart.yaml")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no helm/archway/Chart.yaml above the working directory")
		}
		dir = parent
	}
}
