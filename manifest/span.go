package manifest

// compose-go expands a short-syntax port whose target is a range into one
// port per number: "10000-20000:10000-20000/udp" becomes 10,001 records,
// each decoded, validated and merged (about 0.3 s), and five services that
// share "1-65535:1-65535" through a YAML alias become 327,675 (10 s,
// 770 MB). The package holds such an entry as a range (portSpan) and, in
// the files it hands compose-go itself, writes each such entry as a
// stand-in of one port, bound on an address of the discard-only prefix
// 100::/64 (RFC 6666) that no compose file binds: "[100::N]:PUB:TGT/proto"
// with the first port of each range. The loaded port that carries the
// stand-in's address is then the entry, read back as its range. Entries
// with the same text share a stand-in, so that compose-go's merge of
// files, which keeps one port of a key, keeps one stand-in as it would
// keep one expansion. Files that compose-go reads itself (included and
// extended ones) are expanded by it as written; the ports they expand to
// are counted, and a project whose count passes maxExpanded fails.

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/portalloc/ports"
)

// minSpan is the length of target range from which an entry is held as a
// range rather than expanded: below it, the expansion costs nothing.
const minSpan = 16

// maxExpanded caps the ports that compose-go is left to expand, counted
// for every service that lists an entry (an alias counts once per use).
const maxExpanded = 100_000

// portSpan is a short-syntax entry whose target is a range, held as one.
type portSpan struct {
	hostIP string // no brackets; "" for every address
	proto  string // lower case
	target ports.Range
	pub    ports.Range // zero: ephemeral
}

// parseSpan reads s, an interpolated short-syntax entry, as a span if its
// target is a range of at least minSpan ports. ok is false for any other
// entry, which is parsed as compose-go parses it. The span is checked by
// compose-go's own parser on the entry with each range cut to its first
// port, and the lengths of the ranges are checked here.
func parseSpan(s string) (sp portSpan, ok bool, err error) {
	rest, proto := s, "tcp"
	if i := strings.LastIndexByte(rest, '/'); i >= 0 {
		rest, proto = rest[:i], rest[i+1:]
	}
	ip, pub, tgt := "", "", rest
	if j := strings.LastIndexByte(rest, ':'); j >= 0 {
		pub, tgt = rest[:j], rest[j+1:]
		if k := strings.LastIndexByte(pub, ':'); k >= 0 {
			ip, pub = pub[:k], pub[k+1:]
		}
	}
	if !strings.Contains(tgt, "-") {
		return sp, false, nil
	}
	target, err := ports.ParseRange(tgt)
	if err != nil || target.Len() < minSpan {
		return sp, false, nil // compose-go's parser says what is wrong
	}
	sp.target = target
	cut := strconv.Itoa(int(target.Lo()))
	if pub != "" {
		r, err := ports.ParseRange(pub)
		if err != nil {
			return sp, false, nil
		}
		if r.Len() != target.Len() {
			return sp, true, fmt.Errorf("published ports %s and target ports %s differ in number", pub, tgt)
		}
		sp.pub = r
		cut = strconv.Itoa(int(r.Lo())) + ":" + cut
	} else if ip != "" {
		cut = ":" + cut
	}
	if ip != "" {
		cut = ip + ":" + cut
	}
	cfgs, err := types.ParsePortConfig(cut + "/" + proto)
	if err != nil {
		return sp, true, err
	}
	sp.hostIP = strings.TrimSuffix(strings.TrimPrefix(cfgs[0].HostIP, "["), "]")
	sp.proto = strings.ToLower(cfgs[0].Protocol)
	if sp.proto == "" {
		sp.proto = "tcp"
	}
	return sp, true, nil
}

// contains reports whether the loaded port pc is one of the span's.
func (sp portSpan) contains(pc types.ServicePortConfig) bool {
	k := keyOf(pc)
	if k.proto != sp.proto || k.ip != sp.hostIP || k.target > uint32(sp.target.Hi()) || k.target < uint32(sp.target.Lo()) {
		return false
	}
	off := k.target - uint32(sp.target.Lo())
	if !sp.pub.IsValid() {
		return k.published == ""
	}
	return k.published == strconv.Itoa(int(uint32(sp.pub.Lo())+off))
}

// len returns the number of ports compose-go expands the span into.
func (sp portSpan) len() int { return sp.target.Len() }

// standIn returns the entry that stands for the span in what compose-go
// is given: one port on the address marker.
func (sp portSpan) standIn(marker string) string {
	pub := ""
	if sp.pub.IsValid() {
		pub = strconv.Itoa(int(sp.pub.Lo()))
	}
	return "[" + marker + "]:" + pub + ":" + strconv.Itoa(int(sp.target.Lo())) + "/" + sp.proto
}

// declaration returns the span as a declaration of a host port, with host
// networking as composePorts has it.
func (sp portSpan) declaration(name string, hostNet bool) (Declaration, error) {
	var cp composePort
	p, err := ports.ParseProtocol(sp.proto)
	if err != nil {
		return Declaration{}, withDetail("protocol", err)
	}
	cp.proto, cp.name, cp.target, cp.published = p, name, sp.target, sp.pub
	if sp.hostIP != "" {
		cp.addr, err = parseHostIP(sp.hostIP)
		if err != nil {
			return Declaration{}, err
		}
	}
	if cp.published.IsValid() && cp.published.Lo() == 0 {
		return Declaration{}, fmt.Errorf("published port %q: port 0 is not a host port", cp.published.String())
	}
	if cp.target.Lo() == 0 {
		return Declaration{}, fmt.Errorf("target port 0: want 1 to 65535")
	}
	if hostNet {
		cp.published = cp.target
	}
	return cp.declaration(hostNet), nil
}
