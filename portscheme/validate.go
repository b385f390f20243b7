package portscheme

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/portalloc/ports"
)

// Problem is one thing wrong with a scheme, as found by [New], [ParseJSON]
// or [Scheme.Validate].
//
// It unwraps to [ErrInvalidSpec] for a wrong or repeated value and to
// [ErrOverlap] for ports that two parts share (or that lie in a range to
// avoid); Where and Detail say where and what.
type Problem struct {
	// Where names the part of the scheme at fault, as `kind "go/saga"
	// (languages[1].kinds[1])`: its name and its place in the [Spec] or the
	// JSON form.
	Where string
	// Detail says what is wrong, with the numbers involved.
	Detail string
	// Err is the sentinel.
	Err error
}

// Error returns "portscheme: " followed by Where and Detail.
func (p *Problem) Error() string { return "portscheme: " + p.Where + ": " + p.Detail }

// Unwrap returns the sentinel.
func (p *Problem) Unwrap() error { return p.Err }

// SchemeError lists every problem of a scheme, in the order of the scheme's
// description. [errors.Is] sees through it to the sentinel of each problem,
// and [errors.As] to each [*Problem].
type SchemeError struct {
	Problems []*Problem
}

// Error returns the problem when there is one, and otherwise a count
// followed by one problem per line.
func (e *SchemeError) Error() string {
	if len(e.Problems) == 1 {
		return e.Problems[0].Error()
	}
	var b strings.Builder
	b.WriteString("portscheme: ")
	b.WriteString(strconv.Itoa(len(e.Problems)))
	b.WriteString(" problems:")
	for _, p := range e.Problems {
		b.WriteString("\n\t")
		b.WriteString(p.Where)
		b.WriteString(": ")
		b.WriteString(p.Detail)
	}
	return b.String()
}

// Unwrap returns the problems.
func (e *SchemeError) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = p
	}
	return errs
}

// problems collects the problems of a scheme.
type problems []*Problem

func (ps *problems) add(where string, err error, detail string) {
	*ps = append(*ps, &Problem{Where: where, Detail: detail, Err: err})
}

// Places in a Spec, as Problem.Where writes them.

func whereRole(i int, r Role) string {
	return named("role", r.Name) + " (roles[" + strconv.Itoa(i) + "])"
}

func whereLanguage(i int, l Language) string {
	return named("language", string(l)) + " (languages[" + strconv.Itoa(i) + "])"
}

func whereKind(i, j int, l Language, k Component) string {
	name := ""
	if l != "" || k != "" {
		name = string(l) + "/" + string(k)
	}
	return named("kind", name) + " (languages[" + strconv.Itoa(i) + "].kinds[" + strconv.Itoa(j) + "])"
}

func whereService(i int, name string) string {
	return named("service", name) + " (services[" + strconv.Itoa(i) + "])"
}

func named(what, name string) string {
	if name == "" {
		return what
	}
	return what + " " + strconv.Quote(name)
}

// validate returns every problem of spec, in the order of the spec (see
// sortProblems). The values that done names (see jsonScheme.spec) have been
// reported already, by the JSON reader, and are skipped.
func validate(spec Spec, done map[string]bool) problems {
	var ps problems
	n := spec.Slots
	slotsOK := n >= 1 && n <= 65536
	if !slotsOK && !done["slot count"] {
		ps.add("slot count", ErrInvalidSpec, "slot count "+strconv.Itoa(n)+" is out of range; want 1 to 65536")
	}
	validateRoles(&ps, spec, slotsOK, done)
	validateText(&ps, spec)

	// Languages and kinds, one by one.
	langNames := map[Language]int{}
	for i, l := range spec.Languages {
		w := whereLanguage(i, l.Name)
		checkLabel(&ps, w, "language", string(l.Name))
		if j, ok := langNames[l.Name]; ok && l.Name != "" {
			ps.add(w, ErrInvalidSpec, "language "+strconv.Quote(string(l.Name))+" is also languages["+strconv.Itoa(j)+"]")
		} else {
			langNames[l.Name] = i
		}
		checkRange(&ps, w, l.Range, n, slotsOK, done)
		kindNames := map[Component]int{}
		for j, k := range l.Components {
			wk := whereKind(i, j, l.Name, k.Name)
			checkLabel(&ps, wk, "kind", string(k.Name))
			if m, ok := kindNames[k.Name]; ok && k.Name != "" {
				ps.add(wk, ErrInvalidSpec, "kind "+strconv.Quote(string(k.Name))+" is also kinds["+strconv.Itoa(m)+"] of "+string(l.Name))
			} else {
				kindNames[k.Name] = j
			}
			checkRange(&ps, wk, k.Range, n, slotsOK, done)
			if k.Range.IsValid() && l.Range.IsValid() && !l.Range.ContainsRange(k.Range) {
				ps.add(wk, ErrOverlap, "range "+k.Range.String()+" is not inside the range of "+
					named("language", string(l.Name))+", "+l.Range.String()+outsidePart(l.Range, k.Range))
			}
		}
	}

	// Overlaps between languages, and between kinds of any languages.
	var langs, kinds []placed
	for i, l := range spec.Languages {
		langs = append(langs, placed{whereLanguage(i, l.Name), l.Range})
		for j, k := range l.Components {
			kinds = append(kinds, placed{whereKind(i, j, l.Name, k.Name), k.Range})
		}
	}
	overlaps(&ps, langs)
	overlaps(&ps, kinds)

	validateServices(&ps, spec, done)
	return ps
}

// sortProblems orders problems by their place in the scheme's description
// (the slot count, then the roles, the languages each followed by its
// kinds, and the services), keeping the order of the problems of one place.
func sortProblems(ps problems, spec Spec) problems {
	rank := map[string]int{"slot count": 0}
	next := 1
	put := func(w string) {
		if _, ok := rank[w]; !ok {
			rank[w] = next
			next++
		}
	}
	for i, r := range spec.Roles {
		put(whereRole(i, r))
	}
	put("roles")
	for i, l := range spec.Languages {
		put(whereLanguage(i, l.Name))
		for j, k := range l.Components {
			put(whereKind(i, j, l.Name, k.Name))
		}
	}
	for i, sv := range spec.InfraPorts {
		put(whereService(i, sv.Name))
	}
	slices.SortStableFunc(ps, func(a, b *Problem) int { return rank[a.Where] - rank[b.Where] })
	return ps
}

// validateText reports the free text of spec that is not valid UTF-8.
func validateText(ps *problems, spec Spec) {
	check := func(where, field, text string) {
		if !utf8.ValidString(text) {
			ps.add(where, ErrInvalidSpec, field+" "+strconv.Quote(text)+" is not valid UTF-8")
		}
	}
	for i, r := range spec.Roles {
		check(whereRole(i, r), "purpose", r.Purpose)
		check(whereRole(i, r), "description", r.Description)
	}
	for i, l := range spec.Languages {
		check(whereLanguage(i, l.Name), "title", l.Title)
	}
	for i, sv := range spec.InfraPorts {
		check(whereService(i, sv.Name), "title", sv.Title)
		check(whereService(i, sv.Name), "description", sv.Description)
	}
}

func validateRoles(ps *problems, spec Spec, slotsOK bool, done map[string]bool) {
	n := spec.Slots
	slots := map[Slot]int{}
	names := map[string]int{}
	envs := map[string]int{}
	anyEnv, baseEnv := false, false
	for i, r := range spec.Roles {
		w := whereRole(i, r)
		slotOK := !done[w+"#slot"]
		if slotOK && slotsOK && int(r.Slot) >= n {
			ps.add(w, ErrInvalidSpec, slotBeyond(r.Slot, n))
		}
		if j, ok := slots[r.Slot]; ok && slotOK {
			ps.add(w, ErrInvalidSpec, "slot "+strconv.Itoa(int(r.Slot))+" already has "+whereRole(j, spec.Roles[j]))
		} else if slotOK {
			slots[r.Slot] = i
		}
		if msg := portNameProblem(r.Name); msg != "" {
			ps.add(w, ErrInvalidSpec, "port name "+strconv.Quote(r.Name)+": "+msg)
		} else if j, ok := names[r.Name]; ok {
			ps.add(w, ErrInvalidSpec, "port name "+strconv.Quote(r.Name)+" is also roles["+strconv.Itoa(j)+"]")
		} else {
			names[r.Name] = i
		}
		if !r.ServicePolicy.IsValid() {
			ps.add(w, ErrInvalidSpec, "service policy "+r.ServicePolicy.String()+" is unknown; want yes, optional, no or internal")
		}
		if r.Env == "" {
			continue
		}
		anyEnv = true
		if r.Slot == 0 && slotOK {
			baseEnv = true
		}
		if msg := envNameProblem(r.Env); msg != "" {
			ps.add(w, ErrInvalidSpec, "environment variable "+strconv.Quote(r.Env)+": "+msg)
		} else if j, ok := envs[r.Env]; ok {
			ps.add(w, ErrInvalidSpec, "environment variable "+r.Env+" is also that of "+whereRole(j, spec.Roles[j]))
		} else {
			envs[r.Env] = i
		}
	}
	if anyEnv && !baseEnv {
		ps.add("roles", ErrInvalidSpec, "roles name environment variables, but slot 0 has none; "+
			"the others default to slot 0's variable plus their offset, so slot 0 needs a role with one")
	}
}

func validateServices(ps *problems, spec Spec, done map[string]bool) {
	names := map[string]int{}
	seen := map[ports.Port]string{} // port or node port -> what holds it
	for i, sv := range spec.InfraPorts {
		w := whereService(i, sv.Name)
		checkLabel(ps, w, "service", sv.Name)
		if j, ok := names[sv.Name]; ok && sv.Name != "" {
			ps.add(w, ErrInvalidSpec, "service "+strconv.Quote(sv.Name)+" is also services["+strconv.Itoa(j)+"]")
		} else {
			names[sv.Name] = i
		}
		check := func(what string, p ports.Port) {
			if h, ok := seen[p]; ok {
				ps.add(w, ErrInvalidSpec, what+" "+p.String()+" is also "+h)
				return
			}
			seen[p] = "the " + what + " of " + named("service", sv.Name)
			for _, l := range spec.Languages {
				if l.Range.Contains(p) {
					ps.add(w, ErrOverlap, what+" "+p.String()+" lies in the range of "+
						named("language", string(l.Name))+", "+l.Range.String())
				}
			}
		}
		switch {
		case done[w+"#port"]:
		case sv.Port == 0:
			ps.add(w, ErrInvalidSpec, "port 0 is not a fixed port; give the service its port")
		default:
			check("port", sv.Port)
		}
		if sv.NodePort != 0 {
			check("node port", sv.NodePort)
		}
	}
}

// checkRange reports a missing range and a size that is not a multiple of
// the slot count.
func checkRange(ps *problems, where string, r ports.Range, slots int, slotsOK bool, done map[string]bool) {
	if !r.IsValid() {
		if !done[where+"#range"] {
			ps.add(where, ErrInvalidSpec, "no range")
		}
		return
	}
	if slotsOK && r.Len()%slots != 0 {
		ps.add(where, ErrInvalidSpec, "range "+r.String()+" holds "+count(r.Len(), "port")+", not a multiple of the "+
			count(slots, "slot")+" of a pod ("+count(r.Len()/slots, "pod")+" and "+
			count(r.Len()%slots, "port")+" left over)")
	}
}

// outsidePart says which ports of k lie outside l.
func outsidePart(l, k ports.Range) string {
	out := ports.RangeSetOf(k).Difference(ports.RangeSetOf(l))
	if out.Len() == 1 {
		return ": port " + out.String() + " is outside"
	}
	return ": ports " + out.String() + " are outside"
}

// placed is a range and where it is in the spec.
type placed struct {
	where string
	r     ports.Range
}

// overlaps reports every pair of rs that overlaps, once, in spec order.
func overlaps(ps *problems, rs []placed) {
	type found struct{ i, j int }
	var pairs []found
	order := make([]int, 0, len(rs))
	for i, p := range rs {
		if p.r.IsValid() {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return rs[a].r.Compare(rs[b].r) })
	for x, i := range order {
		for _, j := range order[x+1:] {
			if rs[j].r.Lo() > rs[i].r.Hi() {
				break
			}
			pairs = append(pairs, found{min(i, j), max(i, j)})
		}
	}
	slices.SortFunc(pairs, func(a, b found) int {
		if a.j != b.j {
			return a.j - b.j
		}
		return a.i - b.i
	})
	for _, p := range pairs {
		a, b := rs[p.i], rs[p.j]
		both, _ := a.r.Intersect(b.r)
		ps.add(b.where, ErrOverlap, "range "+b.r.String()+" overlaps "+a.where+", "+a.r.String()+
			", on "+plural(both.Len(), "port")+" "+both.String())
	}
}

func checkLabel(ps *problems, where, what, name string) {
	if msg := labelProblem(name); msg != "" {
		ps.add(where, ErrInvalidSpec, what+" name "+strconv.Quote(name)+": "+msg)
	}
}

// labelProblem says what keeps s from being a DNS label as Kubernetes names
// are (RFC 1123): 1 to 63 characters of a-z, 0-9 and '-', beginning and
// ending with a letter or digit.
func labelProblem(s string) string {
	switch {
	case s == "":
		return "empty"
	case len(s) > 63:
		return "longer than 63 characters"
	case s[0] == '-' || s[len(s)-1] == '-':
		return "begins or ends with '-'"
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isLower(c) && !isDigit(c) && c != '-' {
			return "character " + charAt(s, i) + " not allowed; want a-z, 0-9 and '-'"
		}
	}
	return ""
}

// portNameProblem says what keeps s from being a Kubernetes port name, an
// IANA service name (RFC 6335, section 5.1): 1 to 15 characters of a-z, 0-9
// and '-', at least one letter, no '-' at either end nor two in a row.
func portNameProblem(s string) string {
	if len(s) > 15 {
		return "longer than 15 characters"
	}
	if msg := labelProblem(s); msg != "" {
		return msg
	}
	if strings.Contains(s, "--") {
		return "two '-' in a row"
	}
	if strings.IndexFunc(s, func(r rune) bool { return 'a' <= r && r <= 'z' }) < 0 {
		return "no letter"
	}
	return ""
}

// charAt quotes the character that starts at byte i of s: the whole of a
// multi-byte UTF-8 character, or the byte itself if it begins none.
func charAt(s string, i int) string {
	r, size := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError && size == 1 {
		return strconv.Quote(s[i : i+1])
	}
	return strconv.QuoteRune(r)
}

// envNameProblem says what keeps s from being a portable environment
// variable name: letters, digits and '_', not beginning with a digit.
func envNameProblem(s string) string {
	if isDigit(s[0]) {
		return "begins with a digit"
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isLower(c) && !('A' <= c && c <= 'Z') && !isDigit(c) && c != '_' {
			return "character " + charAt(s, i) + " not allowed; want A-Z, a-z, 0-9 and '_'"
		}
	}
	return ""
}

// slotBeyond says that slot is not below the slot count n.
func slotBeyond(slot Slot, n int) string {
	return "slot " + strconv.Itoa(int(slot)) + " is beyond the " + count(n, "slot") +
		" (0-" + strconv.Itoa(n-1) + ") of a pod"
}

// count writes n and noun, in the plural unless n is 1.
func count(n int, noun string) string {
	return strconv.Itoa(n) + " " + plural(n, noun)
}

// plural returns noun for one and noun+"s" for any other number n.
func plural(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}

func isLower(c byte) bool { return 'a' <= c && c <= 'z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// Avoid is a set of ports that a scheme's pods and services should stay out
// of, with a name for messages, such as the Linux default ephemeral range
// 32768-60999, IANA's Dynamic range, or the ports of well-known services.
//
// The zero Avoid is an empty set that nothing lies in.
type Avoid struct {
	// Name says what the ports are, as "Linux ephemeral ports".
	Name string
	// Ports are the ports to avoid.
	Ports ports.RangeSet
}

// Validate reports every port of s that lies in one of the sets to avoid,
// as a [*SchemeError] whose problems unwrap to [ErrOverlap], or nil if
// there is none. The structure of s itself was checked when s was built.
//
// Each problem names the part of the scheme, the ports concerned and the
// set, in scheme order and for each set in the order given:
//
//   - a language whose pods all lie in the set, as one problem for the whole
//     language;
//   - otherwise each kind with pods in the set, with the indexes of those
//     pods and their ports in the set;
//   - each service whose port or node port lies in the set.
//
// The set itself is written out after its name when it has at most four
// ranges.
func (s Scheme) Validate(avoid ...Avoid) error {
	if s.d == nil {
		return nil
	}
	var ps problems
	n := s.d.spec.Slots
	for _, a := range avoid {
		in := " lies in " + a.Name
		if a.Ports.NumRanges() <= 4 {
			in += " (" + a.Ports.String() + ")"
		}
		for i, l := range s.d.spec.Languages {
			var b ports.RangeSetBuilder
			for _, k := range l.Components {
				b.Add(k.Range)
			}
			pods := b.RangeSet()
			hit := pods.Intersect(a.Ports)
			if hit.IsEmpty() {
				continue
			}
			if hit.Equal(pods) {
				ps.add(whereLanguage(i, l.Name), ErrOverlap, "every pod, "+plural(pods.Len(), "port")+" "+pods.String()+","+in)
				continue
			}
			for j, k := range l.Components {
				kh := hit.Intersect(ports.RangeSetOf(k.Range))
				if kh.IsEmpty() {
					continue
				}
				ps.add(whereKind(i, j, l.Name, k.Name), ErrOverlap, podIndexes(k.Range, kh, n)+", "+plural(kh.Len(), "port")+" "+kh.String()+","+in)
			}
		}
		for i, sv := range s.d.spec.InfraPorts {
			if a.Ports.Contains(sv.Port) {
				ps.add(whereService(i, sv.Name), ErrOverlap, "port "+sv.Port.String()+in)
			}
			if sv.NodePort != 0 && a.Ports.Contains(sv.NodePort) {
				ps.add(whereService(i, sv.Name), ErrOverlap, "node port "+sv.NodePort.String()+in)
			}
		}
	}
	if len(ps) == 0 {
		return nil
	}
	return &SchemeError{Problems: ps}
}

// podIndexes writes the indexes of the pods of kind range k that have ports
// in hit: "pod 2" or "pods 0-1, 4".
func podIndexes(k ports.Range, hit ports.RangeSet, slots int) string {
	var b ports.RangeSetBuilder // pod indexes, as ports: a kind holds at most 65536 pods
	for r := range hit.Ranges() {
		first := (int(r.Lo()) - int(k.Lo())) / slots
		last := (int(r.Hi()) - int(k.Lo())) / slots
		b.Add(ports.RangeFrom(ports.Port(first), ports.Port(last)))
	}
	set := b.RangeSet()
	word := "pods "
	if set.Len() == 1 {
		word = "pod "
	}
	return word + strings.ReplaceAll(set.String(), ",", ", ")
}
