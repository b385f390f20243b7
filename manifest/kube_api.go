package manifest

import (
	"strings"
)

// The kinds the Kubernetes reader reads, and the apiVersions the API
// server serves them as, or served them as in releases that manifests
// still in use were written for:
//
//	v1                  Pod, Service, ReplicationController
//	apps/v1             Deployment, StatefulSet, DaemonSet, ReplicaSet (1.9 on)
//	apps/v1beta2        Deployment, StatefulSet, DaemonSet, ReplicaSet (1.8 to 1.15)
//	apps/v1beta1        Deployment, StatefulSet (1.5 to 1.15)
//	extensions/v1beta1  Deployment, DaemonSet, ReplicaSet (to 1.15), Job (to 1.5)
//	batch/v1            Job, CronJob (CronJob from 1.21)
//	batch/v1beta1       CronJob (1.8 to 1.24)
//	batch/v2alpha1      Job (1.4 and 1.5), CronJob (1.5 to 1.20), ScheduledJob (1.4)
//
// An object of another apiVersion is someone else's resource, a custom
// resource among them, whatever its kind says: "example.com/v1" Service is
// not a Service. A kind of the table under an apiVersion of Kubernetes' own
// groups (core, apps, batch, extensions) that does not serve it is an
// error, as it is to the API server. Lists are "v1" List and the lists of
// the kinds of the table ("v1" ServiceList, "apps/v1" DeploymentList);
// another kind that ends in List is no list.

// kubeShape is where an object holds its ports.
type kubeShape uint8

const (
	shapeService     kubeShape = iota + 1 // a Service: spec.ports
	shapePod                              // a Pod: spec
	shapeTemplate                         // a workload: spec.template
	shapeJobTemplate                      // a CronJob: spec.jobTemplate.spec.template
)

// kubeServed returns the shape of kind as apiVersion serves it, or false.
func kubeServed(apiVersion, kind string) (kubeShape, bool) {
	switch apiVersion {
	case "v1":
		switch kind {
		case "Pod":
			return shapePod, true
		case "Service":
			return shapeService, true
		case "ReplicationController":
			return shapeTemplate, true
		}
	case "apps/v1", "apps/v1beta2":
		switch kind {
		case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet":
			return shapeTemplate, true
		}
	case "apps/v1beta1":
		switch kind {
		case "Deployment", "StatefulSet":
			return shapeTemplate, true
		}
	case "extensions/v1beta1":
		switch kind {
		case "Deployment", "DaemonSet", "ReplicaSet", "Job":
			return shapeTemplate, true
		}
	case "batch/v1":
		switch kind {
		case "Job":
			return shapeTemplate, true
		case "CronJob":
			return shapeJobTemplate, true
		}
	case "batch/v1beta1":
		if kind == "CronJob" {
			return shapeJobTemplate, true
		}
	case "batch/v2alpha1":
		switch kind {
		case "Job":
			return shapeTemplate, true
		case "CronJob", "ScheduledJob":
			return shapeJobTemplate, true
		}
	}
	return 0, false
}

// kubeCurrent returns the apiVersion that serves kind today, if kind is
// one the reader reads.
func kubeCurrent(kind string) (string, bool) {
	switch kind {
	case "Pod", "Service", "ReplicationController":
		return "v1", true
	case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet":
		return "apps/v1", true
	case "Job", "CronJob":
		return "batch/v1", true
	case "ScheduledJob":
		return "batch/v1 (as CronJob)", true
	}
	return "", false
}

// kubeOwnGroup reports whether apiVersion is of one of the API groups of
// Kubernetes itself that serve the kinds of the table (or names the core
// group, which is written without one, as "core").
func kubeOwnGroup(apiVersion string) bool {
	group, _, ok := strings.Cut(apiVersion, "/")
	if !ok {
		return true // the core group: "v1"
	}
	switch group {
	case "apps", "batch", "extensions", "core":
		return true
	}
	return false
}

// kubeKnownKind returns the kind of the table that kind names in another
// case ("service"), or kind itself if it is one, and false for others.
func kubeKnownKind(kind string) (string, bool) {
	for _, k := range []string{"Pod", "Service", "ReplicationController", "Deployment",
		"StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "ScheduledJob"} {
		if strings.EqualFold(k, kind) {
			return k, true
		}
	}
	return "", false
}

// kubeGroup returns the API group that an object of kind, written as
// apiVersion, is stored in: the group of apiVersion ("core" for none), but
// "apps" for the workloads of extensions/v1beta1 and "batch" for its Jobs,
// which the cluster keeps as the same objects.
func kubeGroup(apiVersion, kind string) string {
	group, _, ok := strings.Cut(apiVersion, "/")
	switch {
	case !ok:
		return "core"
	case group == "extensions" && kind == "Job":
		return "batch"
	case group == "extensions":
		return "apps"
	}
	return group
}
