package allocator

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzDuplicateKey checks duplicateKey against duplicateKeyByTokens on every
// input that Restore gives it, one JSON value in UTF-8 without half a
// surrogate pair: the same error, or none. On other input (which Restore
// refuses before it asks) it must only return, without a panic.
func FuzzDuplicateKey(f *testing.F) {
	f.Add([]byte(`{"version":1,"reservations":[{"owner":"a","endpoint":"1/tcp"}],"reservations":[]}`))
	f.Add([]byte(`{"version":1,"reservations":[],"Version":1}`))
	f.Add([]byte(`{"a":{"b":[1,{"c":2,"C":3}]}}`))
	f.Add([]byte(`{"\u0041":1,"a":2}`))
	f.Add([]byte(`{"k":1,"\u212a":2}`))
	f.Add([]byte(`[{"a":1},{"a":1,"b":[true,false,null,-1.5e3]}]`))
	f.Add([]byte(`{"a":1 "a":2}`))
	f.Add([]byte(`{"a"`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got := duplicateKey(data)
		if !json.Valid(data) || !utf8.Valid(data) || loneSurrogate(data) >= 0 {
			return
		}
		want := duplicateKeyByTokens(data)
		if (got == nil) != (want == nil) || got != nil && got.Error() != want.Error() {
			t.Fatalf("duplicateKey(%q) = %v, want %v", data, got, want)
		}
	})
}

// duplicateKeyByTokens is duplicateKey through the tokens of
// encoding/json's Decoder, as it was written first: slower, and plainly
// right, so that FuzzDuplicateKey can hold the scan to it. It returns an
// error naming the first key that an object of the JSON text data holds
// twice, where it is, or nil. encoding/json would keep
// the last value of such a key and drop the others without a word (a
// second "reservations" list would silently replace the first), and it
// matches field names without regard to case, so keys are compared as it
// compares them. O(len(data)). Data that is not JSON is left for the
// decoder to refuse.
func duplicateKeyByTokens(data []byte) error {
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
