//go:build k8s1.36

package main

import (
	"context"
	_ "unsafe"

	v1 "k8s.io/api/core/v1"
	"k8s.io/klog/v2"

	"k8s.io/kubernetes/pkg/kubelet"
	kubecontainer "k8s.io/kubernetes/pkg/kubelet/container"
)

// pkg/kubelet/kubelet_pods.go: the container's environment (from 1.36, with a context).

//go:linkname kubeletMakeEnvironmentVariables k8s.io/kubernetes/pkg/kubelet.(*Kubelet).makeEnvironmentVariables
func kubeletMakeEnvironmentVariables(kl *kubelet.Kubelet, ctx context.Context, pod *v1.Pod, container *v1.Container, podIP string, podIPs []string, podVolumes kubecontainer.VolumeMap) ([]kubecontainer.EnvVar, error)

// GeneratePodHostNameAndDomain takes a logger from 1.36.
func generatePodHostNameAndDomain(kl *kubelet.Kubelet, logger klog.Logger, pod *v1.Pod) (string, string, error) {
	return kl.GeneratePodHostNameAndDomain(logger, pod)
}
