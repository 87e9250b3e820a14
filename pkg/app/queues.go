package app

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/recording-sync/recording-sync/pkg/config"
	"github.com/recording-sync/recording-sync/pkg/copyhandler"
	"github.com/recording-sync/recording-sync/pkg/queue"
)

// copyQueues sets the copy handler's queues in opts: the dead-letter queue
// SQS records that can never succeed are moved to (none without
// DEAD_LETTER_QUEUE_URL: the queue's retries then move them), and the
// recording queue records that only wait for a busy PBX are handed back to
// (none without RECORDINGS_QUEUE_URL: they wait inside the invocation).
// AWS_ENDPOINT_URL_SQS is read by the SDK itself.
func copyQueues(awsCfg aws.Config, cfg config.Config, opts *copyhandler.Options) {
	if cfg.DeadLetterQueueURL == "" && cfg.QueueURL == "" {
		return
	}
	client := sqs.NewFromConfig(awsCfg)
	if cfg.DeadLetterQueueURL != "" {
		opts.DeadLetters = queue.New(client, cfg.DeadLetterQueueURL)
	}
	if cfg.QueueURL != "" {
		opts.Returner = queue.NewReturner(client, cfg.QueueURL)
	}
}
