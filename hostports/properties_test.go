package hostports

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/portalloc/ports"
	"pgregory.net/rapid"
)

func genPort() *rapid.Generator[ports.Port] {
	return rapid.Custom(func(t *rapid.T) ports.Port {
		return ports.Port(rapid.IntRange(0, 65535).Draw(t, "port"))
	})
}

// genEphemeral draws a range that an OS may give as its ephemeral range:
// any range without port 0.
func genEphemeral() *rapid.Generator[ports.Range] {
	return rapid.Custom(func(t *rapid.T) ports.Range {
		a := ports.Port(rapid.IntRange(1, 65535).Draw(t, "a"))
		b := ports.Port(rapid.IntRange(1, 65535).Draw(t, "b"))
		return ports.RangeFrom(min(a, b), max(a, b))
	})
}

func genRange() *rapid.Generator[ports.Range] {
	return rapid.Custom(func(t *rapid.T) ports.Range {
		a, b := genPort().Draw(t, "a"), genPort().Draw(t, "b")
		return ports.RangeFrom(min(a, b), max(a, b))
	})
}

func genRangeSet() *rapid.Generator[ports.RangeSet] {
	return rapid.Custom(func(t *rapid.T) ports.RangeSet {
		return ports.RangeSetOf(rapid.SliceOfN(genRange(), 0, 6).Draw(t, "ranges")...)
	})
}

// genLabel draws text that netsh might print as a label: no colon, no line
// break.
func genLabel() *rapid.Generator[string] {
	return rapid.StringMatching(`[A-Za-z ]{0,20}`)
}

func TestPropLinuxPortRangeRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		r := genEphemeral().Draw(t, "r")
		sep := rapid.SampledFrom([]string{"\t", " ", "  \t "}).Draw(t, "sep")
		got, err := ParseLinuxPortRange(fmt.Sprintf("%d%s%d\n", r.Lo(), sep, r.Hi()))
		if err != nil || got != r {
			t.Fatalf("ParseLinuxPortRange of %v = %v, %v", r, got, err)
		}
		// The same range from port 0 is refused.
		if got, err := ParseLinuxPortRange(fmt.Sprintf("0%s%d\n", sep, r.Hi())); err == nil {
			t.Fatalf("ParseLinuxPortRange of 0-%v = %v, want an error", r.Hi(), got)
		}
	})
}

func TestPropLinuxReservedPortsRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		set := genRangeSet().Draw(t, "set")
		got, err := ParseLinuxReservedPorts(set.String() + "\n")
		if err != nil || !got.Equal(set) {
			t.Fatalf("ParseLinuxReservedPorts of %v = %v, %v", set, got, err)
		}
	})
}

func TestPropSysctlOrderFree(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		r := genEphemeral().Draw(t, "r")
		first, last := r.Lo(), r.Hi()
		if rapid.Bool().Draw(t, "count down") {
			first, last = last, first
		}
		form := rapid.SampledFrom([]string{": ", "=", " = "}).Draw(t, "form")
		lines := []string{sysctlFirst + form + first.String(), sysctlLast + form + last.String()}
		if rapid.Bool().Draw(t, "swap") {
			lines[0], lines[1] = lines[1], lines[0]
		}
		want := ports.RangeFrom(min(first, last), max(first, last))
		got, err := ParseSysctlPortRange(strings.Join(lines, "\n") + "\n")
		if err != nil || got != want {
			t.Fatalf("ParseSysctlPortRange(%q) = %v, %v; want %v", lines, got, err, want)
		}
		if got, err := bsdRange(uint32(first), uint32(last)); err != nil || got != want {
			t.Fatalf("bsdRange(%d, %d) = %v, %v; want %v", first, last, got, err, want)
		}
	})
}

func TestPropNetshDynamicLabelsDoNotMatter(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		start := rapid.IntRange(1, 65535).Draw(t, "start")
		count := rapid.IntRange(1, 65536-start).Draw(t, "count")
		eol := rapid.SampledFrom([]string{"\n", "\r\n"}).Draw(t, "eol")
		s := genLabel().Draw(t, "title") + eol + "-----" + eol +
			genLabel().Draw(t, "startLabel") + ": " + fmt.Sprint(start) + eol +
			genLabel().Draw(t, "countLabel") + ": " + fmt.Sprint(count) + eol
		want := ports.RangeFrom(ports.Port(start), ports.Port(start+count-1))
		got, err := ParseNetshDynamicPortRange(s)
		if err != nil || got != want {
			t.Fatalf("ParseNetshDynamicPortRange(%q) = %v, %v; want %v", s, got, err, want)
		}
	})
}

func TestPropNetshExcludedIsUnionOfRows(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		rows := rapid.SliceOfN(genRange(), 0, 8).Draw(t, "rows")
		admin := rapid.SliceOfN(rapid.Bool(), len(rows), len(rows)).Draw(t, "administered")
		got, err := ParseNetshExcludedPortRanges(renderNetshExcluded("tcp", rows, admin))
		if err != nil {
			t.Fatal(err)
		}
		if want := ports.RangeSetOf(rows...); !got.Equal(want) {
			t.Fatalf("ParseNetshExcludedPortRanges of rows %v = %v, want %v", rows, got, want)
		}
	})
}

// TestPropAvoidIsExactUnion checks Avoid against a [65536]bool model: a port
// is avoided exactly when it is ephemeral, excluded, reserved or
// privileged for the protocol asked about.
func TestPropAvoidIsExactUnion(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		l := Limits{
			EphemeralTCP: genRange().Draw(t, "ephemeralTCP"),
			EphemeralUDP: genRange().Draw(t, "ephemeralUDP"),
			Reserved:     genRangeSet().Draw(t, "reserved"),
			ExcludedTCP:  genRangeSet().Draw(t, "excludedTCP"),
			ExcludedUDP:  genRangeSet().Draw(t, "excludedUDP"),
			Privileged:   privilegedBelow(genPort().Draw(t, "unprivilegedStart")),
		}
		proto := rapid.SampledFrom([]ports.Protocol{0, ports.TCP, ports.UDP, ports.SCTP}).Draw(t, "proto")
		avoid := l.Avoid(proto)
		var model [65536]bool
		mark := func(s ports.RangeSet) {
			for p := range s.All() {
				model[p] = true
			}
		}
		mark(l.Reserved)
		mark(l.Privileged)
		if proto == 0 || proto != ports.UDP {
			mark(ports.RangeSetOf(l.EphemeralTCP))
			mark(l.ExcludedTCP)
		}
		if proto == 0 || proto == ports.UDP {
			mark(ports.RangeSetOf(l.EphemeralUDP))
			mark(l.ExcludedUDP)
		}
		for p := 0; p <= 65535; p++ {
			if avoid.Contains(ports.Port(p)) != model[p] {
				t.Fatalf("Avoid(%v).Contains(%d) = %v, want %v (limits %+v)", proto, p, !model[p], model[p], l)
			}
		}
	})
}

// TestPropClassify checks the invariants of the bind-failure reasons: no
// IPv4 check is ever skipped for want of IPv6, a refusal of permission is
// "excluded" exactly on an excluded port, and "in use" is never second-guessed.
func TestPropClassify(t *testing.T) {
	addrs := append(DefaultAddrs(), netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8::1"))
	rapid.Check(t, func(t *rapid.T) {
		kind := errKind(rapid.IntRange(int(kindOther), int(kindNoFamily)).Draw(t, "kind"))
		proto := rapid.SampledFrom([]ports.Protocol{ports.TCP, ports.UDP}).Draw(t, "proto")
		addr := rapid.SampledFrom(addrs).Draw(t, "addr")
		p := genPort().Draw(t, "port")
		l := Limits{ExcludedTCP: genRangeSet().Draw(t, "excludedTCP"), Privileged: privilegedBelow(1024)}
		reason := classify(kind, proto, addr, p, l)
		if addr.Is4() && errors.Is(reason, ErrNoIPv6) {
			t.Fatalf("classify(%v, %v) = ErrNoIPv6 for an IPv4 address", kind, addr)
		}
		if kind == kindInUse && reason != ErrInUse {
			t.Fatalf("classify(kindInUse) = %v", reason)
		}
		if kind == kindAccess {
			if (reason == ErrExcluded) != l.Excluded(proto).Contains(p) {
				t.Fatalf("classify(kindAccess, %v, %d) = %v with excluded %v", proto, p, reason, l.Excluded(proto))
			}
		}
	})
}
