package httpapi_test

import (
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/complytrack/complytrack/pkg/httpapi"
)

// TestOpenAPIDocumentValidatesWithKinOpenAPI reads the document with an
// OpenAPI implementation other than the one that wrote it, and validates
// it (schemas, references, parameters, responses) by OpenAPI 3.1's rules.
func TestOpenAPIDocumentValidatesWithKinOpenAPI(t *testing.T) {
	raw, err := httpapi.OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatalf("the document does not load: %v", err)
	}
	if err := doc.Validate(t.Context()); err != nil {
		t.Errorf("the document is not valid OpenAPI: %v", err)
	}
}
