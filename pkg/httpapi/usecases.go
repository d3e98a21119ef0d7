package httpapi

import "github.com/complytrack/complytrack/pkg/application"

// app is the use cases shared with the web pages (pkg/application). It
// holds only the domain service, so building it here costs nothing.
func (h *handlers) app() application.App {
	return application.New(h.d.Training).WithMappings(h.d.ImportMappings)
}
