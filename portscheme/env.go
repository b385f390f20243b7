package portscheme

import (
	"errors"
	"strconv"

	"github.com/portalloc/ports"
)

// EnvVar is one variable of a pod's environment: the name a role gives it
// (see [Role.Env]), the slot and the port.
//
// The zero EnvVar has no name and is not a variable.
type EnvVar struct {
	Name string
	Slot Slot
	Port ports.Port
}

// String returns "NAME=port", as a process environment holds it.
func (v EnvVar) String() string { return v.Name + "=" + v.Port.String() }

// Env returns the environment of pod p: one variable per role that names
// one, in slot order. In the default scheme they are PORT (slot 0),
// REST_PORT (PORT+1), DEBUG_PORT (PORT+2) and TARGET_PORT (PORT+3). It
// fails with a [*PodError] if the scheme has no pod p.
func (s Scheme) Env(p Pod) ([]EnvVar, error) {
	r, err := s.PodRange(p)
	if err != nil {
		return nil, err
	}
	vars := make([]EnvVar, 0, len(s.d.env))
	for _, i := range s.d.env {
		role := s.d.spec.Roles[i]
		vars = append(vars, EnvVar{Name: role.Env, Slot: role.Slot, Port: r.Lo() + ports.Port(role.Slot)})
	}
	return vars, nil
}

// PodEnv is what [Scheme.ParseEnv] read from an environment: the pod, and
// its variables with their ports.
//
// The zero PodEnv names no pod and has no variables.
type PodEnv struct {
	// Pod is the pod that the slot-0 variable (PORT) names.
	Pod Pod
	// Vars holds every variable of the scheme's contract, in slot order,
	// whether the environment set it or it was derived from PORT.
	Vars []EnvVar
	// Derived names the variables of Vars that the environment did not set,
	// in slot order.
	Derived []string

	// Bare reports that the slot-0 variable named no pod and was taken as
	// the service's own port ([Scheme.ParseEnvAllowBare]); Note says so in
	// words. Pod is then the zero Pod.
	Bare bool
	Note string

	slots int // the scheme's slot count, for Port; 0 for a bare port
}

// Port returns the port of slot of the pod: PORT fixes every slot, so it
// answers each slot below the scheme's slot count (slot 4 of a pod whose
// PORT is 50050 is 50054), whether or not the slot's role names a
// variable. It reports false for a slot beyond the slot count, and, for the
// bare port of [Scheme.ParseEnvAllowBare], for every slot but those of
// the variables the environment set.
func (e PodEnv) Port(slot Slot) (ports.Port, bool) {
	for _, v := range e.Vars {
		if v.Slot == slot {
			return v.Port, true
		}
	}
	if int(slot) < e.slots && len(e.Vars) > 0 && e.Vars[0].Slot == 0 {
		return e.Vars[0].Port + ports.Port(slot), true
	}
	return 0, false
}

// Lookup returns the port of the variable called name, and whether the
// scheme's contract has such a variable.
func (e PodEnv) Lookup(name string) (ports.Port, bool) {
	for _, v := range e.Vars {
		if v.Name == name {
			return v.Port, true
		}
	}
	return 0, false
}

// EnvError reports a variable that [Scheme.ParseEnv] could not accept. It
// unwraps to [ErrNotSet], [ErrNotAPort] or [ErrNotInScheme].
type EnvError struct {
	Name   string // the variable, as "REST_PORT"
	Value  string // its value, if it was set
	Set    bool   // whether it was set
	Detail string // what is wrong, and what the scheme expects
	Err    error  // the sentinel
}

// Error returns "portscheme: NAME=\"value\": " followed by the detail, or
// "portscheme: NAME: " for a variable that is not set.
func (e *EnvError) Error() string {
	s := "portscheme: "
	if e.Name != "" {
		s += e.Name
		if e.Set {
			s += "=" + strconv.Quote(e.Value)
		}
		s += ": "
	}
	return s + e.Detail
}

// Unwrap returns the sentinel.
func (e *EnvError) Unwrap() error { return e.Err }

// ParseEnv reads a pod's environment through lookup, which has the
// signature of [os.LookupEnv] so that a service passes os.LookupEnv and a
// test passes a map's lookup.
//
// The slot-0 variable (PORT in the default scheme) must be set, and must be
// slot 0 of a pod of the scheme: it names the pod. Each other variable of
// the contract defaults to PORT plus its slot when it is not set; when it
// is set, it must be that port. ParseEnv checks every variable and returns
// every problem found, each an [*EnvError], joined by [errors.Join]:
//
//   - [ErrNotSet]: PORT is not set (or the scheme names no variables);
//   - [ErrNotAPort]: a value is empty, not a decimal number (no sign, no
//     white space) or a number above 65535;
//   - [ErrNotInScheme]: PORT is not slot 0 of a pod of the scheme, or a
//     variable is a port other than the one the scheme gives it.
func (s Scheme) ParseEnv(lookup func(string) (string, bool)) (PodEnv, error) {
	return s.parseEnv(lookup, false)
}

// ParseEnvAllowBare is [Scheme.ParseEnv] for a service that may also run
// where the platform chooses PORT itself: a PORT that lies outside the
// scheme (in no language range and on no service of it, as 8080) is taken
// as the service's own port rather than refused. The PodEnv says so: Bare
// is true, Note tells why, Pod is the zero Pod, and Vars holds PORT and
// the other variables the environment set (each must be a port; none is
// derived, since a bare port fixes no other slot). A PORT inside the scheme
// is read as ParseEnv reads it, with the same errors.
func (s Scheme) ParseEnvAllowBare(lookup func(string) (string, bool)) (PodEnv, error) {
	return s.parseEnv(lookup, true)
}

func (s Scheme) parseEnv(lookup func(string) (string, bool), allowBare bool) (PodEnv, error) {
	if s.d == nil || len(s.d.env) == 0 {
		return PodEnv{}, &EnvError{Err: ErrNotSet, Detail: "the scheme names no environment variables"}
	}
	var errs []error
	base := s.d.spec.Roles[s.d.env[0]] // validated: the role of slot 0
	var pod Pod
	var first ports.Port
	havePod := false
	if v, ok := lookup(base.Env); !ok {
		errs = append(errs, &EnvError{Name: base.Env, Err: ErrNotSet,
			Detail: "not set; it must hold the pod's " + s.slotName(0) + " port, from which the others derive"})
	} else if p, err := parseEnvPort(base.Env, v); err != nil {
		errs = append(errs, err)
	} else if loc, ok := s.Locate(p); !ok {
		if allowBare && s.outside(p) {
			return s.bareEnv(lookup, base.Env, p)
		}
		errs = append(errs, &EnvError{Name: base.Env, Value: v, Set: true, Err: ErrNotInScheme, Detail: s.notAPod(p)})
	} else if loc.Slot != 0 {
		errs = append(errs, &EnvError{Name: base.Env, Value: v, Set: true, Err: ErrNotInScheme,
			Detail: "contradicts the scheme: " + p.String() + " is the " + s.slotName(loc.Slot) + " port of " + loc.Pod.String() +
				", not a pod's " + s.slotName(0) + " port; that pod's " + base.Env + " is " + (p - ports.Port(loc.Slot)).String()})
	} else {
		pod, first, havePod = loc.Pod, p, true
	}

	env := PodEnv{Pod: pod, slots: s.d.spec.Slots}
	for _, i := range s.d.env {
		role := s.d.spec.Roles[i]
		want := first + ports.Port(role.Slot)
		v, ok := lookup(role.Env)
		if role.Slot == 0 {
			env.Vars = append(env.Vars, EnvVar{Name: role.Env, Slot: 0, Port: first})
			continue
		}
		if !ok {
			env.Vars = append(env.Vars, EnvVar{Name: role.Env, Slot: role.Slot, Port: want})
			env.Derived = append(env.Derived, role.Env)
			continue
		}
		p, err := parseEnvPort(role.Env, v)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if havePod && p != want {
			d := "contradicts the scheme: pod " + pod.String() + " (" + base.Env + "=" + first.String() + ") has its " +
				s.slotName(role.Slot) + " port at " + want.String()
			if loc, ok := s.Locate(p); ok {
				d += ", and " + p.String() + " is the " + s.slotName(loc.Slot) + " port of " + loc.Pod.String()
			}
			errs = append(errs, &EnvError{Name: role.Env, Value: v, Set: true, Err: ErrNotInScheme, Detail: d})
			continue
		}
		env.Vars = append(env.Vars, EnvVar{Name: role.Env, Slot: role.Slot, Port: p})
	}
	switch len(errs) {
	case 0:
		return env, nil
	case 1:
		return PodEnv{}, errs[0]
	}
	return PodEnv{}, errors.Join(errs...)
}

// outside reports whether p lies in no language range and on no service
// of the scheme.
func (s Scheme) outside(p ports.Port) bool {
	if _, ok := s.InfraPortAt(p); ok {
		return false
	}
	_, ok := s.languageAt(p)
	return !ok
}

// bareEnv reads the environment of a service whose slot-0 variable, name,
// holds the port p outside the scheme.
func (s Scheme) bareEnv(lookup func(string) (string, bool), name string, p ports.Port) (PodEnv, error) {
	env := PodEnv{Bare: true, Vars: []EnvVar{{Name: name, Slot: 0, Port: p}},
		Note: name + "=" + p.String() + " lies outside the scheme: taken as the service's own port, with no pod"}
	var errs []error
	for _, i := range s.d.env[1:] {
		role := s.d.spec.Roles[i]
		v, ok := lookup(role.Env)
		if !ok {
			continue
		}
		q, err := parseEnvPort(role.Env, v)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		env.Vars = append(env.Vars, EnvVar{Name: role.Env, Slot: role.Slot, Port: q})
	}
	if len(errs) > 0 {
		return PodEnv{}, errors.Join(errs...)
	}
	return env, nil
}

// slotName returns "slot N (name)", or "slot N" for a reserved slot.
func (s Scheme) slotName(slot Slot) string {
	n := "slot " + strconv.Itoa(int(slot))
	if r, ok := s.Role(slot); ok {
		n += " (" + r.Name + ")"
	}
	return n
}

// notAPod explains why p, which Locate does not find, names no pod.
func (s Scheme) notAPod(p ports.Port) string {
	d := "contradicts the scheme: " + p.String()
	if sv, ok := s.InfraPortAt(p); ok {
		return d + " is a port of service " + sv.Name + ", not of a pod"
	}
	if l, ok := s.languageAt(p); ok {
		var b ports.RangeSetBuilder
		for _, k := range l.Components {
			b.Add(k.Range)
		}
		return d + " lies in the range of language " + string(l.Name) + ", " + l.Range.String() +
			", but in none of its kinds; its pods lie in " + b.RangeSet().String()
	}
	var b ports.RangeSetBuilder
	for _, k := range s.d.kinds {
		b.Add(k.r)
	}
	return d + " lies in no pod of the scheme; its pods lie in " + b.RangeSet().String()
}

// parseEnvPort reads the decimal port number v of variable name.
func parseEnvPort(name, v string) (ports.Port, *EnvError) {
	bad := func(err error, detail string) (ports.Port, *EnvError) {
		return 0, &EnvError{Name: name, Value: v, Set: true, Err: err, Detail: detail}
	}
	if v == "" {
		return bad(ErrNotAPort, "malformed: set but empty; want a decimal port number")
	}
	n := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case isDigit(c):
			if n <= int(ports.MaxPort) {
				n = n*10 + int(c-'0')
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			return bad(ErrNotAPort, "malformed: white space at byte "+strconv.Itoa(i)+"; want a decimal port number alone")
		case c >= 0x80:
			return bad(ErrNotAPort, "malformed: non-ASCII character at byte "+strconv.Itoa(i)+"; want ASCII digits")
		default:
			return bad(ErrNotAPort, "malformed: unexpected "+strconv.QuoteRuneToASCII(rune(c))+
				" at byte "+strconv.Itoa(i)+"; want a decimal port number")
		}
	}
	if n > int(ports.MaxPort) {
		return bad(ErrNotAPort, "out of range: ports go from 0 to 65535")
	}
	return ports.Port(n), nil
}
