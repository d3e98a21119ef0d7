package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/accounts"
	"github.com/complytrack/complytrack/pkg/training"
	"github.com/complytrack/complytrack/pkg/upload"
)

// The session lives in two cookies, both HttpOnly (no script can read
// them) and SameSite=Lax (a cross-site form post does not carry them):
//
//   - the access token. The token is valid for 15 minutes, but the cookie
//     lasts as long as the refresh cookie: the expired token it keeps is
//     the browser's evidence in the refresh grace (see refresh);
//   - the refresh token, for as long as the sign-in lasts (RefreshTTL).
//     When the access token has expired, the next page spends the refresh
//     token for new ones (the accounts service rotates it each time).
//
// A third cookie holds the CSRF secret (see csrfToken). Over TLS, or when
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
// handed to a second request of the same browser presenting the same
// refresh token (two tabs opened together after a break), instead of
// treating it as reuse. It covers requests sent at the same moment, not a
// slow network: anything later is reuse.
const refreshGrace = 10 * time.Second

// Context keys set by requireSignIn.
const (
	principalKey  = "complytrack.web.principal"
	personNameKey = "complytrack.web.person_name"
	csrfKey       = "complytrack.web.csrf" // the CSRF secret
)

// refreshedTokens is a spent refresh token's exchange, kept for the grace:
// the new tokens, and the hash of the access cookie the browser presented
// with the spent token.
type refreshedTokens struct {
	tokens accounts.Tokens
	access [sha256.Size]byte
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

// startSession stores freshly issued tokens in the cookies. Both last as
// long as the sign-in (see the cookies above).
func (s *Server) startSession(c *gin.Context, t accounts.Tokens) {
	s.setCookie(c, accessCookie, t.AccessToken, int(s.d.RefreshTTL.Seconds()))
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
	access := s.readCookie(c, accessCookie)
	if access != "" {
		p, err := s.d.Accounts.Authenticate(ctx, access)
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
	t, err := s.refresh(c, rt, access)
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

// refresh exchanges a refresh token. access is the access cookie the
// browser sent with it (expired, or it would not be refreshing).
//
// Two tabs opened together after a break both present the same refresh
// token; the second must not look like theft, which would end the sign-in.
// But a thief replaying a stolen refresh cookie right after the browser
// used it looks the same to the accounts service, so the grace has to be
// earned with something only the browser holds: the access cookie that
// was current with that refresh token. A second request presenting the
// spent refresh token together with the very same access cookie, within
// refreshGrace, gets the same new tokens. Any other reuse (the refresh
// cookie alone, with another access cookie, or later) goes to
// accounts.Refresh like any reuse on the API: the token is spent, so the
// whole sign-in is revoked. The grace lives in this process only; a
// second request landing on another replica is treated as reuse, which
// fails safe (sign in again).
func (s *Server) refresh(c *gin.Context, token, access string) (accounts.Tokens, error) {
	sum := sha256.Sum256([]byte(token))
	key := string(sum[:])
	evidence := sha256.Sum256([]byte(access))
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	now := s.d.Training.Now()
	for k, v := range s.refreshed {
		if now.Sub(v.at) > refreshGrace || now.Before(v.at) {
			delete(s.refreshed, k)
		}
	}
	if v, ok := s.refreshed[key]; ok {
		if access != "" && subtle.ConstantTimeCompare(evidence[:], v.access[:]) == 1 {
			return v.tokens, nil
		}
		delete(s.refreshed, key)
	}
	t, err := s.d.Accounts.Refresh(c.Request.Context(), token)
	if err != nil {
		return accounts.Tokens{}, err
	}
	if access != "" {
		s.refreshed[key] = refreshedTokens{tokens: t, access: evidence, at: now}
	}
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
		c.Redirect(http.StatusSeeOther, signInAddress(c))
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
// sign-in page must never bounce someone to another site. It judges the
// address as the redirect will send it and a browser will read it:
// http.Redirect cleans the path first (so "/./\\evil.example" would leave
// as "/\\evil.example"), and browsers read a backslash as a slash and drop
// tabs and newlines. So next is cleaned here the same way, and returned
// cleaned, and an address holding a backslash, a space or a control
// character is refused outright: no page of ours has one.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsFunc(next, func(r rune) bool { return r == '\\' || r <= ' ' || r == 0x7f }) {
		return "/"
	}
	// As http.Redirect does: clean the part before the query, keeping a
	// trailing slash.
	p, query, hasQuery := strings.Cut(next, "?")
	cleaned := path.Clean(p)
	if strings.HasSuffix(p, "/") && !strings.HasSuffix(cleaned, "/") {
		cleaned += "/"
	}
	if hasQuery {
		cleaned += "?" + query
	}
	if strings.HasPrefix(cleaned, "//") {
		return "/"
	}
	u, err := url.Parse(cleaned)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
		return "/"
	}
	return cleaned
}

// A form sent after its sign-in has ended cannot be handled, and its file
// cannot be kept for later without storing a file from someone nobody has
// identified. Instead requireSignIn sends the person to sign in with
// form_not_sent set, the sign-in page says the form was not sent, and next
// leads back to the page the form was on, marked form_not_sent too, where a
// banner says what to do again. The way back carries only the fields
// keptForms lists for the form: fields that are neither secret nor
// personal, since an address ends up in the browser's history and in logs.
// Never the CSRF token, never a file.
const formNotSentParam = "form_not_sent"

// keptForm is how a form, named by its route, comes back after the person
// signs in again. Such a form posts to its own address, which is also the
// address of the page showing it; forms not listed come back to the page
// named by the browser's Referer, when it is one of ours, without fields.
type keptForm struct {
	fields []string
	// again says what the person must do again.
	again string
}

var keptForms = map[string]keptForm{
	"/my-training/:code/record": {
		fields: []string{dayInput, monthInput, yearInput},
		again:  "Check the date, then choose your certificate file again: files are not kept.",
	},
}

// maxKeptField bounds a kept field's value: the fields kept are short.
const maxKeptField = 32

// signInAddress is where requireSignIn sends someone whose sign-in has
// ended: a page comes back as it was; a form comes back as keptForms says.
func signInAddress(c *gin.Context) string {
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead:
		return "/sign-in?next=" + url.QueryEscape(c.Request.URL.RequestURI())
	}
	q := url.Values{formNotSentParam: {"1"}}
	if back := formPage(c); back != "" {
		q.Set("next", back)
	}
	return "/sign-in?" + q.Encode()
}

// formPage is the address of the page a form was sent from, with the form's
// kept fields and the form_not_sent mark, or "" when it is not known.
func formPage(c *gin.Context) string {
	kept, listed := keptForms[c.FullPath()]
	var u *url.URL
	switch ref := sameSiteReferer(c); {
	case listed:
		u = &url.URL{Path: c.Request.URL.Path}
	case ref != nil:
		u = &url.URL{Path: ref.Path, RawPath: ref.RawPath, RawQuery: ref.RawQuery}
	default:
		return ""
	}
	q := u.Query()
	if len(kept.fields) > 0 && readForm(c) == nil {
		for _, f := range kept.fields {
			if v := strings.TrimSpace(c.Request.PostFormValue(f)); v != "" && len(v) <= maxKeptField {
				q.Set(f, v)
			}
		}
	}
	q.Set(formNotSentParam, "1")
	u.RawQuery = q.Encode()
	back := localPath(u.RequestURI())
	if back == "/" {
		return ""
	}
	return back
}

// sameSiteReferer is the Referer when it is a page of this site (the
// router's Referrer-Policy is same-origin, so browsers send it to us
// whole), else nil.
func sameSiteReferer(c *gin.Context) *url.URL {
	ref, err := url.Parse(c.GetHeader("Referer"))
	if err != nil || (ref.Scheme != "http" && ref.Scheme != "https") || ref.Host == "" || ref.User != nil {
		return nil
	}
	if !strings.EqualFold(ref.Host, c.Request.Host) {
		return nil
	}
	return ref
}

// formNotSent is the banner on a page reached again after signing in,
// its form not sent; nil on every other page.
func formNotSent(c *gin.Context) *banner {
	if c.Request.Method != http.MethodGet || c.Query(formNotSentParam) == "" {
		return nil
	}
	if _, ok := currentPrincipal(c); !ok {
		return nil
	}
	again := "Fill in the form again and send it."
	if k, ok := keptForms[c.FullPath()]; ok {
		again = k.again
	}
	return &banner{Heading: "Your form was not sent", Text: "You were signed out before it was sent. " + again}
}

// CSRF protection: a random secret in an HttpOnly cookie, and in a hidden
// field of every form an HMAC, keyed by that secret, of what the form
// belongs to: the sign-in's session id on the pages behind requireSignIn,
// a fixed "signed out" label on the forms of people not signed in (sign-in
// and the invitation, whose pre-session value is the secret alone). A page
// on another site cannot read the cookie (and SameSite=Lax keeps it off
// cross-site posts), so it cannot work out the field.
//
// Binding the field to the session stops a cookie and field that belong
// together, planted in a browser by someone able to set cookies for this
// site (a sibling subdomain, or a man in the middle of plain HTTP, where
// the __Host- prefix cannot be used), from working with anyone else's
// sign-in: forging one would take the victim's session id, which only the
// server and the victim's access token hold. The secret also changes at
// every sign-in and sign-out.
//
// Which binding applies is decided the same way when a page is drawn
// (csrfToken) and when its form comes back (verifyCSRF): by whether
// requireSignIn let the request through. That is why verifyCSRF runs
// after requireSignIn.

// csrfToken is the token for this page's forms.
func (s *Server) csrfToken(c *gin.Context) string {
	return csrfMAC(s.csrfSecret(c), csrfBinding(c))
}

// csrfSecret is this browser's CSRF secret, created when absent.
func (s *Server) csrfSecret(c *gin.Context) string {
	if v := c.GetString(csrfKey); v != "" {
		return v
	}
	if v := s.readCookie(c, csrfCookie); len(v) == csrfSecretLen {
		c.Set(csrfKey, v)
		return v
	}
	return s.rotateCSRF(c)
}

const csrfSecretLen = 43 // 32 random bytes, base64url without padding

// rotateCSRF replaces the CSRF secret (at sign-in and sign-out) and
// returns the new one.
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

// csrfBinding is what this request's forms belong to.
func csrfBinding(c *gin.Context) string {
	if p, ok := currentPrincipal(c); ok {
		return sessionBinding(p)
	}
	return "signed out"
}

func sessionBinding(p accounts.Principal) string { return "session " + p.SessionID }

func csrfMAC(secret, binding string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("complytrack csrf\x00" + binding))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// csrfValid reports whether the form (or a script's header) carries the
// token for this browser and binding.
func (s *Server) csrfValid(c *gin.Context, binding string) bool {
	sent := c.Request.PostFormValue(csrfField)
	if sent == "" {
		sent = c.GetHeader(csrfHeader)
	}
	secret := s.readCookie(c, csrfCookie)
	return len(secret) == csrfSecretLen && hmac.Equal([]byte(sent), []byte(csrfMAC(secret, binding)))
}

// refuseForm is the answer to a form whose CSRF token does not fit.
func (s *Server) refuseForm(c *gin.Context) {
	s.render(c, http.StatusForbidden, "error.html", page{Title: "Your form could not be sent", Data: errorPage{
		Paragraphs: []string{
			"For your security, each form works only in the browser that opened it, and only until you sign in or out.",
			"Go back, reload the page and try again. Your browser must accept cookies from this site.",
		}}})
}

// readForm reads a posted form, bounded in size, so that handlers find it
// parsed; reading it twice is harmless.
func readForm(c *gin.Context) error {
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt == "multipart/form-data" {
		if c.Request.MultipartForm != nil {
			return nil
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxUploadBody)
		return upload.ParseMultipartForm(c.Request, maxUploadBody)
	}
	if c.Request.PostForm != nil {
		return nil
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxFormBody)
	return c.Request.ParseForm()
}

// verifyCSRF refuses any form post whose token does not fit (see above).
// It reads the form first, bounded in size, so handlers find it parsed.
func (s *Server) verifyCSRF(c *gin.Context) {
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		c.Next()
		return
	}
	var mbe *http.MaxBytesError
	switch err := readForm(c); {
	case errors.As(err, &mbe):
		s.render(c, http.StatusRequestEntityTooLarge, "error.html", page{Title: "The file is too large", Data: errorPage{
			Paragraphs: []string{"A certificate must be 5 MB or smaller. Go back and choose a smaller file, or a PDF instead of a photo."}}})
		return
	case err != nil:
		s.render(c, http.StatusBadRequest, "error.html", page{Title: "The form could not be read", Data: errorPage{
			Paragraphs: []string{"Go back, reload the page and try again."}}})
		return
	}
	if !s.csrfValid(c, csrfBinding(c)) {
		s.refuseForm(c)
		return
	}
	c.Next()
}
