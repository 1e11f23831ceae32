//go:build !k8s1.35

package main

// 1.34's controller descriptors have an init function, which checks the options and starts the
// controller at once.

import (
	"context"

	"k8s.io/apimachinery/pkg/util/version"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/storage"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	clientgofeaturegate "k8s.io/client-go/features"
	"k8s.io/component-base/featuregate"
	podstore "k8s.io/kubernetes/pkg/registry/core/pod/storage"

	kcmapp "k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

type nodeIpamController interface {
	Run(ctx context.Context)
	Stop()
}

// startedController runs under its own context from the init function on: Run ties that context
// to the caller's, Stop ends it.
type startedController struct{ cancel context.CancelFunc }

func (c startedController) Run(ctx context.Context) {
	<-ctx.Done()
	c.cancel()
}

func (c startedController) Stop() { c.cancel() }

func buildController(ctx context.Context, descriptor *kcmapp.ControllerDescriptor, controllerContext kcmapp.ControllerContext) (nodeIpamController, error) {
	ctx, cancel := context.WithCancel(ctx)
	if _, _, err := descriptor.GetInitFunc()(ctx, controllerContext, descriptor.Name()); err != nil {
		cancel()
		return nil, err
	}
	return startedController{cancel}, nil
}

func newPodStorage(opts generic.RESTOptionsGetter) (podstore.PodStorage, error) {
	return podstore.NewStorage(opts, nil, nil, nil)
}

// storage.Interface has SetKeysFunc in 1.34 (the in-memory store lists every key itself).
func (s *memStore) SetKeysFunc(storage.KeysFunc) {}

// kube-controller-manager 1.34 turns client-go's WatchListClient gate on in its Flags, which panics
// once the default feature gate has been added to a flag set (the oracle parses several
// components' flags per process): done once here, at start, as kube-controller-manager does first.
func init() {
	if !utilfeature.DefaultFeatureGate.Enabled(featuregate.Feature(clientgofeaturegate.WatchListClient)) {
		if err := utilfeature.DefaultMutableFeatureGate.OverrideDefaultAtVersion(
			featuregate.Feature(clientgofeaturegate.WatchListClient), true, version.MustParse("1.34")); err != nil {
			panic(err)
		}
	}
}
