// Package reconcile keeps the bucket in sync with the PBX: it lists the
// recordings the PBX made in a time window (recording/search), finds those
// the bucket lacks under the copy function's key template, and queues them
// for the copy function. A run stops before its deadline and saves a cursor
// in a small state object, so that a window of any size completes across
// runs; recordings it queued recently are not queued again, so repeated
// runs do not snowball a backlog while the queue drains.
package reconcile
