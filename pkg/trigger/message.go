package trigger

import (
	"bytes"
	"encoding/json"

	"github.com/recording-sync/recording-sync/pkg/recording"
)

// Message encodes ref as the direct shape, {"pbx":"ID","id":N,"file":"NAME","call":{...}},
// which Decode accepts as a direct invocation, an EventBridge detail and an
// SQS message body: what the webhook and the reconciler put on the
// recording queue. An invalid ref is refused, so that nothing the copy
// function would reject is ever queued. A reference to the default PBX
// carries no "pbx": its message is what it was before there were many.
func Message(ref recording.Ref) ([]byte, error) {
	if err := ref.Validate(); err != nil {
		return nil, err
	}
	if ref.PBX == recording.DefaultPBX {
		ref.PBX = ""
	}
	if ref.Call != nil {
		// What the copy could not store is not sent.
		call := ref.Call.Sanitized()
		ref.Call = &call
		if call.IsZero() {
			ref.Call = nil
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // "Evelyn<5566>" stays readable in the queue
	if err := enc.Encode(ref); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
