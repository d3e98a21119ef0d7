package app

import "github.com/complytrack/complytrack/pkg/importmap"

// importMappings is HR's stored import mappings, in the store: it holds
// nothing else, so each front door may have its own.
func (a *App) importMappings() *importmap.Service { return importmap.New(a.Store) }
