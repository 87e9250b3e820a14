// Package metrics writes the functions' metrics in CloudWatch's Embedded
// Metric Format (EMF) and reads them back.
//
// A metric is a few extra members of a log line the function writes
// anyway: CloudWatch Logs extracts them into CloudWatch metrics, so there
// is no PutMetricData call, no latency and nothing more to permit in IAM.
// Emitter.Attrs adds them to a slog line; Parse reads a line back and
// checks it against the EMF specification (the demo's summary and the
// tests use it).
//
// Catalog lists every metric the functions emit, with its unit and the
// function that emits it: the template's dashboard and alarms name only
// these (template_metrics_test.go checks it). Dimensions are few, so that
// cost stays flat: the function's name, errorType for failures, and the
// PBX only where an operator acts on it (a ByPBX metric: the reconciler's
// failures and lost recordings), one series per PBX.
//
// Specification: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
package metrics
