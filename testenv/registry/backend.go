package registry

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"net/http"
	"reflect"

	"github.com/distribution/distribution/v3/configuration"
	"github.com/distribution/distribution/v3/registry/handlers"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/filesystem" // registers the "filesystem" storage driver
	_ "github.com/distribution/distribution/v3/registry/storage/driver/inmemory"   // registers the "inmemory" storage driver
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	"github.com/sirupsen/logrus"
)

// Backend names the registry implementation serving requests.
type Backend int

const (
	// BackendDistribution is CNCF Distribution (the reference registry),
	// in-process: the default. It has no referrers API (404).
	BackendDistribution Backend = iota
	// BackendGoContainerRegistry is go-containerregistry's pkg/registry
	// with the referrers API turned on, chosen by WithReferrersAPI.
	BackendGoContainerRegistry
)

// String returns "distribution" or "go-containerregistry".
func (b Backend) String() string {
	switch b {
	case BackendDistribution:
		return "distribution"
	case BackendGoContainerRegistry:
		return "go-containerregistry"
	default:
		return fmt.Sprintf("Backend(%d)", int(b))
	}
}

// backend is a started registry implementation.
type backend struct {
	handler http.Handler
	// stop releases the backend's resources after the HTTP server stopped.
	stop func() error
}

// newDistribution builds a CNCF Distribution application. NewApp reports
// configuration errors by panicking; they are turned into errors here.
func newDistribution(ctx context.Context, o *options, host, htpasswdPath string) (b backend, err error) {
	defer func() {
		if p := recover(); p != nil {
			if e, ok := p.(error); ok {
				err = fmt.Errorf("start distribution: %w", e)
				return
			}
			err = fmt.Errorf("start distribution: %v", p)
		}
	}()

	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return backend{}, fmt.Errorf("generate http secret: %w", err)
	}

	storage := configuration.Storage{
		"delete": configuration.Parameters{"enabled": true},
		// The purger walks the storage in a goroutine; nothing in a test
		// lives long enough to need it.
		"maintenance": configuration.Parameters{"uploadpurging": map[any]any{"enabled": false}},
	}
	if o.fsSet {
		storage["filesystem"] = configuration.Parameters{"rootdirectory": o.fsDir}
	} else {
		storage["inmemory"] = configuration.Parameters{}
	}

	cfg := &configuration.Configuration{
		Version: configuration.MajorMinorVersion(0, 1),
		Storage: storage,
	}
	cfg.HTTP.Addr = host
	cfg.HTTP.Secret = hex.EncodeToString(secret)
	if htpasswdPath != "" {
		cfg.Auth = configuration.Auth{"htpasswd": htpasswdParameters(htpasswdPath)}
	}

	app := handlers.NewApp(ctx, cfg)
	return backend{handler: app, stop: app.Shutdown}, nil
}

// newGoContainerRegistry builds go-containerregistry's in-memory registry
// with the referrers API, behind the htpasswd front when there are users.
func newGoContainerRegistry(o *options, htpasswdPath string) (backend, error) {
	h := ggcrregistry.New(
		ggcrregistry.Logger(log.New(o.logOutput, "", log.LstdFlags)),
		ggcrregistry.WithReferrersSupport(true),
	)
	if htpasswdPath != "" {
		var err error
		if h, err = basicAuth(htpasswdPath, h); err != nil {
			return backend{}, err
		}
	}
	return backend{handler: h, stop: func() error { return nil }}, nil
}

// Distribution's internal/dcontext package looks its logger up in the
// context under a value of its unexported type loggerKey, and falls back to
// logrus' process-wide standard logger. These name that type so a
// logContext can answer the lookup without touching the global logger. If a
// Distribution upgrade renames it, its logs reach the standard logger again;
// TestLogOutput catches that.
const (
	dcontextPkgPath   = "github.com/distribution/distribution/v3/internal/dcontext"
	dcontextLoggerKey = "loggerKey"
)

// logContext is a context that hands Distribution a logger of its own
// whenever Distribution asks the context for its logger; any other value is
// looked up in the parent. Every context Distribution derives from it, for
// the application and for each request, inherits that logger.
type logContext struct {
	context.Context
	logger *logrus.Entry
}

// Value implements context.Context.
func (c logContext) Value(key any) any {
	if t := reflect.TypeOf(key); t != nil && t.Name() == dcontextLoggerKey && t.PkgPath() == dcontextPkgPath {
		return c.logger
	}
	return c.Context.Value(key)
}

// newLogContext returns a context carrying ctx's values but not its
// cancellation, with a logrus logger of its own writing to w: at panic
// level (nothing, in practice) for io.Discard, else at info level.
func newLogContext(ctx context.Context, w io.Writer) context.Context {
	logger := logrus.New()
	logger.SetOutput(w)
	logger.SetFormatter(&logrus.TextFormatter{DisableColors: true})
	if w == io.Discard {
		logger.SetLevel(logrus.PanicLevel)
	} else {
		logger.SetLevel(logrus.InfoLevel)
	}
	return logContext{Context: context.WithoutCancel(ctx), logger: logrus.NewEntry(logger)}
}
