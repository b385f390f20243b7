//go:build !unix && !windows

package hostports

func errKindOf(err error) errKind { return kindOther }
