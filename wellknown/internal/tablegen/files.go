package tablegen

import (
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"strings"
)

// Command is the command line that regenerates the tables, run in the
// wellknown directory; the generated file's header names it.
const Command = "go run ./internal/gen -iana internal/data/service-names-port-numbers.xml.gz -defacto internal/data/defacto.txt -images internal/data/images.txt -o tables_gen.go"

// ReadRegistryFile parses the registry XML at path, decompressing it if the
// name ends in ".gz".
func ReadRegistryFile(path string) (*Registry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("tablegen: %w", err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		z, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("tablegen: %s: %w", path, err)
		}
		defer z.Close()
		r = z
	}
	return ParseRegistry(r)
}

// ReadDeFactoFile parses the de-facto table at path.
func ReadDeFactoFile(path string) ([]DeFacto, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("tablegen: %w", err)
	}
	defer f.Close()
	return ParseDeFacto(f)
}

// ReadImagesFile parses the image table at path onto the de-facto entries.
func ReadImagesFile(path string, defacto []DeFacto) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("tablegen: %w", err)
	}
	defer f.Close()
	return ParseImages(f, defacto)
}

// BuildFiles reads the three inputs and builds the tables.
func BuildFiles(ianaPath, defactoPath, imagesPath string) (*Tables, error) {
	reg, err := ReadRegistryFile(ianaPath)
	if err != nil {
		return nil, err
	}
	df, err := ReadDeFactoFile(defactoPath)
	if err != nil {
		return nil, err
	}
	if err := ReadImagesFile(imagesPath, df); err != nil {
		return nil, err
	}
	return Build(reg, df)
}
