// Package compliance holds complytrack's application services, one per
// family of use cases: People, Catalogue (courses), Completions,
// Exemptions, Flags (the daily scan) and Reports, each with its
// object-level authorization (who may see or change whom). Service
// gathers them over one store; the JSON API, the web pages and the
// scheduled jobs call it.
//
// The rules themselves are in pkg/training, which is pure; this package
// reads the organisation through the Store it is given (pkg/readmodel: the
// organisation in memory over pkg/mongodb) and writes through it.
package compliance
