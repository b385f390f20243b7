package allocator

import (
	"fmt"
	"testing"

	"pgregory.net/rapid"
)

// TestOwnerTable drives the owner index with many names, growing it and
// forgetting idle owners (so that backward-shift deletion runs), and checks
// it against a Go map after every step.
func TestOwnerTable(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		tb := newOwnerTable()
		model := map[string]int32{} // name -> id, for every indexed owner
		holding := map[int32]bool{} // ids that hold something
		names := rapid.SampledFrom(func() []string {
			var s []string
			for i := range 200 {
				s = append(s, fmt.Sprint("svc-", i))
			}
			return s
		}())
		for range rapid.IntRange(1, 400).Draw(t, "steps") {
			name := names.Draw(t, "name")
			action := rapid.IntRange(0, 2).Draw(t, "action")
			if id, ok := model[name]; action == 2 && ok && !holding[id] {
				tb.forget(id) // as the sweep does
				delete(model, name)
			} else if action == 0 {
				id := tb.intern(name)
				if old, ok := model[name]; ok && old != id {
					t.Fatalf("intern(%q) = %d, was %d", name, id, old)
				}
				model[name] = id
				tb.heads[id] = 1 // holds something
				holding[id] = true
			} else if id, ok := model[name]; ok && holding[id] {
				tb.heads[id] = 0
				holding[id] = false
				tb.idled()
				// The sweep may have forgotten idle owners.
				for n, i := range model {
					if tb.names[i] != n {
						delete(model, n)
					}
				}
			}
			live, idle := 0, 0
			for n, id := range model {
				if got, _ := tb.lookup(n); got != id {
					t.Fatalf("lookup(%q) = %d, want %d", n, got, id)
				}
				live++
				if !holding[id] {
					idle++
				}
			}
			if tb.live != live || tb.idle != idle {
				t.Fatalf("live %d, idle %d; want %d, %d", tb.live, tb.idle, live, idle)
			}
			if got, _ := tb.lookup("absent"); got != 0 {
				t.Fatalf("lookup(absent) = %d", got)
			}
		}
	})
}
