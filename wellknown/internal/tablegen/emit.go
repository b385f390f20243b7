package tablegen

import (
	"bytes"
	"fmt"
	"go/format"
	"slices"
	"strconv"
	"strings"
)

// The packed layout, shared with package wellknown (tables.go there):
//
//   - strtab is one string constant holding every distinct string once. A
//     strRef is off<<refLenBits | len into it.
//   - records is the array of items in sorted order: {lo, hi, name, desc,
//     protos, flags, extra}. flags holds the status in its low bits and
//     flagDeFacto; extra is 0 or 1 + an index into extras.
//   - extras holds {aliasOf, project, reference, category}.
//   - rangeStarts, rangeOffsets and rangeRecords index the records whose
//     range holds more than one port: the port space is cut into segments
//     at every range's ends, segment k starts at rangeStarts[k], and the
//     ranges covering it are rangeRecords[rangeOffsets[k]:rangeOffsets[k+1]].
//   - nameKeys and nameRecords map lower-cased names, sorted, to records;
//     nameTable is a hash table (NameHash, linear probing) whose slots hold
//     0 or 1 + the index in nameKeys of the first entry of a name.
//   - recordBlocks[b] is the index of the first record whose low port is
//     at least b<<recordBlockBits; its last entry is the number of records.
//   - rangeBlocks[b] is 1 + the index of the last segment that starts at or
//     below b<<rangeBlockBits, or 0 when none does.
//   - defactoRecords lists the de-facto records in order.
//   - collisions and collisionRecords list the derived collisions.
const (
	refLenBits  = 10
	flagDeFacto = 0x80

	// Ports per block of the two block indexes, as powers of two: small
	// enough that a lookup scans a handful of entries, large enough that
	// the indexes stay a few kilobytes.
	recordBlockBits = 4
	rangeBlockBits  = 6
)

// strtab collects strings, each stored once.
type strtab struct {
	pieces []string
	size   int
	at     map[string]uint32
}

func (s *strtab) ref(str string) (uint32, error) {
	if str == "" {
		return 0, nil
	}
	if s.at == nil {
		s.at = map[string]uint32{}
	}
	off, ok := s.at[str]
	if !ok {
		off = uint32(s.size)
		s.at[str] = off
		s.pieces = append(s.pieces, str)
		s.size += len(str)
	}
	if len(str) >= 1<<refLenBits {
		return 0, fmt.Errorf("tablegen: string of %d bytes is too long for the packed tables (%.40q…)", len(str), str)
	}
	if off >= 1<<(32-refLenBits) {
		return 0, fmt.Errorf("tablegen: string table over %d bytes", 1<<(32-refLenBits))
	}
	return off<<refLenBits | uint32(len(str)), nil
}

// lowerASCII folds the ASCII upper-case letters of s, as package wellknown
// does to the names it is asked for.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// Generate returns the Go source of package wellknown's generated tables,
// gofmt-formatted. command is the command line named in the header.
func (t *Tables) Generate(command string) ([]byte, error) {
	var st strtab
	var body bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&body, format, args...) }

	// Records and extras.
	type extra struct{ alias, project, ref uint32 }
	var recLines, extraLines []string
	var defacto []int
	for i, it := range t.Items {
		name, err := st.ref(it.Name)
		if err != nil {
			return nil, err
		}
		desc, err := st.ref(it.Description)
		if err != nil {
			return nil, err
		}
		flags := uint8(it.Status)
		if it.DeFacto {
			flags |= flagDeFacto
			defacto = append(defacto, i)
		}
		ex := 0
		if it.DeFacto || it.AliasOf != "" {
			var e extra
			var errs [3]error
			e.alias, errs[0] = st.ref(it.AliasOf)
			e.project, errs[1] = st.ref(it.Project)
			e.ref, errs[2] = st.ref(it.Reference)
			for _, err := range errs {
				if err != nil {
					return nil, err
				}
			}
			extraLines = append(extraLines, fmt.Sprintf("{%d, %d, %d, %d},", e.alias, e.project, e.ref, it.Category))
			ex = len(extraLines)
		}
		recLines = append(recLines, fmt.Sprintf("{%d, %d, %d, %d, %#02x, %#02x, %d},", it.Lo, it.Hi, name, desc, it.Protos, flags, ex))
	}

	// Name index.
	type nameEntry struct {
		key string
		rec int
	}
	var names []nameEntry
	for i, it := range t.Items {
		if it.Name != "" {
			names = append(names, nameEntry{lowerASCII(it.Name), i})
		}
		for _, a := range it.Aliases {
			names = append(names, nameEntry{lowerASCII(a), i})
		}
	}
	slices.SortFunc(names, func(a, b nameEntry) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return a.rec - b.rec
	})
	names = slices.Compact(names)
	nameKeys := make([]uint32, len(names))
	nameRecs := make([]int, len(names))
	maxName := 0
	for i, n := range names {
		r, err := st.ref(n.key)
		if err != nil {
			return nil, err
		}
		nameKeys[i], nameRecs[i] = r, n.rec
		maxName = max(maxName, len(n.key))
	}

	// Open-addressing hash table over the distinct keys: slot 0 is empty,
	// otherwise 1 + the index of the key's first entry in nameKeys.
	size := 1
	for size < 2*len(names) {
		size <<= 1
	}
	nameTable := make([]int, size)
	for i, n := range names {
		if i > 0 && names[i-1].key == n.key {
			continue
		}
		if i+1 >= 1<<16 {
			return nil, fmt.Errorf("tablegen: %d names; the name table indexes them with 16 bits", len(names))
		}
		slot := NameHash(n.key) & uint32(size-1)
		for nameTable[slot] != 0 {
			slot = (slot + 1) & uint32(size-1)
		}
		nameTable[slot] = i + 1
	}

	// First record of each block of ports, and one past the last.
	recordBlocks := make([]int, 1<<(16-recordBlockBits)+1)
	next := 0
	for b := range recordBlocks {
		for next < len(t.Items) && int(t.Items[next].Lo) < b<<recordBlockBits {
			next++
		}
		recordBlocks[b] = next
	}

	// Segment index of the ranges.
	var bounds []int
	var ranges []int
	for i, it := range t.Items {
		if it.Lo < it.Hi {
			ranges = append(ranges, i)
			bounds = append(bounds, int(it.Lo), int(it.Hi)+1)
		}
	}
	slices.Sort(bounds)
	bounds = slices.Compact(bounds)
	if n := len(bounds); n > 0 && bounds[n-1] > 0xffff {
		bounds = bounds[:n-1]
	}
	var segStarts, segOffs, segRecs []int
	for _, b := range bounds {
		segStarts = append(segStarts, b)
		segOffs = append(segOffs, len(segRecs))
		for _, i := range ranges {
			if int(t.Items[i].Lo) <= b && b <= int(t.Items[i].Hi) {
				segRecs = append(segRecs, i)
			}
		}
	}
	segOffs = append(segOffs, len(segRecs))
	// Last segment starting at or below each block's first port.
	rangeBlocks := make([]int, 1<<(16-rangeBlockBits))
	seg := 0
	for b := range rangeBlocks {
		for seg < len(segStarts) && segStarts[seg] <= b<<rangeBlockBits {
			seg++
		}
		rangeBlocks[b] = seg
	}
	if len(segRecs) >= 1<<16 {
		return nil, fmt.Errorf("tablegen: range index of %d entries; it is indexed with 16 bits", len(segRecs))
	}

	// Collisions.
	var collLines []string
	var collRecs []int
	for _, c := range t.Collisions {
		if len(c.Items) > 255 || len(collRecs) >= 1<<16 {
			return nil, fmt.Errorf("tablegen: too many collisions for the packed tables")
		}
		collLines = append(collLines, fmt.Sprintf("{%d, %d, %d, %d, %d},", c.Lo, c.Hi, c.Proto, len(collRecs), len(c.Items)))
		collRecs = append(collRecs, c.Items...)
	}

	fmt.Fprintf(&body, "// Code generated by %s; DO NOT EDIT.\n\n", command)
	w("// This file holds the IANA Service Name and Transport Protocol Port Number\n")
	w("// Registry (updated %s; CC0 1.0 Universal, https://www.iana.org/help/licensing-terms)\n", t.Updated)
	w("// and the de-facto table of internal/data/defacto.txt, packed as tables.go describes.\n\n")
	w("package wellknown\n\n")
	w("// RegistryUpdated is the date of the IANA registry the tables were generated\n")
	w("// from, as the registry gives it (YYYY-MM-DD).\n")
	w("const RegistryUpdated = %q\n\n", t.Updated)
	w("// recordBlockBits and rangeBlockBits size the blocks of recordBlocks and\n")
	w("// rangeBlocks: 1<<recordBlockBits and 1<<rangeBlockBits ports.\n")
	w("const (\n\trecordBlockBits = %d\n\trangeBlockBits = %d\n)\n\n", recordBlockBits, rangeBlockBits)
	w("// maxNameLen is the length of the longest name in nameKeys.\n")
	w("const maxNameLen = %d\n\n", maxName)
	w("const strtab = ")
	writeStrtab(&body, st.pieces)
	w("\n\nvar records = [...]record{\n%s\n}\n\n", strings.Join(recLines, "\n"))
	w("var extras = [...]extra{\n%s\n}\n\n", strings.Join(extraLines, "\n"))
	writeInts(&body, "rangeStarts", "uint16", segStarts)
	writeInts(&body, "rangeOffsets", "uint16", segOffs)
	writeInts(&body, "rangeRecords", "uint16", segRecs)
	writeUint32s(&body, "nameKeys", "strRef", nameKeys)
	writeInts(&body, "nameRecords", "uint16", nameRecs)
	writeInts(&body, "nameTable", "uint16", nameTable)
	writeInts(&body, "recordBlocks", "uint16", recordBlocks)
	writeInts(&body, "rangeBlocks", "uint16", rangeBlocks)
	writeInts(&body, "defactoRecords", "uint16", defacto)
	w("var collisions = [...]collision{\n%s\n}\n\n", strings.Join(collLines, "\n"))
	writeInts(&body, "collisionRecords", "uint16", collRecs)

	src, err := format.Source(body.Bytes())
	if err != nil {
		return nil, fmt.Errorf("tablegen: formatting generated source: %w", err)
	}
	return src, nil
}

// writeStrtab writes the pieces as a sum of quoted strings, whole pieces per
// line, so that a change of one description changes one line.
func writeStrtab(b *bytes.Buffer, pieces []string) {
	if len(pieces) == 0 {
		b.WriteString(`""`)
		return
	}
	var line strings.Builder
	first := true
	flush := func() {
		if line.Len() == 0 {
			return
		}
		if !first {
			b.WriteString(" +\n\t")
		}
		first = false
		b.WriteString(strconv.Quote(line.String()))
		line.Reset()
	}
	for _, p := range pieces {
		if line.Len() > 0 && line.Len()+len(p) > 100 {
			flush()
		}
		line.WriteString(p)
	}
	flush()
}

func writeInts(b *bytes.Buffer, name, typ string, xs []int) {
	fmt.Fprintf(b, "var %s = [...]%s{", name, typ)
	for i, x := range xs {
		if i%16 == 0 {
			b.WriteString("\n")
		} else {
			b.WriteString(" ")
		}
		fmt.Fprintf(b, "%d,", x)
	}
	b.WriteString("\n}\n\n")
}

func writeUint32s(b *bytes.Buffer, name, typ string, xs []uint32) {
	ints := make([]int, len(xs))
	for i, x := range xs {
		ints[i] = int(x)
	}
	writeInts(b, name, typ, ints)
}

// NameHash is the hash of the name table: 32-bit FNV-1a of the lower-cased
// name. Package wellknown computes the same.
func NameHash(key string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(key); i++ {
		h ^= uint32(key[i])
		h *= 16777619
	}
	return h
}
