package metrics_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/metrics"
)

// The labels of a request stay few whatever the client sends: the route's
// pattern, never the address, and "other" for a made-up method.
func TestRequestLabelsAreBounded(t *testing.T) {
	gin.SetMode(gin.TestMode)
	m := metrics.New()
	r := gin.New()
	r.Use(m.Gin())
	r.GET("/people/:id", func(c *gin.Context) { c.Status(http.StatusNoContent) })
	for _, req := range []struct{ method, path string }{
		{"GET", "/people/a1"}, {"GET", "/people/b2"}, {"GET", "/nothing/here"}, {"BREW", "/people/a1"},
	} {
		r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(req.method, req.path, nil))
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		`complytrack_http_requests_total{method="GET",route="/people/:id",status="204"} 2`,
		`complytrack_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`complytrack_http_requests_total{method="other",route="unmatched",status="404"} 1`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("no %s in:\n%s", want, body)
		}
	}
	for _, leak := range []string{"a1", "b2", "/nothing", "BREW"} {
		if strings.Contains(body, leak) {
			t.Errorf("the metrics hold %q, which the client sent", leak)
		}
	}
}
