package check

// A step is one run of the learner's test, against the real app or a copy.
type step struct {
	app  string // the copy, testdata/apps/APP.go; "" for the real app
	pass bool   // the test must pass there; otherwise it must fail
	what string // the app, as the learner reads it
	hint string // for a test that passes where it must fail
}

const partHint = "the app writes two lines, and a test that checks one lets the other go wrong unseen: compare all of log.txt"

// steps are the runs in order. The first decides, on every run, whether
// the test waits for the tasks: a test that does not never passes it. Only
// a test that waits reaches the others, so their verdicts cannot depend on
// how quickly the tasks happen to run.
var steps = []step{
	{app: "late", pass: true,
		what: "a copy of lesson 01's app as on a busy machine: it answers at once and holds its tasks until your test waits for them through the runner"},
	{pass: true, what: "lesson 01's app"},
	{app: "notasks",
		what: "a copy of the app that answers 202 and queues no task, so log.txt never appears",
		hint: "make the test fail unless log.txt holds what the app should have written"},
	{app: "nomail",
		what: `a copy of the app whose mail is never sent: log.txt holds only its first line, "notification for ada@example.com: Your order has shipped"`,
		hint: partHint},
	{app: "nologline",
		what: `a copy of the app that never queues its "write log" task: log.txt holds only "email sent to ada@example.com"`,
		hint: partHint},
	{app: "otheraddress",
		what: "a copy of the app that writes someone.else@example.com where the address you sent belongs",
		hint: "compare each line in full, not just its shape or how many there are"},
	{app: "wrongmessage",
		what: `a copy of the app that logs the message "hello" instead of the one you sent`,
		hint: "compare each line in full, not just its shape or how many there are"},
	{app: "swapped",
		what: `a copy of the app whose tasks run in the other order: log.txt holds the same two lines, but "email sent to ada@example.com" first`,
		hint: "compare the whole of log.txt at once: the same lines in another order tell another story"},
	{app: "mailother",
		what: `a copy of the app that mails someone.else@example.com: the first line of log.txt is right, the second reads "email sent to someone.else@example.com"`,
		hint: "compare each line in full, not just its shape or how many there are"},
	{app: "status200",
		what: "a copy of the app that answers 200 OK instead of 202 Accepted, and writes log.txt as it should",
		hint: "the exercise expects 202 Accepted: check the response's status as well as log.txt"},
}

// total counts the check's steps: the runs, then a reading of the source.
var total = len(steps) + 1
