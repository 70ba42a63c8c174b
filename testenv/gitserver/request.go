package gitserver

// Protocol is the transport a client used.
type Protocol int

// Protocols served by a Server.
const (
	// ProtocolHTTP is smart HTTP in clear text.
	ProtocolHTTP Protocol = iota + 1
	// ProtocolHTTPS is smart HTTP over TLS.
	ProtocolHTTPS
	// ProtocolSSH is git over SSH.
	ProtocolSSH
	// ProtocolGit is the git:// protocol of git daemon.
	ProtocolGit
)

// String returns the URL scheme of the protocol: "http", "https", "ssh" or
// "git".
func (p Protocol) String() string {
	switch p {
	case ProtocolHTTP:
		return "http"
	case ProtocolHTTPS:
		return "https"
	case ProtocolSSH:
		return "ssh"
	case ProtocolGit:
		return "git"
	default:
		return "unknown"
	}
}

// Service is the Git service a request asked for.
type Service int

// Services. ServiceUnknown is the zero value: a request whose service could
// not be told, such as a dumb HTTP file download or a failed SSH login.
const (
	// ServiceUnknown is a request for no smart Git service.
	ServiceUnknown Service = iota
	// ServiceUploadPack serves fetches and clones.
	ServiceUploadPack
	// ServiceReceivePack serves pushes.
	ServiceReceivePack
)

// String returns the service's program name, "git-upload-pack" or
// "git-receive-pack", or "unknown".
func (s Service) String() string {
	switch s {
	case ServiceUploadPack:
		return "git-upload-pack"
	case ServiceReceivePack:
		return "git-receive-pack"
	default:
		return "unknown"
	}
}

// parseService maps a program name to a Service.
func parseService(name string) Service {
	switch name {
	case "git-upload-pack":
		return ServiceUploadPack
	case "git-receive-pack":
		return ServiceReceivePack
	default:
		return ServiceUnknown
	}
}

// Request describes one request a Server received. It is plain data, passed
// to the hooks given WithRequestHook before the request is served.
//
// Granularity depends on the protocol: over SSH and git:// one clone, fetch
// or push is one Request; over HTTP(S) it is one Request per HTTP request,
// that is one GET of info/refs (the ref advertisement) followed by one or
// more POSTs.
type Request struct {
	// Protocol is the transport used.
	Protocol Protocol
	// Service is the Git service asked for.
	Service Service
	// Repo is the repository path relative to the root, slash-separated and
	// without a leading slash, such as "team/app.git". A path refused with
	// ErrOutsideRoot is kept as the client sent it. Repo is empty when the
	// server refused the client before learning the path (a failed SSH login).
	Repo string
	// Method is the HTTP method, empty for SSH and git://.
	Method string
	// User is the authenticated user name: the basic-auth or SSH user.
	// It is empty for anonymous and bearer-token requests.
	User string
	// Authenticated reports whether the credentials were accepted. It is true
	// when the server requires none (HTTP without auth options, and git://).
	Authenticated bool
	// Err is nil when the server went on to serve the request, or why it
	// refused: ErrUnauthenticated, ErrReadOnly, ErrOutsideRoot or
	// ErrUnsupportedCommand. Over git:// a read-only push is reported with
	// ErrReadOnly and refused by git daemon itself. A refused SSH login is
	// reported when the client hangs up, which may be after the client has
	// returned its error.
	Err error
}
