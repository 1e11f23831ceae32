//go:build k8s1.35

package main

// kube-controller-manager's controller descriptors build a controller from 1.35
// (upstream_before1.35.go has 1.34's init functions).

import (
	"context"

	"k8s.io/apiserver/pkg/registry/generic"
	podstore "k8s.io/kubernetes/pkg/registry/core/pod/storage"

	kcmapp "k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

// nodeIpamController is the built node IPAM controller: Run until ctx is done, or Stop unused.
type nodeIpamController interface {
	Run(ctx context.Context)
	Stop()
}

type builtController struct{ kcmapp.Controller }

func (builtController) Stop() {}

func buildController(ctx context.Context, descriptor *kcmapp.ControllerDescriptor, controllerContext kcmapp.ControllerContext) (nodeIpamController, error) {
	controller, err := descriptor.BuildController(ctx, controllerContext)
	if err != nil {
		return nil, err
	}
	return builtController{controller}, nil
}

// The pod storage takes an authorizer from 1.35 (none here: no request reaches it).
func newPodStorage(opts generic.RESTOptionsGetter) (podstore.PodStorage, error) {
	return podstore.NewStorage(opts, nil, nil, nil, nil)
}
