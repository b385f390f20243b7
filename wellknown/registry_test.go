package wellknown

import (
	"bytes"
	"cmp"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
	"github.com/portalloc/ports/wellknown/internal/tablegen"
)

const (
	ianaPath    = "internal/data/service-names-port-numbers.xml.gz"
	defactoPath = "internal/data/defacto.txt"
	imagesPath  = "internal/data/images.txt"
)

var (
	registryOnce sync.Once
	registry     *tablegen.Registry
	registryErr  error
)

// readRegistry parses the copy of the registry the tables were generated
// from, once for all tests.
func readRegistry(t testing.TB) *tablegen.Registry {
	t.Helper()
	registryOnce.Do(func() { registry, registryErr = tablegen.ReadRegistryFile(ianaPath) })
	if registryErr != nil {
		t.Fatal(registryErr)
	}
	return registry
}

func allServices() []Service { return slices.Collect(All()) }

// TestGeneratedUpToDate regenerates the tables from internal/data and
// compares them with tables_gen.go: the generated file is what the
// generator makes of the data, byte for byte.
func TestGeneratedUpToDate(t *testing.T) {
	tab, err := tablegen.BuildFiles(ianaPath, defactoPath, imagesPath)
	if err != nil {
		t.Fatal(err)
	}
	src, err := tab.Generate(tablegen.Command)
	if err != nil {
		t.Fatal(err)
	}
	have, err := os.ReadFile("tables_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(src, have) {
		t.Fatal("tables_gen.go is not what internal/gen makes of internal/data: run go generate")
	}
}

// key is what a Service keeps of an IANA record.
type key struct {
	Name, Desc, AliasOf string
	Lo, Hi              ports.Port
	Proto               ports.Protocol
	Status              Status
}

// TestTablesMatchRegistry checks the IANA part of the tables against the
// registry: every record with a number is there, once for each time it is
// in the registry, with its fields, and nothing else is.
func TestTablesMatchRegistry(t *testing.T) {
	reg := readRegistry(t)
	if reg.Updated != RegistryUpdated {
		t.Errorf("RegistryUpdated = %q, registry says %q", RegistryUpdated, reg.Updated)
	}
	want := map[key]int{}
	wantPerProto := map[ports.Protocol]int{}
	numbered := 0
	for _, r := range reg.Records {
		if !r.HasNumber() {
			continue
		}
		numbered++
		want[key{r.Name, r.Description, r.AliasOf, r.Range.Lo(), r.Range.Hi(), r.Protocol, Status(r.Status)}]++
		wantPerProto[r.Protocol]++
	}
	// The registry of 2026-08-17 has 14,533 records, 1,070 of them without a
	// number.
	if len(reg.Records) != 14533 || numbered != 13463 {
		t.Errorf("registry copy has %d records, %d numbered; want 14533 and 13463", len(reg.Records), numbered)
	}
	got := map[key]int{}
	gotPerProto := map[ports.Protocol]int{}
	for s := range All() {
		if s.Source() != IANA {
			continue
		}
		got[key{s.Name(), s.Description(), s.AliasOf(), s.Range().Lo(), s.Range().Hi(), s.Protocol(), s.Status()}]++
		gotPerProto[s.Protocol()]++
		if s.Project() != "" || s.Category() != 0 || s.Reference() != "" {
			t.Errorf("IANA service %v has de-facto fields", s)
		}
	}
	if diff := gocmp.Diff(wantPerProto, gotPerProto); diff != "" {
		t.Errorf("services per protocol (-want +got):\n%s", diff)
	}
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("IANA services against the registry (-want +got):\n%s", diff)
	}
}

// compareServices is the order of All.
func compareServices(a, b Service) int {
	return cmp.Or(
		a.Range().Compare(b.Range()),
		cmp.Compare(a.Source(), b.Source()),
		strings.Compare(strings.ToLower(a.Name()), strings.ToLower(b.Name())),
	)
}

func TestAllSorted(t *testing.T) {
	all := allServices()
	if !slices.IsSortedFunc(all, compareServices) {
		for i := 1; i < len(all); i++ {
			if compareServices(all[i-1], all[i]) > 0 {
				t.Fatalf("All: %v comes before %v", all[i-1], all[i])
			}
		}
	}
	for _, s := range all {
		if !s.Range().IsValid() || (s.Protocol() != 0 && !s.Protocol().IsValid()) {
			t.Errorf("All: %v has an invalid range or protocol", s)
		}
	}
}

// TestAllStops checks that every iterator stops when the loop breaks.
func TestAllStops(t *testing.T) {
	seqs := map[string]func(yield func(Service) bool){
		"All":               All(),
		"Lookup(80, 0)":     Lookup(80, 0),
		"Lookup(6010, TCP)": Lookup(6010, ports.TCP),
		"ByName(http)":      ByName("http"),
		"Collision 3000 Services": func(yield func(Service) bool) {
			c, _ := CollisionAt(3000, ports.TCP)
			c.Services()(yield)
		},
	}
	for name, seq := range seqs {
		n := 0
		for range seq {
			n++
			break
		}
		if n != 1 {
			t.Errorf("%s: loop ran %d times after break, want 1", name, n)
		}
	}
	n := 0
	for range Collisions() {
		n++
		break
	}
	if n != 1 {
		t.Errorf("Collisions: loop ran %d times after break, want 1", n)
	}
}

// TestCategoriesMatchGenerator checks that the generator's category names
// are the Strings of the Category constants, in order.
func TestCategoriesMatchGenerator(t *testing.T) {
	var got []string
	for _, c := range Categories() {
		got = append(got, c.String())
	}
	if diff := gocmp.Diff(tablegen.CategoryNames, got); diff != "" {
		t.Errorf("category names (-generator +Category.String):\n%s", diff)
	}
}

// TestEnumText checks the text forms of Source, Status and Category through
// JSON: every constant round-trips as its String, the zero value as "",
// and unknown names are refused with the list of known ones.
func TestEnumText(t *testing.T) {
	type row struct {
		Source   Source
		Status   Status
		Category Category
	}
	var rows []row
	for _, c := range Categories() {
		rows = append(rows, row{DeFacto, 0, c})
	}
	rows = append(rows, row{IANA, Assigned, 0}, row{IANA, Reserved, 0}, row{IANA, Unassigned, 0}, row{})
	for _, r := range rows {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("json.Marshal(%+v): %v", r, err)
		}
		want := `{"Source":"` + textOrEmpty(r.Source.String(), r.Source == 0) + `","Status":"` + textOrEmpty(r.Status.String(), r.Status == 0) +
			`","Category":"` + textOrEmpty(r.Category.String(), r.Category == 0) + `"}`
		if string(b) != want {
			t.Errorf("json.Marshal(%+v) = %s, want %s", r, b, want)
		}
		var back row
		if err := json.Unmarshal(b, &back); err != nil || back != r {
			t.Errorf("json.Unmarshal(%s) = %+v, %v; want %+v", b, back, err, r)
		}
	}
	var r row
	err := json.Unmarshal([]byte(`{"Category":"queue"}`), &r)
	if err == nil || err.Error() != `wellknown: unknown category "queue"; want database, cache, message-broker, observability, web-server, admin-ui, infrastructure, media` {
		t.Errorf("json.Unmarshal of an unknown category: %v", err)
	}
	if _, err := Status(7).MarshalText(); err == nil || err.Error() != "wellknown: Status(7) has no name" {
		t.Errorf("Status(7).MarshalText() error = %v", err)
	}
}

func textOrEmpty(s string, zero bool) string {
	if zero {
		return ""
	}
	return s
}
