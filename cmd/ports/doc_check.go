package main

// ports doc --check: the committed reference against what doc writes now,
// shown as a unified diff.
//
// The diff trims the lines the two texts share at the start and the end,
// then aligns the rest by their longest common subsequence; when that rest
// is too large for the quadratic table (more than maxDiffCells pairs of
// lines), it is shown as removed and added whole, which is still a correct
// diff, only not the shortest.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
)

// maxReferenceBytes caps what --check reads of the committed reference.
const maxReferenceBytes = 16 << 20

// maxDiffCells bounds the table of the line alignment.
const maxDiffCells = 4 << 20

// docCheck compares the reference in file with want, what doc writes now.
// It returns exitOK when they are the same; exitFindings, with a unified
// diff on standard output, when they differ or the file does not exist.
func (a *app) docCheck(file string, want []byte, args []string) int {
	got, err := readCapped(file, maxReferenceBytes)
	missing := errors.Is(err, fs.ErrNotExist)
	if err != nil && !missing {
		return a.fail("doc: --check: %v", err)
	}
	if bytes.Equal(got, want) && !missing {
		return exitOK
	}
	from := file
	if missing {
		from = "/dev/null"
	}
	unifiedDiff(a.stdout, from, file+" (ports doc now)", string(got), string(want))
	what := "is not what ports doc writes now"
	if missing {
		what = "does not exist"
	}
	fmt.Fprintf(a.stderr, "ports: doc: %s %s; to update it, run: ports doc -o %s %s\n", safe(file), what, safe(file), safe(strings.Join(withoutCheck(args), " ")))
	return exitFindings
}

// withoutCheck returns the arguments of doc less --check and its value.
func withoutCheck(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--":
			return append(out, args[i:]...)
		case a == "--check" || a == "-check":
			i++
		case strings.HasPrefix(a, "--check=") || strings.HasPrefix(a, "-check="):
		default:
			out = append(out, a)
		}
	}
	return out
}

// unifiedDiff writes the unified diff (three lines of context) that turns
// a into b, with the headers from and to.
func unifiedDiff(w io.Writer, from, to, a, b string) {
	x, y := splitLines(a), splitLines(b)
	ops := diffLines(x, y)
	fmt.Fprintf(w, "--- %s\n+++ %s\n", safe(from), safe(to))
	const context = 3
	// Walk the edit script, grouping changes that lie within 2*context
	// lines of each other into one hunk.
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		start := max(i-context, 0)
		end := i
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].kind == ' ' {
				run++
			}
			if run == len(ops) || run-end > 2*context {
				end = min(end+context, len(ops))
				break
			}
			end = run
		}
		ax, ay := ops[start].ax, ops[start].ay
		var nx, ny int
		for _, op := range ops[start:end] {
			if op.kind != '+' {
				nx++
			}
			if op.kind != '-' {
				ny++
			}
		}
		fmt.Fprintf(w, "@@ -%s +%s @@\n", hunkRange(ax, nx), hunkRange(ay, ny))
		for _, op := range ops[start:end] {
			fmt.Fprintf(w, "%c%s\n", op.kind, safe(op.text))
		}
		i = end
	}
}

// hunkRange is a hunk's "start,count", where start counts from 1, or is
// the line before an empty range.
func hunkRange(at, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", at)
	}
	if n == 1 {
		return fmt.Sprint(at + 1)
	}
	return fmt.Sprintf("%d,%d", at+1, n)
}

// splitLines splits s into lines without their newlines; a final line
// without a newline is a line too.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// diffOp is one line of an edit script: ' ' kept, '-' removed from x, '+'
// added from y; ax and ay are the lines of x and y before it.
type diffOp struct {
	kind   byte
	text   string
	ax, ay int
}

// diffLines returns an edit script from x to y.
func diffLines(x, y []string) []diffOp {
	var ops []diffOp
	pre := 0
	for pre < len(x) && pre < len(y) && x[pre] == y[pre] {
		pre++
	}
	suf := 0
	for suf < len(x)-pre && suf < len(y)-pre && x[len(x)-1-suf] == y[len(y)-1-suf] {
		suf++
	}
	for i := 0; i < pre; i++ {
		ops = append(ops, diffOp{' ', x[i], i, i})
	}
	mx, my := x[pre:len(x)-suf], y[pre:len(y)-suf]
	ax, ay := pre, pre
	emit := func(kind byte, text string) {
		ops = append(ops, diffOp{kind, text, ax, ay})
		if kind != '+' {
			ax++
		}
		if kind != '-' {
			ay++
		}
	}
	if len(mx)*len(my) > maxDiffCells {
		for _, l := range mx {
			emit('-', l)
		}
		for _, l := range my {
			emit('+', l)
		}
	} else {
		// lcs[i][j] is the length of the longest common subsequence of
		// mx[i:] and my[j:].
		n, m := len(mx), len(my)
		lcs := make([]int32, (n+1)*(m+1))
		at := func(i, j int) int32 { return lcs[i*(m+1)+j] }
		for i := n - 1; i >= 0; i-- {
			for j := m - 1; j >= 0; j-- {
				v := max(at(i+1, j), at(i, j+1))
				if mx[i] == my[j] {
					v = at(i+1, j+1) + 1
				}
				lcs[i*(m+1)+j] = v
			}
		}
		i, j := 0, 0
		for i < n || j < m {
			switch {
			case i < n && j < m && mx[i] == my[j]:
				emit(' ', mx[i])
				i, j = i+1, j+1
			case i < n && (j == m || at(i+1, j) >= at(i, j+1)):
				emit('-', mx[i]) // removals before additions, as diff -u
				i++
			default:
				emit('+', my[j])
				j++
			}
		}
	}
	for i := len(x) - suf; i < len(x); i++ {
		ops = append(ops, diffOp{' ', x[i], ax, ay})
		ax, ay = ax+1, ay+1
	}
	return ops
}
