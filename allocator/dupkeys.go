package allocator

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode"
)

// duplicateKey returns an error naming the first key that an object of the
// JSON text data holds twice, where it is, or nil. encoding/json would keep
// the last value of such a key and drop the others without a word (a
// second "reservations" list would silently replace the first), and it
// matches field names without regard to case, so keys are compared as it
// compares them. O(len(data)), in one pass over the bytes that allocates
// only for keys written with escapes and for objects of many keys. Data
// that is not JSON is left for the decoder to refuse: the scan stops, with
// nil, where it stops being JSON.
func duplicateKey(data []byte) error {
	d := keyScan{data: data}
	d.space()
	d.value()
	return d.err
}

// keyScan is the state of duplicateKey: a recursive descent over the JSON
// text that stops at the first key twice (err) or the first byte that is not
// JSON (bad).
type keyScan struct {
	data  []byte
	i     int
	err   error
	bad   bool
	stack []keyFrame
	// read holds the keys read of the objects on the stack that hold few,
	// each object's after those of the objects around it.
	read [][]byte
}

// keyFrame is an object or an array that the scan is inside.
type keyFrame struct {
	object bool
	from   int             // object: where its keys begin in read, while it has few
	keys   map[string]bool // object: its keys, folded, once it has many
	key    []byte          // object: the last key read
	index  int             // array: the index of the value being read
}

// maxNesting is the depth at which the scan stops, as encoding/json
// refuses data nested deeper.
const maxNesting = 10000

// fewKeys is how many keys of an object the scan compares one by one, with
// [bytes.EqualFold] as encoding/json matches them, before it indexes them by
// [foldKey].
const fewKeys = 16

func (d *keyScan) stop() bool { return d.err != nil || d.bad }

// space skips white space.
func (d *keyScan) space() {
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// value reads one value and the white space after it.
func (d *keyScan) value() {
	if d.i >= len(d.data) {
		d.bad = true
		return
	}
	switch c := d.data[d.i]; {
	case c == '{' || c == '[':
		if len(d.stack) == maxNesting {
			d.bad = true
			return
		}
		d.i++
		d.space()
		if c == '{' {
			d.object()
		} else {
			d.array()
		}
	case c == '"':
		d.str()
	default:
		// A number, true, false or null: what the decoder takes for one
		// runs to the next delimiter.
		j := d.i
		for j < len(d.data) && !strings.ContainsRune(",]} \t\n\r{[\":", rune(d.data[j])) {
			j++
		}
		if j == d.i {
			d.bad = true
			return
		}
		d.i = j
	}
	d.space()
}

// object reads the members of an object after its '{' up to its '}'.
func (d *keyScan) object() {
	d.stack = append(d.stack, keyFrame{object: true, from: len(d.read)})
	f := len(d.stack) - 1
	if d.i < len(d.data) && d.data[d.i] == '}' {
		d.i++
	} else {
		for !d.stop() {
			at := d.i
			if at >= len(d.data) || d.data[at] != '"' {
				d.bad = true
				break
			}
			k := d.str()
			if d.stop() {
				break
			}
			if d.seen(&d.stack[f], k) {
				d.err = errors.New("allocator: Restore: corrupt snapshot: byte " + strconv.Itoa(at) +
					": key " + strconv.Quote(string(k)) + " appears twice in " + d.path() + "; want each key once")
				break
			}
			d.stack[f].key = k
			d.space()
			if d.i >= len(d.data) || d.data[d.i] != ':' {
				d.bad = true
				break
			}
			d.i++
			d.space()
			d.value()
			if d.stop() || !d.next('}') {
				break
			}
		}
	}
	if d.stack[f].keys == nil {
		d.read = d.read[:d.stack[f].from]
	}
	d.stack = d.stack[:f]
}

// array reads the values of an array after its '[' up to its ']'.
func (d *keyScan) array() {
	d.stack = append(d.stack, keyFrame{})
	f := len(d.stack) - 1
	if d.i < len(d.data) && d.data[d.i] == ']' {
		d.i++
	} else {
		for !d.stop() {
			d.value()
			if d.stop() || !d.next(']') {
				break
			}
			d.stack[f].index++
		}
	}
	d.stack = d.stack[:f]
}

// next reads what follows a member or a value: a comma and white space,
// when it reports true, or the closing byte.
func (d *keyScan) next(end byte) bool {
	if d.i >= len(d.data) {
		d.bad = true
		return false
	}
	switch d.data[d.i] {
	case ',':
		d.i++
		d.space()
		return true
	case end:
		d.i++
		return false
	}
	d.bad = true
	return false
}

// str reads a string and returns its text: the bytes of data between the
// quotes when it has no escape, or else the string decoded.
func (d *keyScan) str() []byte {
	start := d.i
	escaped := false
	for j := start + 1; j < len(d.data); j++ {
		switch c := d.data[j]; {
		case c == '"':
			d.i = j + 1
			if !escaped {
				return d.data[start+1 : j]
			}
			var s string
			if json.Unmarshal(d.data[start:j+1], &s) != nil {
				d.bad = true
				return nil
			}
			return []byte(s)
		case c == '\\':
			escaped = true
			j++ // the escaped byte; \u's hex digits are plain bytes
		case c < 0x20:
			d.bad = true
			return nil
		}
	}
	d.bad = true
	return nil
}

// path names where the scan stands, as reservations[3], or "the top-level
// object".
func (d *keyScan) path() string {
	var b strings.Builder
	for i, f := range d.stack {
		switch {
		case f.object && i < len(d.stack)-1:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.Write(f.key)
		case !f.object:
			b.WriteString("[" + strconv.Itoa(f.index) + "]")
		}
	}
	if b.Len() == 0 {
		return "the top-level object"
	}
	return b.String()
}

// seen reports whether the object of f has read key k before, as
// encoding/json matches keys, and notes k. The first fewKeys are compared in
// turn, without allocating, at the end of d.read; beyond that they are
// indexed by foldKey. O(1) amortized.
func (d *keyScan) seen(f *keyFrame, k []byte) bool {
	if f.keys == nil {
		mine := d.read[f.from:]
		for _, o := range mine {
			if bytes.EqualFold(o, k) {
				return true
			}
		}
		if len(mine) < fewKeys {
			d.read = append(d.read, k)
			return false
		}
		f.keys = make(map[string]bool, 2*fewKeys)
		for _, o := range mine {
			f.keys[foldKey(string(o))] = true
		}
		d.read = d.read[:f.from]
	}
	fk := foldKey(string(k))
	if f.keys[fk] {
		return true
	}
	f.keys[fk] = true
	return false
}

// foldKey returns a form of s shared by every string that encoding/json
// takes for the same field name: each rune replaced by the smallest of its
// case-folding orbit, so that "Owner", "OWNER" and "owner" (and the Kelvin
// sign K and k) give one key.
func foldKey(s string) string {
	var b strings.Builder
	for _, r := range s {
		m := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			m = min(m, f)
		}
		b.WriteRune(m)
	}
	return b.String()
}
