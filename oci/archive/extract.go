package archive

import (
	"archive/tar"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/klauspost/compress/gzip"
	"github.com/opencontainers/go-digest"

	"github.com/sluice-dev/sluice/version"
)

const (
	// DefaultMaxSize is the default limit on the total size of the regular
	// files of an archive Extract accepts: 1 GiB.
	DefaultMaxSize int64 = 1 << 30
	// DefaultMaxFiles is the default limit on the number of entries of an
	// archive Extract accepts.
	DefaultMaxFiles = 100_000
	// maxTrailing bounds the decompressed bytes read after the end of the
	// tar stream (padding) to check the gzip trailer.
	maxTrailing = 1 << 20
)

// ExtractOptions configures Extract. The zero value verifies nothing and
// applies DefaultMaxSize and DefaultMaxFiles.
type ExtractOptions struct {
	// Digest, when set, is the expected digest of the compressed input
	// ("sha256:<hex>", sha384 or sha512); a mismatch fails the extraction
	// with a *version.DigestMismatchError and leaves nothing behind.
	// Default "": not verified, Summary.Digest still reports the sha256.
	Digest digest.Digest
	// MaxSize limits the total size of the regular files in bytes.
	// Default 0: DefaultMaxSize; negative: no limit.
	MaxSize int64
	// MaxFiles limits the number of entries (files, directories and links).
	// Default 0: DefaultMaxFiles; negative: no limit.
	MaxFiles int
}

// Extract reads a gzip-compressed tar archive from r into the directory
// dir, in one pass that decompresses, hashes and writes. dir must not
// exist or be an empty directory; its parent is created if missing. The
// archive is unpacked into a new temporary directory next to dir, which is
// renamed to dir only once the whole input has been read, checked and (with
// ExtractOptions.Digest) verified: on any error nothing is left behind and
// dir is untouched.
//
// Extract refuses, with an *ExtractError naming the entry:
//
//   - names that are absolute (ErrAbsolutePath) or contain a ".." element
//     (ErrPathTraversal);
//   - symbolic links whose target is absolute or leads outside dir, and
//     entries whose path goes through a symbolic link of the archive
//     (ErrSymlinkEscape); links that stay inside dir are created, with
//     their target cleaned;
//   - hard links to anything but a regular file extracted earlier
//     (ErrHardlinkEscape);
//   - devices, FIFOs and other special entries (ErrUnsupportedType);
//   - a second entry of an existing name (ErrDuplicateEntry);
//   - more bytes or entries than the limits (ErrTooLarge, ErrTooManyFiles);
//   - invalid names and corrupt data (ErrInvalidArchive).
//
// Entries are created with mode 0o755 (directories, files executable by
// their owner) or 0o644, owned by the calling user, with the current time;
// the archive's owners, times and other mode bits are ignored. All writes go
// through an os.Root on the temporary directory, so even a bug in these
// checks cannot write outside it.
//
// Extract also returns ErrTargetNotEmpty when dir exists and is not an empty
// directory, a *version.DigestMismatchError on a digest mismatch, a
// *version.ParseError for an invalid ExtractOptions.Digest, ctx.Err() when
// ctx ends, and file system errors.
func Extract(ctx context.Context, r io.Reader, dir string, opts ExtractOptions) (Summary, error) {
	s, err := extract(ctx, r, dir, opts)
	if err != nil {
		return Summary{}, fmt.Errorf("extract archive to %s: %w", dir, err)
	}
	return s, nil
}

func extract(ctx context.Context, r io.Reader, dir string, opts ExtractOptions) (_ Summary, err error) {
	alg := digest.SHA256
	if opts.Digest != "" {
		if _, err := version.ParseDigest(string(opts.Digest)); err != nil {
			return Summary{}, err
		}
		alg = opts.Digest.Algorithm()
	}
	if opts.MaxSize == 0 {
		opts.MaxSize = DefaultMaxSize
	}
	if opts.MaxFiles == 0 {
		opts.MaxFiles = DefaultMaxFiles
	}
	if err := checkTarget(dir); err != nil {
		return Summary{}, err
	}
	if err := ctx.Err(); err != nil {
		return Summary{}, err
	}
	dir = filepath.Clean(dir)
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o750); err != nil {
		return Summary{}, err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".extract-")
	if err != nil {
		return Summary{}, err
	}
	defer func() {
		if err != nil {
			_ = os.RemoveAll(tmp)
		}
	}()
	root, err := os.OpenRoot(tmp)
	if err != nil {
		return Summary{}, err
	}
	x := &extractor{
		root:  root,
		opts:  opts,
		kinds: make(map[string]kind),
		buf:   make([]byte, copyBufferSize),
	}
	sum, err := x.run(ctx, r, alg)
	if cerr := root.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return Summary{}, err
	}
	if opts.Digest != "" {
		if err := version.VerifyDigest(opts.Digest, sum.Digest); err != nil {
			return Summary{}, err
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil { // #nosec G302 -- a directory needs its x bits
		return Summary{}, err
	}
	// rename(2) replaces an empty directory atomically; os.Rename refuses
	// any existing directory.
	if err := syscall.Rename(tmp, dir); err != nil {
		err = &os.LinkError{Op: "rename", Old: tmp, New: dir, Err: err}
		if errors.Is(err, syscall.ENOTEMPTY) || errors.Is(err, syscall.EEXIST) || errors.Is(err, syscall.ENOTDIR) {
			return Summary{}, fmt.Errorf("%w: %w", ErrTargetNotEmpty, err)
		}
		return Summary{}, err
	}
	return sum, nil
}

// checkTarget returns ErrTargetNotEmpty unless dir is missing or an empty
// directory.
func checkTarget(dir string) error {
	info, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return fmt.Errorf("%w: %s is a %s", ErrTargetNotEmpty, dir, info.Mode().Type())
	}
	f, err := os.Open(dir) // #nosec G304 -- the caller's target directory
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	if _, err := f.Readdirnames(1); !errors.Is(err, io.EOF) {
		if err == nil {
			return ErrTargetNotEmpty
		}
		return err
	}
	return nil
}

// kind is what the extraction created at a path.
type kind uint8

const (
	kindDir kind = iota + 1
	kindFile
	kindSymlink
)

// extractor holds the state of one Extract call.
type extractor struct {
	root  *os.Root
	opts  ExtractOptions
	kinds map[string]kind
	buf   []byte
	sum   Summary
	count int
}

// run reads the whole input and extracts it under x.root.
func (x *extractor) run(ctx context.Context, r io.Reader, alg digest.Algorithm) (Summary, error) {
	dr, err := version.NewDigestingReader(r, alg)
	if err != nil {
		return Summary{}, err
	}
	gz, err := gzip.NewReader(dr)
	if err != nil {
		return Summary{}, fmt.Errorf("%w: %w", ErrInvalidArchive, err)
	}
	tr := tar.NewReader(gz)
	for {
		if err := ctx.Err(); err != nil {
			return Summary{}, err
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Summary{}, readError(ctx, err)
		}
		if err := x.entry(ctx, tr, hdr); err != nil {
			return Summary{}, err
		}
	}
	// Read the padding and the gzip trailer, which checks the CRC.
	n, err := io.Copy(io.Discard, io.LimitReader(gz, maxTrailing+1))
	if err != nil {
		return Summary{}, readError(ctx, err)
	}
	if n > maxTrailing {
		return Summary{}, fmt.Errorf("%w: more than %d bytes after the end of the tar stream", ErrInvalidArchive, maxTrailing)
	}
	if err := gz.Close(); err != nil {
		return Summary{}, readError(ctx, err)
	}
	if _, err := io.Copy(io.Discard, dr); err != nil {
		return Summary{}, err
	}
	x.sum.Digest = dr.Digest()
	x.sum.Size = dr.Size()
	return x.sum, nil
}

// readError classifies an error of the decompressing tar reader: format
// errors become ErrInvalidArchive, the source's own errors stay as they are.
func readError(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	if errors.Is(err, tar.ErrHeader) || errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, tar.ErrFieldTooLong) || isFlateError(err) {
		return fmt.Errorf("%w: %w", ErrInvalidArchive, err)
	}
	return err
}

// entry extracts one header and its content.
func (x *extractor) entry(ctx context.Context, tr *tar.Reader, hdr *tar.Header) error {
	if hdr.Typeflag == tar.TypeXGlobalHeader {
		// Metadata for the whole archive, such as git archive's commit id.
		return nil
	}
	x.count++
	if x.opts.MaxFiles > 0 && x.count > x.opts.MaxFiles {
		return entryError(hdr, fmt.Errorf("%w: more than %d entries", ErrTooManyFiles, x.opts.MaxFiles))
	}
	name, err := cleanName(hdr.Name)
	if err != nil {
		return entryError(hdr, err)
	}
	if name == "." {
		if hdr.Typeflag == tar.TypeDir {
			return nil
		}
		return entryError(hdr, fmt.Errorf("%w: entry names the root", ErrInvalidArchive))
	}
	if prev, ok := x.kinds[name]; ok {
		if prev == kindDir && hdr.Typeflag == tar.TypeDir {
			return nil
		}
		return entryError(hdr, ErrDuplicateEntry)
	}
	if err := x.parents(name); err != nil {
		return entryError(hdr, err)
	}
	switch hdr.Typeflag {
	case tar.TypeDir:
		if err := x.root.Mkdir(name, 0o755); err != nil {
			return entryError(hdr, err)
		}
		x.kinds[name] = kindDir
		x.sum.Dirs++
	case tar.TypeReg:
		if err := x.file(ctx, tr, hdr, name); err != nil {
			return entryError(hdr, err)
		}
	case tar.TypeSymlink:
		target := filepath.ToSlash(hdr.Linkname)
		if strings.IndexByte(target, 0) >= 0 {
			return entryError(hdr, fmt.Errorf("%w: NUL byte in link target", ErrInvalidArchive))
		}
		if err := checkLinkTarget(name, target); err != nil {
			return entryError(hdr, err)
		}
		if err := x.root.Symlink(path.Clean(target), name); err != nil {
			return entryError(hdr, err)
		}
		x.kinds[name] = kindSymlink
		x.sum.Symlinks++
	case tar.TypeLink:
		target, err := cleanName(hdr.Linkname)
		if err != nil {
			return entryError(hdr, fmt.Errorf("%w: %w", ErrHardlinkEscape, err))
		}
		if x.kinds[target] != kindFile {
			return entryError(hdr, fmt.Errorf("%w: target is not a regular file extracted before", ErrHardlinkEscape))
		}
		if err := x.root.Link(target, name); err != nil {
			return entryError(hdr, err)
		}
		x.kinds[name] = kindFile
		x.sum.Files++
	default:
		return entryError(hdr, fmt.Errorf("%w: %s", ErrUnsupportedType, typeName(hdr.Typeflag)))
	}
	return nil
}

// parents checks the parent directories of name and creates the missing
// ones.
func (x *extractor) parents(name string) error {
	dir := path.Dir(name)
	if dir == "." {
		return nil
	}
	missing := false
	for p := dir; p != "."; p = path.Dir(p) {
		switch x.kinds[p] {
		case kindSymlink:
			return fmt.Errorf("%w: parent %s is a symbolic link", ErrSymlinkEscape, p)
		case kindFile:
			return fmt.Errorf("%w: parent %s is not a directory", ErrInvalidArchive, p)
		case 0:
			missing = true
		}
	}
	if !missing {
		return nil
	}
	if err := x.root.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for p := dir; p != "."; p = path.Dir(p) {
		if x.kinds[p] == 0 {
			x.kinds[p] = kindDir
		}
	}
	return nil
}

// file writes one regular file.
func (x *extractor) file(ctx context.Context, tr *tar.Reader, hdr *tar.Header, name string) error {
	if hdr.Size < 0 {
		return fmt.Errorf("%w: negative size", ErrInvalidArchive)
	}
	if x.opts.MaxSize > 0 && hdr.Size > x.opts.MaxSize-x.sum.ContentSize {
		return fmt.Errorf("%w: more than %d bytes", ErrTooLarge, x.opts.MaxSize)
	}
	mode := os.FileMode(0o644)
	if hdr.Mode&0o100 != 0 {
		mode = 0o755
	}
	f, err := x.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	x.kinds[name] = kindFile
	// Hide *os.File's ReadFrom, whose generic fallback would allocate a
	// buffer per file instead of using x.buf.
	n, err := io.CopyBuffer(struct{ io.Writer }{f}, ctxReader(ctx, tr), x.buf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return readError(ctx, err)
	}
	if n != hdr.Size {
		return fmt.Errorf("%w: %d bytes instead of %d", ErrInvalidArchive, n, hdr.Size)
	}
	x.sum.Files++
	x.sum.ContentSize += n
	return nil
}

// cleanName turns an entry name into a clean slash-separated path relative
// to the root, "." for the root itself, or returns why it is refused.
func cleanName(name string) (string, error) {
	switch {
	case name == "":
		return "", fmt.Errorf("%w: empty name", ErrInvalidArchive)
	case strings.IndexByte(name, 0) >= 0:
		return "", fmt.Errorf("%w: NUL byte in name", ErrInvalidArchive)
	case strings.HasPrefix(name, "/") || filepath.IsAbs(name) || filepath.VolumeName(name) != "":
		return "", ErrAbsolutePath
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return "", ErrPathTraversal
		}
	}
	return path.Clean(name), nil
}

// entryError wraps err in an *ExtractError unless it already is one.
func entryError(hdr *tar.Header, err error) error {
	var ee *ExtractError
	if errors.As(err, &ee) {
		return err
	}
	link := ""
	if hdr.Typeflag == tar.TypeSymlink || hdr.Typeflag == tar.TypeLink {
		link = hdr.Linkname
	}
	return &ExtractError{Name: hdr.Name, Link: link, Err: err}
}

// typeName names a tar type flag for error messages.
func typeName(t byte) string {
	switch t {
	case tar.TypeChar:
		return "character device"
	case tar.TypeBlock:
		return "block device"
	case tar.TypeFifo:
		return "fifo"
	case tar.TypeCont:
		return "contiguous file"
	case tar.TypeGNUSparse:
		return "sparse file"
	}
	return fmt.Sprintf("type %q", t)
}

// ctxReader returns a reader that fails once ctx ends.
func ctxReader(ctx context.Context, r io.Reader) io.Reader {
	return readerFunc(func(p []byte) (int, error) {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		return r.Read(p)
	})
}

// readerFunc adapts a function to io.Reader.
type readerFunc func([]byte) (int, error)

// Read implements io.Reader.
func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// isFlateError reports a corrupt deflate stream.
func isFlateError(err error) bool {
	var ce flate.CorruptInputError
	return errors.As(err, &ce)
}
