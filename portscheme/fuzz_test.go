package portscheme

import (
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
)

// schemeSentinels are the sentinels a Problem of New or ParseJSON unwraps
// to.
var schemeSentinels = []error{ErrInvalidSpec, ErrOverlap}

// FuzzParseJSON checks that ParseJSON never panics; that its errors start
// with the package name and, for a scheme with problems, list problems that
// each name a place and unwrap to a sentinel; and that every scheme it
// accepts survives a round trip and lays its pods out where Locate finds
// them.
func FuzzParseJSON(f *testing.F) {
	def, err := os.ReadFile("testdata/default.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(def)                                                                                                             // the default scheme, indented
	f.Add([]byte(`{"slots":1,"languages":[{"name":"a","range":"0-65535","kinds":[{"name":"k","range":"0-65535"}]}]}`))     // one-port pods over the whole space
	f.Add([]byte(`{"slots":65536,"languages":[{"name":"a","range":"0-65535","kinds":[{"name":"k","range":"0-65535"}]}]}`)) // one pod of every port
	f.Add([]byte(`{"slots":2,"roles":[{"slot":1,"name":"web","exposure":"internal","env":"WEB"}]}`))                       // a variable without a base
	f.Add([]byte(`{"slots":10,"languages":[{"name":"a","range":"65530-65600"}]}`))                                         // beyond 65535
	f.Add([]byte(`{"slots":10,"languages":[{"name":"a","range":"-5"}]}`))                                                  // malformed range
	f.Add([]byte(`{"slots":10,"slots":3}`))                                                                                // a key twice
	f.Add([]byte(`{"SLOTS":10}`))                                                                                          // keys match in any case
	f.Add([]byte(`{"slots":10,"services":[{"name":"s","port":1e3}]}`))                                                     // an exponent
	f.Add([]byte("{\"slots\":10,\"languages\":[{\"name\":\"\xff\",\"range\":\"1-10\"}]}"))                                 // invalid UTF-8
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseJSON(data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "portscheme: ") {
				t.Fatalf("ParseJSON error %q does not start with the package name", err)
			}
			var se *SchemeError
			if errors.As(err, &se) {
				if len(se.Problems) == 0 {
					t.Fatal("ParseJSON: a SchemeError with no problems")
				}
				for _, p := range se.Problems {
					if p.Where == "" || p.Detail == "" || !slices.Contains(schemeSentinels, p.Err) {
						t.Fatalf("ParseJSON: problem %#v", p)
					}
				}
			}
			return
		}
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		q, err := ParseJSON(b)
		if err != nil {
			t.Fatalf("ParseJSON(Marshal(ParseJSON(%q))) error: %v", data, err)
		}
		if diff := cmp.Diff(s.Spec(), q.Spec(), rangeEq); diff != "" {
			t.Fatalf("JSON round trip of %q (-want +got):\n%s", data, diff)
		}
		if b2, _ := json.Marshal(q); string(b2) != string(b) {
			t.Fatalf("Marshal is not stable:\n%s\n%s", b, b2)
		}
		for _, l := range s.Spec().Languages {
			for pod, pr := range s.Pods(l.Name) {
				if loc, ok := s.Locate(pr.Hi()); !ok || loc.Pod != pod || int(loc.Slot) != s.Slots()-1 {
					t.Fatalf("Locate(%v) = %v, %v; want the last slot of %v", pr.Hi(), loc, ok, pod)
				}
			}
		}
	})
}

// FuzzParseEnv checks ParseEnv against a reference built on ports.ParsePort:
// it succeeds exactly when every variable set is a port, PORT is slot 0 of a
// pod and every other variable set is PORT plus its slot; and then it gives
// that pod and those ports. Its errors are *EnvError values with a sentinel.
func FuzzParseEnv(f *testing.F) {
	// set holds one bit per variable: PORT, REST_PORT, DEBUG_PORT,
	// TARGET_PORT.
	f.Add("50050", "50051", "50052", "50053", uint8(0b1111)) // the Player pod, all set
	f.Add("50260", "", "", "", uint8(0b0001))                // PORT alone
	f.Add("50263", "", "", "", uint8(0b0001))                // PORT on a logic port
	f.Add("50050", "50061", "x", "70000", uint8(0b1111))     // three different faults
	f.Add("", "50051", "", "", uint8(0b0011))                // PORT empty
	f.Add("0050050", "050051", "", "", uint8(0b0011))        // leading zeros
	f.Add("65535", "", "", "", uint8(0b0001))                // the last port
	f.Add("99999999999999999999", "", "", "", uint8(0b0001)) // overflows any integer
	f.Add("50050", "", "", "", uint8(0b0000))                // nothing set
	f.Fuzz(func(t *testing.T, port, rest, debug, target string, set uint8) {
		s := Default()
		names := []string{"PORT", "REST_PORT", "DEBUG_PORT", "TARGET_PORT"}
		values := []string{port, rest, debug, target}
		env := map[string]string{}
		for i, n := range names {
			if set&(1<<i) != 0 {
				env[n] = values[i]
			}
		}
		got, err := s.ParseEnv(mapLookup(env))

		// The reference.
		ok := true
		var base ports.Port
		var pod Pod
		for i, n := range names {
			v, isSet := env[n]
			if !isSet {
				ok = ok && i != 0
				continue
			}
			p, perr := ports.ParsePort(v)
			if perr != nil {
				ok = false
				continue
			}
			if i == 0 {
				loc, found := s.Locate(p)
				ok = ok && found && loc.Slot == 0
				base, pod = p, loc.Pod
			} else if ok && p != base+ports.Port(i) {
				ok = false
			}
		}
		if ok != (err == nil) {
			t.Fatalf("ParseEnv(%q) = %+v, %v; the reference says ok = %v", env, got, err, ok)
		}
		if err != nil {
			list := []error{err}
			if j, isJoin := err.(interface{ Unwrap() []error }); isJoin {
				list = j.Unwrap()
			}
			for _, e := range list {
				var ee *EnvError
				if !errors.As(e, &ee) || !strings.HasPrefix(e.Error(), "portscheme: "+ee.Name) ||
					!slices.Contains([]error{ErrNotSet, ErrNotAPort, ErrNotInScheme}, ee.Err) {
					t.Fatalf("ParseEnv(%q) error %#v", env, e)
				}
			}
			return
		}
		want, _ := s.Env(pod)
		var derived []string
		for i, n := range names {
			if _, isSet := env[n]; !isSet && i > 0 {
				derived = append(derived, n)
			}
		}
		if diff := cmp.Diff(PodEnv{Pod: pod, Vars: want, Derived: derived, slots: s.Slots()}, got, cmp.AllowUnexported(PodEnv{})); diff != "" {
			t.Fatalf("ParseEnv(%q) (-want +got):\n%s", env, diff)
		}
	})
}

// FuzzParseEnvAllowBare checks ParseEnvAllowBare against ParseEnv: where
// ParseEnv accepts, it gives the same; where PORT is a port outside the
// scheme, a bare PodEnv whose variables are what the environment set;
// otherwise ParseEnv's errors.
func FuzzParseEnvAllowBare(f *testing.F) {
	f.Add("8080", "", "9229", "", uint8(0b0101)) // a platform's port and a debug port
	f.Add("50260", "", "", "", uint8(0b0001))    // a pod's port
	f.Add("8080", "x", "", "", uint8(0b0011))    // a bad variable beside a bare port
	f.Add("50053", "", "", "", uint8(0b0001))    // inside the scheme, not a pod's
	f.Add("1310", "", "", "", uint8(0b0001))     // a service of the scheme
	f.Add("", "", "", "", uint8(0b0001))         // empty
	f.Fuzz(func(t *testing.T, port, rest, debug, target string, set uint8) {
		s := Default()
		names := []string{"PORT", "REST_PORT", "DEBUG_PORT", "TARGET_PORT"}
		values := []string{port, rest, debug, target}
		env := map[string]string{}
		for i, n := range names {
			if set&(1<<i) != 0 {
				env[n] = values[i]
			}
		}
		strict, serr := s.ParseEnv(mapLookup(env))
		got, err := s.ParseEnvAllowBare(mapLookup(env))
		if serr == nil {
			if err != nil || got.Bare {
				t.Fatalf("ParseEnvAllowBare(%q) = %+v, %v; ParseEnv accepts it as %+v", env, got, err, strict)
			}
			return
		}
		if err != nil {
			return
		}
		p, perr := ports.ParsePort(env["PORT"])
		if !got.Bare || perr != nil || !s.outside(p) || got.Vars[0] != (EnvVar{"PORT", 0, p}) {
			t.Fatalf("ParseEnvAllowBare(%q) = %+v where ParseEnv fails with %v", env, got, serr)
		}
		for _, v := range got.Vars[1:] {
			if q, err := ports.ParsePort(env[v.Name]); err != nil || q != v.Port {
				t.Fatalf("ParseEnvAllowBare(%q): %v is not what the environment set", env, v)
			}
		}
	})
}

// FuzzServicePolicyUnmarshalText checks that UnmarshalText accepts exactly the
// four words, each of which marshals back to itself.
func FuzzServicePolicyUnmarshalText(f *testing.F) {
	f.Add("optional") // a word
	f.Add("Yes")      // the wrong case
	f.Add("")         // empty
	f.Fuzz(func(t *testing.T, s string) {
		var e ServicePolicy
		if err := e.UnmarshalText([]byte(s)); err != nil {
			if !strings.HasPrefix(err.Error(), "portscheme: ") {
				t.Fatalf("UnmarshalText(%q) error %q does not name the package", s, err)
			}
			return
		}
		if b, err := e.MarshalText(); err != nil || string(b) != s {
			t.Fatalf("UnmarshalText(%q) = %v, which marshals as %q, %v", s, e, b, err)
		}
	})
}
