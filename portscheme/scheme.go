package portscheme

import (
	"iter"
	"slices"
	"strconv"
	"strings"

	"github.com/portalloc/ports"
)

// Scheme is a validated port plan: a slot count and the roles of the slots,
// language ranges holding components, and fixed infrastructure
// ports. Every pod of a component owns Slots consecutive ports, and every port
// of the scheme belongs to at most one pod.
//
// Build a Scheme with [New], [ParseJSON] or [Default]. A Scheme is
// immutable, cheap to copy, and safe for concurrent use (except
// [Scheme.UnmarshalJSON], which replaces it). The zero Scheme is empty: it
// has no slots and no pods, [Scheme.Port] fails and [Scheme.Locate] finds
// nothing.
type Scheme struct {
	d *schemeData
}

type schemeData struct {
	spec  Spec
	kinds []kindEntry      // sorted by port
	byPod map[podKey]int   // language and kind to index in kinds
	langs map[Language]int // language to index in spec.Languages
	lkind [][]int          // by language, as in spec.Languages: indexes in kinds
	roles map[Slot]int     // slot to index in spec.Roles
	order []int            // indexes in spec.Roles, by slot
	env   []int            // indexes in spec.Roles of roles with Env, by slot
}

type podKey struct {
	lang Language
	kind Component
}

// kindEntry is one kind, flattened for lookups.
type kindEntry struct {
	r    ports.Range
	lang Language
	kind Component
	pods int // capacity
}

// New validates spec and returns the scheme it describes. If spec has
// problems, New returns a [*SchemeError] that lists every one of them, not
// only the first. New keeps a copy of spec; changing spec afterwards does not
// change the scheme.
//
// New checks that the slot count is 1 to 65536; that every role holds a slot
// below the count, has a valid Kubernetes port name, a known exposure and a
// valid environment variable name (or none), with no slot, name or variable
// given twice, and that slot 0 has a variable if any role has one; that
// languages, kinds and services have valid, unique names; that every
// language and kind has a range whose size is a multiple of the slot count;
// that every kind lies inside its language; that no two languages and no two
// kinds overlap; that services have non-zero, distinct ports and node
// ports, outside every language range; and that every title, purpose and
// description is valid UTF-8 ([ErrInvalidSpec]), so that the JSON form carries it
// exactly.
func New(spec Spec) (Scheme, error) {
	if ps := validate(spec, nil); len(ps) > 0 {
		return Scheme{}, &SchemeError{Problems: sortProblems(ps, spec)}
	}
	return build(spec.clone()), nil
}

// build indexes a validated spec that the caller no longer holds.
func build(spec Spec) Scheme {
	d := &schemeData{
		spec:  spec,
		byPod: make(map[podKey]int),
		langs: make(map[Language]int, len(spec.Languages)),
		roles: make(map[Slot]int, len(spec.Roles)),
	}
	for i, l := range spec.Languages {
		d.langs[l.Name] = i
		for _, k := range l.Components {
			d.kinds = append(d.kinds, kindEntry{r: k.Range, lang: l.Name, kind: k.Name, pods: k.Range.Len() / spec.Slots})
		}
	}
	slices.SortFunc(d.kinds, func(a, b kindEntry) int { return a.r.Compare(b.r) })
	d.lkind = make([][]int, len(spec.Languages))
	for i, k := range d.kinds {
		d.byPod[podKey{k.lang, k.kind}] = i
		li := d.langs[k.lang]
		d.lkind[li] = append(d.lkind[li], i)
	}
	for i, r := range spec.Roles {
		d.roles[r.Slot] = i
		d.order = append(d.order, i)
	}
	slices.SortFunc(d.order, func(a, b int) int { return int(spec.Roles[a].Slot) - int(spec.Roles[b].Slot) })
	for _, i := range d.order {
		if spec.Roles[i].Env != "" {
			d.env = append(d.env, i)
		}
	}
	return Scheme{d: d}
}

// Pod names one pod of a scheme: the Index-th pod of a component of a language,
// counted from 0.
//
// Pod is a small comparable value. The zero Pod names no pod.
type Pod struct {
	Language  Language
	Component Component
	Index     int
}

// String returns "language/component/index", as "go/saga/0".
func (p Pod) String() string {
	return string(p.Language) + "/" + string(p.Component) + "/" + strconv.Itoa(p.Index)
}

// Location names one port of a scheme: a pod and a slot within it.
//
// Location is a small comparable value. The zero Location names slot 0 of
// the zero Pod, which is in no scheme.
type Location struct {
	Pod
	Slot Slot
}

// String returns "language/component/index slot N", as "go/saga/0 slot 3".
func (l Location) String() string {
	return l.Pod.String() + " slot " + strconv.Itoa(int(l.Slot))
}

// Default returns the default scheme: ten slots a pod, six language ranges
// in 50050-50999 and three infrastructure ports; see the package
// documentation for its tables.
func Default() Scheme { return defaultScheme() }

// Slots returns the number of ports of every pod (10 in the default scheme),
// or 0 for the zero Scheme.
func (s Scheme) Slots() int {
	if s.d == nil {
		return 0
	}
	return s.d.spec.Slots
}

// Spec returns a copy of the description of s.
func (s Scheme) Spec() Spec {
	if s.d == nil {
		return Spec{}
	}
	return s.d.spec.clone()
}

// Equal reports whether s and o describe the same scheme: equal slot counts,
// and roles, languages, kinds and services equal and in the same order.
func (s Scheme) Equal(o Scheme) bool {
	a, b := s.Spec(), o.Spec()
	return a.Slots == b.Slots &&
		slices.Equal(a.Roles, b.Roles) &&
		slices.Equal(a.InfraPorts, b.InfraPorts) &&
		slices.EqualFunc(a.Languages, b.Languages, func(x, y LanguageSpec) bool {
			return x.Name == y.Name && x.Title == y.Title && x.Range == y.Range && slices.Equal(x.Components, y.Components)
		})
}

// Role returns the role of slot, and false if the slot is reserved (has no
// role) or is beyond the slot count.
func (s Scheme) Role(slot Slot) (Role, bool) {
	if s.d == nil {
		return Role{}, false
	}
	i, ok := s.d.roles[slot]
	if !ok {
		return Role{}, false
	}
	return s.d.spec.Roles[i], true
}

// Language returns the range and components of the language named l, and whether
// the scheme has it.
func (s Scheme) Language(l Language) (LanguageSpec, bool) {
	if s.d == nil {
		return LanguageSpec{}, false
	}
	i, ok := s.d.langs[l]
	if !ok {
		return LanguageSpec{}, false
	}
	ls := s.d.spec.Languages[i]
	ls.Components = cloneSlice(ls.Components)
	return ls, true
}

// Capacity returns the number of pods that component c of language l
// holds, and whether the scheme has that component.
func (s Scheme) Capacity(l Language, c Component) (int, bool) {
	k := s.kind(l, c)
	if k == nil {
		return 0, false
	}
	return k.pods, true
}

// InfraPort returns the infrastructure port named name, and whether the
// scheme has it.
func (s Scheme) InfraPort(name string) (InfraPort, bool) {
	if s.d == nil {
		return InfraPort{}, false
	}
	for _, sv := range s.d.spec.InfraPorts {
		if sv.Name == name {
			return sv, true
		}
	}
	return InfraPort{}, false
}

// InfraPortAt returns the infrastructure port whose port or node port is
// p, and whether there is one.
func (s Scheme) InfraPortAt(p ports.Port) (InfraPort, bool) {
	if s.d == nil {
		return InfraPort{}, false
	}
	for _, sv := range s.d.spec.InfraPorts {
		if sv.Port == p || (sv.NodePort != 0 && sv.NodePort == p) {
			return sv, true
		}
	}
	return InfraPort{}, false
}

// kind returns the kind of language l called kind, or nil.
func (s Scheme) kind(l Language, kind Component) *kindEntry {
	d := s.d
	if d == nil {
		return nil
	}
	// Comparing a few short strings beats hashing; large schemes use the
	// map.
	if len(d.spec.Languages) <= smallScan {
		for li := range d.spec.Languages {
			if d.spec.Languages[li].Name != l {
				continue
			}
			ks := d.lkind[li]
			if len(ks) > smallScan {
				break
			}
			for _, i := range ks {
				if d.kinds[i].kind == kind {
					return &d.kinds[i]
				}
			}
			return nil
		}
	}
	if i, ok := d.byPod[podKey{l, kind}]; ok {
		return &d.kinds[i]
	}
	return nil
}

// smallScan is the number of languages, or of kinds in a language, up to
// which a linear scan finds one by name.
const smallScan = 8

// Port returns the port of slot of the index-th pod (from 0) of component
// c of language l. It fails with a [*PodError] if the scheme has no such
// language or component, if index is negative or not below the
// component's capacity, or if slot is not below the slot count.
//
// Port finds the component by name, by a short scan in schemes of up to 8
// languages of up to 8 components each and by one map lookup in larger
// ones, and allocates nothing when it succeeds.
func (s Scheme) Port(l Language, c Component, index int, slot Slot) (ports.Port, error) {
	if k := s.kind(l, c); k != nil {
		n := s.d.spec.Slots
		if uint(index) < uint(k.pods) && int(slot) < n {
			return k.r.Lo() + ports.Port(index*n) + ports.Port(slot), nil
		}
	}
	return 0, s.portError(Pod{l, c, index}, slot)
}

// PodPort returns the port of slot of pod p: the Pod form of [Scheme.Port],
// as [Scheme.PodRange], [Scheme.Env] and [Scheme.ContainerPorts] take a
// Pod. It fails with a [*PodError] as Port does, and allocates nothing when
// it succeeds.
func (s Scheme) PodPort(p Pod, slot Slot) (ports.Port, error) {
	return s.Port(p.Language, p.Component, p.Index, slot)
}

// portError says why Port fails for p and slot.
func (s Scheme) portError(p Pod, slot Slot) error {
	if _, err := s.pod(p); err != nil {
		err.Slot, err.HasSlot = slot, true
		return err
	}
	return &PodError{Pod: p, Slot: slot, HasSlot: true, Err: ErrNotInScheme, Detail: s.slotDetail(slot)}
}

func (s Scheme) slotDetail(slot Slot) string {
	n := s.d.spec.Slots
	return slotBeyond(slot, n)
}

// PodRange returns the ports of pod p, from its base (slot 0) to its last
// slot. It fails as [Scheme.Port] does.
func (s Scheme) PodRange(p Pod) (ports.Range, error) {
	k, err := s.pod(p)
	if err != nil {
		return ports.Range{}, err
	}
	base := k.r.Lo() + ports.Port(p.Index*s.d.spec.Slots)
	return ports.RangeFrom(base, base+ports.Port(s.d.spec.Slots-1)), nil
}

// pod returns the kind of p, or an error that says why the scheme does not
// have p.
func (s Scheme) pod(p Pod) (*kindEntry, *PodError) {
	k := s.kind(p.Language, p.Component)
	if k == nil {
		return nil, s.missing(p)
	}
	if p.Index < 0 || p.Index >= k.pods {
		return nil, &PodError{Pod: p, Err: ErrNotInScheme, Detail: "pod index " + strconv.Itoa(p.Index) +
			" is beyond the capacity of " + string(p.Language) + "/" + string(p.Component) + ": " + podCount(k.pods) +
			" in " + k.r.String()}
	}
	return k, nil
}

func podCount(n int) string {
	switch n {
	case 1:
		return "1 pod (index 0)"
	}
	return strconv.Itoa(n) + " pods (indexes 0-" + strconv.Itoa(n-1) + ")"
}

// missing explains why the scheme has no component p.Component in language p.Language.
func (s Scheme) missing(p Pod) *PodError {
	if s.d == nil {
		return &PodError{Pod: p, Err: ErrNotInScheme, Detail: "unknown language " + strconv.Quote(string(p.Language)) + "; the scheme is empty"}
	}
	li, ok := s.d.langs[p.Language]
	if !ok {
		names := make([]string, len(s.d.spec.Languages))
		for i, l := range s.d.spec.Languages {
			names[i] = string(l.Name)
		}
		return &PodError{Pod: p, Err: ErrNotInScheme, Detail: "unknown language " + strconv.Quote(string(p.Language)) +
			"; the scheme has " + list(names)}
	}
	l := s.d.spec.Languages[li]
	names := make([]string, len(l.Components))
	for i, k := range l.Components {
		names[i] = string(k.Name)
	}
	return &PodError{Pod: p, Err: ErrNotInScheme, Detail: "language " + string(l.Name) + " has no component " +
		strconv.Quote(string(p.Component)) + "; it has " + list(names)}
}

// list joins names as "a, b and c", or says "none".
func list(names []string) string {
	switch len(names) {
	case 0:
		return "none"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// Locate returns the pod and slot that port p belongs to, and false if p
// lies in no kind's range (outside every language, in unassigned room
// within a language, or between languages).
//
// Locate is the inverse of [Scheme.Port]: for every location loc that Port
// accepts, Locate(Port(loc)) is loc. It costs O(log k) for k kinds and
// allocates nothing.
func (s Scheme) Locate(p ports.Port) (Location, bool) {
	if s.d == nil {
		return Location{}, false
	}
	ks := s.d.kinds
	lo, hi := 0, len(ks)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if ks[m].r.Hi() < p {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == len(ks) || !ks[lo].r.Contains(p) {
		return Location{}, false
	}
	k := &ks[lo]
	off := int(p - k.r.Lo())
	n := s.d.spec.Slots
	return Location{Pod: Pod{Language: k.lang, Component: k.kind, Index: off / n}, Slot: Slot(off % n)}, true
}

// languageAt returns the language whose range holds p.
func (s Scheme) languageAt(p ports.Port) (LanguageSpec, bool) {
	if s.d == nil {
		return LanguageSpec{}, false
	}
	for _, l := range s.d.spec.Languages {
		if l.Range.Contains(p) {
			return l, true
		}
	}
	return LanguageSpec{}, false
}

// Pods returns an iterator over the pods of language l and their ports, in
// port order (kind by kind, each from index 0 up). It yields nothing if the
// scheme has no language l.
func (s Scheme) Pods(l Language) iter.Seq2[Pod, ports.Range] {
	return func(yield func(Pod, ports.Range) bool) {
		if s.d == nil {
			return
		}
		n := s.d.spec.Slots
		for _, k := range s.d.kinds {
			if k.lang != l {
				continue
			}
			for i := range k.pods {
				base := k.r.Lo() + ports.Port(i*n)
				if !yield(Pod{l, k.kind, i}, ports.RangeFrom(base, base+ports.Port(n-1))) {
					return
				}
			}
		}
	}
}
