package manifest

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// A stream of manifests is read one document at a time, as kubectl reads
// one: its text is cut at the lines that start a document ("---", alone or
// followed by white space and content), each piece is parsed on its own
// and dropped once its declarations are kept. Memory is so bounded by the
// largest document and the declarations, not by the file; and the anchors
// of one document are not seen from the next, as YAML and the API server
// have it.
//
// A piece holds at most one "---" line, with the directives ("%YAML") and
// comments before it; a document that ends with "..." and one that
// follows it without "---" stay in one piece, which the parser splits.
// A directive line starts the next piece after "..." or after a document
// of no content. After content it stays in its piece, as kubectl keeps
// it: only a YAML scanner could tell whether it goes on a scalar, and the
// piece fails to parse where it does not.
// Documents are counted as the parser counts them in the whole stream:
// the text before the first "---" is a document only if it holds content.

// kubeSplitter cuts a stream into pieces of one document each.
type kubeSplitter struct {
	br         *bufio.Reader
	line       int    // lines read so far
	start      int    // the number of the first line of the last line read (a lone CR ends a line in it)
	held       []byte // a line read ahead: the start of the next piece, or empty
	heldN      int    // its line number
	heldMarker bool   // whether it is a "---" line (else a directive)
	err        error  // the reader's error, once met
	buf        []byte // the last piece, whose array the next reuses
}

func newKubeSplitter(r io.Reader) *kubeSplitter {
	return &kubeSplitter{br: bufio.NewReaderSize(r, 64<<10)}
}

// readLine returns the next line with its end, or nil at the end of the
// stream; a line of any length is read whole. The line may be the
// reader's buffer, valid until the next read.
func (s *kubeSplitter) readLine() ([]byte, error) {
	var long []byte
	for {
		b, err := s.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long, b...)
			continue
		}
		if long != nil {
			b = append(long, b...)
		}
		if err == io.EOF {
			err = nil
			if len(b) == 0 {
				return nil, nil
			}
		}
		if err != nil {
			return nil, err
		}
		// YAML ends a line at CR LF, LF or a lone CR; the parser's line
		// numbers count each.
		s.start = s.line + 1
		s.line += 1 + yamlLoneCRs(b)
		return b, nil
	}
}

// yamlLoneCRs counts the carriage returns of b that no line feed follows:
// line breaks to YAML that a split at line feeds does not see.
func yamlLoneCRs(b []byte) int {
	n := 0
	for i, c := range b {
		if c == '\r' && (i+1 == len(b) || b[i+1] != '\n') {
			n++
		}
	}
	return n
}

// yamlBreaks counts the line breaks of b as YAML counts them: LF, CR LF
// and a lone CR each end a line.
func yamlBreaks(b []byte) int {
	return bytes.Count(b, []byte("\n")) + yamlLoneCRs(b)
}

// next returns the next piece of the stream and the number of its first
// line; a nil piece at the end. The piece is valid until the next call,
// which reuses its array.
func (s *kubeSplitter) next() (piece []byte, first int, err error) {
	if s.err != nil {
		return nil, 0, s.err
	}
	buf := s.buf[:0]
	defer func() { s.buf = buf }()
	first = s.line + 1
	marker, content, ended := false, false, false
	if len(s.held) > 0 {
		buf, first, marker = append(buf, s.held...), s.heldN, s.heldMarker
		content = marker && !kubeBlankOrComment(s.held[3:])
		s.held = s.held[:0]
	}
	hold := func(line []byte, marker bool) {
		s.held, s.heldN, s.heldMarker = append(s.held, line...), s.start, marker
	}
	for {
		line, err := s.readLine()
		if err != nil {
			s.err = err
			return nil, 0, err
		}
		if line == nil {
			if len(buf) == 0 {
				return nil, first, nil
			}
			return buf, first, nil
		}
		switch {
		case kubeMarker(line, "---"):
			if marker || content {
				hold(line, true)
				return buf, first, nil
			}
			marker = true
			// Content on the marker line ("--- |", "--- a") may go on
			// below it.
			content = !kubeBlankOrComment(line[3:])
		case kubeMarker(line, "..."):
			ended = true
		case line[0] == '%' && (ended || marker && !content):
			// A directive after "..." or after a document of no content:
			// the prologue of the next document.
			hold(line, false)
			return buf, first, nil
		case line[0] == '%' && !marker && !content:
			// A directive of this piece's prologue.
		case !kubeBlankOrComment(line):
			content = true
		}
		buf = append(buf, line...)
	}
}

// kubeMarker reports whether line starts with the document marker m
// ("---" or "...") followed by white space or the end of the line.
func kubeMarker(line []byte, m string) bool {
	if !bytes.HasPrefix(line, []byte(m)) {
		return false
	}
	rest := line[len(m):]
	return len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\r' || rest[0] == '\n'
}

// kubeBlankOrComment reports whether line holds only white space or a
// comment.
func kubeBlankOrComment(line []byte) bool {
	t := bytes.TrimLeft(line, " \t\r\n")
	return len(t) == 0 || t[0] == '#'
}

var kubeYAMLLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// kubeParserProblems are the messages of the YAML parser (as opposed to
// its scanner), whose "line N" counts lines from 0, and which name the
// first line when they name none.
var kubeParserProblems = []string{
	"did not find expected <stream-start>",
	"did not find expected <document start>",
	"found duplicate %YAML directive",
	"found incompatible YAML document",
	"found duplicate %TAG directive",
	"found undefined tag handle",
	"did not find expected node content",
	"did not find expected '-' indicator",
	"did not find expected key",
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
}

// kubeYAMLError returns the *Error of a syntax error err of the parser, in
// document doc of file name, the parser's lines counted from line off+1.
// The parser's messages count lines from 1 for a fault of its scanner but
// from 0 for one of its parser (and leave out a line 0); the line given
// is the line of the construct at fault, as the parser marks it.
func kubeYAMLError(name string, doc, off int, err error) *Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if m := kubeYAMLLineRE.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	for _, p := range kubeParserProblems {
		if msg == p {
			line++
			break
		}
	}
	if line == 0 && strings.HasPrefix(msg, "exceeded max depth") {
		line = 1 // a scanner's fault on the first line
	}
	e := &Error{File: name, Doc: doc, Msg: "invalid YAML: " + msg}
	if line > 0 {
		e.Line = line + off
	}
	return e
}

var kubeUnknownAnchorRE = regexp.MustCompile(`^yaml: unknown anchor '(.*)' referenced$`)

// kubeUnknownAnchor returns the line and column of the first alias in
// piece (whose lines start at first) of the anchor that err, the parser's
// error, says is unknown; the parser gives no line for it. It returns 0, 0
// for another error, or if no such alias is found.
func kubeUnknownAnchor(err error, piece []byte, first int) (line, col int) {
	m := kubeUnknownAnchorRE.FindStringSubmatch(err.Error())
	if m == nil {
		return 0, 0
	}
	alias := []byte("*" + m[1])
	for i, l := range bytes.Split(piece, []byte("\n")) {
		for at := 0; ; {
			j := bytes.Index(l[at:], alias)
			if j < 0 {
				break
			}
			j += at
			end := j + len(alias)
			// An alias ends where the name does: at white space, a flow
			// indicator, or the end of the line.
			if end == len(l) || bytes.IndexByte([]byte(" \t\r,]}"), l[end]) >= 0 {
				return first + i, j + 1
			}
			at = end
		}
	}
	return 0, 0
}
