package main

// The Gateway API release whose standard-channel CRDs the test suite installs is the one go.mod
// pins through this import: tests/support/kube_cluster.py reads them from the module's own
// config/crd/standard directory, so no copy of them is kept in the repository.
import _ "sigs.k8s.io/gateway-api/apis/v1"
