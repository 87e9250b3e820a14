package trigger

import (
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/recording-sync/recording-sync/pkg/recording"
)

// MaxInvocationSize bounds a whole invocation payload, as Lambda bounds
// synchronous ones (an SQS batch of ten 256 KiB messages fits).
const MaxInvocationSize = 6 << 20

// Kind is the shape an invocation had.
type Kind string

// The shapes Decode recognises.
const (
	KindDirect      Kind = "direct"
	KindEventBridge Kind = "eventbridge"
	KindPBXEvent    Kind = "pbx-event"
	KindSQS         Kind = "sqs"
)

// Item is one unit of work: a recording to copy, or a note that there is
// nothing to copy (a call without a recording).
type Item struct {
	Ref  *recording.Ref // nil when there is nothing to copy
	Skip string         // why there is nothing to copy
}

// Record is one SQS message: its decoded item, or why it could not be decoded.
type Record struct {
	MessageID string
	Body      string // the message as received, to move it unchanged to a dead-letter queue
	// ReceiptHandle, Queue (the name in eventSourceARN) and ReceiveCount
	// (ApproximateReceiveCount; 0 when absent) say which receive of which
	// queue this is, to hand the message back early (copyhandler).
	ReceiptHandle string
	Queue         string
	ReceiveCount  int
	Item          Item
	Err           error
}

// Invocation is a decoded payload: Item for the single shapes, Records for SQS.
type Invocation struct {
	Kind    Kind
	Item    Item
	Records []Record
}

// Decode recognises the payload's shape and decodes it. A malformed SQS
// record does not fail the invocation: it is reported in its Record.Err.
func Decode(payload []byte) (Invocation, error) {
	if len(payload) > MaxInvocationSize {
		return Invocation{}, invalid("event is %d bytes, more than %d", len(payload), MaxInvocationSize)
	}
	fields, err := object(payload, "event")
	if err != nil {
		return Invocation{}, err
	}
	if records, ok := fields["Records"]; ok {
		return decodeSQS(records)
	}
	if len(payload) > MaxEventSize {
		return Invocation{}, invalid("event is %d bytes, more than %d", len(payload), MaxEventSize)
	}
	kind, item, err := decodeSingle(payload, fields, true)
	return Invocation{Kind: kind, Item: item}, err
}

// decodeSingle decodes a direct shape, a 30012 event, or (when envelope is
// true) an EventBridge envelope around either.
func decodeSingle(raw []byte, fields map[string]json.RawMessage, envelope bool) (Kind, Item, error) {
	switch {
	case has(fields, "detail"):
		if !envelope {
			return KindEventBridge, Item{}, invalid("an EventBridge envelope inside another one")
		}
		return decodeEventBridge(raw, fields["detail"])
	case has(fields, "type") || has(fields, "msg"):
		item, err := decodePBXEvent(raw)
		return KindPBXEvent, item, err
	case has(fields, "id") || has(fields, "file"):
		ref, err := DecodeDirect(raw)
		if err != nil {
			return KindDirect, Item{}, err
		}
		return KindDirect, Item{Ref: &ref}, nil
	case len(fields) == 0:
		return "", Item{}, invalid("no recording named: the event is an empty object; want {\"id\": N}, {\"file\": \"NAME\"}, " +
			"an EventBridge event, a Yeastar 30012 event or an SQS event")
	default:
		keys := slices.Sorted(maps.Keys(fields))
		return "", Item{}, invalid("unknown event shape (fields %s): want {\"id\": N}, {\"file\": \"NAME\"}, "+
			"an EventBridge event, a Yeastar 30012 event or an SQS event", quoteList(keys))
	}
}

// decodeEventBridge decodes an envelope whose detail is a direct shape or a
// 30012 event. detail is the envelope's "detail" member, by its exact name:
// decoding into events.EventBridgeEvent matches names case-insensitively
// and would take a later "Detail" instead of the member routed on.
func decodeEventBridge(raw, detail []byte) (Kind, Item, error) {
	var ev events.EventBridgeEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		return KindEventBridge, Item{}, invalid("EventBridge event: %s", recording.JSONProblem(err))
	}
	fields, err := object(detail, "EventBridge detail")
	if err != nil {
		return KindEventBridge, Item{}, err
	}
	_, item, err := decodeSingle(detail, fields, false)
	if err != nil {
		return KindEventBridge, Item{}, prefix("EventBridge detail: ", err)
	}
	return KindEventBridge, item, nil
}

// decodeSQS decodes each record's body on its own. records is the event's
// "Records" member, by its exact name (events.SQSEvent would also take a
// later "records" member).
func decodeSQS(records []byte) (Invocation, error) {
	var msgs []events.SQSMessage
	if err := json.Unmarshal(records, &msgs); err != nil {
		return Invocation{}, invalid("SQS event: %s", recording.JSONProblem(err))
	}
	if len(msgs) == 0 {
		return Invocation{}, invalid("SQS event has no records")
	}
	inv := Invocation{Kind: KindSQS, Records: make([]Record, len(msgs))}
	for i, m := range msgs {
		rec := Record{MessageID: m.MessageId, Body: m.Body, ReceiptHandle: m.ReceiptHandle, Queue: queueName(m.EventSourceARN)}
		rec.ReceiveCount, _ = strconv.Atoi(m.Attributes["ApproximateReceiveCount"]) // absent or not a number: 0, never handed back
		switch {
		case m.MessageId == "":
			return Invocation{}, invalid("SQS record %d has no messageId", i)
		case m.EventSource != "" && m.EventSource != "aws:sqs":
			rec.Err = invalid("record eventSource %q is not aws:sqs", truncate(m.EventSource, 40))
		case len(m.Body) > MaxEventSize:
			rec.Err = invalid("message body is %d bytes, more than %d", len(m.Body), MaxEventSize)
		default:
			rec.Item, rec.Err = decodeBody([]byte(m.Body))
		}
		inv.Records[i] = rec
	}
	return inv, nil
}

// queueName is the queue an SQS eventSourceARN names: its last element
// (arn:aws:sqs:REGION:ACCOUNT:NAME); "" for anything else.
func queueName(arn string) string {
	if !strings.HasPrefix(arn, "arn:") || strings.Count(arn, ":") != 5 {
		return ""
	}
	return arn[strings.LastIndexByte(arn, ':')+1:]
}

// decodeBody decodes an SQS message body: any single shape.
func decodeBody(body []byte) (Item, error) {
	fields, err := object(body, "message body")
	if err != nil {
		return Item{}, err
	}
	_, item, err := decodeSingle(body, fields, true)
	return item, err
}

// object decodes raw as a JSON object's fields.
func object(raw []byte, what string) (map[string]json.RawMessage, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		problem := "null"
		if err != nil {
			problem = recording.JSONProblem(err)
		}
		return nil, invalid("%s is not a JSON object: %s", what, problem)
	}
	return fields, nil
}

func has(fields map[string]json.RawMessage, key string) bool {
	_, ok := fields[key]
	return ok
}

// quoteList renders keys as "a", "b" (at most 5, truncated).
func quoteList(keys []string) string {
	if len(keys) > 5 {
		keys = append(keys[:5:5], "...")
	}
	q := make([]string, len(keys))
	for i, k := range keys {
		q[i] = strconv.Quote(truncate(k, 30))
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// prefix adds context to an InvalidInputError's reason, keeping its type.
func prefix(p string, err error) error {
	var inv *recording.InvalidInputError
	if errors.As(err, &inv) {
		return &recording.InvalidInputError{Reason: p + inv.Reason}
	}
	return err
}
