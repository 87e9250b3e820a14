// Command recording-sync is the Lambda function (the bootstrap of a
// provided.al2023 runtime) that copies Yeastar PBX call recordings into S3.
// Its wiring is copyapp.Build; lambdafn.Main starts it.
package main

import (
	"github.com/recording-sync/recording-sync/pkg/app/copyapp"
	"github.com/recording-sync/recording-sync/pkg/lambdafn"
)

func main() { lambdafn.Main("recording-sync", copyapp.Build) }
