package portscheme

import (
	"errors"
	"strconv"
)

// Language names a language range of a scheme: a lower-case DNS label such
// as "rust" or "csharp". The constants are the languages of the [Default]
// scheme; a custom scheme may name any others.
//
// The zero value, "", names no language.
type Language string

// The languages of the default scheme, in port order.
const (
	Rust   Language = "rust"
	Go     Language = "go"
	Python Language = "python"
	Java   Language = "java"
	CSharp Language = "csharp"
	Cpp    Language = "cpp"
)

// String returns the name of l.
func (l Language) String() string { return string(l) }

// Component names a kind of component within a language range: a
// lower-case DNS label such as "aggregate". The constants are the
// components of the [Default] scheme; a custom scheme may name any others.
// (The scheme's JSON form lists them under "kinds".)
//
// The zero value, "", names no component.
type Component string

// The components of the default scheme, in port order within each
// language.
const (
	Aggregate Component = "aggregate"
	Saga      Component = "saga"
	Projector Component = "projector"
)

// String returns the name of c.
func (c Component) String() string { return string(c) }

// Slot is the offset of a port within its pod: a pod's ports are its base
// port plus 0, 1, 2 and so on up to the scheme's slot count minus one.
//
// The constants are the roles of the [Default] scheme's ten slots; slots 5
// to 8 are reserved there and have no constant. A custom scheme gives its
// own roles to its slots (see [Scheme.Role]); the constants then are plain
// offsets.
//
// The zero value is slot 0, the coordinator of the default scheme.
type Slot uint16

// The roles of the default scheme's slots.
const (
	Coordinator Slot = 0 // coordinator gRPC, the pod's PORT; always exposed
	REST        Slot = 1 // REST to gRPC proxy, REST_PORT; exposed optionally
	Debug       Slot = 2 // coordinator diagnostics, DEBUG_PORT; not exposed
	Logic       Slot = 3 // client logic, TARGET_PORT; internal to the pod
	ClientDebug Slot = 4 // client logic diagnostics; not exposed
	Control     Slot = 9 // control and meta UI; exposed optionally
)

// defaultSlotNames are the role names of the default scheme, by offset; ""
// marks a reserved slot.
var defaultSlotNames = [...]string{
	Coordinator: "coordinator",
	REST:        "rest",
	Debug:       "debug",
	Logic:       "logic",
	ClientDebug: "client-debug",
	Control:     "control",
}

// String returns the role name that the default scheme gives s
// ("coordinator", "rest", "debug", "logic", "client-debug", "control"), or
// "slot N" for a slot the default scheme reserves or does not have. In a
// custom scheme, [Scheme.Role] gives the scheme's own name.
func (s Slot) String() string {
	if int(s) < len(defaultSlotNames) && defaultSlotNames[s] != "" {
		return defaultSlotNames[s]
	}
	return "slot " + strconv.Itoa(int(s))
}

// ServicePolicy says whether tooling puts a slot's port in the pod's
// Kubernetes Service, which makes it reachable from outside the pod. (Who
// can reach a port that a file declares is another matter:
// manifest.Exposure.) The scheme's JSON form writes it under "exposure",
// as "no", "yes", "optional" or "internal".
//
// The zero value is [ServiceOnRequest], the safe default.
type ServicePolicy uint8

const (
	// ServiceOnRequest ports stay out of the Service unless the operator
	// asks for them ("exposed only if needed"), as debug ports do.
	ServiceOnRequest ServicePolicy = iota
	// ServiceAlways ports are always in the pod's Service, as the
	// coordinator is.
	ServiceAlways
	// ServiceOptional ports are in the Service when the deployment wants
	// them, as the REST proxy is.
	ServiceOptional
	// ServiceNever ports are used within the pod only, over localhost, and
	// can never be in the Service, as the client logic port is.
	ServiceNever
)

var servicePolicyNames = [...]string{
	ServiceOnRequest: "no",
	ServiceAlways:    "yes",
	ServiceOptional:  "optional",
	ServiceNever:     "internal",
}

// String returns "no", "yes", "optional" or "internal" (the words of the
// JSON form), or "ServicePolicy(N)" for a value that is none of the four.
func (e ServicePolicy) String() string {
	if e.IsValid() {
		return servicePolicyNames[e]
	}
	return "ServicePolicy(" + strconv.Itoa(int(e)) + ")"
}

// IsValid reports whether e is one of the four policies.
func (e ServicePolicy) IsValid() bool { return int(e) < len(servicePolicyNames) }

// lookupServicePolicy returns the policy whose String is s.
func lookupServicePolicy(s string) (ServicePolicy, bool) {
	for i, n := range servicePolicyNames {
		if n == s {
			return ServicePolicy(i), true
		}
	}
	return 0, false
}

// AppendText implements [encoding.TextAppender]: the policy's String. A
// value that is none of the four is an error.
func (e ServicePolicy) AppendText(b []byte) ([]byte, error) {
	if !e.IsValid() {
		return b, errors.New("portscheme: " + e.String() + " is not a service policy; want yes, optional, no or internal")
	}
	return append(b, servicePolicyNames[e]...), nil
}

// MarshalText implements [encoding.TextMarshaler], so that JSON and YAML
// write a ServicePolicy as the word of the scheme's JSON form ("optional").
func (e ServicePolicy) MarshalText() ([]byte, error) { return e.AppendText(nil) }

// UnmarshalText implements [encoding.TextUnmarshaler]: "yes", "optional",
// "no" or "internal".
func (e *ServicePolicy) UnmarshalText(text []byte) error {
	x, ok := lookupServicePolicy(string(text))
	if !ok {
		return errors.New("portscheme: exposure " + strconv.Quote(string(text)) + " is unknown; want yes, optional, no or internal")
	}
	*e = x
	return nil
}
