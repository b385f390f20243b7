package wellknown

import (
	"github.com/portalloc/ports"
	"github.com/portalloc/ports/wellknown/internal/packed"
)

// The tables of tables_gen.go are generated from the IANA registry (a gzip
// copy in internal/data), the de-facto table (internal/data/defacto.txt)
// and the image table (internal/data/images.txt) by internal/gen; the
// layout is documented in internal/tablegen/emit.go, and its constants and
// hash live in internal/packed, which both sides import. They are arrays of
// constants, laid out by the linker: a program pays for them in binary size
// only, never at start-up, and one that imports the package only for
// NodePortRange or BadPorts carries none of them. There is no init function
// and no variable built at start-up (noinit_test.go checks it).
//
// The registry's records that name no transport (most Reserved and
// Unassigned ranges) apply to all; its records without a number (service
// names registered for DNS-SD only, about a thousand) are left out. Records
// that differ only in transport are packed as one, with a bit per
// transport. Lookup finds a port through two block indexes (blocks of
// 1<<recordBlockBits ports for the records, 1<<rangeBlockBits for the
// ranges) and scans the few records of the block; ByName and ForImage hash
// the lower-cased key into an open-addressing table.

//go:generate go run ./internal/gen -iana internal/data/service-names-port-numbers.xml.gz -defacto internal/data/defacto.txt -images internal/data/images.txt -o tables_gen.go

// strRef locates a string in strtab: off<<refLenBits | len.
type strRef uint32

const (
	refLenBits      = packed.RefLenBits
	flagDeFacto     = packed.FlagDeFacto
	flagImageOnly   = packed.FlagImageOnly
	statusMask      = packed.StatusMask
	recordBlockBits = packed.RecordBlockBits
	rangeBlockBits  = packed.RangeBlockBits
)

func (r strRef) String() string {
	off := uint32(r) >> refLenBits
	return strtab[off : off+uint32(r)&(1<<refLenBits-1)]
}

// record is one packed record: an IANA record (or several that differ only
// in transport), or a de-facto entry.
type record struct {
	lo, hi uint16
	name   strRef
	desc   strRef
	protos uint8  // bit p set for ports.Protocol p; bit 0: no transport named
	flags  uint8  // Status in statusMask; flagDeFacto; flagImageOnly
	extra  uint16 // 0, or 1 + index into extras
}

// extra holds what few records have.
type extra struct {
	aliasOf   strRef
	project   strRef
	reference strRef
	category  Category
}

// collision is a run of ports where de-facto records of two or more
// projects meet: collisionRecords[first : first+n].
type collision struct {
	lo, hi uint16
	proto  ports.Protocol
	first  uint16
	n      uint8
}

// service returns the Service of record i on transport proto (a bit of
// its protos).
func service(i int, proto ports.Protocol) Service {
	return Service{rec: uint16(i + 1), proto: proto}
}

// yieldRecord yields the services of record i that proto selects (every
// transport of the record when proto is 0; the record itself when it names
// no transport). It reports false when yield asked to stop.
func yieldRecord(i int, proto ports.Protocol, yield func(Service) bool) bool {
	bits := records[i].protos
	if proto != 0 {
		switch {
		case bits&(1<<proto) != 0:
			return yield(service(i, proto))
		case bits&1 != 0:
			return yield(service(i, 0))
		}
		return true
	}
	for p := ports.Protocol(0); bits != 0; p, bits = p+1, bits>>1 {
		if bits&1 != 0 && !yield(service(i, p)) {
			return false
		}
	}
	return true
}
