// Package training holds complytrack's domain: people, courses (the policy for
// one statutory requirement), completions, exemptions, and the rules that turn
// them into a compliance status on a given day.
//
// It is pure: no context, no store, no web framework and no database
// driver. The application services (pkg/compliance) load and save these
// types and apply authorization; the rules here are plain functions,
// tested as tables.
package training
