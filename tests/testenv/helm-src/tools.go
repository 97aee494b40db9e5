//go:build tools

// Package tools pins helm (helm.sh/helm/v3/cmd/helm) for kubectl-drift's tests:
// ../build-helm builds it from the Go module proxy at the version go.mod requires.
package tools

import _ "helm.sh/helm/v3/cmd/helm"
