package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/klog/v2"

	api "k8s.io/kubernetes/pkg/apis/core"
	kubeletutil "k8s.io/kubernetes/pkg/kubelet/util"
)

// podThroughAPIServer creates the pod with kube-apiserver's pod registry (decoding, defaulting,
// PrepareForCreate, ValidatePodCreate) in its namespace (default when unset); when the manifest
// carries pod IPs, its status is then written as the kubelet writes it (the status subresource:
// defaulting keeps podIP and podIPs in step, ValidatePodStatusUpdate checks them). It returns the
// pod as a client such as the kubelet reads it back. An Invalid refusal is an upstreamError with
// the aggregated field errors, as the status message holds them after `Pod "name" is invalid: `.
func podThroughAPIServer(raw json.RawMessage) (*v1.Pod, error) {
	gvk := v1.SchemeGroupVersion.WithKind("Pod")
	obj, err := decodeInternal(raw, gvk)
	if err != nil {
		return nil, upstreamError{fmt.Sprintf("the apiserver cannot decode the pod: %v", err)}
	}
	pod := obj.(*api.Pod)
	status := pod.Status.DeepCopy()
	// A manifest with a uid is a pod read from the API: it keeps that uid (create assigns a new one).
	uid := pod.UID
	ns := pod.Namespace
	if ns == "" {
		ns = "default"
	}
	regs := registries()
	stored, err := createIn(regs.pods, ns, gvk, pod)
	if err != nil {
		return nil, invalidVerdict(err)
	}
	if len(status.PodIPs) > 0 || hasPodIP(status) {
		withStatus := stored.(*api.Pod).DeepCopy()
		copyPodIPs(&withStatus.Status, status)
		stored, _, err = regs.podStatus.Update(requestContext("update", ns, gvk), withStatus.Name,
			rest.DefaultUpdatedObjectInfo(withStatus), rest.ValidateAllObjectFunc, rest.ValidateAllObjectUpdateFunc, false,
			&metav1.UpdateOptions{})
		if err != nil {
			return nil, invalidVerdict(err)
		}
	}
	out := &v1.Pod{}
	if err := encodeVersioned(stored, v1.SchemeGroupVersion, out); err != nil {
		return nil, err
	}
	if uid != "" {
		out.UID = uid
	}
	return out, nil
}

// invalidVerdict is an apiserver refusal: for Invalid, the aggregated field errors without the
// `Kind "name" is invalid: ` prefix; anything else as its status message.
func invalidVerdict(err error) error {
	if status, ok := err.(apierrors.APIStatus); ok && status.Status().Details != nil && status.Status().Reason == "Invalid" {
		message := status.Status().Message
		if i := strings.Index(message, " is invalid: "); i >= 0 {
			return upstreamError{message[i+len(" is invalid: "):]}
		}
	}
	return upstreamError{statusText(err)}
}

// statusPodIPs are the pod IPs as the kubelet has them from the runtime: taken to be the
// status.podIPs the API holds, in that order (the filter's documented assumption about CRI order).
func statusPodIPs(pod *v1.Pod) ([]string, error) {
	var ips []string
	for _, ip := range pod.Status.PodIPs {
		ips = append(ips, ip.IP)
	}
	if len(ips) == 0 && pod.Status.PodIP != "" {
		ips = []string{pod.Status.PodIP}
	}
	return ips, nil
}

// podHosts: the pod goes through kube-apiserver's create path, then the kubelet's steps in their
// order: the sandbox's hostname (GeneratePodHostNameAndDomain, GetNodenameForKernel; pod network
// only), then for the containers GeneratePodHostNameAndDomain, shouldMountHostsFile and
// ensureHostsFile (its host-network branch reads the node's file, given as node_hosts).
func podHosts(rawPod json.RawMessage, nodeHosts *string, clusterDomain string) (interface{}, error) {
	pod, err := podThroughAPIServer(rawPod)
	if err != nil {
		return nil, err
	}
	podIPs, err := statusPodIPs(pod)
	if err != nil {
		return nil, err
	}
	kl := newKubelet(clusterDomain, kubeletWorld{}, nil)
	logger := klog.Background()
	if !pod.Spec.HostNetwork {
		hostname, domain, err := generatePodHostNameAndDomain(kl, logger, pod)
		if err != nil {
			return nil, verdict(err)
		}
		if _, err := kubeletutil.GetNodenameForKernel(hostname, domain, pod.Spec.SetHostnameAsFQDN); err != nil {
			return nil, verdict(err)
		}
	}
	hostname, domain, err := generatePodHostNameAndDomain(kl, logger, pod)
	if err != nil {
		return nil, verdict(err)
	}
	if !kubeletShouldMountHostsFile(pod, podIPs) {
		return nil, ownError{"the kubelet writes no hosts file for this pod (shouldMountHostsFile is false: no pod IP yet)"}
	}
	dir, err := os.MkdirTemp("", "oracle-hosts-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if pod.Spec.HostNetwork {
		if nodeHosts == nil {
			return nil, ownError{"a host-network pod's hosts file is the node's own: node_hosts is required"}
		}
		kubeletEtcHostsPath = filepath.Join(dir, "node-hosts")
		if err := os.WriteFile(kubeletEtcHostsPath, []byte(*nodeHosts), 0o644); err != nil {
			return nil, err
		}
	}
	target := filepath.Join(dir, "etc-hosts")
	if err := kubeletEnsureHostsFile(target, podIPs, hostname, domain, pod.Spec.HostAliases, pod.Spec.HostNetwork); err != nil {
		return nil, verdict(err)
	}
	content, err := os.ReadFile(target)
	if err != nil {
		return nil, err
	}
	return string(content), nil
}

// ownError: upstream does not fail, it does nothing (no file, no value); the text is the
// oracle's. The differential tier then only compares that both fail.
type ownError struct{ text string }

func (e ownError) Error() string { return e.text }
