package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/accounts"
	"github.com/complytrack/complytrack/pkg/training"
)

// The session lives in two cookies, both HttpOnly (no script can read
// them) and SameSite=Lax (a cross-site form post does not carry them):
//
//   - the access token, for as long as it is valid (15 minutes);
//   - the refresh token, for as long as the sign-in lasts (RefreshTTL).
//     When the access token has expired, the next page spends the refresh
//     token for new ones (the accounts service rotates it each time).
//
// A third cookie holds the CSRF secret (see verifyCSRF). Over TLS, or when
// the public address is https, every cookie is Secure and carries the
// __Host- prefix, which also stops a sibling subdomain from planting one.
const (
	accessCookie  = "complytrack-access"
	refreshCookie = "complytrack-refresh"
	csrfCookie    = "complytrack-csrf"

	// csrfField is the hidden input every form carries; csrfHeader is the
	// same for a script's fetch.
	csrfField  = "csrf_token"
	csrfHeader = "X-CSRF-Token"
)

// Form bodies are bounded before they are read: a plain form is small; a
// form with a certificate holds one evidence file plus its fields.
const (
	maxFormBody   = 64 << 10
	maxUploadBody = training.MaxEvidenceBytes + 64<<10
)

// refreshGrace is how long the tokens a refresh token was exchanged for are
// handed to a second request presenting the same refresh token (two tabs
// opened together after a break), instead of treating it as reuse.
const refreshGrace = 30 * time.Second

// Context keys set by requireSignIn.
const (
	principalKey  = "complytrack.web.principal"
	personNameKey = "complytrack.web.person_name"
	csrfKey       = "complytrack.web.csrf"
)

type refreshedTokens struct {
	tokens accounts.Tokens
	at     time.Time
}

// secure reports whether cookies must be Secure for this request.
func (s *Server) secure(c *gin.Context) bool {
	return s.httpsPublic || c.Request.TLS != nil
}

func (s *Server) cookieName(c *gin.Context, base string) string {
	if s.secure(c) {
		return "__Host-" + base
	}
	return base
}

func (s *Server) readCookie(c *gin.Context, base string) string {
	v, err := c.Cookie(s.cookieName(c, base))
	if err != nil {
		return ""
	}
	return v
}

// setCookie sets (maxAge > 0) or deletes (maxAge < 0) one of our cookies.
func (s *Server) setCookie(c *gin.Context, base, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: s.cookieName(c, base), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secure(c), SameSite: http.SameSiteLaxMode,
	})
}

// startSession stores freshly issued tokens in the cookies.
func (s *Server) startSession(c *gin.Context, t accounts.Tokens) {
	s.setCookie(c, accessCookie, t.AccessToken, int(t.ExpiresIn.Seconds()))
	s.setCookie(c, refreshCookie, t.RefreshToken, int(s.d.RefreshTTL.Seconds()))
}

func (s *Server) clearSession(c *gin.Context) {
	s.setCookie(c, accessCookie, "", -1)
	s.setCookie(c, refreshCookie, "", -1)
}

// signedIn finds who is signed in from the cookies, spending the refresh
// token when the access token has expired. ok is false for nobody (or a
// sign-in that has ended, whose cookies it clears); err is for anything
// else (the database not answering).
func (s *Server) signedIn(c *gin.Context) (p accounts.Principal, ok bool, err error) {
	if p, ok := currentPrincipal(c); ok {
		return p, true, nil
	}
	ctx := c.Request.Context()
	if tok := s.readCookie(c, accessCookie); tok != "" {
		p, err := s.d.Accounts.Authenticate(ctx, tok)
		if err == nil {
			return p, true, nil
		}
		if !errors.Is(err, training.ErrUnauthenticated) {
			return accounts.Principal{}, false, err
		}
	}
	rt := s.readCookie(c, refreshCookie)
	if rt == "" {
		return accounts.Principal{}, false, nil
	}
	t, err := s.refresh(c, rt)
	if err == nil {
		p, err = s.d.Accounts.Authenticate(ctx, t.AccessToken)
	}
	if errors.Is(err, training.ErrUnauthenticated) {
		s.clearSession(c)
		return accounts.Principal{}, false, nil
	}
	if err != nil {
		return accounts.Principal{}, false, err
	}
	s.startSession(c, t)
	return p, true, nil
}

// refresh exchanges a refresh token, handing the same new tokens to any
// request that presents the same old one within refreshGrace.
func (s *Server) refresh(c *gin.Context, token string) (accounts.Tokens, error) {
	sum := sha256.Sum256([]byte(token))
	key := string(sum[:])
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	now := time.Now()
	for k, v := range s.refreshed {
		if now.Sub(v.at) > refreshGrace {
			delete(s.refreshed, k)
		}
	}
	if v, ok := s.refreshed[key]; ok {
		return v.tokens, nil
	}
	t, err := s.d.Accounts.Refresh(c.Request.Context(), token)
	if err != nil {
		return accounts.Tokens{}, err
	}
	s.refreshed[key] = refreshedTokens{tokens: t, at: now}
	return t, nil
}

// requireSignIn lets signed-in people through with their principal on the
// request; anyone else goes to the sign-in page, which brings them back.
func (s *Server) requireSignIn(c *gin.Context) {
	p, ok, err := s.signedIn(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if !ok {
		target := "/sign-in"
		if c.Request.Method == http.MethodGet {
			target += "?next=" + url.QueryEscape(c.Request.URL.RequestURI())
		}
		c.Redirect(http.StatusSeeOther, target)
		c.Abort()
		return
	}
	person, err := s.d.Training.PersonByID(c.Request.Context(), p.PersonID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Set(principalKey, p)
	c.Set(personNameKey, person.FullName())
	c.Next()
}

// currentPrincipal is who requireSignIn let through, if it ran.
func currentPrincipal(c *gin.Context) (accounts.Principal, bool) {
	v, ok := c.Get(principalKey)
	if !ok {
		return accounts.Principal{}, false
	}
	p, ok := v.(accounts.Principal)
	return p, ok
}

// principal is the signed-in person on a page behind requireSignIn.
func principal(c *gin.Context) accounts.Principal {
	p, _ := currentPrincipal(c)
	return p
}

// localPath returns next when it is a path on this site, else "/": the
// sign-in page must never bounce someone to another site.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}

// CSRF protection is the double-submit pattern: a random secret in an
// HttpOnly cookie, and the same value in a hidden field of every form. A
// page on another site can make the browser send the cookie (SameSite=Lax
// already stops that for posts) but cannot read it, so it cannot fill in
// the field. The secret changes at every sign-in and sign-out.

// csrfToken returns this browser's CSRF secret, creating it when absent.
func (s *Server) csrfToken(c *gin.Context) string {
	if v := c.GetString(csrfKey); v != "" {
		return v
	}
	if v := s.readCookie(c, csrfCookie); len(v) == csrfTokenLen {
		c.Set(csrfKey, v)
		return v
	}
	return s.rotateCSRF(c)
}

const csrfTokenLen = 43 // 32 random bytes, base64url without padding

// rotateCSRF replaces the CSRF secret (at sign-in and sign-out).
func (s *Server) rotateCSRF(c *gin.Context) string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	v := base64.RawURLEncoding.EncodeToString(b[:])
	// A session cookie: it outlives no browser, and a form left open over
	// a restart fails safe (403, reload the page).
	s.setCookie(c, csrfCookie, v, 0)
	c.Set(csrfKey, v)
	return v
}

// verifyCSRF refuses any form post whose token does not match the cookie.
// It reads the form first, bounded in size, so handlers find it parsed.
func (s *Server) verifyCSRF(c *gin.Context) {
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		c.Next()
		return
	}
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	var err error
	switch mt {
	case "multipart/form-data":
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxUploadBody)
		err = c.Request.ParseMultipartForm(maxUploadBody)
	default:
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxFormBody)
		err = c.Request.ParseForm()
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		s.render(c, http.StatusRequestEntityTooLarge, "error.html", page{Title: "The file is too large", Data: errorPage{
			Paragraphs: []string{"A certificate must be 5 MB or smaller. Go back and choose a smaller file, or a PDF instead of a photo."}}})
		return
	case err != nil:
		s.render(c, http.StatusBadRequest, "error.html", page{Title: "The form could not be read", Data: errorPage{
			Paragraphs: []string{"Go back, reload the page and try again."}}})
		return
	}
	sent := c.Request.PostFormValue(csrfField)
	if sent == "" {
		sent = c.GetHeader(csrfHeader)
	}
	secret := s.readCookie(c, csrfCookie)
	if secret == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(secret)) != 1 {
		s.render(c, http.StatusForbidden, "error.html", page{Title: "Your form could not be sent", Data: errorPage{
			Paragraphs: []string{
				"For your security, each form works only in the browser that opened it, and only until you sign in or out.",
				"Go back, reload the page and try again. Your browser must accept cookies from this site.",
			}}})
		return
	}
	c.Next()
}
