package portscheme

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
	"go.yaml.in/yaml/v3"
)

func TestContainerPorts(t *testing.T) {
	s := Default()
	exposed := func(cps []ContainerPort) map[string]bool {
		m := map[string]bool{}
		for _, cp := range cps {
			m[cp.Name] = cp.InService
		}
		return m
	}
	tests := []struct {
		name   string
		expose []Slot
		want   map[string]bool
	}{
		{"none asked", nil, map[string]bool{"coordinator": true, "rest": false, "debug": false, "logic": false, "client-debug": false, "control": false}},
		{"coordinator asked", []Slot{Coordinator}, map[string]bool{"coordinator": true, "rest": false, "debug": false, "logic": false, "client-debug": false, "control": false}},
		{"all that can be", []Slot{REST, Debug, ClientDebug, Control}, map[string]bool{"coordinator": true, "rest": true, "debug": true, "logic": false, "client-debug": true, "control": true}},
		{"asked twice", []Slot{Control, Control}, map[string]bool{"coordinator": true, "rest": false, "debug": false, "logic": false, "client-debug": false, "control": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.ContainerPorts(Pod{Python, Saga, 2}, tt.expose...)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, exposed(got)); diff != "" {
				t.Errorf("ContainerPorts(python/saga/2, %v) exposed (-want +got):\n%s", tt.expose, diff)
			}
			for _, cp := range got {
				if want := ports.Port(50480) + ports.Port(cp.Slot); cp.Port != want || cp.Protocol != ports.TCP {
					t.Errorf("ContainerPorts(python/saga/2): %+v, want port %v/tcp", cp, want)
				}
			}
		})
	}
}

func TestContainerPortsErrors(t *testing.T) {
	s := Default()
	tests := []struct {
		pod    Pod
		expose []Slot
		err    error
		msg    string
	}{
		{Pod{Python, Saga, 2}, []Slot{REST, Logic}, ErrNotInScheme,
			"portscheme: python/saga/2 slot 3: slot 3 (logic) is internal to the pod and can never be exposed"},
		{Pod{Python, Saga, 2}, []Slot{7}, ErrNotInScheme,
			"portscheme: python/saga/2 slot 7: slot 7 is reserved: it has no role to expose"},
		{Pod{Python, Saga, 2}, []Slot{10}, ErrNotInScheme,
			"portscheme: python/saga/2 slot 10: slot 10 is beyond the 10 slots (0-9) of a pod"},
		{Pod{Python, Saga, 3}, nil, ErrNotInScheme,
			"portscheme: python/saga/3: pod index 3 is beyond the capacity of python/saga: 3 pods (indexes 0-2) in 50460-50489"},
		{Pod{"ruby", Saga, 0}, nil, ErrNotInScheme,
			`portscheme: ruby/saga/0: unknown language "ruby"; the scheme has rust, go, python, java, csharp and cpp`},
	}
	for _, tt := range tests {
		got, err := s.ContainerPorts(tt.pod, tt.expose...)
		if err == nil {
			t.Errorf("ContainerPorts(%v, %v) = %+v, want error", tt.pod, tt.expose, got)
			continue
		}
		if !errors.Is(err, tt.err) || err.Error() != tt.msg {
			t.Errorf("ContainerPorts(%v, %v) error:\n got %v\nwant %s", tt.pod, tt.expose, err, tt.msg)
		}
	}
}

// A custom scheme's roles come out in slot order, whatever their order in
// the spec.
func TestContainerPortsOrder(t *testing.T) {
	s, err := New(Spec{
		Slots:     3,
		Roles:     []Role{{Slot: 2, Name: "ui", ServicePolicy: ServiceOptional}, {Slot: 0, Name: "api", ServicePolicy: ServiceAlways}},
		Languages: []LanguageSpec{{Name: "ts", Range: r(3000, 3005), Components: []ComponentSpec{{"web", r(3000, 3005)}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.ContainerPorts(Pod{"ts", "web", 1}, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := []ContainerPort{
		{Name: "api", Port: 3003, Protocol: ports.TCP, Slot: 0, ServicePolicy: ServiceAlways, InService: true},
		{Name: "ui", Port: 3005, Protocol: ports.TCP, Slot: 2, ServicePolicy: ServiceOptional, InService: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ContainerPorts(ts/web/1, 2) (-want +got):\n%s", diff)
	}
}

func TestContainerPortRendering(t *testing.T) {
	cps, err := Default().ContainerPorts(Pod{Rust, Aggregate, 0})
	if err != nil {
		t.Fatal(err)
	}
	for _, cp := range cps {
		if got := cp.KubernetesProtocol(); got != "TCP" {
			t.Errorf("%s.KubernetesProtocol() = %q, want TCP", cp.Name, got)
		}
	}
	for p, want := range map[ports.Protocol]string{ports.UDP: "UDP", ports.SCTP: "SCTP", ports.DCCP: "", 0: ""} {
		if got := (ContainerPort{Protocol: p}).KubernetesProtocol(); got != want {
			t.Errorf("KubernetesProtocol of %v = %q, want %q", p, got, want)
		}
	}
	y, err := yaml.Marshal(cps[:1])
	if err != nil {
		t.Fatal(err)
	}
	if want := "- name: coordinator\n  containerPort: 50050\n  protocol: TCP\n"; string(y) != want {
		t.Errorf("yaml.Marshal = %q, want %q", y, want)
	}
	j, err := json.Marshal(cps[0])
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"name":"coordinator","containerPort":50050,"protocol":"TCP"}`; string(j) != want {
		t.Errorf("json.Marshal = %s, want %s", j, want)
	}
}
