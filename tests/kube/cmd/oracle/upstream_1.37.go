//go:build k8s1.37

package main

// What 1.37 changed in the upstream APIs the oracle calls; upstream_before1.37.go has the older forms.

import (
	v1 "k8s.io/api/core/v1"

	api "k8s.io/kubernetes/pkg/apis/core"
	"k8s.io/kubernetes/pkg/volume"
	"k8s.io/kubernetes/pkg/volume/downwardapi"
	volumeutil "k8s.io/kubernetes/pkg/volume/util"
)

// CollectData takes the volume's default user from 1.37 (none here: the pod's own).
func collectDownwardAPIData(items []v1.DownwardAPIVolumeFile, pod *v1.Pod, host volume.VolumeHost, mode *int32) (map[string]volumeutil.FileProjection, error) {
	return downwardapi.CollectData(items, pod, host, mode, nil)
}

// The internal PodStatus has a PodIP from 1.37.
func hasPodIP(status *api.PodStatus) bool { return status.PodIP != "" }

func copyPodIPs(dst, src *api.PodStatus) { dst.PodIP, dst.PodIPs = src.PodIP, src.PodIPs }
