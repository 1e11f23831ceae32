package main

// downward_values: the pod goes through kube-apiserver's create path, then the kubelet computes,
// for each init, regular and ephemeral container, its environment (Kubelet.makeEnvironmentVariables
// over the node, services, config maps and secrets of a world) and the files of the downwardAPI and
// projected volumes it mounts (downwardapi.CollectData; the projected plugin's own collectData),
// written with the kubelet's AtomicWriter (which refuses bad paths) into a scratch directory.

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"unsafe"

	authenticationv1 "k8s.io/api/authentication/v1"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/client-go/kubernetes"

	"k8s.io/kubernetes/pkg/kubelet"
	utilnode "k8s.io/kubernetes/pkg/util/node"
	"k8s.io/kubernetes/pkg/volume"
	"k8s.io/kubernetes/pkg/volume/projected"
	volumeutil "k8s.io/kubernetes/pkg/volume/util"
	netutils "k8s.io/utils/net"
)

//go:linkname projectedCollectData k8s.io/kubernetes/pkg/volume/projected.(*projectedVolumeMounter).collectData
func projectedCollectData(mounter unsafe.Pointer, args volume.MounterArgs) (map[string]volumeutil.FileProjection, error)

// oracleVolumeHost is the kubelet's volume host as the Downward API and projected plugins use it:
// the node's allocatable, the API client and the secret and config map getters of the world.
type oracleVolumeHost struct {
	volume.VolumeHost
	volume.KubeletVolumeHost
	kl     *kubelet.Kubelet
	client kubernetes.Interface
	node   *v1.Node
	dir    string
}

func (h *oracleVolumeHost) GetNodeAllocatable() (v1.ResourceList, error) {
	if h.node == nil {
		return nil, fmt.Errorf("error retrieving node: no node")
	}
	return h.node.Status.Allocatable, nil
}
func (h *oracleVolumeHost) GetKubeClient() kubernetes.Interface { return h.client }
func (h *oracleVolumeHost) GetPodVolumeDir(podUID types.UID, pluginName, volumeName string) string {
	return filepath.Join(h.dir, "pod-volumes", pluginName, volumeName)
}
func (h *oracleVolumeHost) GetSecretFunc() func(namespace, name string) (*v1.Secret, error) {
	return fieldValue(h.kl, "secretManager").(interface {
		GetSecret(string, string) (*v1.Secret, error)
	}).GetSecret
}
func (h *oracleVolumeHost) GetConfigMapFunc() func(namespace, name string) (*v1.ConfigMap, error) {
	return fieldValue(h.kl, "configMapManager").(interface {
		GetConfigMap(string, string) (*v1.ConfigMap, error)
	}).GetConfigMap
}
func (h *oracleVolumeHost) GetServiceAccountTokenFunc() func(string, string, *authenticationv1.TokenRequest) (*authenticationv1.TokenRequest, error) {
	return func(string, string, *authenticationv1.TokenRequest) (*authenticationv1.TokenRequest, error) {
		return nil, fmt.Errorf("the oracle issues no service account tokens")
	}
}
func (h *oracleVolumeHost) DeleteServiceAccountTokenFunc() func(types.UID) { return func(types.UID) {} }

// fieldValue reads an unexported field as an interface value.
func fieldValue(obj interface{}, name string) interface{} { return getField(obj, name) }

type downwardContainer struct {
	name      string
	container *v1.Container
}

func podContainers(pod *v1.Pod) []downwardContainer {
	var out []downwardContainer
	for i := range pod.Spec.InitContainers {
		out = append(out, downwardContainer{pod.Spec.InitContainers[i].Name, &pod.Spec.InitContainers[i]})
	}
	for i := range pod.Spec.Containers {
		out = append(out, downwardContainer{pod.Spec.Containers[i].Name, &pod.Spec.Containers[i]})
	}
	for i := range pod.Spec.EphemeralContainers {
		c := (*v1.Container)(&pod.Spec.EphemeralContainers[i].EphemeralContainerCommon)
		out = append(out, downwardContainer{c.Name, c})
	}
	return out
}

// nodeThroughAPIServer is the Node as the kubelet reads it back: decoded and defaulted by the
// apiserver (allocatable defaults to capacity, quantities rounded), stored, served as v1.
func nodeThroughAPIServer(raw json.RawMessage) (*v1.Node, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	obj, err := decodeInternal(raw, v1.SchemeGroupVersion.WithKind("Node"))
	if err != nil {
		return nil, ownError{"node: " + err.Error()}
	}
	node := &v1.Node{}
	if err := encodeVersioned(obj, v1.SchemeGroupVersion, node); err != nil {
		return nil, err
	}
	return node, nil
}

// volumeFiles collects and writes each downwardAPI or projected volume as the kubelet's volume
// plugins do; a volume the kubelet fails gives its error.
func volumeFiles(pod *v1.Pod, host *oracleVolumeHost) (map[string]map[string]volumeutil.FileProjection, []string, error) {
	plugins := projected.ProbeVolumePlugins()
	if err := plugins[0].Init(host); err != nil {
		return nil, nil, err
	}
	files := map[string]map[string]volumeutil.FileProjection{}
	var failures []string
	for i := range pod.Spec.Volumes {
		vol := &pod.Spec.Volumes[i]
		var payload map[string]volumeutil.FileProjection
		var err error
		switch {
		case vol.DownwardAPI != nil:
			payload, err = collectDownwardAPIData(vol.DownwardAPI.Items, pod, host, vol.DownwardAPI.DefaultMode)
		case vol.Projected != nil:
			var mounter volume.Mounter
			mounter, err = plugins[0].NewMounter(volume.NewSpecFromVolume(vol), pod)
			if err == nil {
				payload, err = projectedCollectData((*[2]unsafe.Pointer)(unsafe.Pointer(&mounter))[1], volume.MounterArgs{})
			}
		default:
			continue
		}
		if err == nil {
			err = writePayload(host.dir, vol.Name, payload)
		}
		if err != nil {
			failures = append(failures, err.Error())
			continue
		}
		files[vol.Name] = payload
	}
	return files, failures, nil
}

// writePayload writes a volume's files with the kubelet's AtomicWriter, which checks the paths.
func writePayload(dir, name string, payload map[string]volumeutil.FileProjection) error {
	target := filepath.Join(dir, "volumes", name)
	if err := os.MkdirAll(target, 0o755); err != nil {
		return err
	}
	writer, err := volumeutil.NewAtomicWriter(target, name)
	if err != nil {
		return err
	}
	return writer.Write(payload, nil)
}

// firstStatusHostIP is the first of status.hostIPs (else status.hostIP) of the pod as given (the
// status the kubelet wrote; a create through the apiserver drops it).
func firstStatusHostIP(raw json.RawMessage) net.IP {
	var given struct {
		Status struct {
			HostIP  string `json:"hostIP"`
			HostIPs []struct {
				IP string `json:"ip"`
			} `json:"hostIPs"`
		} `json:"status"`
	}
	if json.Unmarshal(raw, &given) != nil {
		return nil
	}
	text := given.Status.HostIP
	if len(given.Status.HostIPs) > 0 {
		text = given.Status.HostIPs[0].IP
	}
	return netutils.ParseIPSloppy(text)
}

func downwardValues(a map[string]json.RawMessage) (interface{}, error) {
	pod, err := podThroughAPIServer(a["pod"])
	if err != nil {
		return nil, err
	}
	podIPs, err := statusPodIPs(pod)
	if err != nil {
		return nil, err
	}
	node, err := nodeThroughAPIServer(a["node"])
	if err != nil {
		return nil, err
	}
	var world kubeletWorld
	if raw, ok := a["world"]; ok {
		if err := json.Unmarshal(raw, &world); err != nil {
			return nil, ownError{"world: " + err.Error()}
		}
	}
	world.Node = node
	// The filter's documented assumptions: an unbound pod runs on the node; the ServiceAccount
	// admission plugin has set the default service account; the kubelet's --node-ip (the family
	// sortPodIPs prefers) is the node's first host IP.
	// Without a node, its first host IP is the pod's first status.hostIPs entry (the kubelet writes
	// them from its node IPs).
	var nodeIPs []net.IP
	if node != nil {
		if pod.Spec.NodeName == "" {
			pod.Spec.NodeName = node.Name
		}
		if ips, err := utilnode.GetNodeHostIPs(node); err == nil {
			nodeIPs = ips[:1]
		}
	} else if ip := firstStatusHostIP(a["pod"]); ip != nil {
		nodeIPs = []net.IP{ip}
	}
	if pod.Spec.ServiceAccountName == "" {
		pod.Spec.ServiceAccountName = "default"
	}
	kl := newKubelet("cluster.local", world, nodeIPs)
	dir, err := os.MkdirTemp("", "oracle-downward-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	host := &oracleVolumeHost{kl: kl, client: fieldValue(kl, "kubeClient").(kubernetes.Interface), node: node, dir: dir}
	volumes, failures, err := volumeFiles(pod, host)
	if err != nil {
		return nil, err
	}
	podIP := ""
	if len(podIPs) > 0 {
		podIP = podIPs[0]
	}
	result := orderedMap{values: map[string]interface{}{}}
	for _, c := range podContainers(pod) {
		envList, err := kubeletMakeEnvironmentVariables(kl, background(), pod, c.container, podIP, podIPs, nil)
		if err != nil {
			failures = append(failures, err.Error())
			continue
		}
		env := map[string]string{}
		for _, e := range envList {
			env[e.Name] = e.Value
		}
		files := map[string]interface{}{}
		for _, mount := range c.container.VolumeMounts {
			payload, ok := volumes[mount.Name]
			if !ok {
				continue
			}
			sub := filepath.Clean(mount.SubPath)
			for path, f := range payload {
				if mount.SubPath != "" && sub != "." && path != sub && !strings.HasPrefix(path, sub+"/") {
					continue
				}
				files[mount.Name+"/"+path] = map[string]interface{}{"content": string(f.Data), "mode": f.Mode}
			}
		}
		result.keys = append(result.keys, c.name)
		result.values[c.name] = map[string]interface{}{"env": env, "files": files}
	}
	if len(failures) > 0 {
		return nil, alternativesError{failures}
	}
	return result, nil
}

// alternativesError: the kubelet would fail the pod for each of these reasons (volumes, then
// containers in start order); which one it reports first is not fixed.
type alternativesError struct{ texts []string }

func (e alternativesError) Error() string { return e.texts[0] }

var _ = utilerrors.NewAggregate
