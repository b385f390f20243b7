package portscheme

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
	"pgregory.net/rapid"
)

// genSpec generates valid specs: languages laid out upwards from a random
// start with random gaps, kinds inside them with random gaps and sizes,
// listed in a random order, roles on a random subset of the slots, and
// services outside the languages.
func genSpec() *rapid.Generator[Spec] {
	return rapid.Custom(func(t *rapid.T) Spec {
		slots := rapid.IntRange(1, 12).Draw(t, "slots")
		spec := Spec{Slots: slots}
		withEnv := rapid.Bool().Draw(t, "withEnv")
		for slot := range slots {
			if slot != 0 && !rapid.Bool().Draw(t, "hasRole") {
				continue
			}
			role := Role{Slot: Slot(slot), Name: "r" + strconv.Itoa(slot),
				ServicePolicy: ServicePolicy(rapid.IntRange(0, 3).Draw(t, "exposure"))}
			if withEnv && (slot == 0 || rapid.Bool().Draw(t, "hasEnv")) {
				role.Env = "P" + strconv.Itoa(slot) + "_PORT"
			}
			spec.Roles = append(spec.Roles, role)
		}
		spec.Roles = rapid.Permutation(spec.Roles).Draw(t, "roleOrder")

		// At most (3 + 3*(2+6) + 3 + 1) pods of 12 ports in each of 4
		// languages: 1488 ports above the start.
		cur := rapid.IntRange(0, 64000).Draw(t, "start")
		nl := rapid.IntRange(0, 4).Draw(t, "languages")
		for i := range nl {
			cur += rapid.IntRange(0, 3).Draw(t, "gap") * slots
			lo := cur
			var kinds []ComponentSpec
			for j := range rapid.IntRange(0, 3).Draw(t, "kinds") {
				cur += rapid.IntRange(0, 2).Draw(t, "kindGap") * slots
				pods := rapid.IntRange(1, 6).Draw(t, "pods")
				kinds = append(kinds, ComponentSpec{Name: Component("k" + strconv.Itoa(j)),
					Range: ports.RangeFrom(ports.Port(cur), ports.Port(cur+pods*slots-1))})
				cur += pods * slots
			}
			cur += rapid.IntRange(0, 3).Draw(t, "room") * slots
			if cur == lo {
				cur += slots
			}
			spec.Languages = append(spec.Languages, LanguageSpec{
				Name:       Language("l" + strconv.Itoa(i)),
				Title:      "L" + strconv.Itoa(i),
				Range:      ports.RangeFrom(ports.Port(lo), ports.Port(cur-1)),
				Components: rapid.Permutation(kinds).Draw(t, "kindOrder"),
			})
		}
		spec.Languages = rapid.Permutation(spec.Languages).Draw(t, "languageOrder")

		used := map[ports.Port]bool{}
		inLanguage := func(p ports.Port) bool {
			for _, l := range spec.Languages {
				if l.Range.Contains(p) {
					return true
				}
			}
			return false
		}
		for i := range rapid.IntRange(0, 3).Draw(t, "services") {
			p := ports.Port(rapid.IntRange(1, 65535).Draw(t, "servicePort"))
			np := ports.Port(0)
			if rapid.Bool().Draw(t, "hasNodePort") {
				np = ports.Port(rapid.IntRange(30000, 32767).Draw(t, "nodePort"))
			}
			if used[p] || inLanguage(p) || (np != 0 && (used[np] || inLanguage(np) || np == p)) {
				continue
			}
			used[p] = true
			if np != 0 {
				used[np] = true
			}
			spec.InfraPorts = append(spec.InfraPorts, InfraPort{Name: "s" + strconv.Itoa(i), Port: p, NodePort: np,
				Description: "service " + strconv.Itoa(i)})
		}
		return spec
	})
}

func mustNew(t *rapid.T, spec Spec) Scheme {
	s, err := New(spec)
	if err != nil {
		t.Fatalf("New(%+v) error: %v", spec, err)
	}
	return s
}

// every returns every location of s with its port, walking the pods.
func every(s Scheme) map[Location]ports.Port {
	out := map[Location]ports.Port{}
	for _, l := range s.Spec().Languages {
		for pod, pr := range s.Pods(l.Name) {
			for slot := range s.Slots() {
				out[Location{pod, Slot(slot)}] = pr.Lo() + ports.Port(slot)
			}
		}
	}
	return out
}

// Distinct (language, kind, index, slot) give distinct ports; Locate
// inverts Port; and the ports Locate finds are exactly those of the pods.
func TestPropPortLocate(t *testing.T) {
	check := func(t *rapid.T, s Scheme) {
		all := every(s)
		owner := map[ports.Port]Location{}
		for loc := range all {
			p, err := s.Port(loc.Language, loc.Component, loc.Index, loc.Slot)
			if err != nil {
				t.Fatalf("Port(%v) error: %v", loc, err)
			}
			if p != all[loc] {
				t.Fatalf("Port(%v) = %v, but Pods says %v", loc, p, all[loc])
			}
			if other, ok := owner[p]; ok {
				t.Fatalf("Port(%v) = Port(%v) = %v", loc, other, p)
			}
			owner[p] = loc
			if got, ok := s.Locate(p); !ok || got != loc {
				t.Fatalf("Locate(Port(%v)) = %v, %v", loc, got, ok)
			}
		}
		for i := range 65536 {
			p := ports.Port(i)
			loc, ok := s.Locate(p)
			if want, in := owner[p]; ok != in || (ok && loc != want) {
				t.Fatalf("Locate(%v) = %v, %v; want %v, %v", p, loc, ok, want, in)
			}
		}
		// Any location, valid or not: Port either fails or Locate inverts it.
		loc := Location{
			Pod: Pod{
				Language:  Language("l" + strconv.Itoa(rapid.IntRange(0, 4).Draw(t, "l"))),
				Component: Component("k" + strconv.Itoa(rapid.IntRange(0, 3).Draw(t, "k"))),
				Index:     rapid.IntRange(-1, 8).Draw(t, "index"),
			},
			Slot: Slot(rapid.IntRange(0, 13).Draw(t, "slot")),
		}
		if p, err := s.Port(loc.Language, loc.Component, loc.Index, loc.Slot); err == nil {
			if got, ok := s.Locate(p); !ok || got != loc {
				t.Fatalf("Locate(Port(%v)) = %v, %v", loc, got, ok)
			}
		} else if _, valid := all[loc]; valid {
			t.Fatalf("Port(%v) error %v, but Pods lists it", loc, err)
		}
	}
	t.Run("default", func(t *testing.T) {
		rapid.Check(t, func(t *rapid.T) { check(t, Default()) })
	})
	t.Run("generated", func(t *testing.T) {
		rapid.Check(t, func(t *rapid.T) { check(t, mustNew(t, genSpec().Draw(t, "spec"))) })
	})
}

// genLooseSpec generates specs with ranges drawn at random in a narrow
// window, so that they overlap, stick out and have odd sizes often: half of
// the sizes are whole pods, and kinds start near their language, often at
// its start or right after the kind before.
func genLooseSpec() *rapid.Generator[Spec] {
	return rapid.Custom(func(t *rapid.T) Spec {
		spec := Spec{Slots: rapid.IntRange(1, 4).Draw(t, "slots")}
		size := func() int {
			if rapid.Bool().Draw(t, "whole pods") {
				return spec.Slots * rapid.IntRange(1, 4).Draw(t, "pods")
			}
			return rapid.IntRange(1, 16).Draw(t, "size")
		}
		for i := range rapid.IntRange(0, 3).Draw(t, "languages") {
			lo := rapid.IntRange(100, 160).Draw(t, "lo")
			l := LanguageSpec{Name: Language("l" + strconv.Itoa(i)),
				Range: ports.RangeFrom(ports.Port(lo), ports.Port(lo+size()+size()-1))}
			for j := range rapid.IntRange(0, 3).Draw(t, "kinds") {
				klo := rapid.IntRange(int(l.Range.Lo())-3, int(l.Range.Hi())+3).Draw(t, "kindLo")
				if j == 0 && rapid.Bool().Draw(t, "atStart") {
					klo = int(l.Range.Lo())
				} else if j > 0 && rapid.Bool().Draw(t, "afterPrevious") {
					klo = int(l.Components[j-1].Range.Hi()) + 1
				}
				l.Components = append(l.Components, ComponentSpec{Name: Component("k" + strconv.Itoa(j)),
					Range: ports.RangeFrom(ports.Port(klo), ports.Port(klo+size()-1))})
			}
			spec.Languages = append(spec.Languages, l)
		}
		return spec
	})
}

// New accepts a spec exactly when a port-by-port model finds no overlap, no
// kind outside its language and no odd size, and then reports those
// problems and no others. So the ranges of a built scheme never overlap.
func TestPropValidateModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		spec := genLooseSpec().Draw(t, "spec")
		var langs, kinds [65536]int
		want := map[error]bool{}
		for _, l := range spec.Languages {
			if l.Range.Len()%spec.Slots != 0 {
				want[ErrInvalidSpec] = true
			}
			for p := range l.Range.All() {
				langs[p]++
			}
			for _, k := range l.Components {
				if k.Range.Len()%spec.Slots != 0 {
					want[ErrInvalidSpec] = true
				}
				for p := range k.Range.All() {
					kinds[p]++
					if !l.Range.Contains(p) {
						want[ErrOverlap] = true
					}
				}
			}
		}
		for p := range 65536 {
			if langs[p] > 1 || kinds[p] > 1 {
				want[ErrOverlap] = true
			}
		}
		s, err := New(spec)
		got := map[error]bool{}
		var se *SchemeError
		if err != nil && !errors.As(err, &se) {
			t.Fatalf("New error %v is not a *SchemeError", err)
		}
		if se != nil {
			for _, p := range se.Problems {
				got[p.Err] = true
			}
		}
		if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b error) bool { return a == b })); diff != "" {
			t.Fatalf("New(%+v) = %v; sentinels (-model +New):\n%s", spec, err, diff)
		}
		if err == nil {
			// A built scheme: no port in two kinds, and Locate agrees.
			for p := range 65536 {
				_, ok := s.Locate(ports.Port(p))
				if ok != (kinds[p] == 1) {
					t.Fatalf("Locate(%d) found = %v, model has %d kinds there", p, ok, kinds[p])
				}
			}
		}
	})
}

func TestPropJSONRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := mustNew(t, genSpec().Draw(t, "spec"))
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		q, err := ParseJSON(b)
		if err != nil {
			t.Fatalf("ParseJSON(%s) error: %v", b, err)
		}
		if diff := cmp.Diff(s.Spec(), q.Spec(), rangeEq); diff != "" {
			t.Fatalf("JSON round trip (-want +got):\n%s", diff)
		}
		if !q.Equal(s) {
			t.Fatal("JSON round trip: Equal = false")
		}
		b2, _ := json.Marshal(q)
		if string(b) != string(b2) {
			t.Fatalf("Marshal after the round trip differs:\n%s\n%s", b, b2)
		}
	})
}

// A pod's environment parses back to the pod, with any of the non-base
// variables left out.
func TestPropEnvRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		spec := genSpec().Draw(t, "spec")
		s := mustNew(t, spec)
		var pods []Pod
		for _, l := range spec.Languages {
			for p := range s.Pods(l.Name) {
				pods = append(pods, p)
			}
		}
		if len(pods) == 0 {
			t.Skip("no pods")
		}
		pod := rapid.SampledFrom(pods).Draw(t, "pod")
		vars, err := s.Env(pod)
		if err != nil {
			t.Fatal(err)
		}
		env := map[string]string{}
		var derived []string
		for i, v := range vars {
			if i > 0 && rapid.Bool().Draw(t, "leave out") {
				derived = append(derived, v.Name)
				continue
			}
			env[v.Name] = v.Port.String()
		}
		got, err := s.ParseEnv(mapLookup(env))
		if len(vars) == 0 {
			if !errors.Is(err, ErrNotSet) {
				t.Fatalf("ParseEnv with no variables in the scheme: %v", err)
			}
			return
		}
		if err != nil {
			t.Fatalf("ParseEnv(%v) error: %v", env, err)
		}
		if diff := cmp.Diff(PodEnv{Pod: pod, Vars: vars, Derived: derived, slots: s.Slots()}, got, cmp.AllowUnexported(PodEnv{})); diff != "" {
			t.Fatalf("ParseEnv(%v) (-want +got):\n%s", env, diff)
		}
		// PORT fixes every slot of the pod: PodEnv.Port agrees with
		// PodPort on each, and answers nothing beyond the slot count.
		for slot := range Slot(s.Slots()) {
			want, werr := s.PodPort(pod, slot)
			if p, ok := got.Port(slot); !ok || werr != nil || p != want {
				t.Fatalf("PodEnv.Port(%d) = %v, %v; PodPort(%v, %d) = %v, %v", slot, p, ok, pod, slot, want, werr)
			}
		}
		if p, ok := got.Port(Slot(s.Slots())); ok && s.Slots() <= int(^Slot(0)) {
			t.Fatalf("PodEnv.Port(%d) = %v, true; the scheme has %d slots", s.Slots(), p, s.Slots())
		}
		// Moving any other set variable off its port is a contradiction;
		// moving PORT names another pod or contradicts.
		for _, v := range vars {
			if _, set := env[v.Name]; !set {
				continue
			}
			bad := maps(env)
			moved := v.Port ^ 1
			bad[v.Name] = moved.String()
			got, err := s.ParseEnv(mapLookup(bad))
			if v.Slot == 0 && err == nil {
				if loc, ok := s.Locate(moved); !ok || loc.Slot != 0 || got.Pod != loc.Pod {
					t.Fatalf("ParseEnv(%v) = %v; Locate(%v) = %v, %v", bad, got.Pod, moved, loc, ok)
				}
				continue
			}
			if !errors.Is(err, ErrNotInScheme) {
				t.Fatalf("ParseEnv(%v) error = %v, want ErrNotInScheme", bad, err)
			}
		}
	})
}

func maps(m map[string]string) map[string]string {
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// Validate reports a problem exactly when some port of a pod, or a service
// port or node port, lies in a set to avoid; each problem is ErrOverlap.
func TestPropValidateAvoid(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		spec := genSpec().Draw(t, "spec")
		s := mustNew(t, spec)
		var b ports.RangeSetBuilder
		for range rapid.IntRange(0, 4).Draw(t, "ranges") {
			lo := rapid.IntRange(0, 65535).Draw(t, "lo")
			hi := rapid.IntRange(lo, min(65535, lo+rapid.IntRange(0, 2000).Draw(t, "len"))).Draw(t, "hi")
			b.Add(ports.RangeFrom(ports.Port(lo), ports.Port(hi)))
		}
		avoid := b.RangeSet()
		hit := false
		for _, p := range every(s) {
			hit = hit || avoid.Contains(p)
		}
		for _, sv := range spec.InfraPorts {
			hit = hit || avoid.Contains(sv.Port) || (sv.NodePort != 0 && avoid.Contains(sv.NodePort))
		}
		err := s.Validate(Avoid{"the set", avoid})
		if (err != nil) != hit {
			t.Fatalf("Validate(%v) = %v; a port of the scheme is in the set: %v", avoid, err, hit)
		}
		if err != nil {
			var se *SchemeError
			if !errors.As(err, &se) {
				t.Fatalf("Validate error %T", err)
			}
			if i := slices.IndexFunc(se.Problems, func(p *Problem) bool { return p.Err != ErrOverlap }); i >= 0 {
				t.Fatalf("Validate problem %v is not ErrOverlap", se.Problems[i])
			}
		}
	})
}
