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
// compares them. O(len(data)). Data that is not JSON is left for the
// decoder to refuse.
func duplicateKey(data []byte) error {
	type frame struct {
		object bool
		keys   map[string]bool
		key    string // object: the last key read
		index  int    // array: the index of the next value
		start  bool   // object: a key comes next
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []frame
	// path names where the decoder stands, as in reservations[3].owner.
	path := func() string {
		var b strings.Builder
		for i, f := range stack {
			switch {
			case f.object && i < len(stack)-1:
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			case !f.object:
				b.WriteString("[" + strconv.Itoa(f.index-1) + "]")
			}
		}
		return b.String()
	}
	// value notes that a value was read in the innermost frame.
	value := func() {
		if n := len(stack); n > 0 {
			if f := &stack[n-1]; f.object {
				f.start = true
			} else {
				f.index++
			}
		}
	}
	for {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].start {
			if s, ok := tok.(string); ok {
				f := &stack[n-1]
				k := foldKey(s)
				if f.keys[k] {
					where := path()
					if where == "" {
						where = "the top-level object"
					}
					at := off + int64(bytes.IndexByte(data[off:], '"')) // past a comma and spaces
					return errors.New("allocator: Restore: corrupt snapshot: byte " + strconv.FormatInt(at, 10) +
						": key " + strconv.Quote(s) + " appears twice in " + where + "; want each key once")
				}
				f.keys[k], f.key, f.start = true, s, false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			if n := len(stack); n > 0 && !stack[n-1].object {
				stack[n-1].index++
			}
			stack = append(stack, frame{object: true, keys: make(map[string]bool), start: true})
		case json.Delim('['):
			if n := len(stack); n > 0 && !stack[n-1].object {
				stack[n-1].index++
			}
			stack = append(stack, frame{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			if n := len(stack); n > 0 && stack[n-1].object {
				stack[n-1].start = true
			}
		default:
			value()
		}
	}
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
