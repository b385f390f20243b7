package etcd

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/portalloc/ports"
	"github.com/portalloc/ports/allocator"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"pgregory.net/rapid"
)

// TestStateMachine drives two clients of one prefix with random Reserve,
// Allocate and Release calls, in turn, against an in-memory
// allocator.Allocator as the model: every outcome, every conflict's holders,
// and, after a Sync, both mirrors must be those of the model.
func TestStateMachine(t *testing.T) {
	c := single(t)
	run := 0
	rapid.Check(t, func(rt *rapid.T) {
		run++
		prefix := fmt.Sprintf("/%s/%d/", t.Name(), run)
		var clients []*Client
		for range 2 {
			cli, err := clientv3.New(clientv3.Config{Endpoints: c.endpoints(), Logger: zap.NewNop()})
			if err != nil {
				rt.Fatal(err)
			}
			defer cli.Close()
			cl, err := New(ctxT(t), cli, Options{Prefix: prefix})
			if err != nil {
				rt.Fatal(err)
			}
			defer cl.Close()
			clients = append(clients, cl)
		}
		model := allocator.New(allocator.Policy{})
		addrs := []netip.Addr{{}, netip.MustParseAddr("0.0.0.0"), netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::"), netip.MustParseAddr("::1")}
		endpoint := rapid.Custom(func(t *rapid.T) ports.Endpoint {
			lo := rapid.IntRange(1000, 1031).Draw(t, "lo")
			n := rapid.IntRange(1, 6).Draw(t, "n")
			return ports.EndpointFrom(rapid.SampledFrom([]ports.Protocol{ports.TCP, ports.UDP}).Draw(t, "proto"),
				rapid.SampledFrom(addrs).Draw(t, "addr"), ports.RangeFrom(ports.Port(lo), ports.Port(min(lo+n-1, 1031))))
		})
		ctx := ctxT(t)
		actions := map[string]func(*rapid.T){
			"reserve": func(rt *rapid.T) {
				cl := clients[rapid.IntRange(0, 1).Draw(rt, "client")]
				owner := rapid.SampledFrom([]string{"a", "b", "c"}).Draw(rt, "owner")
				e := endpoint.Draw(rt, "e")
				_, want := model.Reserve(owner, e)
				_, got := cl.Reserve(ctx, owner, e)
				var wce, gce *allocator.ConflictError
				if errors.As(want, &wce) != errors.As(got, &gce) || (want == nil) != (got == nil) {
					rt.Fatalf("Reserve(%q, %v) = %v, model %v", owner, e, got, want)
				}
				if wce != nil {
					if diff := cmp.Diff(wce.Holders, gce.Holders, cmpEndpoint); diff != "" {
						rt.Fatalf("holders (-model +etcd):\n%s", diff)
					}
				}
			},
			"allocate": func(rt *rapid.T) {
				cl := clients[rapid.IntRange(0, 1).Draw(rt, "client")]
				within := endpoint.Draw(rt, "within").WithRange(ports.MustParseRange("1000-1031"))
				k := rapid.IntRange(1, 4).Draw(rt, "k")
				got, err := cl.AllocateIn(ctx, "alloc", within, k)
				if errors.Is(err, allocator.ErrExhausted) {
					if _, err := model.Suggest("alloc", within, k); !errors.Is(err, allocator.ErrExhausted) {
						rt.Fatalf("AllocateIn(%v, %d) exhausted, the model has room", within, k)
					}
					return
				}
				if err != nil {
					rt.Fatal(err)
				}
				// The client's mirror proposes what the model would
				// allocate first fit, unless the other client's change has
				// not reached it; then the transaction refuses and it
				// retries. Either way the run must be free in the model.
				if _, err := model.Reserve("alloc", got.Endpoint); err != nil {
					rt.Fatalf("AllocateIn gave %v, which the model holds: %v", got, err)
				}
			},
			"release": func(rt *rapid.T) {
				cl := clients[rapid.IntRange(0, 1).Draw(rt, "client")]
				var e ports.Endpoint
				if all := slices.Collect(model.All()); len(all) > 0 && rapid.Bool().Draw(rt, "held") {
					e = rapid.SampledFrom(all).Draw(rt, "r").Endpoint
				} else {
					e = endpoint.Draw(rt, "e")
				}
				want, wok := model.Release(e)
				got, gok, err := cl.Release(ctx, e)
				if err != nil || wok != gok || want.Owner != got.Owner {
					rt.Fatalf("Release(%v) = %v, %v, %v; model %v, %v", e, got, gok, err, want, wok)
				}
			},
		}
		names := []string{"reserve", "allocate", "release"}
		for range rapid.IntRange(1, 12).Draw(rt, "steps") {
			actions[rapid.SampledFrom(names).Draw(rt, "action")](rt)
			// The invariant: after a Sync, each mirror is the model.
			want := slices.Collect(model.All())
			for i, cl := range clients {
				if err := cl.Sync(ctx); err != nil {
					rt.Fatal(err)
				}
				if diff := cmp.Diff(want, slices.Collect(cl.mirror.Load().All()), cmpEndpoint); diff != "" {
					rt.Fatalf("client %d's mirror (-model +mirror):\n%s", i, diff)
				}
			}
		}
	})
}
