package manifest

import (
	_ "embed"
	"slices"
)

//go:embed schema/registry.schema.json
var registrySchema []byte

// RegistrySchema returns the JSON Schema (draft 2020-12) of the registry
// format, for editors and for tools in other languages. It is a fresh copy
// on each call.
//
// The schema states the shape of a file; [ParseRegistry] checks that shape
// and, besides, the rules a schema cannot state, which the schema's
// description lists.
func RegistrySchema() []byte {
	return slices.Clone(registrySchema)
}
