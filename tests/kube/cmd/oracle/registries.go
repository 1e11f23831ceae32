package main

// kube-apiserver's REST storage of every kind the filters take, each upstream's own NewREST /
// NewStorage over the in-memory store (emptied before every request: each request is a fresh
// cluster).

import (
	"sync"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"k8s.io/kubernetes/pkg/kubelet/client"
	daemonsetstore "k8s.io/kubernetes/pkg/registry/apps/daemonset/storage"
	deploymentstore "k8s.io/kubernetes/pkg/registry/apps/deployment/storage"
	replicasetstore "k8s.io/kubernetes/pkg/registry/apps/replicaset/storage"
	statefulsetstore "k8s.io/kubernetes/pkg/registry/apps/statefulset/storage"
	cronjobstore "k8s.io/kubernetes/pkg/registry/batch/cronjob/storage"
	jobstore "k8s.io/kubernetes/pkg/registry/batch/job/storage"
	nodestore "k8s.io/kubernetes/pkg/registry/core/node/storage"
	podtemplatestore "k8s.io/kubernetes/pkg/registry/core/podtemplate/storage"
	rcstore "k8s.io/kubernetes/pkg/registry/core/replicationcontroller/storage"
	servicecidrstore "k8s.io/kubernetes/pkg/registry/networking/servicecidr/storage"
)

type registrySet struct {
	store     *memStore
	pods      creater
	podStatus updater
	nodes     creater
	byKind    map[string]registryEntry
}

// registryEntry is the REST storage of one kind, with the version its manifests are written in
// and whether it is namespaced.
type registryEntry struct {
	rest       creater
	gvk        schema.GroupVersionKind
	namespaced bool
}

var (
	registriesOnce sync.Once
	theRegistries  *registrySet
)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// registries are the REST storages, over a store emptied for this request.
func registries() *registrySet {
	registriesOnce.Do(func() {
		store := newMemStore()
		opts := memOptions{store}
		pods := must(newPodStorage(opts))
		nodes := must(nodestore.NewStorage(opts, client.KubeletClientConfig{}, nil))
		deployments := must(deploymentstore.NewStorage(opts))
		statefulsets := must(statefulsetstore.NewStorage(opts))
		daemonsets, _, err := daemonsetstore.NewREST(opts)
		must(daemonsets, err)
		replicasets := must(replicasetstore.NewStorage(opts))
		jobs := must(jobstore.NewStorage(opts))
		cronjobs, _, err := cronjobstore.NewREST(opts)
		must(cronjobs, err)
		rcs := must(rcstore.NewStorage(opts))
		podtemplates := must(podtemplatestore.NewREST(opts))
		servicecidrs, _, err := servicecidrstore.NewREST(opts)
		must(servicecidrs, err)
		core := func(kind string) schema.GroupVersionKind { return schema.GroupVersionKind{Version: "v1", Kind: kind} }
		apps := func(kind string) schema.GroupVersionKind {
			return schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: kind}
		}
		batch := func(kind string) schema.GroupVersionKind {
			return schema.GroupVersionKind{Group: "batch", Version: "v1", Kind: kind}
		}
		theRegistries = &registrySet{
			store:     store,
			pods:      pods.Pod,
			podStatus: pods.Status,
			nodes:     nodes.Node,
			byKind: map[string]registryEntry{
				"Pod":                   {pods.Pod, core("Pod"), true},
				"PodTemplate":           {podtemplates, core("PodTemplate"), true},
				"ReplicationController": {rcs.Controller, core("ReplicationController"), true},
				"Node":                  {nodes.Node, core("Node"), false},
				"Deployment":            {deployments.Deployment, apps("Deployment"), true},
				"StatefulSet":           {statefulsets.StatefulSet, apps("StatefulSet"), true},
				"DaemonSet":             {daemonsets, apps("DaemonSet"), true},
				"ReplicaSet":            {replicasets.ReplicaSet, apps("ReplicaSet"), true},
				"Job":                   {jobs.Job, batch("Job"), true},
				"CronJob":               {cronjobs, batch("CronJob"), true},
				"ServiceCIDR":           {servicecidrs, schema.GroupVersionKind{Group: "networking.k8s.io", Version: "v1", Kind: "ServiceCIDR"}, false},
			},
		}
	})
	theRegistries.store.mu.Lock()
	theRegistries.store.objects = map[string]runtime.Object{}
	theRegistries.store.mu.Unlock()
	return theRegistries
}
