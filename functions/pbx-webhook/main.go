// Command pbx-webhook is the Lambda function behind the stack's Function
// URL that receives the Yeastar PBX's webhook requests: it checks their
// signature and puts the recording a call-end event (30012) names on the
// recording queue, with the call's details. Its wiring is webhookapp.Build
// (apart from package app, so that the S3 uploader and the PBX client are
// not linked in); lambdafn.Main starts it.
package main

import (
	"github.com/recording-sync/recording-sync/pkg/app/webhookapp"
	"github.com/recording-sync/recording-sync/pkg/lambdafn"
)

func main() { lambdafn.Main("pbx-webhook", webhookapp.Build) }
