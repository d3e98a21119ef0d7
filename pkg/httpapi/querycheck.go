package httpapi

import (
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/complytrack/complytrack/pkg/training"
)

// checkQuery refuses a query parameter of op outside the values the
// OpenAPI document lists for it (422 naming the parameter) before op's
// handler runs: a filter such as ?kind=abc would otherwise match nothing
// and look like an empty, valid answer. Nil when op has no such parameter.
func checkQuery(op operation) gin.HandlerFunc {
	type enumParam struct {
		name   string
		values []string
	}
	var params []enumParam
	for _, p := range op.Query {
		if vs := p.enum(); len(vs) > 0 && !p.HandlerChecks {
			params = append(params, enumParam{p.Name, vs})
		}
	}
	if len(params) == 0 {
		return nil
	}
	return func(c *gin.Context) {
		v := &training.ValidationError{}
		q := c.Request.URL.Query()
		for _, p := range params {
			// An empty value means "no filter", as the handlers read it.
			for _, s := range q[p.name] {
				if s != "" && !slices.Contains(p.values, s) {
					v.Problem(p.name, "The query parameter %s must be %s", p.name, oneOf(p.values))
					break
				}
			}
		}
		if err := v.Err(); err != nil {
			fail(c, err)
			return
		}
		c.Next()
	}
}

// enum is the values the parameter is restricted to; nil: any.
func (p param) enum() []string {
	if p.Type != nil {
		return enumValues[p.Type]
	}
	switch vs := p.Schema["enum"].(type) {
	case []string:
		return vs
	case []any:
		out := make([]string, 0, len(vs))
		for _, v := range vs {
			if s, ok := v.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
