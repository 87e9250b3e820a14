package metrics

// Unit is a CloudWatch metric unit.
type Unit string

// The units the functions use (EMF accepts every CloudWatch unit; Parse
// checks against the full list).
const (
	Count        Unit = "Count"
	Bytes        Unit = "Bytes"
	Milliseconds Unit = "Milliseconds"
	Seconds      Unit = "Seconds"
)

// Dimension names. Every metric is published per function (the deployed
// function's name); a metric ByErrorType also per function and errorType,
// the Go type name the Lambda runtime reports for the failure.
const (
	DimFunction  = "function"
	DimErrorType = "errorType"
	// DimPBX is the PBX a ByPBX metric is also published for, beside
	// the function's total.
	DimPBX = "pbx"
)

// DefaultNamespace is the metrics' namespace unless METRICS_NAMESPACE
// names another (the template's MetricsNamespace parameter).
const DefaultNamespace = "RecordingSync"

// The functions that emit metrics, as named in Metric.Function.
const (
	FunctionCopy      = "recording-sync"
	FunctionWebhook   = "pbx-webhook"
	FunctionReconcile = "recording-reconcile"
)

// Metric is one metric of the catalog.
type Metric struct {
	Name     string
	Unit     Unit
	Function string // the function that emits it: FunctionCopy, FunctionWebhook or FunctionReconcile
	// ByErrorType metrics are published per errorType as well as in
	// total, so that an alarm can watch one class of failure.
	ByErrorType bool
	// ByPBX metrics are published per PBX as well as in total, so that an
	// operator sees which PBX to act on: from a line of their own per PBX
	// (Emitter.AttrsBy, the reconciler's), or from a line about one PBX's
	// work (Emitter.AttrsPBX, the copy function's). Only where one acts on
	// it: failures and lost recordings.
	ByPBX bool
	Help  string // what it counts, for the README and the demo
}

// The copy function's metrics, one log line per recording.
var (
	RecordingsCopied        = Metric{Name: "RecordingsCopied", Unit: Count, Function: FunctionCopy, Help: "recordings copied into the bucket"}
	RecordingsAlreadyStored = Metric{Name: "RecordingsAlreadyStored", Unit: Count, Function: FunctionCopy, Help: "recordings skipped: already in the bucket"}
	RecordingsFailed        = Metric{Name: "RecordingsFailed", Unit: Count, Function: FunctionCopy, ByErrorType: true, ByPBX: true, Help: "recordings not copied, by errorType (also by pbx, with many PBXs)"}
	BytesCopied             = Metric{Name: "BytesCopied", Unit: Bytes, Function: FunctionCopy, Help: "bytes copied into the bucket"}
	CopyDuration            = Metric{Name: "CopyDuration", Unit: Milliseconds, Function: FunctionCopy, Help: "time to copy one recording"}
	CallEndToStored         = Metric{Name: "CallEndToStored", Unit: Seconds, Function: FunctionCopy, Help: "time from the call's end to its recording stored"}
	DownloadResumes         = Metric{Name: "DownloadResumes", Unit: Count, Function: FunctionCopy, Help: "downloads resumed after a drop or stall"}
	TokenRenewals           = Metric{Name: "TokenRenewals", Unit: Count, Function: FunctionCopy, Help: "PBX tokens obtained (get_token, refresh_token)"}
	BusyWaits               = Metric{Name: "BusyWaits", Unit: Count, Function: FunctionCopy, Help: "waits for the PBX's one mp3 download (70082)"}
	RecordingsHandedBack    = Metric{Name: "RecordingsHandedBack", Unit: Count, Function: FunctionCopy, Help: "SQS records handed back to the queue for 10 s while the PBX was busy"}
)

// The webhook function's metrics, one log line per request.
var (
	WebhookEventsReceived     = Metric{Name: "WebhookEventsReceived", Unit: Count, Function: FunctionWebhook, Help: "requests received"}
	WebhookSignaturesRejected = Metric{Name: "WebhookSignaturesRejected", Unit: Count, Function: FunctionWebhook, Help: "requests refused: bad or missing X-Signature"}
	WebhookEventsQueued       = Metric{Name: "WebhookEventsQueued", Unit: Count, Function: FunctionWebhook, Help: "recordings queued for copying"}
	// WebhookQueueFailedPermanent counts sends the queue refused for good
	// (access denied, no such queue, its KMS key unusable): every event
	// fails the same way until the configuration is fixed.
	WebhookQueueFailedPermanent = Metric{Name: "WebhookQueueFailedPermanent", Unit: Count, Function: FunctionWebhook, Help: "recordings not queued: the queue refused for good (answered 500)"}
)

// The reconciler's metrics, one log line per run.
var (
	ReconcileRecordingsListed  = Metric{Name: "ReconcileRecordingsListed", Unit: Count, Function: FunctionReconcile, Help: "recordings the PBX listed"}
	ReconcileRecordingsMissing = Metric{Name: "ReconcileRecordingsMissing", Unit: Count, Function: FunctionReconcile, Help: "recordings the bucket lacked"}
	ReconcileRecordingsLost    = Metric{Name: "ReconcileRecordingsLost", Unit: Count, Function: FunctionReconcile, ByPBX: true, Help: "queued recordings whose call ended more than the settle time ago: their event was lost (also by pbx)"}
	ReconcileRecordingsQueued  = Metric{Name: "ReconcileRecordingsQueued", Unit: Count, Function: FunctionReconcile, Help: "recordings queued for copying"}
	ReconcileRunsComplete      = Metric{Name: "ReconcileRunsComplete", Unit: Count, Function: FunctionReconcile, Help: "runs that finished their window (0: continued next run)"}
	ReconcileRunsFailed        = Metric{Name: "ReconcileRunsFailed", Unit: Count, Function: FunctionReconcile, ByPBX: true, Help: "runs that stopped with an error (also by pbx: the PBXs that failed)"}
	ReconcileStateReset        = Metric{Name: "ReconcileStateReset", Unit: Count, Function: FunctionReconcile, Help: "runs whose state object did not open and was started afresh (unfinished windows dropped)"}
)

// Catalog is every metric the functions emit.
var Catalog = []Metric{
	RecordingsCopied, RecordingsAlreadyStored, RecordingsFailed, BytesCopied, CopyDuration,
	CallEndToStored, DownloadResumes, TokenRenewals, BusyWaits, RecordingsHandedBack,
	WebhookEventsReceived, WebhookSignaturesRejected, WebhookEventsQueued, WebhookQueueFailedPermanent,
	ReconcileRecordingsListed, ReconcileRecordingsMissing, ReconcileRecordingsLost,
	ReconcileRecordingsQueued, ReconcileRunsComplete, ReconcileRunsFailed, ReconcileStateReset,
}

// Lookup finds a metric of the catalog by name.
func Lookup(name string) (Metric, bool) {
	for _, m := range Catalog {
		if m.Name == name {
			return m, true
		}
	}
	return Metric{}, false
}
