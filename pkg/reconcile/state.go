package reconcile

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"
)

// State is the reconciler's shared object: the cursors of unfinished
// windows and the recordings queued recently. It is small and bounded:
// MaxCursors cursors and MaxQueued queued entries, whatever the size of
// the windows.
type State struct {
	Cursors []Cursor `json:"cursors,omitempty"`
	Queued  Queued   `json:"queued"`
}

// UnmarshalJSON reads a State and refuses one past its bounds, which this
// package never writes.
func (s *State) UnmarshalJSON(b []byte) error {
	type plain State // without this method
	var st plain
	if err := json.Unmarshal(b, &st); err != nil {
		return err
	}
	if len(st.Cursors) > MaxCursors {
		return fmt.Errorf("reconcile: %d cursors in the state, at most %d", len(st.Cursors), MaxCursors)
	}
	*s = State(st)
	return nil
}

// Bounds of a State.
const (
	// MaxCursors is how many unfinished windows are remembered.
	MaxCursors = 16
	// MaxQueued is how many recently queued recordings are remembered
	// (about 16 bytes each in memory, 2-3 in the object). Past it the
	// oldest are forgotten: at worst such a recording is queued once more,
	// which costs the copy function a HEAD, never a PBX request.
	MaxQueued = 200_000
)

// Cursor is where a window's run stopped: the pages done, the last
// recording ID handled (pages are sorted by ID) and the total the PBX
// reported then, so that the next run can find its place again even if
// recordings were deleted meanwhile.
type Cursor struct {
	Window    Window `json:"window"`
	Scheduled bool   `json:"scheduled,omitempty"`
	Page      int    `json:"page"`
	LastID    int64  `json:"lastId"`
	Total     int    `json:"total"`
	PageSize  int    `json:"pageSize"`
	// Pages is the window's page count, from the total its first page
	// announced.
	Pages int `json:"pages,omitempty"`
}

// cursorFor returns the saved cursor of w, if any.
func (s *State) cursorFor(w Window) (Cursor, bool) {
	for _, c := range s.Cursors {
		if c.Window.equal(w) {
			return c, true
		}
	}
	return Cursor{}, false
}

// setCursor saves c, replacing the cursor of its window, and returns the
// window it is saved under. An unstarted scheduled cursor (page 0) absorbs
// the other unstarted scheduled ones into one window spanning them all, so
// that a PBX down for days leaves one cursor, not one per run. Past
// MaxCursors the oldest scheduled cursor goes first (later scheduled
// windows overlap it), then the oldest of all.
func (s *State) setCursor(c Cursor) Window {
	s.dropCursor(c.Window)
	if c.Scheduled && c.Page == 0 {
		s.Cursors = slices.DeleteFunc(s.Cursors, func(o Cursor) bool {
			if !o.Scheduled || o.Page != 0 {
				return false
			}
			if o.Window.From.Before(c.Window.From) {
				c.Window.From = o.Window.From
			}
			if o.Window.To.After(c.Window.To) {
				c.Window.To = o.Window.To
			}
			return true
		})
	}
	s.Cursors = append(s.Cursors, c)
	for len(s.Cursors) > MaxCursors {
		i := slices.IndexFunc(s.Cursors, func(c Cursor) bool { return c.Scheduled })
		s.Cursors = slices.Delete(s.Cursors, max(i, 0), max(i, 0)+1)
	}
	return c.Window
}

// dropCursor forgets the cursor of w (its window is complete).
func (s *State) dropCursor(w Window) {
	s.Cursors = slices.DeleteFunc(s.Cursors, func(c Cursor) bool { return c.Window.equal(w) })
}

// pending returns the unfinished windows other than w, oldest first.
func (s *State) pending(w Window) []Cursor {
	return slices.DeleteFunc(slices.Clone(s.Cursors), func(c Cursor) bool { return c.Window.equal(w) })
}

// merge folds other (a state another run saved meanwhile) into s: the
// union of queued entries, and other's cursors except those of windows s
// itself worked on (touched).
func (s *State) merge(other State, touched []Window) {
	for id, at := range other.Queued.at {
		if mine, ok := s.Queued.at[id]; !ok || at > mine {
			s.Queued.set(id, at)
		}
	}
	mine := s.Cursors
	s.Cursors = nil
	for _, c := range other.Cursors {
		if !slices.ContainsFunc(touched, c.Window.equal) {
			s.setCursor(c)
		}
	}
	for _, c := range mine {
		if slices.ContainsFunc(touched, c.Window.equal) {
			s.setCursor(c)
		}
	}
}

// Queued remembers when recordings were last queued, by ID, in Unix
// seconds.
type Queued struct {
	at map[int64]int64
}

// recent reports whether id was queued less than after before now.
func (q *Queued) recent(id int64, now time.Time, after time.Duration) bool {
	at, ok := q.at[id]
	return ok && now.Sub(time.Unix(at, 0)) < after
}

// set records id as queued at (Unix seconds).
func (q *Queued) set(id, at int64) {
	if q.at == nil {
		q.at = map[int64]int64{}
	}
	q.at[id] = at
}

// forget drops id (it was found stored).
func (q *Queued) forget(id int64) { delete(q.at, id) }

// Len is how many recordings are remembered.
func (q *Queued) Len() int { return len(q.at) }

// prune drops the entries older than after, then the oldest past MaxQueued.
func (q *Queued) prune(now time.Time, after time.Duration) {
	limit := now.Add(-after).Unix()
	for id, at := range q.at {
		if at < limit {
			delete(q.at, id)
		}
	}
	if len(q.at) <= MaxQueued {
		return
	}
	ids := slices.Collect(maps.Keys(q.at))
	slices.SortFunc(ids, func(a, b int64) int { return cmp.Compare(q.at[a], q.at[b]) })
	for _, id := range ids[:len(ids)-MaxQueued] {
		delete(q.at, id)
	}
}
