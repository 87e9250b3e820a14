// Command recording-sync is the Lambda function (the bootstrap of a
// provided.al2023 runtime) that copies Yeastar PBX call recordings into S3.
// Its wiring is app.BuildCopy; lambdafn.Main starts it.
package main

import (
	"github.com/recording-sync/recording-sync/pkg/app"
	"github.com/recording-sync/recording-sync/pkg/lambdafn"
)

func main() { lambdafn.Main("recording-sync", app.BuildCopy) }
