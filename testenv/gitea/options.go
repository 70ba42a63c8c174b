package gitea

import (
	"fmt"
	"io"
	"strings"
)

// Option configures a [Server] started by [Start]. Options are applied in
// order; every default and conflict check lives in [Start].
type Option func(*options)

type options struct {
	build     BuildOptions
	binary    string
	username  string
	password  string
	logOutput io.Writer
}

// WithBuildOptions sets how [Start] finds or builds the Gitea binary
// through [Binary]. Default: the zero BuildOptions ([DefaultVersion] in the
// per-user cache, progress on os.Stderr).
func WithBuildOptions(opts BuildOptions) Option {
	return func(o *options) { o.build = opts }
}

// WithBinary runs the Gitea executable at path instead of calling
// [Binary]. Its folder must hold Gitea's options, templates and public
// folders, as the folders [Binary] fills do. Default: [Binary]'s result.
func WithBinary(path string) Option {
	return func(o *options) { o.binary = path }
}

// WithAdmin sets the site administrator's name and password. The name must
// be a valid Gitea user name other than a reserved one such as "admin";
// the password at least 8 characters. Default: user "sluice" with a random
// password ([Server.Password]).
func WithAdmin(username, password string) Option {
	return func(o *options) {
		o.username = username
		o.password = password
	}
}

// WithLogOutput sends the output of the Gitea processes (its console log
// at level Info and above) to w, e.g. testing.T.Output for a failing test.
// Default: discarded.
func WithLogOutput(w io.Writer) Option {
	return func(o *options) { o.logOutput = w }
}

func (o *options) validate() error {
	if o.username == "" || strings.ContainsAny(o.username, " \t\r\n/:@") {
		return fmt.Errorf("%w: admin user name %q", ErrInvalidOption, o.username)
	}
	if len(o.password) < 8 {
		return fmt.Errorf("%w: admin password shorter than 8 characters", ErrInvalidOption)
	}
	if o.logOutput == nil {
		return fmt.Errorf("%w: nil log output", ErrInvalidOption)
	}
	return nil
}
