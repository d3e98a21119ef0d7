// Package upload checks that a multipart/form-data body arrived whole.
//
// mime/multipart reports a body cut off inside a part's headers, or just
// before the closing delimiter, as a normal end of the form. A form cut
// off before its last part (a certificate, an import file) would then pass
// as a complete form without that part. A part's content cannot hold the
// closing delimiter ("--boundary--" at the start of a line), so seeing it
// go by is proof that the whole form arrived; the readers here watch for
// it.
package upload

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
)

// ErrIncomplete is returned for a form whose body ended before its closing
// delimiter: the request is malformed.
var ErrIncomplete = errors.New("multipart form cut off before its closing delimiter")

// Body passes a multipart body through, watching for its closing delimiter.
type Body struct {
	r     io.Reader
	delim []byte // "\n--boundary--"
	tail  []byte // the end of what was read, for a delimiter split across reads
	seen  bool
}

// NewBody watches r, the body of a form with this boundary.
func NewBody(r io.Reader, boundary string) *Body {
	// The body's first line may be the delimiter too: start as if after a newline.
	return &Body{r: r, delim: []byte("\n--" + boundary + "--"), tail: []byte("\n")}
}

func (b *Body) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if n > 0 && !b.seen {
		buf := append(b.tail, p[:n]...)
		b.seen = bytes.Contains(buf, b.delim)
		keep := min(len(buf), len(b.delim)-1)
		b.tail = append(b.tail[:0:0], buf[len(buf)-keep:]...)
	}
	return n, err
}

// Complete reports whether the closing delimiter went by.
func (b *Body) Complete() bool { return b.seen }

// ParseMultipartForm is http.Request.ParseMultipartForm that also refuses
// a form cut off before its closing delimiter, with an error wrapping
// ErrIncomplete. A request that is not multipart gets
// http.ErrNotMultipart, as from the standard method.
func ParseMultipartForm(r *http.Request, maxMemory int64) error {
	if r.MultipartForm != nil {
		return nil
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return r.ParseMultipartForm(maxMemory)
	}
	body := NewBody(r.Body, params["boundary"])
	r.Body = struct {
		io.Reader
		io.Closer
	}{body, r.Body}
	if err := r.ParseMultipartForm(maxMemory); err != nil {
		return err
	}
	if !body.Complete() {
		_ = r.MultipartForm.RemoveAll()
		r.MultipartForm, r.PostForm, r.Form = nil, nil, nil
		return ErrIncomplete
	}
	return nil
}
