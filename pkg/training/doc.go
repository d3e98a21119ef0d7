// Package training holds complytrack's domain: people, courses (the policy for
// one statutory requirement), completions, exemptions, and the rules that turn
// them into a compliance status on a given day.
//
// It imports no web framework and no database driver: the store and the HTTP
// layer convert to and from these types, so the rules can be tested as plain
// functions.
package training
