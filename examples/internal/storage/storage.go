package storage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/oci/archive"
)

const (
	// DefaultRetention is how many artifacts of one object Store keeps,
	// the newest one included, unless WithRetention says otherwise.
	DefaultRetention = 2

	// DefaultIgnoreFile is the ignore file Store reads at the root of the
	// stored directory when StoreOptions.IgnoreFile is empty.
	DefaultIgnoreFile = ".sourceignore"

	// artifactExt is the extension of every stored artifact.
	artifactExt = ".tar.gz"
	// tmpPrefix starts the names of files being written; the handler never
	// serves them, as it refuses names starting with '.'.
	tmpPrefix = ".tmp-"
)

// Object names the owner of artifacts: a kind, such as "GitRepository", and
// a namespaced name. Each field must be non-empty and usable as one path
// element.
type Object struct {
	// Kind of the object, such as "GitRepository". It is lowercased in
	// paths.
	Kind string
	// Namespace of the object.
	Namespace string
	// Name of the object.
	Name string
}

// Option configures a Storage made by New.
type Option func(*options)

type options struct {
	retention int
}

// WithRetention keeps the newest n artifacts of each object, n >= 1.
// Default: DefaultRetention.
func WithRetention(n int) Option {
	return func(o *options) { o.retention = n }
}

// Storage keeps artifacts under a root directory and builds their URLs from
// an advertised base URL. Make one with New.
type Storage struct {
	root      string
	baseURL   string
	retention int
}

// New returns a Storage keeping artifacts under root, created (mode 0o755)
// when missing, whose artifacts are advertised under baseURL, an absolute
// http or https URL such as "http://source-controller.ns.svc" (a path is
// allowed; the handler must then be mounted under it). It returns an error
// wrapping ErrInvalidOption for an empty root, a bad base URL or a bad
// option, and the file system error when root cannot be created.
func New(root, baseURL string, opts ...Option) (*Storage, error) {
	o := options{retention: DefaultRetention}
	for _, opt := range opts {
		opt(&o)
	}
	if o.retention < 1 {
		return nil, fmt.Errorf("new storage: retention %d: %w", o.retention, ErrInvalidOption)
	}
	if root == "" {
		return nil, fmt.Errorf("new storage: empty root: %w", ErrInvalidOption)
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("new storage: root %q: %w", root, errors.Join(ErrInvalidOption, err))
	}
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("new storage: base URL %q is not an absolute http(s) URL: %w", redact(baseURL), ErrInvalidOption)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil { //nolint:gosec // artifacts are served to everybody anyway
		return nil, fmt.Errorf("new storage: %w", err)
	}
	return &Storage{root: abs, baseURL: strings.TrimSuffix(baseURL, "/"), retention: o.retention}, nil
}

// Root returns the absolute directory holding the artifacts.
func (s *Storage) Root() string { return s.root }

// BaseURL returns the advertised base URL, without a trailing slash.
func (s *Storage) BaseURL() string { return s.baseURL }

// URL returns the URL an artifact stored at rel (a slash-separated path
// relative to the root, as meta.Artifact.Path holds) is served from.
func (s *Storage) URL(rel string) string {
	return s.baseURL + "/" + strings.TrimPrefix(rel, "/")
}

// StoreOptions configures Store. The zero value reads DefaultIgnoreFile and
// applies no other pattern.
type StoreOptions struct {
	// IgnoreFile names a file at the root of the directory whose
	// .gitignore-style patterns exclude paths. Default "": DefaultIgnoreFile.
	IgnoreFile string
	// Ignore holds more .gitignore-style patterns, one per element, applied
	// after the ignore file's. Default nil.
	Ignore []string
	// Metadata is copied to the artifact's Metadata. Default nil.
	Metadata map[string]string
}

// Store archives dir as a reproducible tar.gz, stores it for obj under
// "<kind>/<namespace>/<name>/<digest-hex>.tar.gz" (written to a temporary
// file, then renamed into place) and returns the artifact with revision,
// digest, URL, path, size and the current time. Storing the same content
// again gives the same path. Afterwards only the newest artifacts of obj are
// kept (see WithRetention); the one just stored always is.
//
// Store returns an *meta.ArtifactError for a revision that is not in the
// RFC-0005 form, an error wrapping ErrInvalidObject for a bad obj, the
// errors of archive.Build (archive.ErrInvalidPattern, ctx.Err()...) and file
// system errors. On error no new artifact is left behind.
func (s *Storage) Store(ctx context.Context, obj Object, dir, revision string, opts StoreOptions) (meta.Artifact, error) {
	if err := meta.ValidateRevision(revision); err != nil {
		return meta.Artifact{}, fmt.Errorf("store artifact: %w", err)
	}
	rel, err := objectPath(obj)
	if err != nil {
		return meta.Artifact{}, err
	}
	objDir := filepath.Join(s.root, filepath.FromSlash(rel))
	if err := os.MkdirAll(objDir, 0o755); err != nil { //nolint:gosec // served to everybody anyway
		return meta.Artifact{}, fmt.Errorf("store artifact for %s: %w", rel, err)
	}
	tmp, err := os.CreateTemp(objDir, tmpPrefix+"*"+artifactExt)
	if err != nil {
		return meta.Artifact{}, fmt.Errorf("store artifact for %s: %w", rel, err)
	}
	tmpName := tmp.Name()
	committed := false
	defer func() {
		if !committed {
			_ = tmp.Close()
			_ = os.Remove(tmpName)
		}
	}()
	sum, err := archive.Build(ctx, dir, tmp, archive.BuildOptions{
		IgnoreFile: cmp.Or(opts.IgnoreFile, DefaultIgnoreFile),
		Ignore:     opts.Ignore,
	})
	if err != nil {
		return meta.Artifact{}, fmt.Errorf("store artifact for %s: %w", rel, err)
	}
	if err := tmp.Sync(); err != nil {
		return meta.Artifact{}, fmt.Errorf("store artifact for %s: %w", rel, err)
	}
	if err := tmp.Close(); err != nil {
		return meta.Artifact{}, fmt.Errorf("store artifact for %s: %w", rel, err)
	}
	if err := os.Chmod(tmpName, 0o644); err != nil { //nolint:gosec // artifacts are public within the cluster
		return meta.Artifact{}, fmt.Errorf("store artifact for %s: %w", rel, err)
	}
	file := sum.Digest.Encoded() + artifactExt
	final := filepath.Join(objDir, file)
	if err := os.Rename(tmpName, final); err != nil {
		return meta.Artifact{}, fmt.Errorf("store artifact for %s: %w", rel, err)
	}
	committed = true
	now := time.Now()
	// Renaming keeps the temporary file's time; mark the artifact as the
	// newest, also when the same content was stored before.
	if err := os.Chtimes(final, now, now); err != nil {
		return meta.Artifact{}, fmt.Errorf("store artifact for %s: %w", rel, err)
	}
	if err := s.collect(objDir, file); err != nil {
		return meta.Artifact{}, fmt.Errorf("store artifact for %s: garbage collect: %w", rel, err)
	}
	artifactPath := path.Join(rel, file)
	size := sum.Size
	return meta.Artifact{
		Revision:       revision,
		Digest:         sum.Digest.String(),
		URL:            s.URL(artifactPath),
		Path:           artifactPath,
		Size:           &size,
		LastUpdateTime: metav1.NewTime(now),
		Metadata:       opts.Metadata,
	}, nil
}

// collect removes the artifacts of objDir beyond the retention, oldest
// first, never keep.
func (s *Storage) collect(objDir, keep string) error {
	entries, err := os.ReadDir(objDir)
	if err != nil {
		return err
	}
	type artifactFile struct {
		name string
		mod  time.Time
	}
	var files []artifactFile
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || name == keep || strings.HasPrefix(name, ".") || !strings.HasSuffix(name, artifactExt) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return err
		}
		files = append(files, artifactFile{name: name, mod: info.ModTime()})
	}
	// Newest first; the kept artifact takes one slot of the retention.
	slices.SortFunc(files, func(a, b artifactFile) int {
		if c := b.mod.Compare(a.mod); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	var errs []error
	for i, f := range files {
		if i < s.retention-1 {
			continue
		}
		if err := os.Remove(filepath.Join(objDir, f.name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Has reports whether the file of artifact a is in storage. An artifact
// whose Path is not a local path under the root is never there.
func (s *Storage) Has(a *meta.Artifact) bool {
	if a == nil || !validRelPath(a.Path) {
		return false
	}
	info, err := os.Stat(filepath.Join(s.root, filepath.FromSlash(a.Path)))
	return err == nil && info.Mode().IsRegular()
}

// LocalPath returns the file of artifact a on disk, or "" when a's Path is
// not a local path under the root.
func (s *Storage) LocalPath(a meta.Artifact) string {
	if !validRelPath(a.Path) {
		return ""
	}
	return filepath.Join(s.root, filepath.FromSlash(a.Path))
}

// Remove deletes every artifact of obj, and its directory. An object without
// artifacts is not an error. It returns an error wrapping ErrInvalidObject
// for a bad obj, ctx.Err() when ctx has ended, or the file system error.
func (s *Storage) Remove(ctx context.Context, obj Object) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	rel, err := objectPath(obj)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(filepath.Join(s.root, filepath.FromSlash(rel))); err != nil {
		return fmt.Errorf("remove artifacts of %s: %w", rel, err)
	}
	return nil
}

// objectPath returns "<kind>/<namespace>/<name>" for obj.
func objectPath(obj Object) (string, error) {
	kind := strings.ToLower(obj.Kind)
	for _, p := range []string{kind, obj.Namespace, obj.Name} {
		if p == "" || p == "." || p == ".." || strings.HasPrefix(p, ".") || strings.ContainsAny(p, "/\\\x00") {
			return "", fmt.Errorf("object %q/%q/%q: %w", obj.Kind, obj.Namespace, obj.Name, ErrInvalidObject)
		}
	}
	return kind + "/" + obj.Namespace + "/" + obj.Name, nil
}

// validRelPath reports whether p is a clean, slash-separated, relative path
// of visible elements: no "..", no element starting with '.', no backslash
// or NUL.
func validRelPath(p string) bool {
	if p == "" || strings.ContainsAny(p, "\\\x00") || path.Clean(p) != p || path.IsAbs(p) {
		return false
	}
	for elem := range strings.SplitSeq(p, "/") {
		if elem == "" || strings.HasPrefix(elem, ".") {
			return false
		}
	}
	return true
}

// redact returns raw without user information, query and fragment.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<unparsable URL>"
	}
	u.User = nil
	u.RawQuery = ""
	u.Fragment = ""
	return u.String()
}
