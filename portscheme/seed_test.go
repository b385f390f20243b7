package portscheme

import (
	"bufio"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/portalloc/ports"
)

// TestSeedText reads the seed's own text, a copy of which lives in
// testdata, and checks every row of its tables against the default scheme.
// The tables lost their cell separators on the way into the seed, so each
// row is split by a pattern that knows its shape (five-digit ports, the
// words of the Exposed column).
func TestSeedText(t *testing.T) {
	f, err := os.Open("testdata/seed-004-port-conventions.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, strings.TrimSpace(sc.Text()))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}

	s := Default()
	num := func(t *testing.T, text string) ports.Port {
		t.Helper()
		p, err := ports.ParsePort(text)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	rng := func(t *testing.T, text string) ports.Range {
		t.Helper()
		rg, err := ports.ParseRange(text)
		if err != nil {
			t.Fatal(err)
		}
		return rg
	}
	counts := map[string]int{}

	infra := regexp.MustCompile(`^(Aggregate Coordinator|Stream gRPC|Topology REST API)(\d{4})(\d{5}|-)(.+)$`)
	slot := regexp.MustCompile(`^(\d)(?:-(\d))?([A-Z][^.]*?)(Yes|Optional|No)(.+)$`)
	lang := regexp.MustCompile(`^(Rust|Go|Python|Java|C#|C\+\+)(\d{5}-\d{5})(\d{5}-\d{5})(\d{5}-\d{5})(\d{5}-\d{5})$`)
	pod := regexp.MustCompile(`^(Player|Table|Hand)(\d{5})(\d{5})(\d{5})(\d{5})(\d{5})$`)
	env := regexp.MustCompile(`^([A-Z_]+?)(varies|PORT\+(\d))(.+) port \(offset (\d)\)$`)
	yaml := regexp.MustCompile(`^(coordinator|rest|debug): (\d+) # (.+)$`)
	internal := regexp.MustCompile(`^# Logic port \((\d+)\) stays internal to pod$`)
	names := map[string]Language{"Rust": Rust, "Go": Go, "Python": Python, "Java": Java, "C#": CSharp, "C++": Cpp}
	podIndex := map[string]int{}

	for _, line := range lines {
		switch {
		case infra.MatchString(line):
			m := infra.FindStringSubmatch(line)
			counts["infra"]++
			var sv InfraPort
			for _, c := range s.Spec().InfraPorts {
				if c.Title == m[1] {
					sv = c
				}
			}
			if sv.Title == "" {
				t.Errorf("seed service %q is not in the default scheme", m[1])
				continue
			}
			if sv.Port != num(t, m[2]) || sv.Description != m[4] {
				t.Errorf("seed row %q: service %+v", line, sv)
			}
			if (m[3] == "-") != (sv.NodePort == 0) || (m[3] != "-" && sv.NodePort != num(t, m[3])) {
				t.Errorf("seed row %q: node port %v", line, sv.NodePort)
			}
		case slot.MatchString(line):
			m := slot.FindStringSubmatch(line)
			counts["slot"]++
			lo, _ := strconv.Atoi(m[1])
			hi := lo
			if m[2] != "" {
				hi, _ = strconv.Atoi(m[2])
			}
			for n := lo; n <= hi; n++ {
				role, ok := s.Role(Slot(n))
				if m[3] == "Reserved" {
					if ok {
						t.Errorf("seed row %q: slot %d has role %q", line, n, role.Name)
					}
					continue
				}
				// The scheme describes the coordinator in its own words,
				// without the platform's name.
				desc := strings.Replace(m[5], "Angzarr sidecar", "Sidecar", 1)
				if !ok || role.Purpose != m[3] || role.Description != desc {
					t.Errorf("seed row %q: Role(%d) = %+v, %v", line, n, role, ok)
				}
				// Yes, Optional and No; No covers internal ports too.
				word := map[ServicePolicy]string{ServiceAlways: "Yes", ServiceOptional: "Optional", ServiceOnRequest: "No", ServiceNever: "No"}[role.ServicePolicy]
				if word != m[4] {
					t.Errorf("seed row %q: Role(%d).ServicePolicy = %v", line, n, role.ServicePolicy)
				}
			}
		case lang.MatchString(line):
			m := lang.FindStringSubmatch(line)
			counts["lang"]++
			l, ok := s.Language(names[m[1]])
			if !ok || l.Title != m[1] || l.Range != rng(t, m[2]) || len(l.Components) != 3 {
				t.Errorf("seed row %q: Language = %+v, %v", line, l, ok)
				continue
			}
			for i, k := range []Component{Aggregate, Saga, Projector} {
				if l.Components[i].Name != k || l.Components[i].Range != rng(t, m[3+i]) {
					t.Errorf("seed row %q: kind %d = %v %v", line, i, l.Components[i].Name, l.Components[i].Range)
				}
			}
		case pod.MatchString(line):
			m := pod.FindStringSubmatch(line)
			counts["pod"]++
			i := len(podIndex)
			podIndex[m[1]] = i
			pr, err := s.PodRange(Pod{Rust, Aggregate, i})
			if err != nil || pr.Lo() != num(t, m[2]) {
				t.Errorf("seed row %q: PodRange(rust/aggregate/%d) = %v, %v", line, i, pr, err)
			}
			for slot := range 4 {
				p, err := s.Port(Rust, Aggregate, i, Slot(slot))
				if err != nil || p != num(t, m[3+slot]) {
					t.Errorf("seed row %q: Port(rust, aggregate, %d, %d) = %v, %v", line, i, slot, p, err)
				}
			}
		case env.MatchString(line):
			m := env.FindStringSubmatch(line)
			counts["env"]++
			off, _ := strconv.Atoi(m[5])
			if m[3] != "" && m[3] != m[5] {
				t.Errorf("seed row %q: default PORT+%s for offset %s", line, m[3], m[5])
			}
			role, ok := s.Role(Slot(off))
			if !ok || role.Env != m[1] {
				t.Errorf("seed row %q: Role(%d).Env = %q, %v", line, off, role.Env, ok)
			}
		case yaml.MatchString(line):
			m := yaml.FindStringSubmatch(line)
			counts["yaml"]++
			cps, err := s.ContainerPorts(Pod{Rust, Aggregate, 0})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, cp := range cps {
				if cp.Name == m[1] {
					found = true
					if cp.Port != num(t, m[2]) {
						t.Errorf("seed row %q: container port %+v", line, cp)
					}
					// Only the coordinator is always in the Service.
					if cp.InService != (m[3] == "Exposed via Service") {
						t.Errorf("seed row %q: container port %+v", line, cp)
					}
				}
			}
			if !found {
				t.Errorf("seed row %q: no container port %q", line, m[1])
			}
		case internal.MatchString(line):
			m := internal.FindStringSubmatch(line)
			counts["internal"]++
			loc, ok := s.Locate(num(t, m[1]))
			role, _ := s.Role(loc.Slot)
			if !ok || loc.Pod != (Pod{Rust, Aggregate, 0}) || role.ServicePolicy != ServiceNever {
				t.Errorf("seed row %q: Locate = %v, %v; role %+v", line, loc, ok, role)
			}
		}
	}
	// Every row of every table was seen: a seed that changed shape must not
	// pass by matching nothing.
	want := map[string]int{"infra": 3, "slot": 7, "lang": 6, "pod": 3, "env": 4, "yaml": 3, "internal": 1}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("seed: %d %s rows matched, want %d", counts[k], k, n)
		}
	}
	if podIndex["Player"] != 0 || podIndex["Table"] != 1 || podIndex["Hand"] != 2 {
		t.Errorf("seed: example pods in order %v", podIndex)
	}
}
