package web

import (
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/application"
	"github.com/complytrack/complytrack/pkg/evidence"
	"github.com/complytrack/complytrack/pkg/training"
)

// app is the use cases shared with the JSON API (pkg/application). It
// holds only the domain service, so building it here costs nothing.
func (s *Server) app() application.App {
	return application.New(s.d.Training).WithMappings(s.d.ImportMappings)
}

// completionFormKey holds the self-certification form, as read by
// completionBody, for the record handler.
const completionFormKey = "complytrack.completionForm"

// completionBody reads the self-certification form as it arrives, with the
// reader and the size limit the API's completions use
// (application.ReadCompletionForm), before verifyCSRF checks the token
// read with it. A form that cannot be read (cut off, too large, not this
// form) is answered here; a certificate that is too large or not a
// certificate is left for the form to show with its other problems. A
// body that is not multipart is left to verifyCSRF's usual reading.
func (s *Server) completionBody(c *gin.Context) {
	ct := c.GetHeader("Content-Type")
	if mt, _, _ := mime.ParseMediaType(ct); mt != "multipart/form-data" {
		c.Next()
		return
	}
	form, err := application.ReadCompletionForm(c.Request.Body, ct, csrfField, dayInput, monthInput, yearInput)
	if err != nil {
		s.fail(c, err)
		return
	}
	values := url.Values{}
	for k, v := range form.Values {
		values.Set(k, v)
	}
	// The fields as net/http would have parsed them, so that the CSRF check
	// and the handler read them as from any other form; the body is spent.
	c.Request.PostForm = values
	c.Request.MultipartForm = &multipart.Form{Value: values}
	c.Set(completionFormKey, form)
	c.Next()
}

// readCertificate is the certificate chosen on the self-certification form
// (nil when none was), or what is wrong with it.
func readCertificate(c *gin.Context) (*training.Upload, *fieldError) {
	v, ok := c.Get(completionFormKey)
	if !ok {
		return nil, nil
	}
	form := v.(application.CompletionForm)
	var ve *training.ValidationError
	switch err := form.CertificateErr; {
	case err == nil:
		return form.Certificate, nil
	case errors.Is(err, evidence.ErrTooLarge):
		return nil, &fieldError{ID: certificateInput, Message: fmt.Sprintf("The certificate must be %d MB or smaller.", training.MaxEvidenceBytes>>20)}
	case errors.As(err, &ve) && len(ve.Fields) > 0:
		return nil, &fieldError{ID: certificateInput, Message: ve.Fields[0].Message}
	default:
		return nil, &fieldError{ID: certificateInput, Message: "The certificate could not be read: choose the file again."}
	}
}

// certificate serves a completion's certificate to whoever may see the
// completion (the domain decides), as the API does.
func (s *Server) certificate(c *gin.Context) error {
	d, err := s.app().Certificate(c.Request.Context(), principal(c).Actor(), c.Param("id"))
	if err != nil {
		return err
	}
	application.Serve(c.Request.Context(), s.d.Logger, c.Writer, d)
	return nil
}
