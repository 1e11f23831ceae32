//go:build !k8s1.35

package main

// 1.34's controller descriptors have an init function, which checks the options and starts the
// controller at once.

import (
	"context"

	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/storage"
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
