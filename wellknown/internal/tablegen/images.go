package tablegen

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/portalloc/ports/wellknown/internal/packed"
)

// maxImageLen bounds the image patterns, so that a lookup can fold an
// image's case in a small buffer.
const maxImageLen = 127

// ParseImages reads the image table and records each image on the de-facto
// entries it names (DeFacto.Images). Each line that is not blank and does
// not start with '#' holds two fields separated by '|':
//
//	images | names
//
// images is a comma-separated list of container image repositories that run
// one piece of software ("postgres, bitnami/postgresql"), with or without a
// registry host ("docker.elastic.co/elasticsearch/elasticsearch") but with
// no tag or digest; names lists the de-facto entries (by their first name)
// whose ports that software listens on. An image is on one line only; its
// key (packed.ImageKey, which drops the registry host and "library/") is
// what a lookup compares.
func ParseImages(r io.Reader, defacto []DeFacto) error {
	byName := map[string]int{}
	for i, e := range defacto {
		byName[e.Names[0]] = i
	}
	seen := map[string]int{} // image key -> line
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || text[0] == '#' {
			continue
		}
		if err := parseImageLine(text, line, byName, seen, defacto); err != nil {
			return fmt.Errorf("tablegen: image table line %d: %w", line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("tablegen: reading image table: %w", err)
	}
	return nil
}

func parseImageLine(text string, line int, byName map[string]int, seen map[string]int, defacto []DeFacto) error {
	images, names, ok := strings.Cut(text, "|")
	if !ok || strings.Contains(names, "|") {
		return fmt.Errorf("%d fields, want 2 (images | names)", strings.Count(text, "|")+1)
	}
	var keys []string
	for im := range strings.SplitSeq(images, ",") {
		im = strings.TrimSpace(im)
		key, err := imageKey(im)
		if err != nil {
			return err
		}
		if at, ok := seen[key]; ok {
			return fmt.Errorf("image %q: %q is already on line %d", im, key, at)
		}
		seen[key] = line
		keys = append(keys, key)
	}
	var entries []int
	for n := range strings.SplitSeq(names, ",") {
		n = strings.TrimSpace(n)
		i, ok := byName[n]
		if !ok {
			return fmt.Errorf("no de-facto entry is named %q", n)
		}
		for _, j := range entries {
			if j == i {
				return fmt.Errorf("entry %q named twice", n)
			}
		}
		entries = append(entries, i)
	}
	for _, i := range entries {
		defacto[i].Images = append(defacto[i].Images, keys...)
	}
	return nil
}

// imageKey checks an image pattern and returns its key.
func imageKey(im string) (string, error) {
	if im == "" {
		return "", fmt.Errorf("empty image")
	}
	key := packed.ImageKey(im)
	if key == "" || !strings.HasSuffix(im, key) || strings.ContainsAny(im, "@") {
		return "", fmt.Errorf("image %q: want a repository without tag or digest, such as bitnami/postgresql", im)
	}
	if packed.ImageKey(key) != key {
		// "./0.0/0" leaves "0.0/0", whose first component a lookup would
		// take for a registry host: no image reference reaches that key.
		return "", fmt.Errorf("image %q: its repository %q starts with what a lookup reads as a registry host", im, key)
	}
	if len(key) > maxImageLen {
		return "", fmt.Errorf("image %q longer than %d bytes", im, maxImageLen)
	}
	for part := range strings.SplitSeq(key, "/") {
		if part == "" {
			return "", fmt.Errorf("image %q: empty path component", im)
		}
		for _, c := range part {
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '.', c == '_', c == '-':
			default:
				return "", fmt.Errorf("image %q: character %q not allowed in a repository; want a-z, 0-9, '.', '_', '-'", im, c)
			}
		}
	}
	return key, nil
}
