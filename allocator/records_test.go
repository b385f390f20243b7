package allocator

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"
)

// checkIDs checks that every id of the arena is either in use, as inUse
// says, or on the free list, and not both, and that the free list holds
// each free id once.
func (rs *records) checkIDs(inUse map[int32]bool) error {
	free := map[int32]bool{}
	for x := rs.free; x != 0; x = rs.list[x].onext {
		switch {
		case x < 0 || int(x) >= len(rs.list):
			return fmt.Errorf("free list links to id %d, outside the %d records", x, len(rs.list))
		case free[x]:
			return fmt.Errorf("free list holds id %d twice", x)
		case inUse[x]:
			return fmt.Errorf("reservation %d is both free and in use", x)
		}
		free[x] = true
	}
	ids := max(len(rs.list)-1, 0)
	if len(inUse)+len(free) != ids {
		return fmt.Errorf("%d reservation ids: %d in use, %d free", ids, len(inUse), len(free))
	}
	return nil
}

// ownerList returns the ids of the list whose head is head, in order, and
// an error if a record's previous is not the record before it.
func (rs *records) ownerList(head int32) ([]int32, error) {
	var ids []int32
	prev := int32(0)
	for x := head; x != 0; x = rs.next(x) {
		if len(ids) >= len(rs.list) {
			return ids, fmt.Errorf("owner list from %d has a cycle", head)
		}
		if p := rs.at(x).oprev; p != prev {
			return ids, fmt.Errorf("reservation %d follows %d but its previous is %d", x, prev, p)
		}
		ids = append(ids, x)
		prev = x
	}
	return ids, nil
}

// TestRecordsModel drives the arena of records alone against a model: the
// records in use with what was recorded, and each owner's list of ids,
// newest first. Reservations are added, moved between owners and released
// in any order; after every step each record reads back as recorded, each
// list holds exactly the model's ids with consistent links, every id is in
// use or free once, and an id is new only when none is free.
func TestRecordsModel(t *testing.T) {
	type rec struct {
		key, addr uint32
		proto     uint8
		owner     int
	}
	rapid.Check(t, func(t *rapid.T) {
		var rs records
		const owners = 3
		var heads [owners]int32
		live := map[int32]rec{}
		var lists [owners][]int32
		freed := map[int32]bool{}
		for step := range rapid.IntRange(1, 300).Draw(t, "steps") {
			ids := make([]int32, 0, len(live))
			for x := range live {
				ids = append(ids, x)
			}
			slices.Sort(ids)
			switch op := rapid.IntRange(0, 9).Draw(t, "op"); {
			case op < 5 || len(ids) == 0:
				r := rec{
					key:   rapid.Uint32().Draw(t, "key"),
					addr:  rapid.Uint32Range(0, 1<<30-1).Draw(t, "addr"),
					proto: uint8(rapid.IntRange(1, 4).Draw(t, "proto")),
					owner: rapid.IntRange(0, owners-1).Draw(t, "owner"),
				}
				size := len(rs.list)
				x := rs.add(r.key, r.addr, r.proto)
				switch {
				case len(freed) > 0 && !freed[x]:
					t.Fatalf("step %d: add gave id %d, not one of the %d freed", step, x, len(freed))
				case len(freed) == 0 && int(x) != max(size, 1):
					t.Fatalf("step %d: add gave id %d with none free, want %d", step, x, max(size, 1))
				}
				delete(freed, x)
				rs.link(x, &heads[r.owner])
				live[x] = r
				lists[r.owner] = append([]int32{x}, lists[r.owner]...)
			case op < 7:
				x := rapid.SampledFrom(ids).Draw(t, "move")
				r := live[x]
				to := rapid.IntRange(0, owners-1).Draw(t, "to")
				rs.unlink(x, &heads[r.owner])
				lists[r.owner] = slices.DeleteFunc(lists[r.owner], func(y int32) bool { return y == x })
				rs.link(x, &heads[to])
				lists[to] = append([]int32{x}, lists[to]...)
				r.owner = to
				live[x] = r
			default:
				x := rapid.SampledFrom(ids).Draw(t, "release")
				r := live[x]
				rs.unlink(x, &heads[r.owner])
				lists[r.owner] = slices.DeleteFunc(lists[r.owner], func(y int32) bool { return y == x })
				rs.release(x)
				delete(live, x)
				freed[x] = true
			}
			inUse := map[int32]bool{}
			for x, r := range live {
				inUse[x] = true
				got := rs.at(x)
				if got.key != r.key || got.addr() != r.addr || got.proto() != r.proto {
					t.Fatalf("step %d: record %d reads key %#x, address %d, protocol %d; recorded %#x, %d, %d",
						step, x, got.key, got.addr(), got.proto(), r.key, r.addr, r.proto)
				}
				if got.lo() != uint16(r.key>>16) || got.hi() != uint16(r.key) {
					t.Fatalf("step %d: record %d of key %#x reads ports %d-%d", step, x, r.key, got.lo(), got.hi())
				}
			}
			if err := rs.checkIDs(inUse); err != nil {
				t.Fatalf("step %d: %v", step, err)
			}
			for o := range owners {
				got, err := rs.ownerList(heads[o])
				if err != nil {
					t.Fatalf("step %d: owner %d: %v", step, o, err)
				}
				if diff := cmp.Diff(lists[o], got, cmpopts.EquateEmpty()); diff != "" {
					t.Fatalf("step %d: owner %d's list (-want +got):\n%s", step, o, diff)
				}
			}
		}
	})
}

// TestRecordsGrow checks that grow makes room: the records added after it
// do not move the arena, and the first of a new arena is id 1.
func TestRecordsGrow(t *testing.T) {
	for _, before := range []int{0, 1, 5} {
		var rs records
		for i := range before {
			rs.add(rkey(uint16(i), uint16(i)), 0, 1)
		}
		rs.grow(100)
		first := &rs.list[0]
		for i := range 100 {
			x := rs.add(rkey(uint16(i), uint16(i+1)), 7, 2)
			if want := int32(before + i + 1); x != want {
				t.Fatalf("after %d records: add gave id %d, want %d", before, x, want)
			}
		}
		if &rs.list[0] != first {
			t.Errorf("after %d records: the arena moved while adding the 100 grow made room for", before)
		}
	}
}
