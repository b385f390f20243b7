// Package packed holds what package wellknown and its generator
// (internal/tablegen) must agree on: the layout constants of the packed
// tables, the hash of their name and image indexes, and the rule that turns
// a container image reference into the key of the image index. Each is
// written here once; both sides import it.
//
// It declares no variables, so that importing it costs package wellknown
// nothing at start-up.
package packed

import "strings"

const (
	// RefLenBits is the width of the length part of a string reference: a
	// reference is off<<RefLenBits | len into the string table.
	RefLenBits = 10

	// FlagDeFacto marks a de-facto record in a record's flags; the status
	// of an IANA record is in the bits of StatusMask.
	FlagDeFacto = 0x80
	StatusMask  = 0x03

	// FlagImageOnly marks a de-facto record whose port is the one its
	// container image listens on and says nothing by itself (pgAdmin's 80):
	// the image index and the name index find it, the port lookup does not.
	FlagImageOnly = 0x40

	// RecordBlockBits and RangeBlockBits size the blocks of the two block
	// indexes, 1<<RecordBlockBits and 1<<RangeBlockBits ports: small enough
	// that a lookup scans a handful of entries, large enough that the
	// indexes stay a few kilobytes.
	RecordBlockBits = 4
	RangeBlockBits  = 6
)

// HashSeed starts the hash of a key of the name and image indexes: 32-bit
// FNV-1a, one Hash step a byte of the lower-cased key.
const HashSeed uint32 = 2166136261

// Hash adds byte c to the hash h.
func Hash(h uint32, c byte) uint32 { return (h ^ uint32(c)) * 16777619 }

// HashString returns the hash of key, as a lookup computes it byte by byte.
func HashString(key string) uint32 {
	h := HashSeed
	for i := 0; i < len(key); i++ {
		h = Hash(h, key[i])
	}
	return h
}

// ImageKey returns the part of a container image reference that names the
// software it runs, the key of the image index: the repository path,
// without the registry host ("docker.io/", "ghcr.io/", "registry:5000/"),
// without the path up to "library/" (Docker Hub's namespace of official
// images, also under mirrors such as "public.ecr.aws/docker/library/"),
// and without tag or digest. It recognises "localhost" and "library"
// without regard to case, but does not fold the case of what it returns.
// It returns a substring of image and allocates nothing.
//
//	ImageKey("docker.io/library/postgres:16-alpine") == "postgres"
//	ImageKey("quay.io/bitnami/postgresql@sha256:…") == "bitnami/postgresql"
//	ImageKey("docker.elastic.co/elasticsearch/elasticsearch:9.1.0") == "elasticsearch/elasticsearch"
func ImageKey(image string) string {
	s := image
	if i := strings.IndexByte(s, '@'); i >= 0 {
		s = s[:i]
	}
	slash := strings.LastIndexByte(s, '/')
	if i := strings.IndexByte(s[slash+1:], ':'); i >= 0 {
		s = s[:slash+1+i]
	}
	// A first path component is a registry host when it has a dot or a
	// colon or is localhost, as Docker decides.
	if i := strings.IndexByte(s, '/'); i >= 0 {
		if host := s[:i]; strings.EqualFold(host, "localhost") || strings.ContainsAny(host, ".:") {
			s = s[i+1:]
		}
	}
	// Strip through the last "library" component that has a component
	// after it.
	for j := strings.LastIndexByte(s, '/'); j > 0; j = strings.LastIndexByte(s[:j], '/') {
		start := strings.LastIndexByte(s[:j], '/') + 1
		if strings.EqualFold(s[start:j], "library") {
			return s[j+1:]
		}
	}
	return s
}
