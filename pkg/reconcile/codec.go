package reconcile

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"maps"
	"slices"
)

// queuedJSON is the compact form of Queued: IDs ascending as varint
// deltas (each positive), each with its time as a varint offset in seconds
// from Base (never negative); both base64. 200,000 entries take a few hundred KiB at most.
type queuedJSON struct {
	Base  int64  `json:"base,omitempty"`
	IDs   string `json:"ids,omitempty"`
	Times string `json:"times,omitempty"`
}

// MarshalJSON writes the compact form.
func (q Queued) MarshalJSON() ([]byte, error) {
	ids := slices.Sorted(maps.Keys(q.at))
	var out queuedJSON
	if len(ids) == 0 {
		return json.Marshal(out)
	}
	out.Base = slices.Min(slices.Collect(maps.Values(q.at)))
	idBuf := make([]byte, 0, len(ids)*3)
	timeBuf := make([]byte, 0, len(ids)*3)
	prev := int64(0)
	for _, id := range ids {
		idBuf = binary.AppendVarint(idBuf, id-prev)
		timeBuf = binary.AppendVarint(timeBuf, q.at[id]-out.Base)
		prev = id
	}
	out.IDs = base64.StdEncoding.EncodeToString(idBuf)
	out.Times = base64.StdEncoding.EncodeToString(timeBuf)
	return json.Marshal(out)
}

// errQueuedForm is a queued set this package did not write.
var errQueuedForm = errors.New("reconcile: malformed queued set")

// UnmarshalJSON reads the compact form.
func (q *Queued) UnmarshalJSON(b []byte) error {
	var in queuedJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return errQueuedForm
	}
	idBuf, err1 := base64.StdEncoding.DecodeString(in.IDs)
	timeBuf, err2 := base64.StdEncoding.DecodeString(in.Times)
	if err1 != nil || err2 != nil {
		return errQueuedForm
	}
	q.at = map[int64]int64{}
	id := int64(0)
	for len(idBuf) > 0 {
		d, n := binary.Varint(idBuf)
		t, m := binary.Varint(timeBuf)
		if n <= 0 || m <= 0 || d <= 0 || t < 0 {
			return errQueuedForm
		}
		idBuf, timeBuf = idBuf[n:], timeBuf[m:]
		id += d
		q.at[id] = in.Base + t
	}
	if len(timeBuf) != 0 || len(q.at) > 2*MaxQueued {
		return errQueuedForm
	}
	return nil
}
