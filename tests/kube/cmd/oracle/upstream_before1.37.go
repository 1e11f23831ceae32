//go:build !k8s1.37

package main

// The forms before 1.37 of the upstream APIs upstream_1.37.go calls.

import (
	v1 "k8s.io/api/core/v1"

	api "k8s.io/kubernetes/pkg/apis/core"
	"k8s.io/kubernetes/pkg/volume"
	"k8s.io/kubernetes/pkg/volume/downwardapi"
	volumeutil "k8s.io/kubernetes/pkg/volume/util"
)

func collectDownwardAPIData(items []v1.DownwardAPIVolumeFile, pod *v1.Pod, host volume.VolumeHost, mode *int32) (map[string]volumeutil.FileProjection, error) {
	return downwardapi.CollectData(items, pod, host, mode)
}

// Before 1.37 the internal PodStatus holds the pod IPs in PodIPs only (podIP converts to PodIPs[0]).
func hasPodIP(*api.PodStatus) bool { return false }

func copyPodIPs(dst, src *api.PodStatus) { dst.PodIPs = src.PodIPs }
