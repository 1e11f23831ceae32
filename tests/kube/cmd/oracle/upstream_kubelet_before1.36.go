//go:build !k8s1.36

package main

import (
	"context"
	_ "unsafe"

	v1 "k8s.io/api/core/v1"
	"k8s.io/klog/v2"

	"k8s.io/kubernetes/pkg/kubelet"
	kubecontainer "k8s.io/kubernetes/pkg/kubelet/container"
)

// pkg/kubelet/kubelet_pods.go: the container's environment (before 1.36, without a context).

//go:linkname kubeletMakeEnvironmentVariablesNoContext k8s.io/kubernetes/pkg/kubelet.(*Kubelet).makeEnvironmentVariables
func kubeletMakeEnvironmentVariablesNoContext(kl *kubelet.Kubelet, pod *v1.Pod, container *v1.Container, podIP string, podIPs []string, podVolumes kubecontainer.VolumeMap) ([]kubecontainer.EnvVar, error)

func kubeletMakeEnvironmentVariables(kl *kubelet.Kubelet, _ context.Context, pod *v1.Pod, container *v1.Container, podIP string, podIPs []string, podVolumes kubecontainer.VolumeMap) ([]kubecontainer.EnvVar, error) {
	return kubeletMakeEnvironmentVariablesNoContext(kl, pod, container, podIP, podIPs, podVolumes)
}

// GeneratePodHostNameAndDomain takes no logger before 1.36.
func generatePodHostNameAndDomain(kl *kubelet.Kubelet, _ klog.Logger, pod *v1.Pod) (string, string, error) {
	return kl.GeneratePodHostNameAndDomain(pod)
}
