package app

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/recording-sync/recording-sync/pkg/queue"
	"github.com/recording-sync/recording-sync/pkg/reconcile"
)

// newQueue is the recording queue the reconciler sends to, through the SQS
// client of awsCfg (AWS_ENDPOINT_URL_SQS is read by the SDK itself).
func newQueue(awsCfg aws.Config, queueURL string) reconcile.Queue {
	return reconcile.RefQueue{Sender: queue.New(sqs.NewFromConfig(awsCfg), queueURL)}
}
