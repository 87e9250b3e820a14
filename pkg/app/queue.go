package app

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/recording-sync/recording-sync/pkg/queue"
	"github.com/recording-sync/recording-sync/pkg/reconcile"
)

// newSender is the recording queue's sender, which every PBX's queue
// shares.
func newSender(awsCfg aws.Config, queueURL string) reconcile.BatchSender {
	return queue.New(sqs.NewFromConfig(awsCfg), queueURL)
}
