package main

// Every filter the oracle judges, with the upstream functions that judge it (the one place to
// look). Filters with no upstream logic are not here: host_aliases and downward_env /
// downward_volume_items (friendly shapes of API fields), persistent_ip_binding /
// persistent_ip_status (GKE, no public code), pod_spec_patch, network_plan (beyond the component
// checks component_flag_errors covers).

import (
	"encoding/json"
	"fmt"
	"sort"
)

type filter struct {
	params   []string // in the filter's order
	required int      // how many of params are required
	upstream string   // the upstream functions that judge it, for humans and --filters
	run      func(args map[string]json.RawMessage) (interface{}, error)
}

var filters = map[string]filter{
	"pod_hosts": {
		params: []string{"pod", "node_hosts", "cluster_domain"}, required: 1,
		upstream: "kube-apiserver pod registry create (ValidatePodCreate); kubelet GeneratePodHostNameAndDomain, " +
			"util.GetNodenameForKernel, shouldMountHostsFile, ensureHostsFile (managedHostsFileContent, nodeHostsFileContent)",
		run: func(a map[string]json.RawMessage) (interface{}, error) {
			var nodeHosts *string
			clusterDomain := "cluster.local"
			if err := optionalArg(a, "node_hosts", &nodeHosts); err != nil {
				return nil, err
			}
			var domain *string
			if err := optionalArg(a, "cluster_domain", &domain); err != nil {
				return nil, err
			}
			if domain != nil {
				clusterDomain = *domain
			}
			return podHosts(a["pod"], nodeHosts, clusterDomain)
		},
	},
	"service_cidr_info": {
		params: []string{"cidr"}, required: 1,
		upstream: "netutils.ParseCIDRSloppy; ipallocator.NewIPAllocator (first, last, size, KEP-3070 offset); " +
			"controlplane/apiserver/options.ServiceIPRange; ipallocator.NewInMemory (legacy bitmap)",
		run: func(a map[string]json.RawMessage) (interface{}, error) {
			var cidr string
			if err := json.Unmarshal(a["cidr"], &cidr); err != nil {
				return nil, ownError{"cidr: " + err.Error()}
			}
			return serviceCIDRInfo(cidr)
		},
	},
	"component_flag_errors": {
		params: []string{"flags", "component"}, required: 2,
		upstream: "kube-apiserver: ServerRunOptions Flags/Complete/Validate; kube-controller-manager: " +
			"KubeControllerManagerOptions Flags/Validate/ApplyTo and the node-ipam-controller descriptor's BuildController; " +
			"kubelet: KubeletFlags, app.RunKubelet (ParseNodeIPArgument); kube-proxy: Options Complete/Validate",
		run: func(a map[string]json.RawMessage) (interface{}, error) {
			var component string
			if err := json.Unmarshal(a["component"], &component); err != nil {
				return nil, ownError{"component: " + err.Error()}
			}
			return componentFlagErrors(a["flags"], component)
		},
	},
	"node_pod_cidrs": {
		params: []string{"nodes", "cluster_cidrs", "node_mask_sizes", "service_cidrs"}, required: 2,
		upstream: "kube-controller-manager options (flags, Validate, ApplyTo), the node-ipam-controller descriptor's " +
			"BuildController (validateCIDRs, setNodeCIDRMaskSizes, NewNodeIpamController, NewCIDRRangeAllocator, cidrset), " +
			"then the controller's own Run loop (syncNode, AllocateOrOccupyCIDR, PatchNodeCIDRs) against a fake API",
		run: nodePodCIDRs,
	},
	"service_ip_plan": {
		// picks (the oracle's own): "lowest" (default) gives the allocators a random source that
		// always draws 0, "random" keeps upstream's.
		params: []string{"service", "service_cidrs", "allocated", "old", "picks"}, required: 2,
		upstream: "kube-apiserver --service-cluster-ip-range checks; Service REST storage (servicestore.NewREST: beginCreate, " +
			"beginUpdate, initIPFamilyFields, allocClusterIPs/updateClusterIPs, the Service strategy, ValidateServiceCreate/Update) " +
			"with one ipallocator.MetaAllocator per family over ServiceCIDR and IPAddress objects",
		run: serviceIPPlan,
	},
	"downward_values": {
		params: []string{"pod", "node", "world"}, required: 1,
		upstream: "kube-apiserver pod registry create; kubelet (*Kubelet).makeEnvironmentVariables " +
			"(podFieldSelectorRuntimeValue, sortPodIPs, defaultPodLimitsForDownwardAPI, containerResourceRuntimeValue, " +
			"expansion.Expand), downwardapi.CollectData, projected (*projectedVolumeMounter).collectData, AtomicWriter.Write",
		run: downwardValues,
	},
	"validation_errors": {
		params: []string{"resource"}, required: 1,
		upstream: "kube-apiserver create path in process: the codec (decode errors as handlers.transformDecodeError " +
			"reports them), defaulting, the kind's REST storage (rest.BeforeCreate: PrepareForCreate, the strategy's Validate " +
			"with declarative validation); Gateway and GKEIPRoute only through the real apiserver's dry run",
		run: validationErrors,
	},
}

func optionalArg(args map[string]json.RawMessage, name string, out interface{}) error {
	raw, ok := args[name]
	if !ok {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	return nil
}

func filterNames() []string {
	var names []string
	for name := range filters {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
