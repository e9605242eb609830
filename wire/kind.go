package wire

import "github.com/plasmite-go/plasmite/core"

// ExitCode is the CLI's exit status for an error of kind k: the kind's
// number, 1 (Internal) to 9 (RetentionGap); 1 for anything else.
func ExitCode(k core.Kind) int {
	if k >= core.Internal && k <= core.RetentionGap {
		return int(k)
	}
	return 1
}

// httpStatus is release 1.2.1's status of each kind (Permission is 401
// everywhere; 403 only comes from explicit origin checks).
var httpStatus = [...]int{
	core.Internal:      500,
	core.Usage:         400,
	core.NotFound:      404,
	core.AlreadyExists: 409,
	core.Busy:          423,
	core.Permission:    401,
	core.Corrupt:       500,
	core.IO:            500,
	core.RetentionGap:  410,
}

// HTTPStatus is the HTTP status of an error envelope of kind k; 500 for an
// unknown kind.
func HTTPStatus(k core.Kind) int {
	if k >= core.Internal && k <= core.RetentionGap {
		return httpStatus[k]
	}
	return 500
}

// KindForStatus is the kind a client gives an error response whose body is
// not an error envelope, by its status: 400 and 413 Usage, 401 and 403
// Permission, 404 NotFound, 409 AlreadyExists, 423 Busy, 5xx Internal,
// anything else Io.
func KindForStatus(status int) core.Kind {
	switch {
	case status == 400 || status == 413:
		return core.Usage
	case status == 401 || status == 403:
		return core.Permission
	case status == 404:
		return core.NotFound
	case status == 409:
		return core.AlreadyExists
	case status == 423:
		return core.Busy
	case status >= 500 && status <= 599:
		return core.Internal
	}
	return core.IO
}

// ParseKind reads a kind's wire name ("NotFound", "Io", …; see
// core.Kind.String). Unknown names are Internal.
func ParseKind(name string) core.Kind {
	for k := core.Internal; k <= core.RetentionGap; k++ {
		if k.String() == name {
			return k
		}
	}
	return core.Internal
}
