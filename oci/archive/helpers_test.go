package archive_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
)

// hostileArchive returns a gzip-compressed tar stream with one entry,
// "../evil".
func hostileArchive() []byte {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	_ = tw.WriteHeader(&tar.Header{Name: "../evil", Typeflag: tar.TypeReg, Mode: 0o644, Size: 1})
	_, _ = tw.Write([]byte("x"))
	_ = tw.Close()
	_ = gz.Close()
	return buf.Bytes()
}
