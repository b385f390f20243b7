//go:build !unix && !windows

package hostports

func errKindOf(err error) errKind { return kindOther }

func withDescriptorLimit(err error) error { return err }
