package web

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/complytrack/complytrack/pkg/training"
)

// The domain explains each date it works out in one terse line (see
// training.Evaluate), written for HR: "expires 2026-05-03 = completed
// 2023-05-03 + 36 months". My training tells the same to the person in
// sentences addressed to them. Each pattern below is one of the domain's
// lines; a line none of them matches is shown as the domain wrote it, with
// its dates spelt out, so nothing is ever hidden.
var (
	explainDuePolicy = regexp.MustCompile(`^due (\S+) = policy effective from (\S+) \+ (\d+) days \(started before the policy\)$`)
	explainDueStart  = regexp.MustCompile(`^due (\S+) = start date (\S+) \+ (\d+) days( \(not started yet\))?$`)
	explainNever     = regexp.MustCompile(`^never expires \(validity 0 months\)$`)
	explainWindow    = regexp.MustCompile(`^expires (\S+) = previous expiry (\S+) \+ (\d+) months \(renewed inside the (\d+)-day window\)(.*)$`)
	explainLapsed    = regexp.MustCompile(`^expires (\S+) = completed (\S+) \+ (\d+) months \(the previous completion had expired on (\S+)\)(.*)$`)
	explainEarly     = regexp.MustCompile(`^expires (\S+) = completed (\S+) \+ (\d+) months \(completed before the (\d+)-day renewal window opened on (\S+)\)(.*)$`)
	explainSimple    = regexp.MustCompile(`^expires (\S+) = completed (\S+) \+ (\d+) months(.*)$`)
	explainExemptFor = regexp.MustCompile(`^exempt with no end date: (.*)$`)
	explainExemptTo  = regexp.MustCompile(`^exempt until (\S+): (.*)$`)
)

// clampedNote is what the domain adds when adding months ran past the end
// of a shorter month.
const clampedNote = " (clamped to the end of the month)"

// explainForPerson turns an assessment's explanation into plain sentences
// addressed to the person it is about, one paragraph per date.
func explainForPerson(a training.Assessment) []string {
	expires := "expires"
	if a.Status == training.StatusExpired {
		expires = "expired"
	}
	var out []string
	for _, line := range a.Explanation {
		out = append(out, explainLine(line, expires, a.LastCompleted))
	}
	return out
}

func explainLine(line, expires string, last *training.Completion) string {
	if m := explainDuePolicy.FindStringSubmatch(line); m != nil {
		return fmt.Sprintf("You started before this training became required on %s. Everyone already here had %s from then to complete it, so the deadline is %s.",
			spellDate(m[2]), spellDays(m[3]), spellDate(m[1]))
	}
	if m := explainDueStart.FindStringSubmatch(line); m != nil {
		started := "You started on"
		if m[4] != "" {
			started = "You start on"
		}
		return fmt.Sprintf("%s %s. New starters have %s to complete it, so the deadline is %s.",
			started, spellDate(m[2]), spellDays(m[3]), spellDate(m[1]))
	}
	if explainNever.MatchString(line) {
		if last != nil {
			return fmt.Sprintf("You last completed it on %s. It does not expire, so you do not need to do it again.", longDate(last.CompletedOn))
		}
		return "This training does not expire, so you do not need to do it again."
	}
	if m := explainWindow.FindStringSubmatch(line); m != nil {
		done := "You renewed it"
		if last != nil {
			done = "You renewed it on " + longDate(last.CompletedOn) + ","
		}
		return fmt.Sprintf("%s in the %s before your previous training expired on %s, so you lose no time: it lasts %s from %s, so it %s on %s.%s",
			done, spellDays(m[4]), spellDate(m[2]), spellMonths(m[3]), spellDate(m[2]), expires, spellDate(m[1]), clampSentence(m[5]))
	}
	if m := explainLapsed.FindStringSubmatch(line); m != nil {
		return fmt.Sprintf("You last completed it on %s, after your previous training had expired on %s. It lasts %s from the day you completed it, so it %s on %s.%s",
			spellDate(m[2]), spellDate(m[4]), spellMonths(m[3]), expires, spellDate(m[1]), clampSentence(m[5]))
	}
	if m := explainEarly.FindStringSubmatch(line); m != nil {
		return fmt.Sprintf("You last completed it on %s, before renewals opened on %s (%s before your previous training expired). It lasts %s from the day you completed it, so it %s on %s.%s",
			spellDate(m[2]), spellDate(m[5]), spellDays(m[4]), spellMonths(m[3]), expires, spellDate(m[1]), clampSentence(m[6]))
	}
	if m := explainSimple.FindStringSubmatch(line); m != nil && (m[4] == "" || m[4] == clampedNote) {
		return fmt.Sprintf("You last completed it on %s. It lasts %s, so it %s on %s.%s",
			spellDate(m[2]), spellMonths(m[3]), expires, spellDate(m[1]), clampSentence(m[4]))
	}
	if m := explainExemptFor.FindStringSubmatch(line); m != nil {
		return "You do not need to do this training, with no end date. " + reasonSentence(m[1])
	}
	if m := explainExemptTo.FindStringSubmatch(line); m != nil {
		return fmt.Sprintf("You do not need to do this training until %s. %s", spellDate(m[1]), reasonSentence(m[2]))
	}
	return capitalise(strings.TrimSuffix(plainDates(line), ".")) + "."
}

// clampSentence explains a date moved back to the end of a shorter month,
// so nobody thinks a day was lost by mistake.
func clampSentence(note string) string {
	if note != clampedNote {
		return ""
	}
	return " That month is shorter, so it is its last day."
}

func reasonSentence(reason string) string {
	reason = strings.TrimRight(strings.TrimSpace(reason), ".")
	if reason == "" {
		return "No reason was given."
	}
	return "The reason given: " + reason + "."
}

// spellDate is an ISO date from the domain's line as the pages write dates.
func spellDate(iso string) string {
	d, err := training.ParseDate(iso)
	if err != nil {
		return iso
	}
	return longDate(d)
}

func spellDays(n string) string {
	if n == "1" {
		return "1 day"
	}
	return n + " days"
}

// spellMonths says a validity the way people say it: "3 years", "18 months".
func spellMonths(n string) string {
	months, err := strconv.Atoi(n)
	switch {
	case err != nil:
		return n + " months"
	case months == 12:
		return "1 year"
	case months > 0 && months%12 == 0:
		return strconv.Itoa(months/12) + " years"
	case months == 1:
		return "1 month"
	}
	return n + " months"
}
