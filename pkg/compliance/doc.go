// Package compliance holds complytrack's application services: the use
// cases on people, courses, completions, exemptions, reports and the daily
// scan, with object-level authorization (who may see or change whom). The
// JSON API, the web pages and the scheduled jobs all call Service.
//
// The rules themselves are in pkg/training, which is pure; this package
// reads the organisation through the Store it is given (pkg/readmodel: the
// organisation in memory over pkg/mongodb) and writes through it.
package compliance
