package tablegen

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/portalloc/ports"
)

// Item is one packed record of the tables: an IANA record, or several IANA
// records that differ only in their transport (http/tcp and http/udp), or a
// de-facto entry.
type Item struct {
	Lo, Hi      uint16
	Name        string
	Description string
	Protos      uint8 // bit p set for protocol p; bit 0 is "no transport named"
	Status      Status
	DeFacto     bool
	AliasOf     string
	Project     string
	Reference   string
	Category    int
	Aliases     []string // de-facto only: more names that find the item
	Images      []string // de-facto only: keys of the images that run it
	ImageOnly   bool     // de-facto only: found by image and name, not by port
}

// Collision is a run of ports where two or more de-facto projects meet on
// one protocol.
type Collision struct {
	Lo, Hi uint16
	Proto  ports.Protocol
	Items  []int // indices into Tables.Items, ascending
}

// Tables is everything the generated file holds, before packing.
type Tables struct {
	Updated    string
	Items      []Item // sorted: see less
	Collisions []Collision
	Skipped    int // registry records without a number, left out
}

// Build merges the registry and the de-facto table into sorted items and
// derives the collisions. It is deterministic: the same input gives the same
// Tables.
func Build(reg *Registry, defacto []DeFacto) (*Tables, error) {
	t := &Tables{Updated: reg.Updated}
	type key struct {
		lo, hi              uint16
		name, desc, aliasOf string
		status              Status
	}
	groups := map[key][]int{}
	for _, r := range reg.Records {
		if !r.HasNumber() {
			t.Skipped++
			continue
		}
		k := key{uint16(r.Range.Lo()), uint16(r.Range.Hi()), r.Name, r.Description, r.AliasOf, r.Status}
		bit := uint8(1) << r.Protocol
		merged := false
		for _, i := range groups[k] {
			if t.Items[i].Protos&bit == 0 {
				t.Items[i].Protos |= bit
				merged = true
				break
			}
		}
		if merged {
			continue
		}
		groups[k] = append(groups[k], len(t.Items))
		t.Items = append(t.Items, Item{
			Lo: k.lo, Hi: k.hi, Name: r.Name, Description: r.Description,
			Protos: bit, Status: r.Status, AliasOf: r.AliasOf,
		})
	}
	for _, e := range defacto {
		it := Item{
			Lo: uint16(e.Range.Lo()), Hi: uint16(e.Range.Hi()),
			Name: e.Names[0], Description: e.Description, DeFacto: true,
			Project: e.Project, Reference: e.Reference, Category: e.Category,
			Aliases: e.Names[1:], Images: e.Images, ImageOnly: e.ImageOnly,
		}
		for _, p := range e.Protocols {
			it.Protos |= 1 << p
		}
		t.Items = append(t.Items, it)
	}
	slices.SortStableFunc(t.Items, compareItems)
	if len(t.Items) >= 1<<16 {
		return nil, fmt.Errorf("tablegen: %d records; the packed tables index them with 16 bits", len(t.Items))
	}
	t.Collisions = collisions(t.Items)
	return t, nil
}

// compareItems orders items by range (low port, then high port), IANA before
// de-facto, then by lower-cased name, name, description and the rest, so
// that only identical items tie.
func compareItems(a, b Item) int {
	return cmp.Or(
		cmp.Compare(a.Lo, b.Lo),
		cmp.Compare(a.Hi, b.Hi),
		boolCompare(a.DeFacto, b.DeFacto),
		strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)),
		strings.Compare(a.Name, b.Name),
		strings.Compare(a.Description, b.Description),
		cmp.Compare(a.Protos, b.Protos),
		cmp.Compare(a.Status, b.Status),
		strings.Compare(a.AliasOf, b.AliasOf),
		strings.Compare(a.Project, b.Project),
		strings.Compare(a.Reference, b.Reference),
		cmp.Compare(a.Category, b.Category),
		slices.Compare(a.Aliases, b.Aliases),
		slices.Compare(a.Images, b.Images),
		boolCompare(a.ImageOnly, b.ImageOnly),
	)
}

func boolCompare(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return +1
}

// collisions finds, for each protocol, the maximal runs of ports where
// de-facto items of two or more distinct projects meet. Items known by
// image only take no part: their port is inside a container. Runs come out
// sorted by low port, then protocol.
func collisions(items []Item) []Collision {
	var out []Collision
	for _, proto := range ports.Protocols() {
		var idx []int
		var bounds []int
		for i, it := range items {
			if it.DeFacto && !it.ImageOnly && it.Protos&(1<<proto) != 0 {
				idx = append(idx, i)
				bounds = append(bounds, int(it.Lo), int(it.Hi)+1)
			}
		}
		slices.Sort(bounds)
		bounds = slices.Compact(bounds)
		for b := 0; b+1 < len(bounds); b++ {
			lo, hi := bounds[b], bounds[b+1]-1
			var cover []int
			projects := map[string]bool{}
			for _, i := range idx {
				if int(items[i].Lo) <= lo && hi <= int(items[i].Hi) {
					cover = append(cover, i)
					projects[items[i].Project] = true
				}
			}
			if len(projects) < 2 {
				continue
			}
			if n := len(out); n > 0 && out[n-1].Proto == proto && int(out[n-1].Hi)+1 == lo && slices.Equal(out[n-1].Items, cover) {
				out[n-1].Hi = uint16(hi)
				continue
			}
			out = append(out, Collision{Lo: uint16(lo), Hi: uint16(hi), Proto: proto, Items: cover})
		}
	}
	slices.SortStableFunc(out, func(a, b Collision) int {
		return cmp.Or(cmp.Compare(a.Lo, b.Lo), cmp.Compare(a.Proto, b.Proto))
	})
	return out
}
