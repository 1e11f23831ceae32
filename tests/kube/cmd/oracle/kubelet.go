package main

// A kubelet as the oracle needs it: upstream's Kubelet type, with only the fields the called
// methods read set (they are unexported, so they are set by reflection), over a fake API client
// holding the pod's world (node, services, config maps, secrets).

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"reflect"
	"unsafe"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"

	"k8s.io/kubernetes/pkg/kubelet"
	"k8s.io/kubernetes/pkg/kubelet/configmap"
	"k8s.io/kubernetes/pkg/kubelet/network/dns"
	"k8s.io/kubernetes/pkg/kubelet/secret"
)

// setField sets the (unexported) field name of the struct *obj points to.
func setField(obj interface{}, name string, value interface{}) {
	f := reflect.ValueOf(obj).Elem().FieldByName(name)
	if !f.IsValid() {
		panic(fmt.Sprintf("%T has no field %s at this release", obj, name))
	}
	reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Set(reflect.ValueOf(value))
}

// kubeletWorld is what a kubelet reads from the API besides the pod: its Node, and the
// Services, ConfigMaps and Secrets env vars may come from.
type kubeletWorld struct {
	Node       *v1.Node       `json:"node"`
	Services   []v1.Service   `json:"services"`
	ConfigMaps []v1.ConfigMap `json:"configMaps"`
	Secrets    []v1.Secret    `json:"secrets"`
}

// newKubelet is a Kubelet with the cluster domain, node, node IPs and world set.
func newKubelet(clusterDomain string, world kubeletWorld, nodeIPs []net.IP) *kubelet.Kubelet {
	kl := &kubelet.Kubelet{}
	setField(kl, "dnsConfigurer", &dns.Configurer{ClusterDomain: clusterDomain})
	var objects []runtime.Object
	nodes := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})
	if world.Node != nil {
		nodes.Add(world.Node)
		objects = append(objects, world.Node)
		setField(kl, "nodeName", types.NodeName(world.Node.Name))
	}
	services := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	for i := range world.Services {
		services.Add(&world.Services[i])
	}
	for i := range world.ConfigMaps {
		objects = append(objects, &world.ConfigMaps[i])
	}
	for i := range world.Secrets {
		objects = append(objects, &world.Secrets[i])
	}
	client := fake.NewSimpleClientset(objects...)
	setField(kl, "kubeClient", client)
	setField(kl, "nodeLister", corelisters.NewNodeLister(nodes))
	setField(kl, "serviceLister", corelisters.NewServiceLister(services))
	setField(kl, "serviceHasSynced", cache.InformerSynced(func() bool { return true }))
	setField(kl, "configMapManager", configmap.NewSimpleConfigMapManager(client))
	setField(kl, "secretManager", secret.NewSimpleSecretManager(client))
	setField(kl, "nodeIPs", nodeIPs)
	return kl
}

func background() context.Context { return context.Background() }

// decodeV1 decodes JSON the way a client-go client (the kubelet) decodes what it reads.
func decodeV1(raw json.RawMessage, out interface{}) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	return json.Unmarshal(raw, out)
}
