package main

// Unexported kubelet functions the oracle calls, reached with //go:linkname (pull). Each
// declaration has upstream's signature at the pinned release; a release that changes one gets its
// own file with a build tag (see README: issue 12).

import (
	_ "unsafe"

	v1 "k8s.io/api/core/v1"
)

// pkg/kubelet/kubelet_pods.go: the file the kubelet writes, and whether it writes one.

//go:linkname kubeletEtcHostsPath k8s.io/kubernetes/pkg/kubelet.etcHostsPath
var kubeletEtcHostsPath string

//go:linkname kubeletEnsureHostsFile k8s.io/kubernetes/pkg/kubelet.ensureHostsFile
func kubeletEnsureHostsFile(fileName string, hostIPs []string, hostName, hostDomainName string, hostAliases []v1.HostAlias, useHostNetwork bool) error

//go:linkname kubeletShouldMountHostsFile k8s.io/kubernetes/pkg/kubelet.shouldMountHostsFile
func kubeletShouldMountHostsFile(pod *v1.Pod, podIPs []string) bool

// pkg/kubelet/kubelet_pods.go: the container's environment is kubeletMakeEnvironmentVariables, in
// upstream_kubelet_1.36.go and upstream_kubelet_before1.36.go (1.36 added its context argument).
