//go:build !k8s1.36

package main

import clientgofeaturegate "k8s.io/client-go/features"

// The informers over the oracle's fake clientsets keep plain list and watch before 1.36 (the fake
// clients of 1.34 and 1.35 serve no watch-list stream, which client-go's WatchListClient gate asks
// for: on by default from 1.35, and turned on by kube-controller-manager 1.34).
func init() {
	clientgofeaturegate.ReplaceFeatureGates(clientGates{clientgofeaturegate.FeatureGates()})
}

type clientGates struct{ clientgofeaturegate.Gates }

func (g clientGates) Enabled(key clientgofeaturegate.Feature) bool {
	return key != clientgofeaturegate.WatchListClient && g.Gates.Enabled(key)
}
