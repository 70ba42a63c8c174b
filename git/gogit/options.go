package gogit

// ClientOption configures a Client built by NewClient.
type ClientOption func(*clientOptions)

type clientOptions struct {
	fileProtocol bool
}

// WithFileProtocol lets the client clone file:// URLs, which read the local
// file system with the client's privileges. The default refuses them with
// git.ErrUnsupportedScheme, as a URL from an untrusted object must not reach
// the controller's disk.
func WithFileProtocol() ClientOption {
	return func(o *clientOptions) { o.fileProtocol = true }
}
