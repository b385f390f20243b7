package manifest

import (
	"strconv"

	"github.com/portalloc/ports"
)

// ResolveTargetNames resolves named targetPorts as the cluster does, within
// ds: for each port of a Kubernetes Service ([KindService], and its
// [KindNodePort]) whose targetPort is a name ([Declaration.TargetName]),
// it looks for the container ports of that name and of the Service port's
// protocol in the pods the Service selects ([Declaration.Selects]), and
// when they all give one number it sets the declaration's Target to it.
// TargetName is kept, as what the file says.
//
// A name that no selected pod of ds declares, a Service without a
// selector, or a name that stands for different numbers in different pods
// (which Kubernetes allows: each endpoint resolves it on its own) leave
// Target as it is, the zero Range. Declarations of other kinds, and those
// with a Target already, are not changed. It runs in time linear in
// len(ds), plus the pairs of Services and pods that share a name.
func ResolveTargetNames(ds []Declaration) {
	type key struct {
		namespace, name string
		proto           ports.Protocol
	}
	type pod struct {
		labels []Label
		port   ports.Range
	}
	type podKey struct {
		labels string // labelsKey of the pod's labels
		port   ports.Range
	}
	byName := map[key][]pod{}
	seen := map[key]map[podKey]bool{}
	for _, d := range ds {
		if d.Kind != KindContainerPort && d.Kind != KindHostNetwork || d.Name == "" || !d.Endpoint.IsValid() {
			continue
		}
		k := key{d.Project, d.Name, d.Protocol}
		p := pod{d.Labels, d.Endpoint.Range()}
		pk := podKey{labelsKey(d.Labels), p.port}
		if seen[k] == nil {
			seen[k] = map[podKey]bool{}
		}
		if !seen[k][pk] {
			seen[k][pk] = true
			byName[k] = append(byName[k], p)
		}
	}
	for i := range ds {
		d := &ds[i]
		if d.Kind != KindService && d.Kind != KindNodePort || d.TargetName == "" || d.Target.IsValid() {
			continue
		}
		var found ports.Range
		one := true
		for _, p := range byName[key{d.Project, d.TargetName, d.Protocol}] {
			if !d.Selects(Declaration{Project: d.Project, Labels: p.labels}) {
				continue
			}
			if found.IsValid() && found != p.port {
				one = false
				break
			}
			found = p.port
		}
		if one && found.IsValid() {
			d.Target = found
		}
	}
}

// labelsKey returns a string that equals another's exactly when the two
// lists of labels are equal: each key and value is written after its
// length, so that no "=" or "," inside them can make two lists alike.
func labelsKey(ls []Label) string {
	var b []byte
	for _, l := range ls {
		b = strconv.AppendInt(b, int64(len(l.Key)), 10)
		b = append(b, ':')
		b = append(b, l.Key...)
		b = strconv.AppendInt(b, int64(len(l.Value)), 10)
		b = append(b, ':')
		b = append(b, l.Value...)
	}
	return string(b)
}
