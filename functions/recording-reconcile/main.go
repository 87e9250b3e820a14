// Command recording-reconcile is the Lambda function (the bootstrap of a
// provided.al2023 runtime) that finds the recordings the bucket lacks in a
// time window and queues them for the copy function. Its wiring is
// reconcileapp.Build; lambdafn.Main starts it.
package main

import (
	"github.com/recording-sync/recording-sync/pkg/app/reconcileapp"
	"github.com/recording-sync/recording-sync/pkg/lambdafn"
)

func main() { lambdafn.Main("recording-reconcile", reconcileapp.Build) }
