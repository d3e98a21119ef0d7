package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// With COMPLYTRACK_METRICS_ADDR set, /metrics is served on that address
// only: the public address answers 404 for it.
func TestMetricsOnTheirOwnAddressOnly(t *testing.T) {
	bin := buildBinary(t)
	p := start(t, bin,
		"COMPLYTRACK_HTTP_ADDR=127.0.0.1:0",
		"COMPLYTRACK_METRICS_ADDR=127.0.0.1:0",
		"COMPLYTRACK_DATA_DIR="+t.TempDir(),
	)
	var metricsAddr string
	for _, line := range strings.Split(p.logs.String(), "\n") {
		var rec struct{ Msg, Addr string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "metrics listening" {
			metricsAddr = rec.Addr
		}
	}
	if metricsAddr == "" {
		t.Fatalf("no metrics listener in the log:\n%s", p.logs.String())
	}
	if code, _ := get(t, p.url("/readyz"), ""); code != http.StatusOK {
		t.Fatalf("readyz %d", code)
	}
	res, err := http.Get(p.url("/metrics"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /metrics on the main address: %d, want 404", res.StatusCode)
	}

	res, err = http.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics on the metrics address: %d", res.StatusCode)
	}
	// The main address's requests are counted, by route pattern.
	if want := `complytrack_http_requests_total{method="GET",route="/readyz",status="200"} 1`; !strings.Contains(string(body), want) {
		t.Errorf("metrics lack %s:\n%s", want, body)
	}
	p.stop(t)
}
