package wellknown

import (
	"iter"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/wellknown/internal/packed"
)

// Lookup returns an iterator over every service on port p and transport
// proto: IANA records and de-facto entries alike, each marked by its
// [Service.Source]. A service whose range holds p matches (6010 finds x11,
// 6000-6063). A proto of zero matches every transport; a registry record
// that names no transport matches every proto. A proto that is neither zero
// nor one of the four transports matches nothing.
//
// The services come in the order of [All]. Lookup allocates nothing when the
// iterator is ranged over directly; it costs O(b + k) for b records in p's
// block of the index (tables.go) and k results.
//
// Every registry record with a number is there, Reserved and Unassigned ones
// too; filter on [Service.Status] to keep only assigned services. De-facto
// entries known by image only ([Service.ImageOnly]) are left out.
func Lookup(p ports.Port, proto ports.Protocol) iter.Seq[Service] {
	return func(yield func(Service) bool) { lookup(p, proto, yield) }
}

func lookup(p ports.Port, proto ports.Protocol, yield func(Service) bool) {
	if proto > ports.DCCP {
		return
	}
	port := uint16(p)
	// Ranges that start below p, from the segment index, come first: they
	// sort before every record that starts at p.
	if k := lastSegmentAt(port); k >= 0 {
		for _, i := range rangeRecords[rangeOffsets[k]:rangeOffsets[k+1]] {
			if r := &records[i]; r.lo < port && r.flags&flagImageOnly == 0 && !yieldRecord(int(i), proto, yield) {
				return
			}
		}
	}
	// Then every record that starts at p: the single ports, then the
	// ranges.
	i := firstRecordAt(port)
	if proto == 0 {
		for ; i < len(records) && records[i].lo == port; i++ {
			if records[i].flags&flagImageOnly == 0 && !yieldRecord(i, 0, yield) {
				return
			}
		}
		return
	}
	// The test of yieldRecord for one transport, written out: through a
	// call per record, the lookup of a busy port took 15% longer.
	want := uint8(1) << proto
	for ; i < len(records); i++ {
		r := &records[i]
		if r.lo != port {
			return
		}
		s := Service{rec: uint16(i + 1), proto: proto}
		if r.flags&flagImageOnly != 0 {
			continue
		}
		if r.protos&want == 0 {
			if r.protos&1 == 0 {
				continue
			}
			s.proto = 0
		}
		if !yield(s) {
			return
		}
	}
}

// lastSegmentAt returns the index of the segment of the range index that
// holds p, or -1 when p lies before the first one. The block index gives the
// last segment starting at or below p's block; the few that start inside the
// block are scanned.
func lastSegmentAt(p uint16) int {
	k := int(rangeBlocks[p>>rangeBlockBits]) - 1
	for k+1 < len(rangeStarts) && rangeStarts[k+1] <= p {
		k++
	}
	return k
}

// firstRecordAt returns the index of the first record whose low port is >= p.
// The block index gives the first record of p's block; the records of the
// ports before p in the block are skipped.
func firstRecordAt(p uint16) int {
	i, end := int(recordBlocks[p>>recordBlockBits]), int(recordBlocks[p>>recordBlockBits+1])
	for i < end && records[i].lo < p {
		i++
	}
	return i
}

// ByName returns an iterator over every service named name, compared without
// regard to ASCII case: the registry's records of that name on each
// transport, and the de-facto entries that have it as name or alias
// ("postgres" finds the de-facto PostgreSQL entry, whose name is
// "postgresql"). The registry's own aliases are records of their own: "www"
// finds the "www" records, whose [Service.AliasOf] is "http".
//
// The services come in the order of [All]. ByName allocates nothing when the
// iterator is ranged over directly; it costs O(log n + k).
func ByName(name string) iter.Seq[Service] {
	return func(yield func(Service) bool) { byName(name, yield) }
}

func byName(name string, yield func(Service) bool) {
	if name == "" || len(name) > maxNameLen {
		return
	}
	var buf [maxNameLen]byte
	find(buf[:copy(buf[:], name)], nameKeys[:], nameRecords[:], nameTable[:], yield)
}

// find yields the records of key in a hash index (keys, recs, table: see
// internal/tablegen/emit.go), folding key's case in place. Comparing
// string(key) with a string does not allocate.
func find(key []byte, keys []strRef, recs, table []uint16, yield func(Service) bool) {
	h := packed.HashSeed
	for i, c := range key {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
			key[i] = c
		}
		h = packed.Hash(h, c)
	}
	mask := uint32(len(table) - 1)
	for slot := h & mask; table[slot] != 0; slot = (slot + 1) & mask {
		i := int(table[slot]) - 1
		if keys[i].String() != string(key) {
			continue
		}
		for ; i < len(keys) && keys[i].String() == string(key); i++ {
			if !yieldRecord(int(recs[i]), 0, yield) {
				return
			}
		}
		return
	}
}

// ForImage returns an iterator over the de-facto services of the software
// that a container image runs: every port it listens on by default, on each
// transport ("postgres:16" gives postgresql 5432/tcp; "rabbitmq" gives
// AMQP, its TLS port, the management UI, clustering and epmd). It yields
// nothing for an image the table does not know.
//
// The image is matched by its repository, whatever the registry host
// ("docker.io/", "ghcr.io/", "quay.io/", "registry.local:5000/"), Docker
// Hub's "library/" (also under a mirror's path, as in
// "public.ecr.aws/docker/library/redis"), tag and digest; without regard to
// case. Services known by image only, whose port says nothing by itself
// (pgAdmin's image listens on 80), are found here and by [ByName], not by
// [Lookup].
//
// The services come in the order of [All]. ForImage allocates nothing when
// the iterator is ranged over directly; it costs O(len(image) + k).
func ForImage(image string) iter.Seq[Service] {
	return func(yield func(Service) bool) { forImage(image, yield) }
}

func forImage(image string, yield func(Service) bool) {
	key := packed.ImageKey(image)
	if key == "" || len(key) > maxImageLen {
		return
	}
	var buf [maxImageLen]byte
	find(buf[:copy(buf[:], key)], imageKeys[:], imageRecords[:], imageTable[:], yield)
}

// All returns an iterator over every service of both tables, in the order of
// [Service.Compare]: sorted by range ([ports.Range.Compare]), IANA records
// before de-facto entries, then by name without regard to case, then by
// description, with the transports of one record in protocol order (a
// record that names no transport has protocol zero and comes first).
func All() iter.Seq[Service] {
	return func(yield func(Service) bool) {
		for i := range records {
			if !yieldRecord(i, 0, yield) {
				return
			}
		}
	}
}
