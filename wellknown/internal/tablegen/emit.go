package tablegen

import (
	"bytes"
	"fmt"
	"go/format"
	"slices"
	"strconv"
	"strings"

	"github.com/portalloc/ports/wellknown/internal/packed"
)

// The packed layout, read by package wellknown (tables.go there); its
// constants and hash are package packed's:
//
//   - strtab is one string constant holding every distinct string once. A
//     strRef is off<<packed.RefLenBits | len into it.
//   - records is the array of items in sorted order: {lo, hi, name, desc,
//     protos, flags, extra}. flags holds the status in packed.StatusMask,
//     packed.FlagDeFacto and packed.FlagImageOnly; extra is 0 or 1 + an
//     index into extras.
//   - extras holds {aliasOf, project, reference, category}.
//   - rangeStarts, rangeOffsets and rangeRecords index the records whose
//     range holds more than one port: the port space is cut into segments
//     at every range's ends, segment k starts at rangeStarts[k], and the
//     ranges covering it are rangeRecords[rangeOffsets[k]:rangeOffsets[k+1]].
//   - nameKeys and nameRecords map lower-cased names, sorted, to records;
//     nameTable is a hash table (packed.Hash, linear probing) whose slots
//     hold 0 or 1 + the index in nameKeys of the first entry of a name.
//   - imageKeys, imageRecords and imageTable do the same for the keys of
//     container images (packed.ImageKey).
//   - recordBlocks[b] is the index of the first record whose low port is
//     at least b<<packed.RecordBlockBits; its last entry is the number of
//     records.
//   - rangeBlocks[b] is 1 + the index of the last segment that starts at or
//     below b<<packed.RangeBlockBits, or 0 when none does.
//   - defactoRecords lists the de-facto records in order, but for those
//     known by image only.
//   - collisions and collisionRecords list the derived collisions.
const (
	refLenBits      = packed.RefLenBits
	recordBlockBits = packed.RecordBlockBits
	rangeBlockBits  = packed.RangeBlockBits
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
			flags |= packed.FlagDeFacto
			if it.ImageOnly {
				flags |= packed.FlagImageOnly
			} else {
				defacto = append(defacto, i)
			}
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

	// Name and image indexes.
	var names, images []keyEntry
	for i, it := range t.Items {
		if it.Name != "" {
			names = append(names, keyEntry{lowerASCII(it.Name), i})
		}
		for _, a := range it.Aliases {
			names = append(names, keyEntry{lowerASCII(a), i})
		}
		for _, im := range it.Images {
			images = append(images, keyEntry{lowerASCII(im), i})
		}
	}
	nameIdx, err := buildIndex(&st, names)
	if err != nil {
		return nil, fmt.Errorf("tablegen: name index: %w", err)
	}
	imageIdx, err := buildIndex(&st, images)
	if err != nil {
		return nil, fmt.Errorf("tablegen: image index: %w", err)
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
	w("// maxNameLen and maxImageLen are the lengths of the longest keys of\n")
	w("// nameKeys and imageKeys.\n")
	w("const (\n\tmaxNameLen = %d\n\tmaxImageLen = %d\n)\n\n", nameIdx.maxLen, max(imageIdx.maxLen, 1))
	w("const strtab = ")
	writeStrtab(&body, st.pieces)
	w("\n\nvar records = [...]record{\n%s\n}\n\n", strings.Join(recLines, "\n"))
	w("var extras = [...]extra{\n%s\n}\n\n", strings.Join(extraLines, "\n"))
	writeInts(&body, "rangeStarts", "uint16", segStarts)
	writeInts(&body, "rangeOffsets", "uint16", segOffs)
	writeInts(&body, "rangeRecords", "uint16", segRecs)
	writeUint32s(&body, "nameKeys", "strRef", nameIdx.keys)
	writeInts(&body, "nameRecords", "uint16", nameIdx.recs)
	writeInts(&body, "nameTable", "uint16", nameIdx.table)
	writeUint32s(&body, "imageKeys", "strRef", imageIdx.keys)
	writeInts(&body, "imageRecords", "uint16", imageIdx.recs)
	writeInts(&body, "imageTable", "uint16", imageIdx.table)
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

// keyEntry is one entry of a hash index: a lower-cased key and a record.
type keyEntry struct {
	key string
	rec int
}

// hashIndex is a hash index over keys: keys and recs sorted by key, then
// record; table an open-addressing hash table whose slot is 0 (empty) or 1
// + the index in keys of a key's first entry.
type hashIndex struct {
	keys   []uint32
	recs   []int
	table  []int
	maxLen int
}

func buildIndex(st *strtab, entries []keyEntry) (hashIndex, error) {
	slices.SortFunc(entries, func(a, b keyEntry) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return a.rec - b.rec
	})
	entries = slices.Compact(entries)
	var ix hashIndex
	ix.keys = make([]uint32, len(entries))
	ix.recs = make([]int, len(entries))
	for i, e := range entries {
		r, err := st.ref(e.key)
		if err != nil {
			return ix, err
		}
		ix.keys[i], ix.recs[i] = r, e.rec
		ix.maxLen = max(ix.maxLen, len(e.key))
	}
	size := 1
	for size < 2*len(entries) {
		size <<= 1
	}
	ix.table = make([]int, size)
	for i, e := range entries {
		if i > 0 && entries[i-1].key == e.key {
			continue
		}
		if i+1 >= 1<<16 {
			return ix, fmt.Errorf("%d keys; the index holds 16 bits", len(entries))
		}
		slot := packed.HashString(e.key) & uint32(size-1)
		for ix.table[slot] != 0 {
			slot = (slot + 1) & uint32(size-1)
		}
		ix.table[slot] = i + 1
	}
	return ix, nil
}
