package reconcile

// Result is what a run did with one window. A scheduled run reports its
// own trailing window, and in Continued the unfinished windows of earlier
// runs it worked on after it.
type Result struct {
	Window                Window `json:"window"`
	Listed                int    `json:"listed"`
	AlreadyStored         int    `json:"alreadyStored"`
	Queued                int    `json:"queued"`
	SkippedRecentlyQueued int    `json:"skippedRecentlyQueued"`
	// Lost counts the queued recordings whose call had ended more than
	// Settle before: their event was lost.
	Lost int `json:"lost"`
	// NotDue counts missing recordings whose call ended less than Settle
	// ago: neither queued nor counted, a later run looks again.
	NotDue int `json:"notDue,omitempty"`
	// Invalid counts recordings whose file name cannot become a key
	// (the copy function would refuse them too); they are not queued.
	Invalid int `json:"invalid,omitempty"`
	Pages   int `json:"pages"`
	// Done of Total is the window's progress: recordings handled by this
	// run and the runs before it, of those the PBX reports in the window.
	Done      int      `json:"done"`
	Total     int      `json:"total"`
	Complete  bool     `json:"complete"`
	Cursor    *Cursor  `json:"cursor,omitempty"`
	Continued []Result `json:"continued,omitempty"`
	// StateReset says why the run's state did not open and was started
	// afresh (its cursors and queued entries dropped); "" when it opened.
	StateReset string `json:"stateReset,omitempty"`
	// ClockWarning says why the PBX's clock is unknown; "" when known.
	ClockWarning string `json:"clockWarning,omitempty"`
	// PBX names the PBX of one PBX's part of a Fleet's run.
	PBX string `json:"pbx,omitempty"`
	// Failed marks a PBX whose part of a Fleet's run stopped with an
	// error (the run's error names it).
	Failed bool `json:"failed,omitempty"`
	// PBXs are the parts of a Fleet's run, one per PBX, by id; the counts
	// above are their sums, over their own and continued windows.
	PBXs []Result `json:"pbxs,omitempty"`
	// err is why a PBX's part failed, for its log line.
	err error
}

// lostInRun is what the run counted lost, in all its windows.
func (r Result) lostInRun() int {
	n := r.Lost
	for _, c := range r.Continued {
		n += c.Lost
	}
	return n
}

// queuedInRun is what the run queued: in its window and in the windows
// it continued.
func (r Result) queuedInRun() int {
	n := r.Queued
	for _, c := range r.Continued {
		n += c.Queued
	}
	return n
}

// Progress is reported after each page, for the handler to log.
type Progress struct {
	Window Window
	Page   int // the page just done
	Done   int // recordings of the window handled so far, this run and before
	Total  int // recordings in the window, as the PBX reports them
	Queued int // queued from this page
}
