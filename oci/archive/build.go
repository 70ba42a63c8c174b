package archive

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/opencontainers/go-digest"

	"github.com/sluice-dev/sluice/version"
)

// copyBufferSize is the buffer Build and Extract copy file contents with.
const copyBufferSize = 256 << 10

// epoch is the modification time of every entry Build writes.
var epoch = time.Unix(0, 0).UTC()

// BuildOptions configures Build. The zero value archives every file with
// gzip's default compression.
type BuildOptions struct {
	// IgnoreFile names a file at the root of the directory, such as
	// ".sourceignore", whose .gitignore-style patterns exclude paths. A
	// missing file is not an error. Default "": no ignore file.
	IgnoreFile string
	// Ignore holds more .gitignore-style patterns, one per element, applied
	// after IgnoreFile's so they take precedence. Default nil.
	Ignore []string
	// Level is the gzip compression level, from gzip.BestSpeed (1) to
	// gzip.BestCompression (9). Default 0: gzip.DefaultCompression.
	Level int
}

// Summary describes an archive Build wrote or Extract read.
type Summary struct {
	// Digest is the sha256 digest of the gzip-compressed bytes.
	Digest digest.Digest
	// Size is the number of gzip-compressed bytes.
	Size int64
	// ContentSize is the total size of the regular files.
	ContentSize int64
	// Files counts regular files, hard links included.
	Files int
	// Dirs counts directories, the root excluded.
	Dirs int
	// Symlinks counts symbolic links.
	Symlinks int
}

// Build writes a reproducible gzip-compressed tar archive of the directory
// dir to w and returns its digest and counts. The same tree gives the same
// bytes whatever the machine, the user or the time:
//
//   - entries are in lexical order of their slash-separated paths, relative
//     to dir, directories as "name/";
//   - modification times are the Unix epoch, uid and gid 0, no user or
//     group names, no extended attributes;
//   - modes are 0o755 for directories and for files executable by their
//     owner, 0o644 for other files;
//   - the gzip header carries no name and no time.
//
// Symbolic links are stored as links; their target must be relative and
// stay inside dir, else Build fails with ErrSymlinkEscape. Other special
// files (devices, FIFOs, sockets) make Build fail with ErrUnsupportedType.
// Paths matched by the ignore patterns are left out, and so is everything
// below an ignored directory.
//
// Build returns an error wrapping ErrInvalidPattern for a malformed pattern,
// ctx.Err() when ctx ends, and otherwise the file system or writer error.
// On error, w may hold a partial archive.
func Build(ctx context.Context, dir string, w io.Writer, opts BuildOptions) (Summary, error) {
	s, err := build(ctx, dir, w, opts)
	if err != nil {
		return Summary{}, fmt.Errorf("build archive of %s: %w", dir, err)
	}
	return s, nil
}

func build(ctx context.Context, dir string, w io.Writer, opts BuildOptions) (Summary, error) {
	if opts.Level == 0 {
		opts.Level = gzip.DefaultCompression
	}
	info, err := os.Stat(dir)
	if err != nil {
		return Summary{}, err
	}
	if !info.IsDir() {
		return Summary{}, fmt.Errorf("%s is not a directory", dir)
	}
	m, err := loadIgnore(dir, opts)
	if err != nil {
		return Summary{}, err
	}

	dw, err := version.NewDigestingWriter(w, digest.SHA256)
	if err != nil {
		return Summary{}, err
	}
	gz, err := gzip.NewWriterLevel(dw, opts.Level)
	if err != nil {
		return Summary{}, err
	}
	tw := tar.NewWriter(gz)
	b := &builder{root: dir, ignore: m, tw: tw, buf: make([]byte, copyBufferSize)}
	walk := func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		return b.visit(p, d)
	}
	if err := filepath.WalkDir(dir, walk); err != nil {
		return Summary{}, err
	}
	if err := tw.Close(); err != nil {
		return Summary{}, err
	}
	if err := gz.Close(); err != nil {
		return Summary{}, err
	}
	b.sum.Digest = dw.Digest()
	b.sum.Size = dw.Size()
	return b.sum, nil
}

// loadIgnore compiles the ignore file and patterns of opts.
func loadIgnore(dir string, opts BuildOptions) (*Matcher, error) {
	var m *Matcher
	if opts.IgnoreFile != "" {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(opts.IgnoreFile))) // #nosec G304 -- the caller names the file
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return nil, fmt.Errorf("read ignore file: %w", err)
		default:
			if m, err = ParseIgnore(string(data)); err != nil {
				return nil, fmt.Errorf("ignore file %s: %w", opts.IgnoreFile, err)
			}
		}
	}
	extra, err := NewMatcher(opts.Ignore...)
	if err != nil {
		return nil, err
	}
	return m.Append(extra), nil
}

// builder holds the state of one Build walk.
type builder struct {
	root   string
	ignore *Matcher
	tw     *tar.Writer
	buf    []byte
	sum    Summary
}

// visit archives one path of the walk.
func (b *builder) visit(p string, d fs.DirEntry) error {
	rel, err := filepath.Rel(b.root, p)
	if err != nil {
		return err
	}
	if rel == "." {
		return nil
	}
	name := filepath.ToSlash(rel)
	if b.ignore.matchEntry(name, d.IsDir()) {
		if d.IsDir() {
			return filepath.SkipDir
		}
		return nil
	}
	hdr := &tar.Header{ModTime: epoch, Name: name}
	switch t := d.Type(); {
	case t.IsDir():
		hdr.Typeflag = tar.TypeDir
		hdr.Name += "/"
		hdr.Mode = 0o755
		b.sum.Dirs++
		return b.tw.WriteHeader(hdr)
	case t&fs.ModeSymlink != 0:
		target, err := os.Readlink(p)
		if err != nil {
			return err
		}
		target = filepath.ToSlash(target)
		if reason := checkLinkTarget(name, target); reason != nil {
			return fmt.Errorf("%s -> %s: %w", name, target, reason)
		}
		hdr.Typeflag = tar.TypeSymlink
		hdr.Linkname = path.Clean(target)
		hdr.Mode = 0o777
		b.sum.Symlinks++
		return b.tw.WriteHeader(hdr)
	case t.IsRegular():
		return b.file(p, hdr)
	default:
		return fmt.Errorf("%s: %w (%s)", name, ErrUnsupportedType, t.Type())
	}
}

// file writes one regular file.
func (b *builder) file(p string, hdr *tar.Header) error {
	f, err := os.Open(p) // #nosec G304 -- p comes from walking the directory to archive
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s: %w (changed during build)", hdr.Name, ErrUnsupportedType)
	}
	hdr.Typeflag = tar.TypeReg
	hdr.Mode = 0o644
	if info.Mode().Perm()&0o100 != 0 {
		hdr.Mode = 0o755
	}
	hdr.Size = info.Size()
	if err := b.tw.WriteHeader(hdr); err != nil {
		return err
	}
	n, err := io.CopyBuffer(b.tw, io.LimitReader(f, hdr.Size), b.buf)
	if err != nil {
		return err
	}
	if n != hdr.Size {
		return fmt.Errorf("%s: file shrank during build", hdr.Name)
	}
	b.sum.Files++
	b.sum.ContentSize += n
	return nil
}

// checkLinkTarget returns why a symbolic link at name (slash-separated,
// relative to the root) with target may not be kept, or nil. The target
// must be relative and, cleaned, resolve inside the root from the link's
// directory.
func checkLinkTarget(name, target string) error {
	switch {
	case target == "":
		return fmt.Errorf("%w: empty link target", ErrInvalidArchive)
	case path.IsAbs(target) || filepath.IsAbs(target) || strings.HasPrefix(target, `\`):
		return ErrSymlinkEscape
	}
	resolved := path.Join(path.Dir(name), target)
	if resolved == ".." || strings.HasPrefix(resolved, "../") {
		return ErrSymlinkEscape
	}
	return nil
}
